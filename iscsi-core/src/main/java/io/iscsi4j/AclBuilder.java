package io.iscsi4j;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Options of one node ACL, set in {@link TargetBuilder#acl(String, java.util.function.Consumer)}. Not thread-safe;
 * used only while building.
 *
 * @since 0.1
 */
public final class AclBuilder {

    private final Map<Integer, Integer> mapping = new LinkedHashMap<>();

    AclBuilder() {
    }

    /**
     * Shows the target's LUN {@code targetLun} to this ACL's initiators as LUN {@code mappedLun}. Without any
     * mapping the initiators see every LUN under its own number; with mappings they see only the mapped ones
     * (LUN masking): REPORT LUNS lists them and other LUNs answer LOGICAL UNIT NOT SUPPORTED.
     *
     * @param mappedLun the LUN the initiator addresses, 0 to 16383
     * @param targetLun a LUN defined on the target
     * @return this
     */
    public AclBuilder mapLun(int mappedLun, int targetLun) {
        if (mappedLun < 0 || mappedLun > 16383) {
            throw new IllegalArgumentException("mapped LUN must be 0..16383: " + mappedLun);
        }
        if (mapping.putIfAbsent(mappedLun, targetLun) != null) {
            throw new IllegalArgumentException("mapped LUN " + mappedLun + " is mapped twice");
        }
        return this;
    }

    AclConfig build(String initiatorPattern) {
        return new AclConfig(initiatorPattern, mapping);
    }
}
