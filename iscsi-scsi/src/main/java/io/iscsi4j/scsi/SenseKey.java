package io.iscsi4j.scsi;

/**
 * SPC-5 sense keys.
 *
 * @since 0.1
 */
public enum SenseKey {
    /** No specific sense key information. */
    NO_SENSE(0x0),
    /** The command completed after recovery. */
    RECOVERED_ERROR(0x1),
    /** The logical unit cannot be accessed. */
    NOT_READY(0x2),
    /** A non-recoverable medium error. */
    MEDIUM_ERROR(0x3),
    /** A non-recoverable hardware failure. */
    HARDWARE_ERROR(0x4),
    /** An illegal parameter in the CDB or parameter data. */
    ILLEGAL_REQUEST(0x5),
    /** A unit attention condition (reset, parameters changed, ...). */
    UNIT_ATTENTION(0x6),
    /** Access to the medium is protected (write protected, ...). */
    DATA_PROTECT(0x7),
    /** A write-once device or sequential-access device encountered blank medium. */
    BLANK_CHECK(0x8),
    /** Vendor specific. */
    VENDOR_SPECIFIC(0x9),
    /** An EXTENDED COPY command failed. */
    COPY_ABORTED(0xA),
    /** The command was aborted. */
    ABORTED_COMMAND(0xB),
    /** The source data did not match the data on the medium (COMPARE AND WRITE, VERIFY). */
    MISCOMPARE(0xE),
    /** Completed, with data remaining in the buffer. */
    COMPLETED(0xF);

    private final int code;

    SenseKey(int code) {
        this.code = code;
    }

    /** {@return the 4-bit sense key code} */
    public int code() {
        return code;
    }

    /**
     * The sense key for a code.
     *
     * @param code a 4-bit code
     * @return the key
     * @throws IllegalArgumentException for reserved codes
     */
    public static SenseKey fromCode(int code) {
        for (SenseKey k : values()) {
            if (k.code == code) {
                return k;
            }
        }
        throw new IllegalArgumentException("reserved sense key " + code);
    }
}
