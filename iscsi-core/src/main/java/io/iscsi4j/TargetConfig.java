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
 * @param authenticator how initiators of this target authenticate, ACLs with CHAP credentials of their own
 *     included; {@link Authenticator#none()} for no authentication (its {@code toString()} never shows a secret)
 * @param acls the node ACLs; empty admits every initiator to every LUN
 * @since 0.1
 */
public record TargetConfig(String name, String alias, List<LunConfig> luns, Authenticator authenticator,
                           List<AclConfig> acls) {

    /**
     * Validates and copies.
     *
     * @param name the iSCSI name
     * @param alias the TargetAlias, or {@code null}
     * @param luns the logical units, sorted by LUN
     * @param authenticator how initiators of this target authenticate
     * @param acls the node ACLs; empty admits every initiator to every LUN
     */
    public TargetConfig {
        Objects.requireNonNull(name, "name");
        luns = List.copyOf(luns);
        Objects.requireNonNull(authenticator, "authenticator");
        acls = List.copyOf(acls);
    }

    /**
     * The ACL that admits an initiator: the one that applies when several match (the exact name first, then the most
     * specific pattern, then the first declared; see {@link AclConfig}), an empty ACL admitting everyone when none is
     * configured, or {@code null} when the initiator is not admitted.
     *
     * @param initiatorName the InitiatorName of the login
     * @return the ACL, or {@code null}
     */
    public AclConfig aclFor(String initiatorName) {
        if (acls.isEmpty()) {
            return OPEN;
        }
        return AclConfig.bestMatch(acls, initiatorName);
    }

    private static final AclConfig OPEN = new AclConfig("*", java.util.Map.of());
}
