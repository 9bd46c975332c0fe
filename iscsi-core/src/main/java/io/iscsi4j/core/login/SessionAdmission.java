package io.iscsi4j.core.login;

import java.util.Objects;

/**
 * The answer of {@link LoginContext#admitSession}: the session's handle, or the status that refuses the login.
 *
 * @param status {@link LoginStatus#SUCCESS} when admitted, else the failure status
 * @param tsih the session's target session identifying handle, 1 to 65535, when admitted; 0 when refused
 * @since 0.1.0
 */
public record SessionAdmission(LoginStatus status, int tsih) {

    /**
     * Checks the status and handle agree.
     *
     * @param status the status
     * @param tsih the handle when admitted
     */
    public SessionAdmission {
        Objects.requireNonNull(status, "status");
        if (status.isSuccess() && (tsih < 1 || tsih > 0xFFFF)) {
            throw new IllegalArgumentException("an admitted session needs a TSIH of 1 to 65535: " + tsih);
        }
        if (!status.isSuccess() && tsih != 0) {
            throw new IllegalArgumentException("a refused login has no TSIH");
        }
    }

    /**
     * Admits the login into a session.
     *
     * @param tsih the new or existing session's handle, 1 to 65535
     * @return the admission
     */
    public static SessionAdmission admitted(int tsih) {
        return new SessionAdmission(LoginStatus.SUCCESS, tsih);
    }

    /**
     * Refuses the login, e.g. {@link LoginStatus#SESSION_DOES_NOT_EXIST} or
     * {@link LoginStatus#TOO_MANY_CONNECTIONS}.
     *
     * @param status a failure status
     * @return the refusal
     */
    public static SessionAdmission refused(LoginStatus status) {
        if (status.isSuccess()) {
            throw new IllegalArgumentException("a refusal needs a failure status");
        }
        return new SessionAdmission(status, 0);
    }

    /**
     * Whether the login was admitted.
     *
     * @return {@code true} when the status is success
     */
    public boolean isAdmitted() {
        return status.isSuccess();
    }
}
