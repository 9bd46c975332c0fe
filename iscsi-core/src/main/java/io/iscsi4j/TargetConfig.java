package io.iscsi4j;

import io.iscsi4j.core.auth.Authenticator;

import java.util.List;
import java.util.Objects;

/**
 * One iSCSI target (an IQN) with its LUNs and authentication. Immutable; made by {@link IscsiTarget.Builder#target}.
 *
 * @param name the iSCSI name (iqn., eui. or naa. form), compared case-insensitively
 * @param alias the TargetAlias, or {@code null}
 * @param luns the logical units, sorted by LUN, at least one
 * @param authenticator how initiators of this target authenticate; {@link Authenticator#none()} for no
 *     authentication (its {@code toString()} never shows a secret)
 * @since 0.1
 */
public record TargetConfig(String name, String alias, List<LunConfig> luns, Authenticator authenticator) {

    /**
     * Validates and copies.
     *
     * @param name the iSCSI name
     * @param alias the TargetAlias, or {@code null}
     * @param luns the logical units, sorted by LUN
     * @param authenticator how initiators of this target authenticate
     */
    public TargetConfig {
        Objects.requireNonNull(name, "name");
        luns = List.copyOf(luns);
        Objects.requireNonNull(authenticator, "authenticator");
    }
}
