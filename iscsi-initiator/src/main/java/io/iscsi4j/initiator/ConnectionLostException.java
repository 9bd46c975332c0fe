package io.iscsi4j.initiator;

/**
 * The connection ended before the target answered a command, and the session does not recover (recovery off, or
 * it did not succeed in time). The command may or may not have run on the target.
 *
 * @since 0.1
 */
public class ConnectionLostException extends IscsiException {

    private static final long serialVersionUID = 1L;

    /**
     * A lost connection.
     *
     * @param message what was lost
     * @param cause the cause, or {@code null}
     */
    public ConnectionLostException(String message, Throwable cause) {
        super(message, cause);
    }
}
