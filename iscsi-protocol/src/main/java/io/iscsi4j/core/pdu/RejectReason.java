package io.iscsi4j.core.pdu;

/**
 * Reject PDU reason codes (RFC 7143 §11.17.1).
 */
public enum RejectReason {
    /** Data (payload) digest error; the original PDU may be resent. */
    DATA_DIGEST_ERROR(0x02),
    /** SNACK Reject; the original PDU may be resent. */
    SNACK_REJECT(0x03),
    /** Protocol error (for example, a SNACK Request for a status that was already acknowledged). */
    PROTOCOL_ERROR(0x04),
    /** Command not supported. */
    COMMAND_NOT_SUPPORTED(0x05),
    /** Immediate command reject: too many immediate commands. */
    IMMEDIATE_COMMAND_REJECT(0x06),
    /** Task in progress. */
    TASK_IN_PROGRESS(0x07),
    /** Invalid data ack. */
    INVALID_DATA_ACK(0x08),
    /** Invalid PDU field. */
    INVALID_PDU_FIELD(0x09),
    /** Long operation reject: cannot generate a Target Transfer Tag, out of resources. */
    LONG_OPERATION_REJECT(0x0A),
    /** Deprecated; MUST NOT be used (formerly "negotiation reset"). */
    DEPRECATED_NEGOTIATION_RESET(0x0B),
    /** Waiting for Logout. */
    WAITING_FOR_LOGOUT(0x0C);

    private final int code;

    RejectReason(int code) {
        this.code = code;
    }

    /**
     * Returns the wire value of this reason (BHS byte 2 of a Reject PDU).
     *
     * @return the reason code
     */
    public int code() {
        return code;
    }

    /**
     * Looks a reason up by its wire code.
     *
     * @param code the reason byte
     * @return the reason
     * @throws PduException with {@link RejectReason#INVALID_PDU_FIELD} if the code is unknown
     */
    public static RejectReason fromCode(int code) throws PduException {
        for (RejectReason r : values()) {
            if (r.code == code) {
                return r;
            }
        }
        throw new PduException(INVALID_PDU_FIELD, String.format("unknown reject reason 0x%02x", code));
    }
}
