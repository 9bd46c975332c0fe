package io.iscsi4j.core.login;

import java.util.Optional;

/**
 * The kind of session an initiator asks for with the {@code SessionType} key (RFC 7143 §13.21).
 *
 * @since 0.1.0
 */
public enum SessionType {

    /** Only SendTargets text requests and logout are allowed; no target name is given at login. */
    DISCOVERY("Discovery"),

    /** A session with a target and its logical units; the default. */
    NORMAL("Normal");

    private final String wireValue;

    SessionType(String wireValue) {
        this.wireValue = wireValue;
    }

    /**
     * The value of the {@code SessionType} key.
     *
     * @return {@code Discovery} or {@code Normal}
     */
    public String wireValue() {
        return wireValue;
    }

    /**
     * Parses a {@code SessionType} value.
     *
     * @param value the key's value, compared case-sensitively
     * @return the session type, or empty for any other value
     */
    public static Optional<SessionType> fromWireValue(String value) {
        for (SessionType type : values()) {
            if (type.wireValue.equals(value)) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }
}
