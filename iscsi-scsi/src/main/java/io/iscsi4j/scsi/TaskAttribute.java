package io.iscsi4j.scsi;

/**
 * SAM task attributes, with the 3-bit code iSCSI carries in the SCSI Command PDU (RFC 7143 §11.3.1).
 *
 * @since 0.1
 */
public enum TaskAttribute {
    /** Untagged (treated as SIMPLE). */
    UNTAGGED(0),
    /** Simple: may be reordered with other simple tasks. */
    SIMPLE(1),
    /** Ordered: runs after all earlier tasks and before all later ones. */
    ORDERED(2),
    /** Head of queue: runs before all queued tasks. */
    HEAD_OF_QUEUE(3),
    /** Auto contingent allegiance. */
    ACA(4);

    private final int code;

    TaskAttribute(int code) {
        this.code = code;
    }

    /** {@return the wire code} */
    public int code() {
        return code;
    }

    /**
     * The attribute for a wire code.
     *
     * @param code the 3-bit code
     * @return the attribute
     * @throws IllegalArgumentException for codes 5 to 7 (reserved)
     */
    public static TaskAttribute fromCode(int code) {
        return switch (code) {
            case 0 -> UNTAGGED;
            case 1 -> SIMPLE;
            case 2 -> ORDERED;
            case 3 -> HEAD_OF_QUEUE;
            case 4 -> ACA;
            default -> throw new IllegalArgumentException("reserved task attribute " + code);
        };
    }
}
