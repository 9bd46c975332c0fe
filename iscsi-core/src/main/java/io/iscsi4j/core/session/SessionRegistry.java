package io.iscsi4j.core.session;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/**
 * The target's sessions: TSIH allocation, same-ISID reinstatement, and the sessions whose connection closed but
 * whose tasks have not all ended yet (draining). A new session of an I_T nexus waits for every earlier session of the
 * same nexus, live or draining, before its commands reach the SCSI layer; task management functions that cover
 * several I_T nexuses reach the draining sessions too. Thread-safe (connections on several event loops log in
 * concurrently).
 */
final class SessionRegistry {

    /** A newly registered session: the live session it reinstates (to close) and when its predecessors ended. */
    record Registration(Session reinstated, CompletableFuture<Void> predecessorsEnded) {
    }

    /** Sessions whose connection closed, until their last task has ended. */
    private final Set<Session> draining = new LinkedHashSet<>();
    private final Map<SessionKey, Session> byKey = new HashMap<>();
    private final Map<Integer, Session> byTsih = new HashMap<>();
    /** TSIHs handed out by {@link #reserveTsih} whose session is not registered yet, with the session's key. */
    private final Map<Integer, SessionKey> reserved = new HashMap<>();
    private int nextTsih = 1;

    /** {@link #reserveTsih} refused: the target has its maximum number of normal sessions. */
    static final int TOO_MANY_SESSIONS = -1;
    /** {@link #reserveTsih} refused: the initiator has its maximum number of sessions. */
    static final int TOO_MANY_INITIATOR_SESSIONS = -2;
    /** {@link #reserveTsih} refused: the target has its maximum number of discovery sessions. */
    static final int TOO_MANY_DISCOVERY_SESSIONS = -3;

    /**
     * A TSIH for a new session with {@code key}, if the caps allow another session. Normal and discovery sessions
     * (empty target name) are counted apart; sessions not yet registered count too, so concurrent logins cannot
     * overshoot. A login that reinstates a live session (same key) is never refused: it replaces that session.
     *
     * @param maxSessions the most normal sessions
     * @param maxDiscoverySessions the most discovery sessions
     * @param maxSessionsPerInitiator the most sessions of both kinds per initiator name
     * @return the TSIH, or {@link #TOO_MANY_SESSIONS}, {@link #TOO_MANY_DISCOVERY_SESSIONS} or
     *     {@link #TOO_MANY_INITIATOR_SESSIONS}
     */
    synchronized int reserveTsih(SessionKey key, int maxSessions, int maxDiscoverySessions,
                                 int maxSessionsPerInitiator) {
        boolean reinstating = byKey.containsKey(key);
        if (!reinstating) {
            boolean discovery = isDiscovery(key);
            int ofKind = 0;
            int ofInitiator = 0;
            for (SessionKey k : byKey.keySet()) {
                ofKind += isDiscovery(k) == discovery ? 1 : 0;
                ofInitiator += k.initiatorName().equals(key.initiatorName()) ? 1 : 0;
            }
            for (SessionKey k : reserved.values()) {
                ofKind += isDiscovery(k) == discovery ? 1 : 0;
                ofInitiator += k.initiatorName().equals(key.initiatorName()) ? 1 : 0;
            }
            if (ofKind >= (discovery ? maxDiscoverySessions : maxSessions)) {
                return discovery ? TOO_MANY_DISCOVERY_SESSIONS : TOO_MANY_SESSIONS;
            }
            if (ofInitiator >= maxSessionsPerInitiator) {
                return TOO_MANY_INITIATOR_SESSIONS;
            }
        }
        int tsih = allocateTsih();
        reserved.put(tsih, key);
        return tsih;
    }

    private static boolean isDiscovery(SessionKey key) {
        return key.targetName().isEmpty();
    }

    /** A TSIH in 1..65535 that no live session uses. */
    synchronized int allocateTsih() {
        for (int i = 0; i < 65535; i++) {
            int t = nextTsih;
            nextTsih = nextTsih == 65535 ? 1 : nextTsih + 1;
            if (!byTsih.containsKey(t)) {
                byTsih.put(t, null);
                return t;
            }
        }
        throw new IllegalStateException("65535 sessions are live");
    }

