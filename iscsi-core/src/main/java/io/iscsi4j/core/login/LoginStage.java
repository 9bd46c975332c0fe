package io.iscsi4j.core.login;

import java.util.Optional;

/**
 * The stages of the login phase as coded in the CSG and NSG fields of login PDUs (RFC 7143 §11.12.3).
 * Code 2 is reserved.
 *
 * @since 0.1.0
 */
public enum LoginStage {

    /** Authentication: AuthMethod and the method's keys. */
    SECURITY_NEGOTIATION(0),

    /** Operational parameters: digests, burst lengths, R2T settings and the rest of §13. */
    LOGIN_OPERATIONAL_NEGOTIATION(1),

    /** Login done: SCSI commands and text requests may flow. */
    FULL_FEATURE_PHASE(3);

    private final int code;

    LoginStage(int code) {
        this.code = code;
    }

    /**
     * The value of the CSG or NSG field.
     *
     * @return 0, 1 or 3
     */
    public int code() {
        return code;
    }

    /**
     * Decodes a CSG or NSG field.
     *
     * @param code the field value
     * @return the stage, or empty for the reserved value 2 and anything out of range
     */
    public static Optional<LoginStage> fromCode(int code) {
        for (LoginStage stage : values()) {
            if (stage.code == code) {
                return Optional.of(stage);
            }
        }
        return Optional.empty();
    }
}
