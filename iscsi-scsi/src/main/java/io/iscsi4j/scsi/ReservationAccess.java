package io.iscsi4j.scsi;

import java.nio.ByteBuffer;

/**
 * How a command is treated while another I_T nexus holds a reservation: which commands end with RESERVATION
 * CONFLICT: the tables of commands allowed in the presence of various reservations (SPC-5 and SBC-4 for persistent
 * reservations, SPC-2 for RESERVE / RELEASE). Each command of {@link Commands#TABLE} has one;
 * {@link Reservations#conflicts} applies it.
 *
 * <p>{@link #READ} and {@link #WRITE} are the two columns of the block command tables: a command that reads from the
 * medium or reports the logical unit's state passes a Write Exclusive reservation of another I_T nexus but not an
 * Exclusive Access one; a command that writes, or changes the logical unit's state, passes neither. Both pass the
 * registrants-only and all-registrants types when the sending I_T nexus is registered. MODE SENSE, READ DEFECT DATA
 * and the REPORT SUPPORTED commands are {@code READ} too, as REPORT CAPABILITIES announces (ALLOW COMMANDS 011b).
 */
enum ReservationAccess {

    /** Never conflicts: INQUIRY, REPORT LUNS, REQUEST SENSE, LOG SENSE, READ CAPACITY. */
    UNRESTRICTED,
    /** TEST UNIT READY: passes every persistent reservation, conflicts with another nexus's RESERVE. */
    STATUS,
    /** Reads the medium or reports on it (READ, VERIFY, PRE-FETCH, GET LBA STATUS, MODE SENSE, ...). */
    READ,
    /** Writes the medium or changes the logical unit (WRITE, UNMAP, MODE SELECT, SYNCHRONIZE CACHE, ...). */
    WRITE,
    /**
     * PERSISTENT RESERVE IN and OUT: no conflict with persistent reservations (PERSISTENT RESERVE OUT checks
     * registrations itself); conflicts with a RESERVE from any I_T nexus, the holder's included (SPC-3 §5.6.3).
     */
    PERSISTENT_RESERVE,
    /**
     * RESERVE and RELEASE (6) and (10): conflict while any persistent reservation registration exists; they handle
     * another nexus's RESERVE themselves.
     */
    RESERVE_RELEASE,
    /** PREVENT ALLOW MEDIUM REMOVAL: {@link #UNRESTRICTED} with PREVENT 00b, otherwise {@link #WRITE}. */
    MEDIUM_REMOVAL,
    /** START STOP UNIT: {@link #UNRESTRICTED} with START 1 and POWER CONDITION 0h, otherwise {@link #WRITE}. */
    START_STOP;

    /** The access the command's CDB asks for: the CDB-dependent classes resolved, the others as they are. */
    ReservationAccess resolve(ByteBuffer cdb) {
        return switch (this) {
            case MEDIUM_REMOVAL -> (Cdb.u8(cdb, 4) & 0x03) == 0 ? UNRESTRICTED : WRITE;
            case START_STOP -> Cdb.bit(cdb, 4, 0) && (Cdb.u8(cdb, 4) & 0xF0) == 0 ? UNRESTRICTED : WRITE;
            default -> this;
        };
    }
}
