package io.iscsi4j.core.session;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The target's live sessions: TSIH allocation and same-ISID reinstatement. Thread-safe (connections on several
 * event loops log in concurrently).
 */
final class SessionRegistry {

    private final Map<SessionKey, Session> byKey = new HashMap<>();
    private final Map<Integer, Session> byTsih = new HashMap<>();
    private int nextTsih = 1;

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
    }

    /**
     * Registers a new session; returns the session it reinstates (same key), which the caller closes, or
     * {@code null}.
     */
    synchronized Session register(Session s) {
        byTsih.put(s.tsih, s);
        Session old = byKey.put(s.key, s);
        if (old != null && old != s) {
            byTsih.remove(old.tsih);
        }
        return old;
    }

    /** Removes a session whose connection closed. */
    synchronized void remove(Session s) {
        byKey.remove(s.key, s);
        byTsih.remove(s.tsih, s);
    }

    /** Whether a session with this TSIH is live. */
    synchronized boolean exists(int tsih) {
        return byTsih.get(tsih) != null;
    }

    /** A snapshot of the live sessions of one target (by lower-case target name). */
    synchronized List<Session> sessionsOf(String targetName) {
        List<Session> out = new ArrayList<>();
        for (Session s : byTsih.values()) {
            if (s != null && s.key.targetName().equals(targetName)) {
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
