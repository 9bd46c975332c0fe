package io.iscsi4j.core.session;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Logs refused logins without letting a peer flood the log, whatever names it sends.
 *
 * <p>Authentication and authorization failures ({@link #failed}) are tracked per initiator name: the first failure
 * of a name is logged with its reason; further failures are counted and reported in one line at most once per
 * {@linkplain #DEFAULT_INTERVAL interval}, and a later success reports the failures not yet reported. Other refusals
 * ({@link #refused}) are logged one line each.
 *
 * <p>Since a peer chooses its names freely, the lines are also budgeted by what it cannot choose as easily: at most
 * {@link #LINES_PER_ADDRESS} lines per interval about the refusals of one remote address, and at most
 * {@link #LINES_PER_INTERVAL} lines per interval in all. A refusal over a budget is counted instead, without
 * remembering its name, and the count is reported in one line once the interval is over (with the next refusal or
 * success after it). At most {@link #MAX_TRACKED} names and {@link #MAX_TRACKED} addresses are remembered; the
 * least recently seen is forgotten first (a forgotten name with unreported failures gets a last line, within the
 * budget; a forgotten address's count joins the overall count).
 *
 * <p>Reasons come from the login state machine and never contain secrets; names and reasons may quote what the
 * initiator sent and are escaped ({@link LogText}). Thread-safe.
 */
final class LoginFailureLog {

    /** The most initiator names, and the most addresses, remembered at once. */
    static final int MAX_TRACKED = 1024;

    /** The most lines per interval about the refused logins of one remote address. */
    static final int LINES_PER_ADDRESS = 10;

    /** The most lines per interval about refused logins in all. */
    static final int LINES_PER_INTERVAL = 100;

    /** The shortest time between two lines about the same initiator's failures; the budgets' period. */
    static final Duration DEFAULT_INTERVAL = Duration.ofMinutes(1);

    private static final Logger LOG = LoggerFactory.getLogger(LoginFailureLog.class);

    private final Clock clock;
    private final Duration interval;
    private final Consumer<String> warn;
    private final Consumer<String> info;
    private final Budget overall = new Budget(LINES_PER_INTERVAL);
    private final Map<String, Entry> entries = new LinkedHashMap<>(64, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
            if (size() <= MAX_TRACKED) {
                return false;
            }
            Entry forgotten = eldest.getValue();
            if (forgotten.unreported > 0) {
                String line = forgotten.name + ": " + forgotten.unreported
                        + " more failed logins (no longer tracked; latest: " + forgotten.latestReason + ")";
                if (overall.take(clock.instant(), interval)) {
                    warn.accept(line);
                } else {
                    overall.suppress(forgotten.unreported, line, clock.instant());
                }
            }
            return true;
        }
    };
    private final Map<InetAddress, Budget> addresses = new LinkedHashMap<>(64, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<InetAddress, Budget> eldest) {
            if (size() <= MAX_TRACKED) {
                return false;
            }
            Budget forgotten = eldest.getValue();
            if (forgotten.suppressed > 0) {
                overall.suppress(forgotten.suppressed, forgotten.latest, clock.instant());
            }
            return true;
        }
    };

    /** One initiator name's failures. */
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

    /** Lines allowed per interval, in windows that start with the first line after the previous window ended. */
    private static final class Budget {
        final int lines;
        Instant windowStart;
        int used;
        long suppressed;
        Instant suppressedSince;
        String latest;

        Budget(int lines) {
            this.lines = lines;
        }

        /** Whether the current window is over, so that what it suppressed can be reported. */
        boolean windowOver(Instant now, Duration interval) {
            return windowStart != null && !now.isBefore(windowStart.plus(interval));
        }

        /** Takes one line from the budget if any is left, starting a new window when the last one is over. */
        boolean take(Instant now, Duration interval) {
            if (windowStart == null || windowOver(now, interval)) {
                windowStart = now;
                used = 0;
            }
            if (used >= lines) {
                return false;
            }
            used++;
            return true;
        }

        /** Counts {@code count} refusals not logged, the latest described by {@code line}. */
        void suppress(long count, String line, Instant now) {
            if (suppressed == 0) {
                suppressedSince = now;
            }
            suppressed += count;
            latest = line;
        }

        /** Forgets what was reported. */
        void reported() {
            suppressed = 0;
            suppressedSince = null;
            latest = null;
        }
    }

    /** Logs authentication and authorization failures at WARN and other refusals at INFO, through SLF4J. */
    LoginFailureLog() {
        this(Clock.systemUTC(), DEFAULT_INTERVAL, LOG::warn, LOG::info);
    }

    /**
     * A log with an explicit clock, interval and one output for every line, for tests.
     *
     * @param clock the time source
     * @param interval the shortest time between two lines about one initiator, and the period of the budgets
     * @param sink receives each line
     */
    LoginFailureLog(Clock clock, Duration interval, Consumer<String> sink) {
        this(clock, interval, sink, sink);
    }

    /**
     * A log with an explicit clock, interval and outputs.
     *
     * @param clock the time source
     * @param interval the shortest time between two lines about one initiator, and the period of the budgets
     * @param warn receives the lines about authentication and authorization failures and the counts of lines not
     *     logged
     * @param info receives the lines about other refusals
     */
    LoginFailureLog(Clock clock, Duration interval, Consumer<String> warn, Consumer<String> info) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.interval = Objects.requireNonNull(interval, "interval");
        this.warn = Objects.requireNonNull(warn, "warn");
        this.info = Objects.requireNonNull(info, "info");
    }

    /**
     * Records a login refused for authentication or authorization.
     *
     * @param address the initiator's IP address, or {@code null} when unknown
     * @param initiatorName the name the initiator declared, as sent
     * @param reason why, for the log (status and detail; no secret)
     */
    synchronized void failed(InetAddress address, String initiatorName, String reason) {
        String name = printable(initiatorName);
        String why = LogText.escape(reason);
        Instant now = clock.instant();
        Budget fromAddress = budgetOf(address, now);
        String key = initiatorName == null ? name : initiatorName.toLowerCase(Locale.ROOT);
        Entry entry = entries.get(key);
        if (entry != null && now.isBefore(entry.lastLogged.plus(interval))) {
            entry.unreported++;
            entry.latestReason = why;
            return;
        }
        String line = entry == null
                ? name + ": login refused: " + why
                        + " (further failures of this initiator are counted and reported at most once every "
                        + interval.toSeconds() + " s)"
                : name + ": " + (entry.unreported + 1) + " more failed logins since " + entry.lastLogged + "; latest: "
                        + why;
        if (!allowed(fromAddress, now, name + ": " + why)) {
            return;
        }
        if (entry == null) {
            entries.put(key, new Entry(name, now));
        } else {
            entry.unreported = 0;
            entry.lastLogged = now;
        }
        warn.accept(line);
    }

    /**
     * Records a login refused for another reason (target not found, a protocol error, a cap): one line each, within
     * the budgets.
     *
     * @param address the initiator's IP address, or {@code null} when unknown
     * @param initiatorName the name the initiator declared, or {@code null} when it did not yet
     * @param reason why, for the log
     */
    synchronized void refused(InetAddress address, String initiatorName, String reason) {
        String name = printable(initiatorName);
        String why = LogText.escape(reason);
        Instant now = clock.instant();
        Budget fromAddress = budgetOf(address, now);
        if (allowed(fromAddress, now, name + ": " + why)) {
            info.accept(name + ": login refused: " + why);
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
        reportOverall(clock.instant());
        String name = printable(initiatorName);
        Entry entry = entries.remove(initiatorName == null ? name : initiatorName.toLowerCase(Locale.ROOT));
        if (entry != null && entry.unreported > 0) {
            warn.accept(name + ": logged in after " + entry.unreported + " more failed logins since "
                    + entry.lastLogged + " (latest: " + entry.latestReason + ")");
        }
    }

    /** How many initiator names are remembered. */
    synchronized int tracked() {
        return entries.size();
    }

    /** How many addresses are remembered. */
    synchronized int trackedAddresses() {
        return addresses.size();
    }

    /**
     * Whether a line about a refusal fits the address's budget and the overall one; if not, the refusal is counted
     * where it did not fit. {@code summary} describes it for the count's report.
     */
    private boolean allowed(Budget fromAddress, Instant now, String summary) {
        if (fromAddress != null && !fromAddress.take(now, interval)) {
            fromAddress.suppress(1, summary, now);
            return false;
        }
        if (!overall.take(now, interval)) {
            overall.suppress(1, summary, now);
            return false;
        }
        return true;
    }

    /**
     * The budget of an address, created when new; first reports what the overall budget and, once their windows
     * are over, the address budgets suppressed.
     */
    private Budget budgetOf(InetAddress address, Instant now) {
        reportOverall(now);
        if (address == null) {
            return null;
        }
        Budget b = addresses.get(address);
        if (b == null) {
            b = new Budget(LINES_PER_ADDRESS);
            addresses.put(address, b);
        }
        return b;
    }

    /**
     * Once the overall window is over: starts a new one, reports the overall count of the old one, then the
     * refusals each address whose own window is over had beyond its budget (within the new overall budget; the rest
     * join the next overall count), and forgets those addresses. So a pass over the addresses happens at most once
     * per interval, and a count is reported within two intervals of its first refusal, with the next refusal or
     * success after that.
     */
    private void reportOverall(Instant now) {
        if (!overall.windowOver(now, interval)) {
            return;
        }
        if (overall.suppressed > 0) {
            warn.accept(overall.suppressed + " more refused logins since " + overall.suppressedSince
                    + " not logged (over " + LINES_PER_INTERVAL + " lines every " + interval.toSeconds()
                    + " s); latest: " + overall.latest);
            overall.reported();
        }
        overall.windowStart = now;
        overall.used = 0;
        for (Iterator<Map.Entry<InetAddress, Budget>> it = addresses.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<InetAddress, Budget> e = it.next();
            Budget b = e.getValue();
            if (!b.windowOver(now, interval)) {
                continue;
            }
            if (b.suppressed > 0) {
                String line = e.getKey().getHostAddress() + ": " + b.suppressed + " more refused logins since "
                        + b.suppressedSince + " not logged (over " + LINES_PER_ADDRESS + " lines every "
                        + interval.toSeconds() + " s from one address); latest: " + b.latest;
                if (overall.take(now, interval)) {
                    warn.accept(line);
                } else {
                    overall.suppress(b.suppressed, b.latest, now);
                }
            }
            it.remove(); // nothing left to remember: its next refusal opens a new window
        }
    }

    /** An initiator-supplied name made safe for a log line (see {@link LogText#escape(CharSequence)}). */
    static String printable(String name) {
        return name == null ? "(unnamed initiator)" : LogText.escape(name);
    }
}
