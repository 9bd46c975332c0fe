package io.iscsi4j.core.transport;

import io.iscsi4j.core.pdu.EventLoopWork;
import io.netty.channel.SelectStrategy;
import io.netty.util.IntSupplier;
import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.Deque;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link BusyPollStrategy} against a scripted selector and a clock that advances by a fixed step per reading, so
 * that every decision (poll, run tasks, sleep) and the window's adaptation are checked without timing anything.
 */
class BusyPollStrategyTest {

    private static final long US = 1_000;

    /** A clock that moves by {@code step} on every reading; {@link #advance} jumps (a sleep). */
    private static final class Clock {
        long now = 1_000_000 * US;
        long step = 1 * US;

        long read() {
            now += step;
            return now;
        }

        void advance(long nanos) {
            now += nanos;
        }
    }

    /** selectNow(): the scripted counts of ready keys, then 0; counts the calls. */
    private static final class Selector implements IntSupplier {
        final Deque<Integer> ready = new ArrayDeque<>();
        int calls;

        @Override
        public int get() {
            calls++;
            Integer n = ready.poll();
            return n == null ? 0 : n;
        }
    }

    private final Clock clock = new Clock();
    private final Selector selector = new Selector();

    /** Calls the strategy until it says SELECT, as the loop would (a 0 means: run the tasks and ask again). */
    private int untilSelectOrReady(BusyPollStrategy s) throws Exception {
        for (int i = 0; i < 1_000; i++) {
            int r = s.calculateStrategy(selector, false);
            if (r != 0) {
                return r;
            }
        }
        throw new AssertionError("the strategy neither slept nor found I/O in 1000 calls");
    }

    @Test
    void withTasksPendingItOnlyLooksAndNeverSpins() throws Exception {
        BusyPollStrategy s = new BusyPollStrategy(50 * US, clock::read);
        selector.ready.add(3);
        assertThat(s.calculateStrategy(selector, true)).isEqualTo(3);
        assertThat(s.calculateStrategy(selector, true)).isZero();
        assertThat(selector.calls).isEqualTo(2);
    }

    @Test
    void aZeroWindowSleepsAtOnceWithoutPolling() throws Exception {
        BusyPollStrategy s = new BusyPollStrategy(0, clock::read);
        assertThat(s.calculateStrategy(selector, false)).isEqualTo(SelectStrategy.SELECT);
        assertThat(selector.calls).isZero();
    }

    @Test
    void theFirstWaitSleepsAndTheWakeUpStartsAWindowOfPolling() throws Exception {
        BusyPollStrategy s = new BusyPollStrategy(50 * US, clock::read);
        // Nothing has happened yet: no reason to poll.
        assertThat(s.calculateStrategy(selector, false)).isEqualTo(SelectStrategy.SELECT);
        assertThat(selector.calls).isZero();
        // Woken 20 µs later (a command came in and was served): poll, and the next command is seen by polling.
        clock.advance(20 * US);
        selector.ready.add(0);
        selector.ready.add(0);
        selector.ready.add(1);
        assertThat(untilSelectOrReady(s)).isEqualTo(1);
        assertThat(selector.calls).isEqualTo(3);
    }

    @Test
    void pollingEndsAfterTheWindowAndReturnsToTheLoopEveryChunk() throws Exception {
        BusyPollStrategy s = new BusyPollStrategy(50 * US, clock::read);
        s.calculateStrategy(selector, false); // sleep
        clock.advance(10 * US);
        int zeros = 0;
        int r;
        while ((r = s.calculateStrategy(selector, false)) == 0) {
            zeros++;
        }
        assertThat(r).isEqualTo(SelectStrategy.SELECT);
        // 50 µs of polling at 1 µs per clock reading, handed back every 10 µs so queued tasks run.
        assertThat(zeros).isBetween(3, 5);
        assertThat(selector.calls).isBetween(40, 50); // one poll per microsecond
    }

