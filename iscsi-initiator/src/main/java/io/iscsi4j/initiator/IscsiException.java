package io.iscsi4j.initiator;

import java.io.IOException;

/**
 * A failure of the iSCSI layer: a login the target refused, a lost connection, a protocol violation, a rejected
 * command. Subclasses say which.
 *
 * @since 0.1
 */
public class IscsiException extends IOException {

    private static final long serialVersionUID = 1L;

    /**
     * A failure with a message.
     *
     * @param message what went wrong
     */
    public IscsiException(String message) {
        super(message);
    }

    /**
     * A failure with a message and a cause.
     *
     * @param message what went wrong
     * @param cause the cause
     */
    public IscsiException(String message, Throwable cause) {
        super(message, cause);
    }
}
