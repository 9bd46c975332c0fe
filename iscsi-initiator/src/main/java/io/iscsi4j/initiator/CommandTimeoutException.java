package io.iscsi4j.initiator;

/**
 * A command did not complete within the session's {@linkplain LoginOptions#commandTimeout() command timeout}. By the
 * time this is reported the command is over: the target confirmed an ABORT TASK for it, or did not know it, or the
 * connection it ran on was closed (and the command was not sent again). Its buffer is the caller's again; whether a
 * timed-out write reached the medium is unknown.
 *
 * @since 0.1
 */
public class CommandTimeoutException extends IscsiException {

    private static final long serialVersionUID = 1L;

    /**
     * A command that timed out.
     *
     * @param message what timed out and how it ended
     */
    public CommandTimeoutException(String message) {
        super(message);
    }
}
