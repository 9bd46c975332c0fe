package io.iscsi4j.core.transport;

import io.iscsi4j.core.pdu.EventLoopWork;
import io.netty.channel.SelectStrategy;
import io.netty.util.IntSupplier;

import java.util.function.LongSupplier;

/**
 * How one event loop waits for its sockets: after network activity it polls them without blocking for up to a
 * window (the target's {@code busyPoll}), and only then sleeps in the selector.
 *
 * <p>At a low queue depth an initiator sends its next command a few tens of microseconds after the target's
 * answer. A loop that has gone to sleep by then must be woken: in a virtual machine that is an inter-processor
 * interrupt, a halted virtual CPU scheduled again and a context switch, which cost as much as the command itself
 * (measured: a third to half of the target's CPU time at queue depth 1, and about half of the round trip). A loop
 * still polling sees the command at once; it spends on polling roughly what the wake-up would have cost.
 *
 * <p>The loop polls only when it owes nothing: no PDU of its connections is half read and no command of its
 * sessions is still running ({@link EventLoopWork}). In the middle of a large transfer the rest of the data comes
 * anyway, and polling would only take it in more, smaller reads (measured: 30 to 60 % more CPU time per 1 MiB
 * command at queue depth 1, for no more throughput); a command that waits for its backstore is answered from another
 * thread, which wakes the loop.
 *
 * <p>Polling adapts, so that a slow or idle peer does not cost a poll per wake-up: after
 * {@value #MISSES_BEFORE_REST} polls in a row that ended without I/O, the loop sleeps at once, trying a poll again
 * only on every {@value #PROBE_EVERY}th wake-up; the first poll that finds I/O brings polling back after every wake-up.
 * (The time asleep says nothing useful here: in a virtual machine the wake-up itself takes as long as the window.)
 * While polling, the strategy returns to the loop every {@link #CHUNK_NANOS} so that tasks queued by other threads
 * (backstore completions) run without delay; queuing a task does not wake a polling loop, so that is cheap too.
 *
 * <p>One instance per event loop, called on its thread only. A window of zero gives Netty's default strategy.
 */
final class BusyPollStrategy implements SelectStrategy {

    /** The longest stretch of polling before the loop gets to run queued tasks. */
    static final long CHUNK_NANOS = 10_000;
    /** Polls in a row that found nothing, after which the loop rests (sleeps without polling). */
    static final int MISSES_BEFORE_REST = 4;
    /** While resting, every this many wake-ups start a poll again, to notice a peer that became fast. */
    static final int PROBE_EVERY = 16;

    private final long windowNanos;
    private final LongSupplier clock;
    /** The loop thread's work under way; polling only makes sense with none. */
    private EventLoopWork work;
    /** Until when to poll: the last activity plus the window. */
    private long pollUntil;
    /** Whether the loop was last told to sleep. */
    private boolean slept;
    /** Whether a window of polling is open (it ends with I/O, or as a miss). */
    private boolean polling;
    /** Polls in a row that ended without I/O. */
    private int misses;
    /** Wake-ups since the loop started resting. */
    private int restingWakeUps;

    BusyPollStrategy(long windowNanos) {
        this(windowNanos, System::nanoTime);
    }

    BusyPollStrategy(long windowNanos, LongSupplier clock) {
        if (windowNanos < 0) {
            throw new IllegalArgumentException("negative window: " + windowNanos);
        }
        this.windowNanos = windowNanos;
        this.clock = clock;
        this.pollUntil = clock.getAsLong();
    }

    @Override
    public int calculateStrategy(IntSupplier selectNow, boolean hasTasks) throws Exception {
        if (hasTasks) {
            return selectNow.get();
        }
        if (windowNanos == 0) {
            return SELECT;
        }
        if (work == null) {
            work = EventLoopWork.current(); // the first call is on the loop's thread, as all are
        }
        if (!work.idle()) {
            // A PDU half read or a command still running: the rest comes without a new request. Sleeping lets the
            // data pile up for fewer, larger reads; polling would take it in dribbles. Not a miss.
            polling = false;
            slept = true;
            return SELECT;
        }
        long now = clock.getAsLong();
        if (slept) {
            // Back from the selector: something happened (I/O, a task, a timer). Poll after it, unless resting.
            slept = false;
            if (!resting() || ++restingWakeUps % PROBE_EVERY == 0) {
                pollUntil = now + windowNanos;
                polling = true;
            }
        }
        long chunkEnd = now + CHUNK_NANOS;
        while (polling && now - pollUntil < 0) {
            int ready = selectNow.get();
            now = clock.getAsLong();
            if (ready > 0) {
                misses = 0;
                restingWakeUps = 0;
                pollUntil = now + windowNanos;
                return ready;
            }
            if (now - chunkEnd >= 0) {
                return 0; // no I/O: the loop runs its queued tasks and asks again
            }
            Thread.onSpinWait();
        }
        if (polling) {
            polling = false;
            misses++;
        }
        slept = true;
        return SELECT;
    }

    /** Whether the loop sleeps at once after a wake-up (too many polls in a row found nothing). */
    boolean resting() {
        return misses >= MISSES_BEFORE_REST;
    }
}
