package io.iscsi4j;

import io.iscsi4j.core.auth.Authenticator;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One iSCSI target portal group (RFC 7143 §3.4.1, LIO's TPG, ctld's portal-group): portals, the tag initiators see
 * (TargetPortalGroupTag at login, the {@code ,tag} of SendTargets), the targets reachable through them, and
 * optionally its own discovery authentication. Each group is one SCSI target port of every target it serves
 * ({@code <iqn>,t,0x<tag>}, relative target port identifier = tag), in this {@link IscsiTarget}'s ALUA target port
 * group. Immutable; made by {@link IscsiTarget.Builder#portalGroup}.
 *
 * @param tag the target portal group tag, 1 to 65535
 * @param portals the addresses to bind
 * @param targets the names (lower case) of the targets reachable through the group; empty for every target
 * @param discoveryAuthenticator how initiators authenticate for discovery sessions on the group's portals, or
 *     {@code null} for the target-wide discovery authentication
 * @since 0.2
 */
public record PortalGroupConfig(int tag, List<InetSocketAddress> portals, Set<String> targets,
                                Authenticator discoveryAuthenticator) {

    /**
     * Copies the collections.
     *
     * @param tag the target portal group tag
     * @param portals the addresses to bind
     * @param targets the reachable targets, empty for all
     * @param discoveryAuthenticator the group's discovery authentication, or {@code null}
     */
    public PortalGroupConfig {
        portals = List.copyOf(portals);
        targets = Set.copyOf(targets);
        if (tag < 1 || tag > 0xFFFF) {
            throw new IllegalArgumentException("portal group tag must be 1 to 65535: " + tag);
        }
    }

    /**
     * Whether a target is reachable through this group.
     *
     * @param targetName a target's name (lower case)
     * @return {@code true} when the group serves every target or names this one
     */
    public boolean serves(String targetName) {
        return targets.isEmpty() || targets.contains(Objects.requireNonNull(targetName));
    }
}
