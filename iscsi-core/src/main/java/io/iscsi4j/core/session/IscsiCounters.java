package io.iscsi4j.core.session;

import io.iscsi4j.IscsiStatistics;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * One set of iSCSI-level counters: the whole target's, one portal's or one target's. Connections count into up to
 * three sets at once through their {@link Tally}. Login, logout and error events are rare next to commands, so
 * {@link LongAdder}s serve any thread cheaply. Thread-safe.
 */
final class IscsiCounters {

    /** What a connection counts, besides refused logins (counted by status). */
    enum Event {
        LOGIN_ACCEPTED,
        LOGIN_REFUSED,
        LOGOUT,
        CONNECTION_DROP,
        HEADER_DIGEST_ERROR,
        DATA_DIGEST_ERROR,
        FORMAT_ERROR,
        REJECT_SENT,
        NOP_IN_TIMEOUT
    }

    private static final Event[] EVENTS = Event.values();

    private final LongAdder[] counts = new LongAdder[EVENTS.length];
    private final ConcurrentHashMap<Integer, LongAdder> refusedByStatus = new ConcurrentHashMap<>();

    IscsiCounters() {
        for (int i = 0; i < counts.length; i++) {
            counts[i] = new LongAdder();
        }
    }

    void add(Event event) {
        counts[event.ordinal()].increment();
    }

    void loginRefused(int status) {
        add(Event.LOGIN_REFUSED);
        refusedByStatus.computeIfAbsent(status, s -> new LongAdder()).increment();
    }

    long count(Event event) {
        return counts[event.ordinal()].sum();
    }

    IscsiStatistics snapshot() {
        Map<Integer, Long> byStatus = new HashMap<>();
        refusedByStatus.forEach((status, n) -> byStatus.put(status, n.sum()));
        return new IscsiStatistics(count(Event.LOGIN_ACCEPTED), count(Event.LOGIN_REFUSED), byStatus,
                count(Event.LOGOUT), count(Event.CONNECTION_DROP), count(Event.HEADER_DIGEST_ERROR),
                count(Event.DATA_DIGEST_ERROR), count(Event.FORMAT_ERROR), count(Event.REJECT_SENT),
                count(Event.NOP_IN_TIMEOUT));
    }

    /**
     * What one connection counts into: the target's counters, its portal's, and once the login named a target
     * that exists, that target's. Event loop only.
     */
    static final class Tally {
        private final IscsiCounters all;
        private final IscsiCounters portal;
        private IscsiCounters target;

        Tally(IscsiCounters all, IscsiCounters portal) {
            this.all = all;
            this.portal = portal;
        }

        /** From now on, events count for this target too ({@code null}: none). */
        void target(IscsiCounters counters) {
            this.target = counters;
        }

        void add(Event event) {
            all.add(event);
            if (portal != null) {
                portal.add(event);
            }
            if (target != null) {
                target.add(event);
            }
        }

        void loginRefused(int status) {
            all.loginRefused(status);
            if (portal != null) {
                portal.loginRefused(status);
            }
            if (target != null) {
                target.loginRefused(status);
            }
        }
    }
}
