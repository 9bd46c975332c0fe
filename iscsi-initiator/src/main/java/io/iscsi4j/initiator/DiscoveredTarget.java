package io.iscsi4j.initiator;

import java.util.List;
import java.util.Objects;

/**
 * A target a SendTargets discovery reported (RFC 7143 §13.3, Appendix C).
 *
 * @param name the target's iSCSI name ({@code TargetName})
 * @param addresses its portals as sent ({@code TargetAddress} values, {@code host:port,tpgt}); empty when the
 *     target reported none, which means the portal that answered the discovery
 * @since 0.1
 */
public record DiscoveredTarget(String name, List<String> addresses) {

    /**
     * Checks and copies the fields.
     *
     * @param name the target name
     * @param addresses the portals
     */
    public DiscoveredTarget {
        Objects.requireNonNull(name, "name");
        addresses = List.copyOf(addresses);
    }
}
