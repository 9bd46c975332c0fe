package io.iscsi4j.scsi;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every reservation of one logical unit: the persistent reservations ({@link PersistentReservations}) and the
 * SPC-2 reservation RESERVE (6) and (10) take, and the one check the dispatcher makes before running a command:
 * whether it conflicts with them ({@link #conflicts}).
 *
 * <p><b>SPC-2 reservations</b> (SPC-2 §5.5.1, RESERVE / RELEASE): one I_T nexus at a time reserves the whole logical
 * unit; third-party and extent reservations are not supported. Another nexus may then only send INQUIRY, REPORT LUNS,
 * REQUEST SENSE, LOG SENSE, READ CAPACITY, PREVENT ALLOW MEDIUM REMOVAL with PREVENT 00b, START STOP UNIT that starts
 * the unit, and RELEASE (GOOD, with no effect); everything else ends with RESERVATION CONFLICT. The reservation ends
 * with RELEASE from its holder, a logical unit reset, a target reset, or the loss of the holder's I_T nexus.
 *
 * <p><b>Both kinds</b> (SPC-3 §5.6.3, with compatible reservation handling off: CRH 0): while any I_T nexus is
 * registered for persistent reservations, RESERVE and RELEASE from any nexus conflict; while an SPC-2 reservation
 * exists, PERSISTENT RESERVE IN and OUT from any nexus, its holder's included, conflict.
 *
 * <p>The SPC-2 holder is part of the persistent reservation state ({@link PersistentReservations.Image}), so that
 * RESERVE and the persistent reservation rules see one state, shared by every gateway when the logical unit is
 * shared; the gateway a holder came through is recorded, so a fenced gateway's reservation, or one a restarted
 * gateway held before, ends.
 *
 * <p>Thread-safe; the data path reads one volatile field while nothing is reserved or registered.
 */
final class Reservations {

    private static final Logger LOG = LoggerFactory.getLogger(Reservations.class);

    private final PersistentReservations persistent;

    Reservations(UnitAttentions unitAttentions) {
        this.persistent = new PersistentReservations(unitAttentions);
    }

    PersistentReservations persistent() {
        return persistent;
    }

    /**
     * Whether a command from {@code nexus} with access class {@code access} and CDB {@code cdb} must end with
     * RESERVATION CONFLICT.
     */
    boolean conflicts(ItNexus nexus, ReservationAccess access, ByteBuffer cdb) {
        return conflicts(nexus, access.resolve(cdb));
    }

    /**
     * Whether a command from {@code nexus} with the resolved access class {@code a} (not
     * {@link ReservationAccess#MEDIUM_REMOVAL} nor {@link ReservationAccess#START_STOP}) must end with RESERVATION
     * CONFLICT; EXTENDED COPY asks this for the copy targets it reads and writes.
     */
    boolean conflicts(ItNexus nexus, ReservationAccess a) {
        PersistentReservations.Spc2Holder h = persistent.image().spc2();
        if (h != null) {
            if (a == ReservationAccess.PERSISTENT_RESERVE) {
                return true;
            }
            if (a != ReservationAccess.UNRESTRICTED && a != ReservationAccess.RESERVE_RELEASE && !h.is(nexus)) {
                return true;
            }
        }
        return persistent.conflicts(nexus, a);
    }

    /** RESERVE (6) or (10): the logical unit becomes reserved by {@code nexus}, unless another nexus has it. */
    CompletionStage<Outcome> reserve(ItNexus nexus) {
        String member = persistent.memberId();
        return persistent.apply(nexus, s -> {
            PersistentReservations.Spc2Holder h = s.spc2();
            if (!s.registrations().isEmpty() || h != null && !h.is(nexus)) {
                return PersistentReservations.Change.refused(Outcome.RESERVATION_CONFLICT);
            }
            return PersistentReservations.Change.to(s.withSpc2(new PersistentReservations.Spc2Holder(
                    nexus.initiatorPortName(), nexus.targetPortName(), member)), Outcome.GOOD);
        }, Peers.TaskAction.NONE).thenApply(PersistentReservations.Change::outcome);
    }

    /** RELEASE (6) or (10): the holder's reservation ends; from any other nexus, GOOD and nothing changes. */
    CompletionStage<Outcome> release(ItNexus nexus) {
        return persistent.apply(nexus, s -> {
            if (!s.registrations().isEmpty()) {
                return PersistentReservations.Change.refused(Outcome.RESERVATION_CONFLICT);
            }
            PersistentReservations.Spc2Holder h = s.spc2();
            return h != null && h.is(nexus) ? PersistentReservations.Change.to(s.withSpc2(null), Outcome.GOOD)
                    : PersistentReservations.Change.refused(Outcome.GOOD);
        }, Peers.TaskAction.NONE).thenApply(PersistentReservations.Change::outcome);
    }

    /**
     * A logical unit reset or a target reset: the SPC-2 reservation ends (on every gateway, when shared); persistent
     * reservations stay.
     */
    CompletionStage<Void> reset() {
        return clearIf(h -> true, "a reset");
    }

    /** An I_T nexus ended: its SPC-2 reservation ends; its persistent registrations stay. */
    void nexusLost(ItNexus nexus) {
        clearIf(h -> h.is(nexus), "the holder's I_T nexus loss");
    }

    /**
     * The SPC-2 reservation ends if its holder came through another gateway that is gone ({@code member}, fenced), or
     * through {@code targetPort} (this gateway's own port, at start: none of its nexuses exists yet).
     */
    CompletionStage<Void> holderGone(String member, String targetPortSuffix) {
        return clearIf(h -> member != null && member.equals(h.member())
                || targetPortSuffix != null && h.targetPort() != null && h.targetPort().endsWith(targetPortSuffix),
                "its gateway is gone");
    }

    private CompletionStage<Void> clearIf(java.util.function.Predicate<PersistentReservations.Spc2Holder> which,
                                          String why) {
        // The state held here is current for every holder: a RESERVE completes only once every gateway adopted it.
        // So a nexus loss or a reset with no matching holder costs no read of the shared record.
        PersistentReservations.Spc2Holder now = persistent.image().spc2();
        if (now == null || !which.test(now)) {
            return CompletableFuture.completedFuture(null);
        }
        return persistent.apply(null, s -> s.spc2() != null && which.test(s.spc2())
                        ? PersistentReservations.Change.to(s.withSpc2(null), Outcome.GOOD)
                        : PersistentReservations.Change.refused(Outcome.GOOD), Peers.TaskAction.NONE)
                .<Void>thenApply(c -> null)
                .whenComplete((v, e) -> {
                    if (e != null) {
                        LOG.warn("ending the SPC-2 reservation after {} failed: {}", why, e.toString());
                    }
                });
    }

    /** Whether an SPC-2 reservation exists (for tests). */
    boolean isReserved() {
        return persistent.image().spc2() != null;
    }
}