    @Test
    void activityWhilePollingExtendsTheWindow() throws Exception {
        BusyPollStrategy s = new BusyPollStrategy(50 * US, clock::read);
        s.calculateStrategy(selector, false);
        clock.advance(10 * US);
        for (int i = 0; i < 5; i++) {
            selector.ready.add(0);
            selector.ready.add(1);
            assertThat(untilSelectOrReady(s)).isEqualTo(1);
            clock.advance(40 * US); // serving the command; still inside the window that began at its arrival
        }
        assertThat(untilSelectOrReady(s)).isEqualTo(SelectStrategy.SELECT);
    }

    @Test
    void pollsThatFindNothingLeadToRestAndAProbeThatFindsIoEndsIt() throws Exception {
        BusyPollStrategy s = new BusyPollStrategy(50 * US, clock::read);
        s.calculateStrategy(selector, false);
        // A slow peer: every poll after a wake-up runs out.
        for (int i = 0; i < BusyPollStrategy.MISSES_BEFORE_REST; i++) {
            assertThat(s.resting()).isFalse();
            clock.advance(1_000 * US);
            int before = selector.calls;
            assertThat(untilSelectOrReady(s)).isEqualTo(SelectStrategy.SELECT);
            assertThat(selector.calls - before).as("a full window of polls").isGreaterThan(40);
        }
        assertThat(s.resting()).isTrue();
        // Resting: wake-ups go straight back to sleep, but every PROBE_EVERY-th one polls again.
        int polls = 0;
        for (int i = 1; i <= 3 * BusyPollStrategy.PROBE_EVERY; i++) {
            clock.advance(1_000 * US);
            int before = selector.calls;
            assertThat(untilSelectOrReady(s)).isEqualTo(SelectStrategy.SELECT);
            if (selector.calls > before) {
                polls++;
                assertThat(i % BusyPollStrategy.PROBE_EVERY).as("wake-up %d polled", i).isZero();
            }
        }
        assertThat(polls).isEqualTo(3);
        // The peer speeds up: the next probe finds its command, and polling follows every wake-up again.
        for (int i = 1; i < BusyPollStrategy.PROBE_EVERY; i++) {
            clock.advance(1_000 * US);
            untilSelectOrReady(s);
        }
        clock.advance(1_000 * US);
        selector.ready.add(0);
        selector.ready.add(1);
        assertThat(untilSelectOrReady(s)).isEqualTo(1);
        assertThat(s.resting()).isFalse();
        assertThat(untilSelectOrReady(s)).isEqualTo(SelectStrategy.SELECT); // its window ran out: one miss
        clock.advance(1_000 * US);
        int before = selector.calls;
        untilSelectOrReady(s);
        assertThat(selector.calls - before).as("polls after the next wake-up").isGreaterThan(40);
    }

    @Test
    void aTransferUnderWayIsWaitedForAsleepWithoutCountingMisses() throws Exception {
        BusyPollStrategy s = new BusyPollStrategy(50 * US, clock::read);
        EventLoopWork work = EventLoopWork.current();
        s.calculateStrategy(selector, false);
        work.begin(); // e.g. a Data-Out segment half read
        try {
            for (int i = 0; i < 2 * BusyPollStrategy.MISSES_BEFORE_REST; i++) {
                clock.advance(10 * US);
                assertThat(s.calculateStrategy(selector, false)).isEqualTo(SelectStrategy.SELECT);
            }
            assertThat(selector.calls).as("polls while a transfer is under way").isZero();
            assertThat(s.resting()).isFalse();
        } finally {
            work.end();
        }
        // The transfer is done and answered: the next wake-up polls for the next command.
        clock.advance(10 * US);
        selector.ready.add(0);
        selector.ready.add(1);
        assertThat(untilSelectOrReady(s)).isEqualTo(1);
        assertThat(work.idle()).isTrue();
    }

    @Test
    void negativeWindowIsRefused() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new BusyPollStrategy(-1))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
