package io.iscsi4j.core.login;

/**
 * Why a Text Request is answered with a Reject PDU (RFC 7143 §11.17.1) instead of a Text Response.
 *
 * @since 0.1.0
 */
public enum TextRejectReason {

    /** 0x04: malformed text, F and C both set, or text where an empty continuation request was due. */
    PROTOCOL_ERROR(0x04),

    /** 0x09: a target transfer tag or initiator task tag that does not belong to the ongoing sequence. */
    INVALID_PDU_FIELD(0x09),

    /**
     * 0x0A (Long Operation Reject, "out of resources"): the target abandoned the sequence because the joined
     * request text grew beyond its bound. (0x0B, formerly "negotiation reset", MUST NOT be used: RFC 7143
     * §11.17.1.)
     */
    OUT_OF_RESOURCES(0x0A);

    private final int code;

    TextRejectReason(int code) {
        this.code = code;
    }

    /**
     * The Reason field of the Reject PDU.
     *
     * @return the reason code
     */
    public int code() {
        return code;
    }
}
