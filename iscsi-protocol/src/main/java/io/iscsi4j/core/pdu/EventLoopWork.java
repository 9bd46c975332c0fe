package io.iscsi4j.core.pdu;

import io.netty.util.concurrent.FastThreadLocal;

/**
 * Work an event-loop thread has under way that will go on without a new request from a peer: PDUs of its
 * connections that are partly read, and commands of its sessions still running. Counted per thread and touched
 * only by that thread (no synchronisation), so that the thread's wait strategy can tell "every peer has its answer
 * and may send a new command any moment" (worth polling for) from "a transfer is in the middle" (where polling
 * only splits the data into more, smaller reads; better to sleep and let it pile up).
 */
public final class EventLoopWork {

    private static final FastThreadLocal<EventLoopWork> CURRENT = new FastThreadLocal<>() {
        @Override
        protected EventLoopWork initialValue() {
            return new EventLoopWork();
        }
    };

    private int units;

    private EventLoopWork() {
    }

    /**
     * The calling thread's count.
     *
     * @return the thread's instance
     */
    public static EventLoopWork current() {
        return CURRENT.get();
    }

    /** One more unit of work under way on this thread. */
    public void begin() {
        units++;
    }

    /** One unit fewer; never below zero (a unit begun on another thread is not counted twice). */
    public void end() {
        if (units > 0) {
            units--;
        }
    }

    /**
     * Whether nothing is under way.
     *
     * @return {@code true} when no unit is counted
     */
    public boolean idle() {
        return units == 0;
    }
}
