package io.iscsi4j;

import java.util.Map;
import java.util.TreeMap;

/**
 * A snapshot of iSCSI-level counters (the counters Linux LIO keeps in its iscsi_stat groups): logins, logouts,
 * connection losses and protocol errors. {@link IscsiTarget#iscsiStatistics()} counts everything since the target
 * started; {@link IscsiTarget#iscsiStatistics(java.net.InetSocketAddress)} what came in on one portal; {@link
 * TargetControl#iscsiStatistics()} what concerned one target (counted once the login named it). Immutable.
 *
 * @param loginsAccepted logins that reached full feature phase (normal and discovery sessions)
 * @param loginsRefused logins answered with a Login Response of status class 2 or 3, or closed by the target
 *     before a Login Response (a PDU other than a Login Request first)
 * @param loginsRefusedByStatus refused logins by their status: Status-Class times 256 plus Status-Detail (RFC 7143
 *     §11.13.5), for example {@code 0x0201} authentication failure, {@code 0x0202} authorization failure,
 *     {@code 0x0203} target not found, {@code 0x0206} too many connections (sessions), {@code 0x0300} target error;
 *     sorted by status
 * @param logouts sessions that ended with a Logout Response
 * @param connectionDrops sessions whose connection closed without a logout (dropped by the initiator, by the
 *     network, by a NOP-In timeout, or by the target)
 * @param headerDigestErrors PDUs whose header digest did not match (the connection is closed)
 * @param dataDigestErrors PDUs whose data digest did not match (answered with a Reject)
 * @param formatErrors PDUs that were malformed (a bad field, an unknown opcode, a length over a limit)
 * @param rejectsSent Reject PDUs sent, for every reason
 * @param nopInTimeouts connections closed because a NOP-In ping went unanswered
 * @since 0.2
 */
public record IscsiStatistics(long loginsAccepted, long loginsRefused, Map<Integer, Long> loginsRefusedByStatus,
                              long logouts, long connectionDrops, long headerDigestErrors, long dataDigestErrors,
                              long formatErrors, long rejectsSent, long nopInTimeouts) {

    /** The status of a login refused for failed authentication (class 2, detail 1). */
    public static final int AUTHENTICATION_FAILURE = 0x0201;
    /** The status of a login refused because the initiator may not access the target (class 2, detail 2). */
    public static final int AUTHORIZATION_FAILURE = 0x0202;

    /**
     * Copies the map.
     *
     * @param loginsAccepted logins that reached full feature phase
     * @param loginsRefused refused logins
     * @param loginsRefusedByStatus refused logins by status
     * @param logouts sessions ended by a logout
     * @param connectionDrops sessions ended without a logout
     * @param headerDigestErrors header digest errors
     * @param dataDigestErrors data digest errors
     * @param formatErrors malformed PDUs
     * @param rejectsSent Reject PDUs sent
     * @param nopInTimeouts unanswered NOP-In pings
     */
    public IscsiStatistics {
        loginsRefusedByStatus = java.util.Collections.unmodifiableMap(new TreeMap<>(loginsRefusedByStatus));
    }

    /** {@return logins refused because authentication failed} */
    public long authenticationFailures() {
        return loginsRefusedByStatus.getOrDefault(AUTHENTICATION_FAILURE, 0L);
    }

    /** {@return logins refused because the initiator may not access the target} */
    public long authorizationFailures() {
        return loginsRefusedByStatus.getOrDefault(AUTHORIZATION_FAILURE, 0L);
    }
}
