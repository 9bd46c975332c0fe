package io.iscsi4j.it;

/**
 * The target sent something RFC 7143 forbids (a digest mismatch, a sequence number out of order, a PDU larger
 * than declared, ...). An {@link AssertionError}, so it fails the test with the message, which names what was
 * received and the RFC section.
 */
final class ProtocolViolation extends AssertionError {

    private static final long serialVersionUID = 1L;

    ProtocolViolation(String message) {
        super(message);
    }
}
