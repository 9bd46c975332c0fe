package io.iscsi4j.core.session;

import io.iscsi4j.SessionStatistics;

import java.util.concurrent.atomic.AtomicLong;

/**
 * One session's command counters. Written only on the session's event loop, so each update is a plain read and an
 * ordered write ({@link AtomicLong#lazySet}: no compare-and-set, no allocation); read from any thread.
 */
final class SessionCounters {

    private final AtomicLong commands = new AtomicLong();
    private final AtomicLong bytesRead = new AtomicLong();
    private final AtomicLong bytesWritten = new AtomicLong();
    private final AtomicLong checkConditions = new AtomicLong();

    /** Event loop: one command answered. */
    void answered(boolean read, boolean write, long bytes, boolean checkCondition) {
        commands.lazySet(commands.get() + 1);
        if (bytes > 0) {
            if (read) {
                bytesRead.lazySet(bytesRead.get() + bytes);
            } else if (write) {
                bytesWritten.lazySet(bytesWritten.get() + bytes);
            }
        }
        if (checkCondition) {
            checkConditions.lazySet(checkConditions.get() + 1);
        }
    }

    SessionStatistics snapshot(int inFlight) {
        return new SessionStatistics(commands.get(), bytesRead.get(), bytesWritten.get(), checkConditions.get(),
                inFlight);
    }
}
