package io.iscsi4j.core.session;

import io.iscsi4j.TargetListener;
import io.iscsi4j.TargetListener.LoginFailureInfo;
import io.iscsi4j.TargetListener.SessionInfo;
import io.iscsi4j.TargetListener.TaskManagementInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionHandler;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Hands session events to the registered {@link TargetListener}s on one dedicated thread, in the order they were
 * posted, so that listeners never run on a network or storage thread. Without listeners every method returns at
 * once. A listener's exception is logged and does not reach the others.
 *
 * <p>At most {@link #CAPACITY} events wait for the listeners. Posting never blocks (events are posted from network
 * threads): when the queue is full, because a listener is slow or blocked, the new event is dropped and counted,
 * and a WARN line reports the events dropped at most once per {@linkplain #WARNING_INTERVAL interval}. Thread-safe.
 */
public final class TargetEvents implements AutoCloseable {

    /** The most events waiting for the listeners at once; further events are dropped while it is full. */
    public static final int CAPACITY = 10_000;

    /** The shortest time between two lines about dropped events. */
    static final Duration WARNING_INTERVAL = Duration.ofMinutes(1);

    private static final Logger LOG = LoggerFactory.getLogger(TargetEvents.class);

    private final List<TargetListener> listeners;
    private final ThreadPoolExecutor executor;
    private final int capacity;
    private final LongSupplier nanoTime;
    private final Consumer<String> warn;
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong droppedUnreported = new AtomicLong();
    /** When the next line about dropped events may be logged ({@link #nanoTime} value). */
    private final AtomicLong nextWarningNanos;

    /**
     * @param listeners the listeners, called in this order
     */
    public TargetEvents(List<TargetListener> listeners) {
        this(listeners, CAPACITY, System::nanoTime, LOG::warn);
    }

    /**
     * Events with an explicit queue capacity, time source and output for the lines about dropped events, for
     * tests.
     *
     * @param listeners the listeners, called in this order
     * @param capacity the most events waiting at once, at least 1
     * @param nanoTime the time source, as {@link System#nanoTime()}
     * @param warn receives the lines about dropped events
     */
    TargetEvents(List<TargetListener> listeners, int capacity, LongSupplier nanoTime, Consumer<String> warn) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1: " + capacity);
        }
        this.listeners = List.copyOf(listeners);
        this.capacity = capacity;
        this.nanoTime = nanoTime;
        this.warn = warn;
        this.nextWarningNanos = new AtomicLong(nanoTime.getAsLong());
        if (this.listeners.isEmpty()) {
            this.executor = null;
        } else {
            RejectedExecutionHandler full = (task, pool) -> {
                if (pool.isShutdown()) {
                    LOG.debug("event after the target closed: not delivered");
                } else {
                    dropped();
                }
            };
            this.executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(capacity),
                    r -> {
                        Thread t = new Thread(r, "iscsi4j-events");
                        t.setDaemon(true);
                        return t;
                    }, full);
        }
    }

    /** Whether any listener is registered (callers skip building events otherwise). */
    boolean enabled() {
        return executor != null;
    }

    void loginSucceeded(SessionInfo session) {
        post("loginSucceeded", l -> l.loginSucceeded(session));
    }

    void loginFailed(LoginFailureInfo failure) {
        post("loginFailed", l -> l.loginFailed(failure));
    }

    void loggedOut(SessionInfo session) {
        post("loggedOut", l -> l.loggedOut(session));
    }

    void connectionDropped(SessionInfo session) {
        post("connectionDropped", l -> l.connectionDropped(session));
    }

    void taskManagement(SessionInfo session, TaskManagementInfo function) {
        post("taskManagement", l -> l.taskManagement(session, function));
    }

    private void post(String event, Consumer<TargetListener> call) {
        if (executor == null) {
            return;
        }
        executor.execute(() -> {
            for (TargetListener l : listeners) {
                try {
                    call.accept(l);
                } catch (RuntimeException | Error e) {
                    if (e instanceof VirtualMachineError) {
                        throw e;
                    }
                    LOG.warn("listener {} failed on {}", l, event, e);
                }
            }
            if (droppedUnreported.get() > 0) {
                reportDrops(); // drops that stopped before the interval was over, reported once it is
            }
        });
    }

    /** The queue was full: counts the event and reports the count if the last report is long enough ago. */
    private void dropped() {
        dropped.incrementAndGet();
        droppedUnreported.incrementAndGet();
        reportDrops();
    }

    private void reportDrops() {
        long now = nanoTime.getAsLong();
        long next = nextWarningNanos.get();
        if (now - next < 0 || !nextWarningNanos.compareAndSet(next, now + WARNING_INTERVAL.toNanos())) {
            return;
        }
        long n = droppedUnreported.getAndSet(0);
        if (n > 0) {
            warn.accept(n + " listener events dropped: " + capacity + " events were waiting for the listeners"
                    + " (a listener is slow or blocked); " + dropped.get() + " dropped since the target started");
        }
    }

    /** Events dropped so far because the queue was full. */
    long droppedEvents() {
        return dropped.get();
    }

    /** Events waiting for the listeners now (not counting one being delivered). */
    int queuedEvents() {
        return executor == null ? 0 : executor.getQueue().size();
    }

    /** Delivers the events already posted (waiting at most 5 seconds) and stops the thread. Idempotent. */
    @Override
    public void close() {
        if (executor == null) {
            return;
        }
        executor.shutdown();
        try {
            if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.warn("listeners still busy 5 s after the target closed; dropping the events not delivered");
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
