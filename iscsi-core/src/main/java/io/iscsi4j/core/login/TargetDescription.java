package io.iscsi4j.core.login;

import java.util.Objects;
import java.util.Optional;

/**
 * A target as the login needs it.
 *
 * @param name the target's iSCSI name
 * @param alias the human-readable alias sent as TargetAlias in normal sessions, if configured
 * @since 0.1.0
 */
public record TargetDescription(String name, Optional<String> alias) {

    /**
     * Checks the components are present.
     *
     * @param name the target's iSCSI name
     * @param alias the alias, if configured
     */
    public TargetDescription {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(alias, "alias");
    }

    /**
     * A target without alias.
     *
     * @param name the target's iSCSI name
     * @return the description
     */
    public static TargetDescription of(String name) {
        return new TargetDescription(name, Optional.empty());
    }
}
