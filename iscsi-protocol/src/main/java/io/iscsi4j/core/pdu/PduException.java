package io.iscsi4j.core.pdu;

import java.util.Objects;

/**
 * A PDU could not be decoded or violates RFC 7143; carries the Reject reason a target would answer
 * with.
 */
public class PduException extends Exception {

    /** Serialization version. */
    private static final long serialVersionUID = 1L;

    /** The Reject reason describing the problem. */
    private final RejectReason reason;

    /**
     * Creates an exception.
     *
     * @param reason the Reject reason that describes the problem
     * @param message a human-readable description
     */
    public PduException(RejectReason reason, String message) {
        super(message);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /**
     * Returns the Reject reason for this problem.
     *
     * @return the reason, never {@code null}
     */
    public RejectReason reason() {
        return reason;
    }
}
