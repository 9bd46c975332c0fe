package io.iscsi4j.scsi;

import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The backstore timeout of one logical unit ({@link LogicalUnit.Builder#backstoreTimeout}): the timer every backstore
 * call of the unit is measured with, and the count of calls that exceeded it and are still running. While that count
 * is above zero the logical unit is NOT READY ({@link #notReady()}). Exists only for a logical unit built with the
 * option; without it no call is timed and nothing of this class is allocated.
 *
 * <p><b>Sense data.</b> {@link #NOT_READY}: NOT READY / LOGICAL UNIT NOT READY, OPERATION IN PROGRESS (04h/07h).
 * SPC-5 has no code for "the storage behind the logical unit stopped answering". CAUSE NOT REPORTABLE (04h/00h) says
 * nothing, and is what a backstore's own {@link io.iscsi4j.backstore.NotReadyException} reports. OPERATION IN
 * PROGRESS describes the state as it is (an operation of the logical unit, the stalled call, is still in progress,
 * and the unit is not ready until it ends) and initiators take it as transient: the Linux SCSI midlayer retries a
 * command that ended with 04h/07h after a delay, for as long as the command's own timeout allows, where it fails the
 * I/O at once for 04h/00h. So a store that recovers within the initiator's patience costs it no I/O error, and the
 * retry is served only once the stalled call has ended.
 *
 * <p><b>Threads.</b> One timer thread per logical unit (a {@link ScheduledThreadPoolExecutor} of one daemon thread,
 * created on the first timed call and ending after a minute without timers), never a thread per call; cancelled
 * timers leave its queue at once. {@link #close()} stops it. Thread-safe.
 */
final class BackstoreTimeouts {

    private static final Logger LOG = LoggerFactory.getLogger(BackstoreTimeouts.class);

    /** What a command ends with while the logical unit is not ready for a stalled call; see the class comment. */
    static final SenseData NOT_READY =
            SenseData.of(SenseKey.NOT_READY, AdditionalSense.LOGICAL_UNIT_NOT_READY_OPERATION_IN_PROGRESS);

    private final Duration timeout;
    private final long nanos;
    /** The logical unit's serial, for the log. */
    private final String unit;
    /** Calls that exceeded the timeout and have not completed. */
    private final AtomicInteger stalled = new AtomicInteger();
    private final Object lock = new Object();
    /** Created on first use; guarded by {@link #lock} for writes. */
    private volatile ScheduledThreadPoolExecutor timer;
    /** Guarded by {@link #lock}. */
    private boolean closed;

    /**
     * @param timeout how long a backstore call may take, positive
     * @param unit the logical unit's serial, for the log
     */
    BackstoreTimeouts(Duration timeout, String unit) {
        this.timeout = timeout;
        this.nanos = saturatedNanos(timeout);
        this.unit = unit;
    }

    /** {@return the timeout} */
    Duration timeout() {
        return timeout;
    }

    /** Whether a call that exceeded the timeout is still running: then every command ends with {@link #NOT_READY}. */
    boolean notReady() {
        return stalled.get() > 0;
    }

    /** {@return how many calls exceeded the timeout and are still running} */
    int stalledCalls() {
        return stalled.get();
    }

    /**
     * Runs {@code onTimeout} on the timer thread once the timeout has passed, unless cancelled first.
     *
     * @return the timer, or {@code null} once {@link #close()} was called (the call then runs untimed)
     */
    ScheduledFuture<?> schedule(Runnable onTimeout) {
        ScheduledThreadPoolExecutor t = timer();
        if (t == null) {
            return null;
        }
        try {
            return t.schedule(onTimeout, nanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            return null; // closed meanwhile
        }
    }

    /** A call exceeded the timeout: the logical unit is not ready until {@link #completedLate} balances this. */
    void stalled() {
        int n = stalled.incrementAndGet();
        if (n == 1) {
            LOG.warn("logical unit {}: a backstore call has not completed within {} ms; the logical unit is NOT READY"
                    + " until it does", unit, timeout.toMillis());
        } else if (LOG.isDebugEnabled()) {
            LOG.debug("logical unit {}: {} backstore calls past the timeout", unit, n);
        }
    }

    /**
     * A call that exceeded the timeout has completed now; the logical unit is ready again once no other one runs.
     *
     * @param failure how the call completed, or {@code null} for success (its outcome is not reported to anyone)
     */
    void completedLate(Throwable failure) {
        int n = stalled.decrementAndGet();
        if (n == 0) {
            LOG.info("logical unit {}: the backstore calls past the timeout have completed; the logical unit is ready"
                    + " again", unit);
        }
        if (LOG.isDebugEnabled()) {
            LOG.debug("logical unit {}: a backstore call completed after the timeout ({}); {} still running", unit,
                    failure == null ? "success" : failure.toString(), n);
        }
    }

    /**
     * Stops the timer: calls started from now on run untimed, pending timers never fire.
     *
     * @return how many calls that exceeded the timeout are still running
     */
    int close() {
        synchronized (lock) {
            closed = true;
            ScheduledThreadPoolExecutor t = timer;
            if (t != null) {
                t.shutdownNow();
            }
        }
        return stalled.get();
    }

    private ScheduledThreadPoolExecutor timer() {
        ScheduledThreadPoolExecutor t = timer;
        if (t != null) {
            return t;
        }
        synchronized (lock) {
            if (closed) {
                return null;
            }
            if (timer == null) {
                String name = "iscsi4j-backstore-timeout-" + unit;
                ScheduledThreadPoolExecutor created = new ScheduledThreadPoolExecutor(1, r -> {
                    Thread thread = new Thread(r, name);
                    thread.setDaemon(true);
                    return thread;
                });
                created.setRemoveOnCancelPolicy(true);
                created.setKeepAliveTime(60, TimeUnit.SECONDS);
                created.allowCoreThreadTimeOut(true);
                timer = created;
            }
            return timer;
        }
    }

    private static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }
}
