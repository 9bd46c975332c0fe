package io.iscsi4j.core.login;

/**
 * A login or text data segment that is not well-formed {@code key=value} text (RFC 7143 §6.1): a pair without
 * {@code '='}, an empty or invalid key name, a key or value over its length limit, invalid UTF-8, a missing
 * final NUL, or a key given twice. During login it ends the login with status 0x0200 (initiator error); in full
 * feature phase the Text Request is rejected with reason "protocol error".
 *
 * @since 0.1.0
 */
public final class TextFormatException extends Exception {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what is wrong, for logs
     */
    public TextFormatException(String message) {
        super(message);
    }
}
