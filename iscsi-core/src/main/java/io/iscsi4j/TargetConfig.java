package io.iscsi4j;

import java.util.List;
import java.util.Objects;

/**
 * One iSCSI target (an IQN) with its LUNs. Immutable; made by {@link IscsiTarget.Builder#target}.
 *
 * @param name the iSCSI name (iqn., eui. or naa. form), compared case-insensitively
 * @param alias the TargetAlias, or {@code null}
 * @param luns the logical units, sorted by LUN, at least one
 * @since 0.1
 */
public record TargetConfig(String name, String alias, List<LunConfig> luns) {

    /** Validates and copies. */
    public TargetConfig {
        Objects.requireNonNull(name, "name");
        luns = List.copyOf(luns);
    }
}
