package io.iscsi4j.core.login;

import java.util.List;

/**
 * The targets an initiator may see in SendTargets responses. Implemented by the connection layer; called
 * synchronously from {@link TextExchange#process}, so it must not block on I/O.
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface TargetDirectory {

    /**
     * The targets this initiator may access, with their portals.
     *
     * @param initiatorName the session's InitiatorName
     * @return the targets, in the order to list them; empty when none
     */
    List<TargetPortals> targetsFor(String initiatorName);
}
