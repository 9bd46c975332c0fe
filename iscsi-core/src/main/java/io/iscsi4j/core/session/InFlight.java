package io.iscsi4j.core.session;

import java.time.Duration;

/**
 * Counts SCSI tasks whose storage I/O may still be running, so that closing the target can wait for them before
 * closing the backstores. Thread-safe.
 */
public final class InFlight {

    private int count;

    /** Creates a counter at zero. */
    public InFlight() {
    }

    synchronized void increment() {
        count++;
    }

    synchronized void decrement() {
        if (--count <= 0) {
            count = 0;
            notifyAll();
        }
    }

    /**
     * Waits until no task is in flight.
     *
     * @param timeout the longest wait
     * @return {@code true} when drained, {@code false} on timeout
     * @throws InterruptedException when interrupted
     */
    public synchronized boolean awaitIdle(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (count > 0) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return true;
    }
}
