package io.iscsi4j.scsi;

import java.util.concurrent.ScheduledFuture;

/**
 * One backstore call measured against the logical unit's {@link BackstoreTimeouts}: the race between the call's
 * completion and its timer, decided under this object's monitor. Used only when the logical unit has a backstore
 * timeout. {@link BlockIo} keeps one for all the calls of its command, one after the other; {@link AsyncIo} makes
 * one per call.
 *
 * <p>When the timer wins, on the timer thread: the task's buffers are kept ({@link ScsiTask#retainBuffers}, so the
 * transport does not free or reuse them while the call may still read or write them), the logical unit becomes
 * not ready ({@link BackstoreTimeouts#stalled}), and then the owner's {@code onTimeout} ends the command (NOT READY).
 * The owner keeps its LBA claim. When the call then completes, {@link #completedOnTime()} says it was late: the
 * owner releases its claim and calls {@link #lateCompletion}, which lets the buffers go and makes the logical unit
 * ready again (when no other late call runs). When the call wins, the timer is cancelled and the owner finishes the
 * command as without a timeout.
 */
final class TimedStage implements Runnable {

    private static final int IDLE = 0;
    private static final int RUNNING = 1;
    private static final int TIMED_OUT = 2;

    private final BackstoreTimeouts timeouts;
    /** The task whose buffers the call may use, or {@code null} (work that outlives its task, or has none). */
    private final ScsiTask task;
    private final Runnable onTimeout;
    /** Guarded by this. */
    private int state = IDLE;
    /** Guarded by this. */
    private ScheduledFuture<?> timer;
    /** What releases the task's buffers kept on timeout; guarded by this. */
    private Runnable heldBuffers;

    /**
     * @param timeouts the logical unit's timeouts
     * @param task the task whose buffers the calls use, or {@code null} when the calls use none of a live task's
     * @param onTimeout ends the command when a call exceeded the timeout; runs on the timer thread, at most once
     *        per call, after the buffers were kept and the logical unit marked not ready
     */
    TimedStage(BackstoreTimeouts timeouts, ScsiTask task, Runnable onTimeout) {
        this.timeouts = timeouts;
        this.task = task;
        this.onTimeout = onTimeout;
    }

    /** Starts the timer; call right before the backstore call. */
    synchronized void start() {
        state = RUNNING;
        timer = timeouts.schedule(this);
    }

    /** The timer fired. */
    @Override
    public void run() {
        synchronized (this) {
            if (state != RUNNING) {
                return;
            }
            state = TIMED_OUT;
            timer = null;
            heldBuffers = task == null ? null : task.retainBuffers();
            timeouts.stalled();
        }
        onTimeout.run();
    }

    /**
     * The call completed (successfully or not).
     *
     * @return {@code true} when within the timeout: the owner finishes the command as usual; {@code false} when the
     *     command has ended already (NOT READY): the owner releases what the call held and calls
     *     {@link #lateCompletion}
     */
    boolean completedOnTime() {
        ScheduledFuture<?> t;
        synchronized (this) {
            if (state == TIMED_OUT) {
                return false;
            }
            state = IDLE;
            t = timer;
            timer = null;
        }
        if (t != null) {
            t.cancel(false);
        }
        return true;
    }

    /**
     * Finishes a call that completed after the timeout: releases the task's buffers kept for it, and makes the
     * logical unit ready again unless another late call still runs.
     *
     * @param failure how the call completed, or {@code null}
     */
    void lateCompletion(Throwable failure) {
        Runnable held;
        synchronized (this) {
            held = heldBuffers;
            heldBuffers = null;
            state = IDLE;
        }
        if (held != null) {
            held.run();
        }
        timeouts.completedLate(failure);
    }
}
