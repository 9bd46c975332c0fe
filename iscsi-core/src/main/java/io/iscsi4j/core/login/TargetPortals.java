package io.iscsi4j.core.login;

import java.util.List;
import java.util.Objects;

/**
 * A target and the portals it can be reached at, as listed in a SendTargets response.
 *
 * @param targetName the target's iSCSI name
 * @param portals its portals; may be empty
 * @since 0.1.0
 */
public record TargetPortals(String targetName, List<PortalAddress> portals) {

    /**
     * Checks and copies the components.
     *
     * @param targetName the target's iSCSI name
     * @param portals its portals
     */
    public TargetPortals {
        Objects.requireNonNull(targetName, "targetName");
        portals = List.copyOf(portals);
    }
}
