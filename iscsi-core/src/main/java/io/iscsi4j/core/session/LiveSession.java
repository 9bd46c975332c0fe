package io.iscsi4j.core.session;

import io.iscsi4j.ActiveSession;
import io.iscsi4j.SessionStatistics;
import io.iscsi4j.TargetListener;
import io.iscsi4j.core.login.NegotiatedParameters;
import io.iscsi4j.core.login.SessionType;
import io.iscsi4j.scsi.ScsiDispatcher;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

/** The public view of one {@link Session} ({@link ActiveSession}). Thread-safe; made per listing. */
final class LiveSession implements ActiveSession {

    /**
     * What a session shows, fixed at login.
     *
     * @param info names, ISID, TSIH and addresses
     * @param alias the InitiatorAlias, or {@code null}
     * @param loginTime when the login completed
     * @param parameters the operational parameters by key
     */
    record Details(TargetListener.SessionInfo info, String alias, Instant loginTime, Map<String, String> parameters) {

        static Details of(TargetListener.SessionInfo info, NegotiatedParameters p, Instant loginTime) {
            Map<String, String> m = new LinkedHashMap<>();
            m.put("HeaderDigest", p.headerDigest().wireValue());
            m.put("DataDigest", p.dataDigest().wireValue());
            m.put("MaxRecvDataSegmentLength", Integer.toString(p.initiatorMaxRecvDataSegmentLength()));
            m.put("TargetMaxRecvDataSegmentLength", Integer.toString(p.targetMaxRecvDataSegmentLength()));
            m.put("MaxBurstLength", Integer.toString(p.maxBurstLength()));
            m.put("FirstBurstLength", Integer.toString(p.firstBurstLength()));
            m.put("InitialR2T", yesNo(p.initialR2T()));
            m.put("ImmediateData", yesNo(p.immediateData()));
            m.put("MaxOutstandingR2T", Integer.toString(p.maxOutstandingR2T()));
            m.put("DefaultTime2Wait", Integer.toString(p.defaultTime2Wait()));
            m.put("DefaultTime2Retain", Integer.toString(p.defaultTime2Retain()));
            m.put("MaxConnections", Integer.toString(p.maxConnections()));
            m.put("ErrorRecoveryLevel", "0");
            m.put("AuthMethod", p.authMethod());
            m.put("TargetPortalGroupTag", Integer.toString(p.targetPortalGroupTag()));
            m.put("SessionType", p.sessionType() == SessionType.DISCOVERY ? "Discovery" : "Normal");
            return new Details(info, p.initiatorAlias().orElse(null), loginTime, Collections.unmodifiableMap(m));
        }

        private static String yesNo(boolean value) {
            return value ? "Yes" : "No";
        }
    }

    private final Session session;
    private final Details details;

    LiveSession(Session session, Details details) {
        this.session = session;
        this.details = Objects.requireNonNull(details);
    }

    @Override
    public TargetListener.SessionInfo info() {
        return details.info();
    }

    @Override
    public Optional<String> initiatorAlias() {
        return Optional.ofNullable(details.alias());
    }

    @Override
    public Instant loginTime() {
        return details.loginTime();
    }

    @Override
    public Map<String, String> parameters() {
        return details.parameters();
    }

    @Override
    public List<Integer> luns() {
        ScsiDispatcher d = session.dispatcher();
        if (d == null) {
            return List.of();
        }
        List<Integer> luns = new ArrayList<>(d.logicalUnits().keySet());
        Collections.sort(luns);
        return Collections.unmodifiableList(luns);
    }

    @Override
    public SessionStatistics statistics() {
        return session.counters.snapshot(session.taskCount());
    }

    @Override
    public boolean isOpen() {
        return session.isOpen();
    }

    @Override
    public CompletionStage<Void> close(Duration grace) {
        long millis = grace.toMillis();
        if (millis < 0) {
            throw new IllegalArgumentException("grace must not be negative: " + grace);
        }
        int seconds = (int) Math.min(65535, (millis + 999) / 1000);
        if (seconds == 0) {
            session.close();
        } else {
            session.requestLogout(seconds);
        }
        return session.drained().thenApply(v -> (Void) null).minimalCompletionStage();
    }

    @Override
    public String toString() {
        TargetListener.SessionInfo i = details.info();
        return "session 0x" + Integer.toHexString(i.tsih()) + " of " + LogText.escape(i.initiatorName()) + " to "
                + (i.discovery() ? "discovery" : i.targetName()) + " from " + i.remoteAddress();
    }
}