    /** Returns a TSIH that was allocated but never registered. */
    synchronized void releaseTsih(int tsih) {
        if (byTsih.get(tsih) == null) {
            byTsih.remove(tsih);
        }
        reserved.remove(tsih);
    }

    /**
     * Registers a new session. The result names the live session it reinstates (same key), which the caller
     * closes, or {@code null}; and a future that completes once every earlier session with the same key, that one
     * and those still draining, has ended all its tasks.
     */
    synchronized Registration register(Session s) {
        reserved.remove(s.tsih);
        byTsih.put(s.tsih, s);
        Session old = byKey.put(s.key, s);
        List<CompletableFuture<Void>> earlier = new ArrayList<>();
        if (old != null && old != s) {
            byTsih.remove(old.tsih);
            draining.add(old);
            earlier.add(old.drained());
        } else {
            old = null;
        }
        for (Session d : draining) {
            if (d.key.equals(s.key) && d != old) {
                earlier.add(d.drained());
            }
        }
        CompletableFuture<Void> ended = earlier.isEmpty() ? CompletableFuture.completedFuture(null)
                : CompletableFuture.allOf(earlier.toArray(CompletableFuture[]::new));
        return new Registration(old, ended);
    }

    /**
     * Removes a session whose connection closed; it stays among the target's sessions ({@link #sessionsOf}) until
     * its tasks have ended.
     */
    void remove(Session s) {
        synchronized (this) {
            byKey.remove(s.key, s);
            byTsih.remove(s.tsih, s);
            draining.add(s);
        }
        s.drained().whenComplete((v, e) -> drainedOut(s));
    }

    private synchronized void drainedOut(Session s) {
        draining.remove(s);
    }

    /**
     * Aborts (when {@code abort}) or awaits the tasks that {@code tasks} selects in every session of a target that
     * {@code sessions} selects, live or draining; completes once all of them have ended (on some session's event
     * loop).
     */
    CompletableFuture<Void> fence(String targetName, Predicate<Session> sessions,
                                  Predicate<ScsiCommandTask> tasks, boolean abort) {
        List<CompletableFuture<Void>> ends = new ArrayList<>();
        for (Session s : sessionsOf(targetName)) {
            if (sessions.test(s)) {
                ends.add(s.fence(tasks, abort));
            }
        }
        return CompletableFuture.allOf(ends.toArray(CompletableFuture[]::new));
    }

    /** Whether a session with this TSIH is live. */
    synchronized boolean exists(int tsih) {
        return byTsih.get(tsih) != null;
    }

    /** A snapshot of the sessions of one target (by lower-case target name), the draining ones included. */
    synchronized List<Session> sessionsOf(String targetName) {
        List<Session> out = new ArrayList<>();
        for (Session s : byTsih.values()) {
            if (s != null && s.key.targetName().equals(targetName)) {
                out.add(s);
            }
        }
        for (Session s : draining) {
            if (s.key.targetName().equals(targetName)) {
                out.add(s);
            }
        }
        return out;
    }

    /** A snapshot of the live sessions of one target (by lower-case target name), without the draining ones. */
    synchronized List<Session> liveSessionsOf(String targetName) {
        List<Session> out = new ArrayList<>();
        for (Session s : byTsih.values()) {
            if (s != null && s.key.targetName().equals(targetName)) {
                out.add(s);
            }
        }
        return out;
    }

    /** A snapshot of every live session (normal and discovery), without the draining ones. */
    synchronized List<Session> liveSessions() {
        List<Session> out = new ArrayList<>();
        for (Session s : byTsih.values()) {
            if (s != null) {
                out.add(s);
            }
        }
        return out;
    }

    synchronized int size() {
        int n = 0;
        for (Session s : byTsih.values()) {
            if (s != null) {
                n++;
            }
        }
        return n;
    }
}
