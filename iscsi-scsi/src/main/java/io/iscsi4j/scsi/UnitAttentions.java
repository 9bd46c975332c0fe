package io.iscsi4j.scsi;

import java.util.ArrayDeque;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Unit attention conditions of one logical unit, queued per I_T nexus (SPC-5 §5.14), keyed by initiator port
 * name. A condition is reported once, as CHECK CONDITION / UNIT ATTENTION on the next command other than INQUIRY,
 * REPORT LUNS and REQUEST SENSE (REQUEST SENSE returns it as its sense data). Thread-safe; the data path pays one
 * volatile read while no condition is pending.
 */
final class UnitAttentions {

    /** At most this many conditions are kept per nexus; older ones are dropped (SPC-5 allows reporting fewer). */
    private static final int MAX_QUEUED = 8;

    private final ConcurrentHashMap<String, ArrayDeque<AdditionalSense>> byNexus = new ConcurrentHashMap<>();
    private final AtomicInteger pending = new AtomicInteger();

    /** Makes the nexus known, so later conditions reach it. */
    void register(String initiatorPort) {
        if (!byNexus.containsKey(initiatorPort)) {
            byNexus.putIfAbsent(initiatorPort, new ArrayDeque<>(2));
        }
    }

    /** Forgets a nexus whose session ended. */
    void forget(String initiatorPort) {
        ArrayDeque<AdditionalSense> q = byNexus.remove(initiatorPort);
        if (q != null) {
            synchronized (q) {
                pending.addAndGet(-q.size());
                q.clear();
            }
        }
    }

    /** Establishes a condition for every known nexus. */
    void establishForAll(AdditionalSense condition) {
        for (ArrayDeque<AdditionalSense> q : byNexus.values()) {
            add(q, condition);
        }
    }

    private void add(ArrayDeque<AdditionalSense> q, AdditionalSense condition) {
        synchronized (q) {
            if (q.contains(condition)) {
                return;
            }
            if (q.size() == MAX_QUEUED) {
                q.pollFirst();
                pending.decrementAndGet();
            }
            q.addLast(condition);
            pending.incrementAndGet();
        }
    }

    /**
     * Establishes a condition for one initiator port, if it is known (a port whose nexus ended gets none: a new
     * nexus starts clean).
     */
    void establish(String initiatorPort, AdditionalSense condition) {
        ArrayDeque<AdditionalSense> q = byNexus.get(initiatorPort);
        if (q != null) {
            add(q, condition);
        }
    }

    /**
     * The nexus's pending conditions from now on are only {@code condition}: the others are dropped (an I_T nexus
     * loss). Makes the nexus known if it was not.
     */
    void replaceAll(String initiatorPort, AdditionalSense condition) {
        forget(initiatorPort);
        register(initiatorPort);
        establish(initiatorPort, condition);
    }

    /**
     * The oldest condition of the nexus without clearing it, and how many are pending, as SAM-5's QUERY ASYNCHRONOUS
     * EVENT ADDITIONAL RESPONSE INFORMATION (UADE DEPTH 01b for one condition, 10b for more; SENSE KEY UNIT
     * ATTENTION; ASC; ASCQ), or -1 when none is pending.
     */
    int peekAdditionalResponseInformation(String initiatorPort) {
        ArrayDeque<AdditionalSense> q = byNexus.get(initiatorPort);
        if (q == null) {
            return -1;
        }
        synchronized (q) {
            AdditionalSense a = q.peekFirst();
            if (a == null) {
                return -1;
            }
            int depth = q.size() == 1 ? 0x1 : 0x2;
            return (depth << 20) | (SenseKey.UNIT_ATTENTION.code() << 16) | (a.asc() << 8) | a.ascq();
        }
    }

    /** Takes the oldest condition of the nexus, or {@code null}. */
    SenseData poll(String initiatorPort) {
        if (pending.get() == 0) {
            return null;
        }
        ArrayDeque<AdditionalSense> q = byNexus.get(initiatorPort);
        if (q == null) {
            return null;
        }
        AdditionalSense a;
        synchronized (q) {
            a = q.pollFirst();
        }
        if (a == null) {
            return null;
        }
        pending.decrementAndGet();
        return SenseData.of(SenseKey.UNIT_ATTENTION, a);
    }
}
