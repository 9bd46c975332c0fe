package io.iscsi4j.core.login;

/**
 * What the connection layer does after sending a login response.
 *
 * @since 0.1.0
 */
public enum LoginOutcome {

    /** The login goes on: wait for the next Login Request. */
    CONTINUE,

    /**
     * The response enters full feature phase: after sending it, switch to the negotiated digests and data
     * segment lengths and hand the connection to its session.
     */
    COMPLETE,

    /** The response carries a failure status: send it, then close the connection. */
    FAILED
}
