package io.iscsi4j.core.login;

import io.iscsi4j.core.auth.Authenticator;

import java.util.Optional;

/**
 * What a {@link LoginStateMachine} needs to know about the target it runs in. Implemented by the connection
 * layer; the methods are called synchronously from {@link LoginStateMachine#process} and must not block on I/O.
 *
 * @since 0.1.0
 */
public interface LoginContext {

    /**
     * Looks up a target named in a normal-session login.
     *
     * @param targetName the TargetName the initiator sent
     * @return the target, or empty to fail the login with 0x0203 (not found)
     */
    Optional<TargetDescription> findTarget(String targetName);

    /**
     * Whether an initiator may log in to a target (its access control list); checked on the first login request
     * of a normal session.
     *
     * @param initiatorName the InitiatorName
     * @param targetName an existing target
     * @return {@code false} to fail the login with 0x0202 (authorization failure)
     */
    boolean mayAccess(String initiatorName, String targetName);

    /**
     * The authenticator for logins to a target, or for discovery sessions.
     *
     * @param targetName the target; empty for a discovery session
     * @return the authenticator; {@link Authenticator#none()} for no authentication
     */
    Authenticator authenticator(Optional<String> targetName);

    /**
     * The target's negotiation preferences.
     *
     * @param targetName the target; empty for a discovery session
     * @return the preferences
     */
    default TargetNegotiationConfig negotiationConfig(Optional<String> targetName) {
        return TargetNegotiationConfig.defaults();
    }

    /**
     * The tag of the portal group the connection arrived at, sent as TargetPortalGroupTag.
     *
     * @return 0 to 65535
     */
    int targetPortalGroupTag();

    /**
     * Admits a login that is about to enter full feature phase: creates the session (leading login, TSIH 0) or
     * finds the session to add the connection to. Called at most once per login, just before the final
     * response.
     *
     * @param request the session identity and negotiated parameters
     * @return the session's TSIH, or the status that refuses the login (0x020A session does not exist, 0x0206
     *     too many connections, 0x0302 out of resources, ...)
     */
    SessionAdmission admitSession(SessionRequest request);
}
