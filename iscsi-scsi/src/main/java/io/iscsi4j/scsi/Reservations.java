package io.iscsi4j.scsi;

import java.nio.ByteBuffer;
import java.util.Objects;

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
 * <p>Thread-safe; the data path reads two volatile fields while nothing is reserved or registered.
 */
final class Reservations {

    /** The I_T nexus that holds an SPC-2 reservation. */
    private record Holder(String initiatorPort, String targetPort) {

        static Holder of(ItNexus nexus) {
            return new Holder(nexus.initiatorPortName(), nexus.targetPortName());
        }

        boolean is(ItNexus nexus) {
            return initiatorPort.equals(nexus.initiatorPortName())
                    && Objects.equals(targetPort, nexus.targetPortName());
        }
    }

    private final PersistentReservations persistent;
    private volatile Holder reservedBy;

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
        Holder h = reservedBy;
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
    synchronized Outcome reserve(ItNexus nexus) {
        Holder h = reservedBy;
        if (persistent.hasRegistrations() || h != null && !h.is(nexus)) {
            return Outcome.RESERVATION_CONFLICT;
        }
        reservedBy = Holder.of(nexus);
        return Outcome.GOOD;
    }

    /** RELEASE (6) or (10): the holder's reservation ends; from any other nexus, GOOD and nothing changes. */
    synchronized Outcome release(ItNexus nexus) {
        if (persistent.hasRegistrations()) {
            return Outcome.RESERVATION_CONFLICT;
        }
        Holder h = reservedBy;
        if (h != null && h.is(nexus)) {
            reservedBy = null;
        }
        return Outcome.GOOD;
    }

    /** A logical unit reset or a target reset: the SPC-2 reservation ends; persistent reservations stay. */
    synchronized void reset() {
        reservedBy = null;
    }

    /** An I_T nexus ended: its SPC-2 reservation ends; its persistent registrations stay. */
    synchronized void nexusLost(ItNexus nexus) {
        Holder h = reservedBy;
        if (h != null && h.is(nexus)) {
            reservedBy = null;
        }
    }

    /** Whether an SPC-2 reservation exists (for tests). */
    boolean isReserved() {
        return reservedBy != null;
    }
}
