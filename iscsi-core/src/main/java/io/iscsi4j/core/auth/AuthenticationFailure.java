package io.iscsi4j.core.auth;

/**
 * Why an authentication exchange failed. The login state machine maps each reason to a login status
 * (RFC 7143 §11.13.5).
 *
 * @since 0.1.0
 */
public enum AuthenticationFailure {

    /** The initiator's credentials are wrong or unknown: status 0x0201 (authentication failure). */
    AUTHENTICATION_FAILED,

    /** The initiator authenticated but may not use this target: status 0x0202 (authorization failure). */
    AUTHORIZATION_FAILED,

    /** A key the method requires in this step is missing: status 0x0207 (missing parameter). */
    MISSING_PARAMETER,

    /** A key has a malformed or unacceptable value, or the steps came out of order: status 0x0200. */
    PROTOCOL_ERROR
}
