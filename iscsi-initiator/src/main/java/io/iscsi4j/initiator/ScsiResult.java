package io.iscsi4j.initiator;

import java.nio.ByteBuffer;

/**
 * The outcome of a SCSI command the target answered: status, sense (for CHECK CONDITION), the data read, and the
 * residual count.
 *
 * @param status the SCSI status byte ({@link #GOOD}, {@link #CHECK_CONDITION}, {@link #BUSY}...)
 * @param sense the decoded sense data, or {@code null} if none was sent
 * @param data for a read, a view of the request's buffer over the bytes the target sent (from the buffer's
 *     position); otherwise an empty buffer
 * @param residual bytes expected but not transferred (underflow, positive) or transferred in excess of the
 *     expected length (overflow, negative)
 * @since 0.1
 */
public record ScsiResult(int status, SenseData sense, ByteBuffer data, long residual) {

    /** Status GOOD (00h). */
    public static final int GOOD = 0x00;
    /** Status CHECK CONDITION (02h). */
    public static final int CHECK_CONDITION = 0x02;
    /** Status CONDITION MET (04h). */
    public static final int CONDITION_MET = 0x04;
    /** Status BUSY (08h). */
    public static final int BUSY = 0x08;
    /** Status RESERVATION CONFLICT (18h). */
    public static final int RESERVATION_CONFLICT = 0x18;
    /** Status TASK SET FULL (28h). */
    public static final int TASK_SET_FULL = 0x28;

    /**
     * Whether the status is GOOD.
     *
     * @return {@code true} for GOOD
     */
    public boolean isGood() {
        return status == GOOD;
    }

    /**
     * The status's name.
     *
     * @return for example {@code "CHECK CONDITION"}, or the hex value of an unnamed status
     */
    public String statusName() {
        return switch (status) {
            case GOOD -> "GOOD";
            case CHECK_CONDITION -> "CHECK CONDITION";
            case CONDITION_MET -> "CONDITION MET";
            case BUSY -> "BUSY";
            case RESERVATION_CONFLICT -> "RESERVATION CONFLICT";
            case TASK_SET_FULL -> "TASK SET FULL";
            case 0x30 -> "ACA ACTIVE";
            case 0x40 -> "TASK ABORTED";
            default -> String.format("0x%02x", status);
        };
    }

    @Override
    public String toString() {
        return "ScsiResult[" + statusName() + (sense != null ? ", " + sense : "") + ", " + data.remaining()
                + " bytes" + (residual != 0 ? ", residual " + residual : "") + "]";
    }
}
