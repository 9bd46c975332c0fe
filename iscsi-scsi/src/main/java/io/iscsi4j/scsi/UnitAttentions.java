package io.iscsi4j.scsi;

import java.util.ArrayDeque;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Unit attention conditions (SPC-5 §5.14) and deferred errors of one logical unit, queued per I_T nexus, keyed by
 * initiator port name. A condition is reported once, as CHECK CONDITION on the next command other than
 * INQUIRY, REPORT LUNS and REQUEST SENSE (REQUEST SENSE returns it as its sense data): first the pending unit
 * attentions, oldest first (UNIT ATTENTION), then the deferred error (its own sense key, response code 71h or 73h).
 * A nexus holds at most one deferred error, the first one: failures after it, before it is reported, add none (the
 * initiator learns that data was lost and since when). Thread-safe; the data path pays one volatile read while
 * nothing is pending.
 */
final class UnitAttentions {

    /** At most this many conditions are kept per nexus; older ones are dropped (SPC-5 allows reporting fewer). */
    private static final int MAX_QUEUED = 8;

    private final ConcurrentHashMap<String, Pending> byNexus = new ConcurrentHashMap<>();
    /** Unit attentions plus deferred errors pending for all nexuses. */
    private final AtomicInteger pending = new AtomicInteger();

    /** What one nexus has pending; guarded by its own monitor. */
    private static final class Pending {
        final ArrayDeque<AdditionalSense> unitAttentions = new ArrayDeque<>(2);
        /** The deferred error to report after the unit attentions, with its deferred flag set; or {@code null}. */
        SenseData deferredError;

        int size() {
            return unitAttentions.size() + (deferredError != null ? 1 : 0);
        }
    }

    /** Makes the nexus known, so later conditions reach it. */
    void register(String initiatorPort) {
        if (!byNexus.containsKey(initiatorPort)) {
            byNexus.putIfAbsent(initiatorPort, new Pending());
        }
    }

    /** Forgets a nexus whose session ended, with its unit attentions and deferred error. */
    void forget(String initiatorPort) {
        Pending p = byNexus.remove(initiatorPort);
        if (p != null) {
            synchronized (p) {
                pending.addAndGet(-p.size());
                p.unitAttentions.clear();
                p.deferredError = null;
            }
        }
    }

    /** Establishes a condition for every known nexus. */
    void establishForAll(AdditionalSense condition) {
        for (Pending p : byNexus.values()) {
            add(p, condition);
        }
    }

    private void add(Pending p, AdditionalSense condition) {
        synchronized (p) {
            ArrayDeque<AdditionalSense> q = p.unitAttentions;
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
        Pending p = byNexus.get(initiatorPort);
        if (p != null) {
            add(p, condition);
        }
    }

    /**
     * Records a deferred error for one initiator port, reported (with response code 71h or 73h) after its pending
     * unit attentions. Ignored when the port is not known (its nexus ended) or already has a deferred error pending.
     *
     * @param sense the sense data of the failure; the copy kept is marked deferred
     */
    void establishDeferredError(String initiatorPort, SenseData sense) {
        Pending p = byNexus.get(initiatorPort);
        if (p == null) {
            return;
        }
        synchronized (p) {
            if (p.deferredError == null) {
                p.deferredError = sense.withDeferred(true);
                pending.incrementAndGet();
            }
        }
    }

    /**
     * The nexus's pending unit attentions from now on are only {@code condition} (an I_T nexus loss). A pending
     * deferred error stays: the initiator port still learns that a flush it was told succeeded failed. Makes the
     * nexus known if it was not.
     */
    void replaceAll(String initiatorPort, AdditionalSense condition) {
        register(initiatorPort);
        Pending p = byNexus.get(initiatorPort);
        if (p != null) {
            synchronized (p) {
                pending.addAndGet(-p.unitAttentions.size());
                p.unitAttentions.clear();
            }
        }
        establish(initiatorPort, condition);
    }

    /**
     * The condition the nexus's next command would report, without clearing it, and how many are pending, as SAM-5's
     * QUERY ASYNCHRONOUS EVENT ADDITIONAL RESPONSE INFORMATION (UADE DEPTH 01b for one condition, 10b for more,
     * counting unit attentions and the deferred error; SENSE KEY, ASC and ASCQ of the oldest unit attention, or of the
     * deferred error when no unit attention is pending), or -1 when nothing is pending.
     */
    int peekAdditionalResponseInformation(String initiatorPort) {
        Pending p = byNexus.get(initiatorPort);
        if (p == null) {
            return -1;
        }
        synchronized (p) {
            int size = p.size();
            if (size == 0) {
                return -1;
            }
            int depth = size == 1 ? 0x1 : 0x2;
            AdditionalSense a = p.unitAttentions.peekFirst();
            SenseKey key = SenseKey.UNIT_ATTENTION;
            if (a == null) {
                a = p.deferredError.additionalSense();
                key = p.deferredError.key();
            }
            return (depth << 20) | (key.code() << 16) | (a.asc() << 8) | a.ascq();
        }
    }

    /**
     * Takes what the nexus's next command reports: its oldest unit attention, else its deferred error (sense data
     * marked deferred), else {@code null}.
     */
    SenseData poll(String initiatorPort) {
        if (pending.get() == 0) {
            return null;
        }
        Pending p = byNexus.get(initiatorPort);
        if (p == null) {
            return null;
        }
        AdditionalSense a;
        SenseData deferred = null;
        synchronized (p) {
            a = p.unitAttentions.pollFirst();
            if (a == null) {
                deferred = p.deferredError;
                p.deferredError = null;
            }
        }
        if (a != null) {
            pending.decrementAndGet();
            return SenseData.of(SenseKey.UNIT_ATTENTION, a);
        }
        if (deferred != null) {
            pending.decrementAndGet();
        }
        return deferred;
    }
}
