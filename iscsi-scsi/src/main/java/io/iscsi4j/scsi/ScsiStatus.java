package io.iscsi4j.scsi;

/**
 * SAM-5 status codes.
 *
 * @since 0.1
 */
public enum ScsiStatus {
    /** The command completed successfully. */
    GOOD(0x00),
    /** Sense data describes an error or exception. */
    CHECK_CONDITION(0x02),
    /** A PRE-FETCH found the data in cache. */
    CONDITION_MET(0x04),
    /** The logical unit is busy; retry later. */
    BUSY(0x08),
    /** The command conflicts with a reservation. */
    RESERVATION_CONFLICT(0x18),
    /** The task set is full; retry with fewer commands outstanding. */
    TASK_SET_FULL(0x28),
    /** An ACA condition is active. */
    ACA_ACTIVE(0x30),
    /** The task was aborted by another I_T nexus. */
    TASK_ABORTED(0x40);

    private final int code;

    ScsiStatus(int code) {
        this.code = code;
    }

    /** {@return the status byte on the wire} */
    public int code() {
        return code;
    }
}
