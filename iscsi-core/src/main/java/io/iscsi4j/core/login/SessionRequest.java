package io.iscsi4j.core.login;

import java.util.Objects;

/**
 * A login that is about to enter full feature phase and needs a session: a new one when {@code tsih} is 0, else
 * the existing session to add the connection to.
 *
 * @param isid the initiator session identifier (48 bits)
 * @param tsih 0 for a new session, else the handle of the session to join
 * @param cid the connection ID
 * @param cmdSN the CmdSN of the login requests: the session's first CmdSN for a new session
 * @param parameters what the login negotiated
 * @since 0.1.0
 */
public record SessionRequest(long isid, int tsih, int cid, int cmdSN, NegotiatedParameters parameters) {

    /**
     * Checks the parameters are present.
     *
     * @param isid the initiator session identifier
     * @param tsih 0 or the session to join
     * @param cid the connection ID
     * @param cmdSN the CmdSN of the login requests
     * @param parameters what the login negotiated
     */
    public SessionRequest {
        Objects.requireNonNull(parameters, "parameters");
    }

    /**
     * Whether this login opens a new session (TSIH 0) rather than adding a connection.
     *
     * @return {@code true} for a leading login
     */
    public boolean isLeading() {
        return tsih == 0;
    }
}
