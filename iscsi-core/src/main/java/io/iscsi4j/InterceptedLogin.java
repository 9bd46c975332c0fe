package io.iscsi4j;

import java.net.SocketAddress;
import java.util.Objects;
import java.util.Optional;

/**
 * A login seen by {@link TargetInterceptor#beforeLogin}.
 *
 * @param initiatorName the initiator's iSCSI name ({@code InitiatorName})
 * @param targetName the target's name, empty for a discovery session
 * @param discovery whether this is a discovery (SendTargets) session rather than a normal one
 * @param remoteAddress the initiator's address
 * @since 0.1
 */
public record InterceptedLogin(String initiatorName, Optional<String> targetName, boolean discovery,
                               SocketAddress remoteAddress) {

    /**
     * Checks the components are present.
     *
     * @param initiatorName the initiator's iSCSI name
     * @param targetName the target's name, empty for a discovery session
     * @param discovery whether this is a discovery session
     * @param remoteAddress the initiator's address
     */
    public InterceptedLogin {
        Objects.requireNonNull(initiatorName, "initiatorName");
        Objects.requireNonNull(targetName, "targetName");
        Objects.requireNonNull(remoteAddress, "remoteAddress");
    }
}
