package io.iscsi4j.core.login;

import java.util.Optional;

/**
 * The Status-Class and Status-Detail of a Login Response (RFC 7143 §11.13.5). Any status but
 * {@link #SUCCESS} ends the login; the target closes the connection after sending it.
 *
 * @since 0.1.0
 */
public enum LoginStatus {

    /** 0x0000: the login proceeds or completed. */
    SUCCESS(0x00, 0x00),
    /** 0x0101: the target moved temporarily; a TargetAddress names where. */
    TARGET_MOVED_TEMPORARILY(0x01, 0x01),
    /** 0x0102: the target moved permanently; a TargetAddress names where. */
    TARGET_MOVED_PERMANENTLY(0x01, 0x02),
    /** 0x0200: a miscellaneous initiator error (malformed request, protocol violation). */
    INITIATOR_ERROR(0x02, 0x00),
    /** 0x0201: the initiator could not be authenticated. */
    AUTHENTICATION_FAILURE(0x02, 0x01),
    /** 0x0202: the initiator may not access this target. */
    AUTHORIZATION_FAILURE(0x02, 0x02),
    /** 0x0203: the requested target does not exist. */
    NOT_FOUND(0x02, 0x03),
    /** 0x0204: the target was removed. */
    TARGET_REMOVED(0x02, 0x04),
    /** 0x0205: no version between Version-min and Version-max is supported. */
    UNSUPPORTED_VERSION(0x02, 0x05),
    /** 0x0206: the session cannot take another connection. */
    TOO_MANY_CONNECTIONS(0x02, 0x06),
    /** 0x0207: a required key is missing. */
    MISSING_PARAMETER(0x02, 0x07),
    /** 0x0208: the target cannot add this connection to the session. */
    CANT_INCLUDE_IN_SESSION(0x02, 0x08),
    /** 0x0209: the requested session type is not supported. */
    SESSION_TYPE_NOT_SUPPORTED(0x02, 0x09),
    /** 0x020A: a connection was added to a session (non-zero TSIH) that does not exist. */
    SESSION_DOES_NOT_EXIST(0x02, 0x0A),
    /** 0x020B: a request that is invalid during login. */
    INVALID_DURING_LOGIN(0x02, 0x0B),
    /** 0x0300: a target hardware or software error. */
    TARGET_ERROR(0x03, 0x00),
    /** 0x0301: the service is temporarily unavailable. */
    SERVICE_UNAVAILABLE(0x03, 0x01),
    /** 0x0302: the target lacks resources for this login. */
    OUT_OF_RESOURCES(0x03, 0x02);

    private final int statusClass;
    private final int statusDetail;

    LoginStatus(int statusClass, int statusDetail) {
        this.statusClass = statusClass;
        this.statusDetail = statusDetail;
    }

    /**
     * The Status-Class byte.
     *
     * @return 0 success, 1 redirection, 2 initiator error, 3 target error
     */
    public int statusClass() {
        return statusClass;
    }

    /**
     * The Status-Detail byte.
     *
     * @return the detail within the class
     */
    public int statusDetail() {
        return statusDetail;
    }

    /**
     * Whether the login may go on.
     *
     * @return {@code true} only for {@link #SUCCESS}
     */
    public boolean isSuccess() {
        return this == SUCCESS;
    }

    /**
     * Decodes the two status bytes.
     *
     * @param statusClass the Status-Class byte
     * @param statusDetail the Status-Detail byte
     * @return the status, or empty for an unassigned combination
     */
    public static Optional<LoginStatus> fromCodes(int statusClass, int statusDetail) {
        for (LoginStatus status : values()) {
            if (status.statusClass == statusClass && status.statusDetail == statusDetail) {
                return Optional.of(status);
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return String.format("%s (0x%02X%02X)", name(), statusClass, statusDetail);
    }
}
