package io.iscsi4j;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/**
 * A session the target serves now, from {@link IscsiTarget#sessions()} or {@link TargetControl#sessions()}: who
 * it is, what was negotiated, what it can reach, its counters, and a way to end it (like targetcli's
 * {@code sessions detail} and tgtadm's connection deletion). A view: the identity and parameters are fixed at login,
 * the counters are read when asked. Thread-safe.
 *
 * @since 0.2
 */
public interface ActiveSession {

    /** {@return the initiator and target names, ISID, TSIH and the connection's addresses} */
    TargetListener.SessionInfo info();

    /** {@return the alias the initiator declared (InitiatorAlias), if any} */
    Optional<String> initiatorAlias();

    /** {@return when the login completed} */
    Instant loginTime();

    /**
     * The operational parameters in force, by RFC 7143 key: {@code HeaderDigest}, {@code DataDigest},
     * {@code MaxRecvDataSegmentLength} (the initiator's: what the target sends at most), {@code
     * TargetMaxRecvDataSegmentLength} (the target's declaration), {@code MaxBurstLength}, {@code FirstBurstLength},
     * {@code InitialR2T}, {@code ImmediateData}, {@code MaxOutstandingR2T}, {@code DefaultTime2Wait}, {@code
     * DefaultTime2Retain}, {@code MaxConnections}, {@code ErrorRecoveryLevel}, {@code AuthMethod}, {@code
     * TargetPortalGroupTag}, {@code SessionType}.
     *
     * @return the parameters, in that order
     */
    Map<String, String> parameters();

    /** {@return the LUNs this session can reach (its ACL's mapping), in order; empty for a discovery session} */
    List<Integer> luns();

    /** {@return the session's counters now} */
    SessionStatistics statistics();

    /** {@return whether the session's connection is still open} */
    boolean isOpen();

    /**
     * Ends the session: asks the initiator to log out (an Async Message, RFC 7143 §11.9.1) and drops the connection
     * when it has not logged out within {@code grace}; a zero grace drops it at once. The initiator may log in again
     * unless its access was removed first.
     *
     * @param grace how long the initiator gets to log out (rounded up to whole seconds, at most 65535)
     * @return completes once the connection is closed and every task of the session has ended
     */
    CompletionStage<Void> close(Duration grace);

    /**
     * Ends the session with a grace of {@link IscsiTarget#DEFAULT_LOGOUT_GRACE}; see {@link #close(Duration)}.
     *
     * @return completes once the connection is closed and every task of the session has ended
     */
    default CompletionStage<Void> close() {
        return close(IscsiTarget.DEFAULT_LOGOUT_GRACE);
    }
}
