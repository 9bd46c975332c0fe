package io.iscsi4j.core.session;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Logs refused authentications without letting one initiator flood the log: the first failure of an initiator is
 * logged with its reason; further failures are counted and reported in one line at most once per
 * {@linkplain #DEFAULT_INTERVAL interval}, and a later success reports the failures not yet reported. At most
 * {@link #MAX_TRACKED} initiators are remembered; the least recently seen is forgotten first, with a last line when
 * it had unreported failures. Reasons come from the login state machine and never contain secrets; names and reasons
 * may quote what the initiator sent and are escaped ({@link LogText}). Thread-safe.
 */
final class LoginFailureLog {

    /** The most initiators remembered at once. */
    static final int MAX_TRACKED = 1024;

    /** The shortest time between two lines about the same initiator's failures. */
    static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(1);

    private static final Logger LOG = LoggerFactory.getLogger(LoginFailureLog.class);

    private final Clock clock;
    private final Duration interval;
    private final Consumer<String> sink;
    private final Map<String, Entry> entries = new LinkedHashMap<>(64, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
            if (size() <= MAX_TRACKED) {
                return false;
            }
            Entry forgotten = eldest.getValue();
            if (forgotten.unreported > 0) {
                sink.accept(forgotten.name + ": " + forgotten.unreported
                        + " more failed logins (no longer tracked; latest: " + forgotten.latestReason + ")");
            }
            return true;
        }
    };

    private static final class Entry {
        final String name;
        Instant lastLogged;
        int unreported;
        String latestReason;

        Entry(String name, Instant lastLogged) {
            this.name = name;
            this.lastLogged = lastLogged;
        }
    }

    /** Logs at WARN through SLF4J, one line per minute per initiator at most. */
    LoginFailureLog() {
        this(Clock.systemUTC(), DEFAULT_INTERVAL, LOG::warn);
    }

    /**
     * A log with an explicit clock, interval and output, for tests.
     *
     * @param clock the time source
     * @param interval the shortest time between two lines about one initiator
     * @param sink receives each line
     */
    LoginFailureLog(Clock clock, Duration interval, Consumer<String> sink) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.interval = Objects.requireNonNull(interval, "interval");
        this.sink = Objects.requireNonNull(sink, "sink");
    }

    /**
     * Records a refused login.
     *
     * @param initiatorName the name the initiator declared, as sent
     * @param reason why, for the log (status and detail; no secret)
     */
    synchronized void failed(String initiatorName, String reason) {
        String name = printable(initiatorName);
        String key = name.toLowerCase(Locale.ROOT);
        reason = LogText.escape(reason);
        Instant now = clock.instant();
        Entry entry = entries.get(key);
        if (entry == null) {
            entries.put(key, new Entry(name, now));
            sink.accept(name + ": login refused: " + reason
                    + " (further failures of this initiator are counted and reported at most once every "
                    + interval.toSeconds() + " s)");
            return;
        }
        entry.unreported++;
        entry.latestReason = reason;
        if (!now.isBefore(entry.lastLogged.plus(interval))) {
            sink.accept(name + ": " + entry.unreported + " more failed logins since "
                    + entry.lastLogged + "; latest: " + reason);
            entry.unreported = 0;
            entry.lastLogged = now;
        }
    }

    /**
     * Records a successful login: forgets the initiator, reporting failures not yet reported.
     *
     * @param initiatorName the name the initiator declared, as sent
     */
    synchronized void succeeded(String initiatorName) {
        if (entries.isEmpty()) {
            return;
        }
        String name = printable(initiatorName);
        Entry entry = entries.remove(name.toLowerCase(Locale.ROOT));
        if (entry != null && entry.unreported > 0) {
            sink.accept(name + ": logged in after " + entry.unreported + " more failed logins since "
                    + entry.lastLogged + " (latest: " + entry.latestReason + ")");
        }
    }

    /** How many initiators are remembered. */
    synchronized int tracked() {
        return entries.size();
    }

    /** An initiator-supplied name made safe for a log line (see {@link LogText#escape(CharSequence)}). */
    static String printable(String name) {
        return name == null ? "(unnamed initiator)" : LogText.escape(name);
    }
}
