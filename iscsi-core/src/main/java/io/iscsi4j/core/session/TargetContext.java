package io.iscsi4j.core.session;

import io.iscsi4j.IscsiTarget;
import io.iscsi4j.AclConfig;
import io.iscsi4j.LunConfig;
import io.iscsi4j.TargetConfig;
import io.iscsi4j.TargetInterceptor;
import io.iscsi4j.backstore.DirectorySharedState;
import io.iscsi4j.backstore.SharedState;
import io.iscsi4j.core.auth.Authenticator;
import io.iscsi4j.scsi.ItNexus;
import io.iscsi4j.scsi.LogicalUnit;
import io.iscsi4j.scsi.ScsiDispatcher;
import io.iscsi4j.scsi.ScsiTask;
import io.iscsi4j.scsi.TargetPortGroups;
import io.iscsi4j.scsi.TaskSetAborter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * Everything the connections of one {@link IscsiTarget} share: the targets with their logical units, SCSI
 * dispatchers and authenticators, the discovery authenticator, the session registry, negotiation settings, the
 * portals (for SendTargets), the target port groups, the log of refused logins, the listeners and the count of
 * in-flight tasks. Thread-safe.
 *
 * <p>The own target port group's id ({@link TargetPortGroups#id()}) is the target portal group tag of every portal
 * (one portal group for every target), so the SCSI target port names ({@code <target>,t,0x<tag>}) and the I_T
 * nexuses differ between gateways whose groups differ; it is also the relative target port identifier of the
 * target port. A change of the groups' states establishes ASYMMETRIC ACCESS STATE CHANGED on every logical unit of
 * every target.
 *
 * <p>Targets and LUNs may be added and removed while sessions run. The target map is replaced copy-on-write (logins
 * read it without a lock), the dispatchers' LUN maps likewise; changes are serialized on one lock, and the waits
 * that follow a removal (sessions to log out, in-flight commands to end) happen outside it.
 */
public final class TargetContext {

    private static final Logger LOG = LoggerFactory.getLogger(TargetContext.class);

    /** The most bytes of reusable Data-In buffers a target keeps ({@link DataInBuffers}). */
    static final long DATA_IN_BUFFER_BYTES = 128L << 20;

    private final IscsiTarget.Tuning tuning;
    private volatile Authenticator discoveryAuthenticator;
    private final Executor ioExecutor;
    private final LoginFailureLog loginFailures = new LoginFailureLog();
    /** Lower-case name to target, in configuration order; replaced as a whole under {@link #changes}. */
    private volatile Map<String, Target> targets = Map.of();
    private final Object changes = new Object();
    private final SessionRegistry registry = new SessionRegistry();
    private final InFlight inFlight = new InFlight();
    /** Large reads' Data-In buffers, reused across sessions (at most 128 MiB of them, in use or free). */
    private final DataInBuffers dataInBuffers = new DataInBuffers(DATA_IN_BUFFER_BYTES);
    private final TargetEvents events;
    private final ConnectionLimiter connectionLimiter;
    private volatile List<InetSocketAddress> portals = List.of();
    /** The portal group of each bound address. */
    private volatile Map<InetSocketAddress, io.iscsi4j.PortalGroupConfig> portalGroupOf = Map.of();
    /** Decides logins and commands, or {@code null}. */
    private final TargetInterceptor interceptor;
    private final TargetPortGroups portGroups;
    /** Where LUNs without a shared state keep their persistent reservations, or {@code null}. */
    private final java.nio.file.Path stateDirectory;
    private final TargetPortGroups.Listener accessStateChanges = (group, state) -> accessStateChanged();
    /** The iSCSI-level counters of everything since the start. */
    private final IscsiCounters counters = new IscsiCounters();
    /** The iSCSI-level counters of each portal, by its bound address. */
    private final Map<InetSocketAddress, IscsiCounters> portalCounters = new java.util.concurrent.ConcurrentHashMap<>();

    /** A configured target at run time. */
    static final class Target {
        /** The configuration; replaced when LUNs are added or removed. */
        volatile TargetConfig config;
        final ScsiDispatcher dispatcher;
        /**
         * Dispatchers of ACLs that map LUNs (LUN masking) or write-protect them; other ACLs use {@link #dispatcher}.
         * Changed under {@link TargetContext#changes} (in place by LUN changes, replaced by access changes); read at
         * login.
         */
        volatile Map<AclConfig, ScsiDispatcher> aclDispatchers = new HashMap<>();
        /** What concerned this target at the iSCSI level: logins that named it, its sessions' ends and errors. */
        final IscsiCounters counters = new IscsiCounters();

        /** The dispatcher an initiator's sessions use (its ACL's LUN mapping), or {@code null} when not admitted. */
        ScsiDispatcher dispatcherFor(String initiatorName) {
            AclConfig acl = config.aclFor(initiatorName);
            if (acl == null) {
                return null;
            }
            ScsiDispatcher d = aclDispatchers.get(acl);
            return d != null ? d : dispatcher;
        }

        Target(TargetConfig config, ScsiDispatcher dispatcher) {
            this.config = config;
            this.dispatcher = dispatcher;
        }

        /** The logical units of the target now (every one is in the unmasked dispatcher). */
        List<LogicalUnit> units() {
            return new ArrayList<>(dispatcher.logicalUnits().values());
        }
    }

    /**
     * Builds the logical units of every target.
     *
     * @param settings the validated configuration
     * @param ioExecutor where backstore calls run (never a network event loop)
     */
    public TargetContext(IscsiTarget.Settings settings, Executor ioExecutor) {
        this(settings, ioExecutor, new TargetEvents(List.of()));
    }

    /**
     * Builds the logical units of every target.
     *
     * @param settings the validated configuration
     * @param ioExecutor where backstore calls run (never a network event loop)
     * @param events where session events go
     */
    public TargetContext(IscsiTarget.Settings settings, Executor ioExecutor, TargetEvents events) {
        this(settings, ioExecutor, events, new TargetPortGroups(settings.portGroup()));
    }

    /**
     * Builds the logical units of every target, reached through the own group of {@code portGroups}.
     *
     * @param settings the validated configuration
     * @param ioExecutor where backstore calls run (never a network event loop)
     * @param events where session events go
     * @param portGroups the target port groups, own group {@code settings.portGroup()}; their changes raise unit
     *     attentions until {@link #closeUnits}
     */
    public TargetContext(IscsiTarget.Settings settings, Executor ioExecutor, TargetEvents events,
                         TargetPortGroups portGroups) {
        if (portGroups.id() != settings.portGroup()) {
            throw new IllegalArgumentException("port group " + portGroups.id() + " is not the configured "
                    + settings.portGroup());
        }
        this.portGroups = portGroups;
        this.stateDirectory = settings.stateDirectory();
        this.tuning = settings.settings();
        this.connectionLimiter = new ConnectionLimiter(tuning.limits());
        this.discoveryAuthenticator = settings.discoveryAuthenticator();
        this.interceptor = settings.interceptor();
        this.ioExecutor = ioExecutor;
        this.events = events;
        Map<String, Target> m = new LinkedHashMap<>();
        try {
            for (TargetConfig t : settings.targets()) {
                m.put(t.name(), build(t));
            }
        } catch (RuntimeException e) {
            // Release what the units built so far hold (their state directories' locks among it).
            for (Target built : m.values()) {
                for (LogicalUnit u : built.units()) {
                    try {
                        u.close();
                    } catch (java.io.IOException | RuntimeException suppressed) {
                        e.addSuppressed(suppressed);
                    }
                }
            }
            throw e;
        }
        this.targets = Collections.unmodifiableMap(m);
        portGroups.addListener(accessStateChanges);
    }

    private Target build(TargetConfig t) {
        Map<Integer, LogicalUnit> map = new HashMap<>();
        try {
            for (LunConfig l : t.luns()) {
                map.put(l.lun(), unit(t.name(), l));
            }
        } catch (RuntimeException e) {
            for (LogicalUnit u : map.values()) { // the units built so far: release their state directories' locks
                try {
                    u.close();
                } catch (java.io.IOException | RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
        String name = t.name();
        Target target = new Target(t, dispatcher(name, map, Set.of()));
        for (AclConfig acl : t.acls()) {
            if (hasOwnView(acl)) {
                target.aclDispatchers.put(acl, aclView(name, acl, map));
            }
        }
        return target;
    }

    /** The dispatcher of an ACL with a view of its own: its mapped LUNs, write-protected as it says. */
    private ScsiDispatcher aclView(String targetName, AclConfig acl, Map<Integer, LogicalUnit> units) {
        Map<Integer, LogicalUnit> masked = new HashMap<>();
        if (acl.lunMapping().isEmpty()) {
            masked.putAll(units);
        } else {
            acl.lunMapping().forEach((mapped, real) -> masked.put(mapped, units.get(real)));
        }
        Set<Integer> readOnly = acl.readOnly() ? masked.keySet() : acl.readOnlyLuns();
        return dispatcher(targetName, masked, readOnly);
    }

    /**
     * The dispatcher (LUN view) a new session of {@code initiatorName} gets, or {@code null} when it is not admitted.
     * Under the lock that {@link #replaceAccess} takes, so that a login never pairs a new ACL with the old views (an
     * ACL without its view would fall back to the unmasked dispatcher).
     */
    ScsiDispatcher dispatcherFor(Target t, String initiatorName) {
        synchronized (changes) {
            return t.dispatcherFor(initiatorName);
        }
    }

    /** Whether two ACLs give their sessions the same view: same LUN mapping and write protection. */
    private static boolean sameView(AclConfig a, AclConfig b) {
        return a.lunMapping().equals(b.lunMapping()) && a.readOnly() == b.readOnly()
                && a.readOnlyLuns().equals(b.readOnlyLuns());
    }

    /**
     * Replaces a running target's authentication and node ACLs. Logins from now on use the new configuration
     * (SendTargets too). A live session whose initiator is no longer admitted, or whose ACL now gives it another
     * view of the LUNs (mapping or write protection), gets an Async Message asking it to log out within
     * {@code logoutGrace} and is dropped after it; other sessions go on (new CHAP credentials apply to new logins).
     *
     * @param config the new configuration: the target's name, alias and LUNs as they are
     * @param logoutGrace how long sessions that lost their access get to log out; zero drops them at once
     * @return the sessions asked to log out (or dropped)
     * @throws IllegalArgumentException when there is no such target, or the LUNs differ from the target's
     */
    public int replaceAccess(TargetConfig config, Duration logoutGrace) {
        Target t;
        synchronized (changes) {
            t = existing(config.name());
            if (!lunNumbers(t.config).equals(lunNumbers(config))) {
                throw new IllegalArgumentException("target " + config.name() + ": LUNs are added and removed with "
                        + "addLun and removeLun, not with the access configuration");
            }
            for (AclConfig acl : config.acls()) {
                for (int real : acl.lunMapping().values()) {
                    if (t.dispatcher.logicalUnit(real) == null) {
                        throw new IllegalArgumentException("target " + config.name() + ": ACL "
                                + acl.initiatorPattern() + " maps LUN " + real + ", which the target lacks");
                    }
                }
            }
            Map<AclConfig, ScsiDispatcher> views = new HashMap<>();
            for (AclConfig acl : config.acls()) {
                if (!hasOwnView(acl)) {
                    continue;
                }
                ScsiDispatcher kept = null;
                for (Map.Entry<AclConfig, ScsiDispatcher> old : t.aclDispatchers.entrySet()) {
                    if (old.getKey().initiatorPattern().equalsIgnoreCase(acl.initiatorPattern())
                            && sameView(old.getKey(), acl)) {
                        kept = old.getValue(); // its sessions keep their view
                    }
                }
                views.put(acl, kept != null ? kept : aclView(config.name(), acl, t.dispatcher.logicalUnits()));
            }
            t.aclDispatchers = views;
            t.config = config;
        }
        int seconds = (int) Math.min(65535, Math.max(0, (logoutGrace.toMillis() + 999) / 1000));
        int ended = 0;
        for (Session s : registry.liveSessionsOf(t.config.name())) {
            ScsiDispatcher now = dispatcherFor(t, s.details != null ? s.details.info().initiatorName()
                    : s.key.initiatorName());
            if (now != s.dispatcher()) {
                ended++;
                LOG.info("{}: access changed ({}), asking the session to log out", s,
                        now == null ? "no longer admitted" : "another view of the LUNs");
                if (seconds == 0) {
                    s.close();
                } else {
                    s.requestLogout(seconds);
                }
            }
        }
        LOG.info("target {}: authentication and ACLs replaced ({} ACLs; {} sessions asked to log out)",
                config.name(), config.acls().size(), ended);
        return ended;
    }

    /** Whether an ACL's sessions need a dispatcher of their own: it maps LUNs (masking) or write-protects them. */
    private static boolean hasOwnView(AclConfig acl) {
        return !acl.lunMapping().isEmpty() || acl.readOnly() || !acl.readOnlyLuns().isEmpty();
    }

    private LogicalUnit unit(String targetName, LunConfig l) {
        SharedState state = l.sharedState();
        SharedState opened = null;
        if (state == null && stateDirectory != null) {
            java.nio.file.Path dir = stateDirectory.resolve(fileName(targetName)).resolve(Integer.toString(l.lun()));
            try {
                opened = DirectorySharedState.open(dir);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException("target " + targetName + " LUN " + l.lun()
                        + ": cannot open its reservation state: " + e.getMessage(), e);
            }
            state = opened;
        }
        try {
            return unit(l, state);
        } catch (RuntimeException e) {
            if (opened != null) {
                opened.close();
            }
            throw e;
        }
    }

    /** An iSCSI name as a directory name: letters, digits, '.' and '-' as they are, anything else as %XX. */
    static String fileName(String name) {
        StringBuilder b = new StringBuilder(name.length() + 8);
        for (byte c : name.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-') {
                b.append((char) c);
            } else {
                b.append('%').append(String.format("%02X", c & 0xFF));
            }
        }
        return b.toString();
    }

    private LogicalUnit unit(LunConfig l, SharedState state) {
        io.iscsi4j.LunAttributes a = l.attributes();
        LogicalUnit.Builder b = LogicalUnit.builder(l.backstore())
                .serial(l.serial())
                .vendor(a.vendor())
                .product(a.product())
                .revision(a.revision())
                .rotationRate(a.rotationRate())
                .maxTransferBytes(a.maxTransferBytes())
                .optimalTransferBytes(a.optimalTransferBytes())
                .maxUnmapBlocks(a.maxUnmapBlocks())
                .disable(a.disabled().toArray(io.iscsi4j.scsi.LunFeature[]::new))
                .softThreshold(a.softThresholdPercent())
                .readOnly(l.readOnly())
                .writeBack(l.writeBack())
                .physicalBlockSize(l.physicalBlockSize())
                .backstoreTimeout(l.backstoreTimeout())
                .executor(ioExecutor);
        if (state != null) {
            b.sharedState(state).peerTimeout(l.peerTimeout()).taskFence(this::fenceForPeer)
                    .portGroups(portGroups);
        }
        return b.build();
    }

    /**
     * A dispatcher whose PREEMPT AND ABORT and CLEAR reach the sessions of the target, over its current LUN map.
     */
    private ScsiDispatcher dispatcher(String targetName, Map<Integer, LogicalUnit> map, Set<Integer> readOnly) {
        ScsiDispatcher[] self = new ScsiDispatcher[1];
        self[0] = new ScsiDispatcher(map, readOnly, new TaskSetAborter() {
            @Override
            public CompletionStage<Void> abortTasks(ScsiTask requester, int lun, Predicate<ItNexus> preempted) {
                return fenceNexuses(targetName, self[0].logicalUnit(lun), requester, preempted, true);
            }

            @Override
            public CompletionStage<Void> awaitTasks(ScsiTask requester, int lun, Predicate<ItNexus> nexuses) {
                return fenceNexuses(targetName, self[0].logicalUnit(lun), requester, nexuses, false);
            }
        }, portGroups);
        return self[0];
    }

    /**
     * The target port groups changed: every I_T nexus of every logical unit of every target gets ASYMMETRIC ACCESS
     * STATE CHANGED. The unmasked dispatcher of a target holds every logical unit of it; the node ACLs' views share
     * them.
     */
    private void accessStateChanged() {
        for (Target t : targets.values()) {
            t.dispatcher.accessStateChanged();
        }
    }

    /** The target port groups: the own group (the portal group tag of every portal) and the peers. */
    public TargetPortGroups portGroups() {
        return portGroups;
    }

    /** The target portal group tag of every portal: the own target port group's id. */
    int portalGroupTag() {
        return portGroups.id();
    }

    /**
     * PERSISTENT RESERVE OUT with PREEMPT AND ABORT ({@code abort}) or CLEAR: the tasks for the logical unit of every
     * session of the target whose I_T nexus {@code nexuses} accepts, live or draining, are aborted without responses
     * (SAM-5, TAS 0) or only awaited; the result completes once all of them have ended. CLEAR does not await the
     * tasks still waiting for their turn in the task set: they wait for the requester itself, and start after it.
     */
    private CompletableFuture<Void> fenceNexuses(String targetName, LogicalUnit unit, ScsiTask requester,
                                                 Predicate<ItNexus> nexuses, boolean abort) {
        if (unit == null) {
            return CompletableFuture.completedFuture(null);
        }
        return registry.fence(targetName, s -> nexuses.test(s.nexus()),
                task -> task != requester && task.unit() == unit && (abort || !task.waitingForTurn()), abort);
    }

    /**
     * Another gateway's PREEMPT AND ABORT, CLEAR or LOGICAL UNIT RESET: the tasks for {@code unit} of every session
     * of every target of this gateway whose I_T nexus {@code nexuses} accepts are aborted or awaited, as for one
     * received here.
     */
    private CompletionStage<Void> fenceForPeer(LogicalUnit unit, Predicate<ItNexus> nexuses, boolean abort) {
        List<CompletableFuture<Void>> ends = new ArrayList<>();
        for (String targetName : targets.keySet()) {
            ends.add(registry.fence(targetName, s -> nexuses.test(s.nexus()),
                    task -> task.unit() == unit && (abort || !task.waitingForTurn()), abort));
        }
        return CompletableFuture.allOf(ends.toArray(CompletableFuture[]::new));
    }

    IscsiTarget.Tuning tuning() {
        return tuning;
    }

    /** The interceptor, or {@code null} when none is set. */
    TargetInterceptor interceptor() {
        return interceptor;
    }

    /** How initiators authenticate for discovery sessions. */
    /**
     * Replaces how initiators authenticate for discovery sessions; logins from now on use it.
     *
     * @param authenticator the new authenticator
     */
    public void discoveryAuthenticator(Authenticator authenticator) {
        this.discoveryAuthenticator = java.util.Objects.requireNonNull(authenticator, "authenticator");
        LOG.info("discovery authentication changed");
    }

    Authenticator discoveryAuthenticator() {
        return discoveryAuthenticator;
    }

    /** Where refused logins are logged, rate-limited per initiator. */
    LoginFailureLog loginFailures() {
        return loginFailures;
    }

    SessionRegistry registry() {
        return registry;
    }

    /** Where session events for listeners go. */
    TargetEvents events() {
        return events;
    }

    /** Counts connections and refuses those over the connection caps. */
    public ConnectionLimiter connectionLimiter() {
        return connectionLimiter;
    }

    /** The Data-In buffers of large reads, reused instead of freed. */
    DataInBuffers dataInBuffers() {
        return dataInBuffers;
    }

    /** The in-flight task counter. */
    public InFlight inFlight() {
        return inFlight;
    }

    /**
     * What a new connection counts into: everything's counters and its portal's.
     *
     * @param portal the bound address the connection came in on, or {@code null} when not known
     */
    IscsiCounters.Tally tally(InetSocketAddress portal) {
        return new IscsiCounters.Tally(counters,
                portal == null ? null : portalCounters.computeIfAbsent(portal, p -> new IscsiCounters()));
    }

    /** The counters of a target (lower-case name), or {@code null} when there is no such target. */
    IscsiCounters targetCounters(String name) {
        Target t = targets.get(name);
        return t == null ? null : t.counters;
    }

    /**
     * iSCSI-level counters since the start.
     *
     * @return everything's counters
     */
    public io.iscsi4j.IscsiStatistics iscsiStatistics() {
        return counters.snapshot();
    }

    /**
     * iSCSI-level counters of one portal.
     *
     * @param portal a bound address
     * @return its counters, all zero when no connection came in on it yet
     * @throws IllegalArgumentException when it is not a bound portal
     */
    public io.iscsi4j.IscsiStatistics iscsiStatistics(InetSocketAddress portal) {
        if (!portals.contains(portal)) {
            throw new IllegalArgumentException("not a bound portal: " + portal + " (bound: " + portals + ")");
        }
        return portalCounters.computeIfAbsent(portal, p -> new IscsiCounters()).snapshot();
    }

    /**
     * iSCSI-level counters of one target.
     *
     * @param targetName the target's name
     * @return its counters
     * @throws IllegalArgumentException when there is no such target
     */
    public io.iscsi4j.IscsiStatistics iscsiStatistics(String targetName) {
        return existing(targetName).counters.snapshot();
    }

    /**
     * The sessions in full feature phase now, of one target or of all (discovery sessions included then).
     *
     * @param targetName a target's name, or {@code null} for every session
     * @return a snapshot, ordered by TSIH
     */
    public List<io.iscsi4j.ActiveSession> sessions(String targetName) {
        List<io.iscsi4j.ActiveSession> out = new ArrayList<>();
        for (Session s : registry.liveSessions()) {
            LiveSession.Details d = s.details;
            if (d == null || (targetName != null && !s.key.targetName().equals(targetName.toLowerCase(Locale.ROOT)))) {
                continue;
            }
            out.add(new LiveSession(s, d));
        }
        out.sort(java.util.Comparator.comparingInt(a -> a.info().tsih()));
        return out;
    }

    Target target(String name) {
        return name == null ? null : targets.get(name.toLowerCase(Locale.ROOT));
    }

    Iterable<Target> targets() {
        return targets.values();
    }

    // ---- runtime changes ----

    /** The configuration of every target now, in the order they were added. */
    public List<TargetConfig> targetConfigs() {
        List<TargetConfig> out = new ArrayList<>();
        for (Target t : targets.values()) {
            out.add(t.config);
        }
        return out;
    }

    /**
     * Adds a target while the others run; initiators can log in to it (and discover it) once this returns.
     *
     * @param config the validated target
     * @throws IllegalArgumentException when a target of that name exists
     */
    public void addTarget(TargetConfig config) {
        synchronized (changes) {
            if (targets.containsKey(config.name())) {
                throw new IllegalArgumentException("target " + config.name() + " exists");
            }
            Target t = build(config);
            Map<String, Target> m = new LinkedHashMap<>(targets);
            m.put(config.name(), t);
            targets = Collections.unmodifiableMap(m);
        }
        LOG.info("target {} added with LUNs {}", config.name(), lunNumbers(config));
    }

    /**
     * Removes a target: new logins to it fail (TARGET NOT FOUND) and SendTargets stops listing it; each of its
     * sessions is asked to log out with an Async Message (AsyncEvent 1, RFC 7143 §11.9.1) allowing
     * {@code logoutGrace}, and dropped when it has not logged out by then; then its in-flight commands are awaited
     * and its backstores flushed and closed. Blocks until done. Sessions of other targets are not affected.
     *
     * @param name the target's name
     * @param logoutGrace how long sessions get to log out; zero drops them at once
     * @return {@code false} when there was no such target
     */
    public boolean removeTarget(String name, Duration logoutGrace) {
        String key = name.toLowerCase(Locale.ROOT);
        Target t;
        synchronized (changes) {
            t = targets.get(key);
            if (t == null) {
                return false;
            }
            Map<String, Target> m = new LinkedHashMap<>(targets);
            m.remove(key);
            targets = Collections.unmodifiableMap(m);
        }
        List<Session> sessions = registry.sessionsOf(key);
        int seconds = (int) Math.min(65535, Math.max(0, (logoutGrace.toMillis() + 999) / 1000));
        for (Session s : sessions) {
            if (seconds == 0) {
                s.close();
            } else {
                s.requestLogout(seconds);
            }
        }
        if (!awaitDrained(sessions, logoutGrace)) {
            for (Session s : registry.liveSessionsOf(key)) {
                LOG.info("{}: did not log out within {} s after the logout request; dropping", s, seconds);
                s.close();
            }
            awaitDrained(registry.sessionsOf(key), tuning.closeTimeout());
        }
        List<LogicalUnit> units = t.units();
        for (LogicalUnit lu : units) {
            drainAndClose(key, lu);
        }
        LOG.info("target {} removed ({} sessions ended)", key, sessions.size());
        return true;
    }

    /** Waits until the sessions are gone and their tasks have ended; {@code false} on timeout. */
    private static boolean awaitDrained(List<Session> sessions, Duration timeout) {
        List<CompletableFuture<Void>> ends = new ArrayList<>();
        for (Session s : sessions) {
            ends.add(s.drained());
        }
        return await(CompletableFuture.allOf(ends.toArray(CompletableFuture[]::new)), timeout);
    }

    /** Waits for {@code f}; {@code false} on timeout. Keeps the interrupt status. */
    private static boolean await(CompletableFuture<?> f, Duration timeout) {
        try {
            f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            return true;
        } catch (TimeoutException e) {
            return false;
        }
    }

    /**
     * Adds a logical unit to a running target. Sessions of ACLs without a LUN mapping see it under {@code lun};
     * ACLs that map some LUN to {@code lun} see it under that number. Every session that can see it gets a REPORTED
     * LUNS DATA HAS CHANGED unit attention.
     *
     * @param targetName the target
     * @param lun the validated LUN
     * @throws IllegalArgumentException when there is no such target or the LUN is taken
     */
    public void addLun(String targetName, LunConfig lun) {
        Set<ScsiDispatcher> affected = Collections.newSetFromMap(new IdentityHashMap<>());
        Target t;
        synchronized (changes) {
            t = existing(targetName);
            if (t.dispatcher.logicalUnit(lun.lun()) != null) {
                throw new IllegalArgumentException("target " + t.config.name() + ": LUN " + lun.lun() + " is in use");
            }
            LogicalUnit lu = unit(targetName, lun);
            t.dispatcher.addLogicalUnit(lun.lun(), lu);
            affected.add(t.dispatcher);
            for (Map.Entry<AclConfig, ScsiDispatcher> e : t.aclDispatchers.entrySet()) {
                AclConfig acl = e.getKey();
                if (acl.lunMapping().isEmpty()) { // a read-only view of every LUN
                    e.getValue().addLogicalUnit(lun.lun(), lu, acl.readOnly());
                    affected.add(e.getValue());
                }
                for (Map.Entry<Integer, Integer> m : acl.lunMapping().entrySet()) {
                    if (m.getValue() == lun.lun()) {
                        e.getValue().addLogicalUnit(m.getKey(), lu,
                                acl.readOnly() || acl.readOnlyLuns().contains(m.getKey()));
                        affected.add(e.getValue());
                    }
                }
            }
            List<LunConfig> luns = new ArrayList<>(t.config.luns());
            luns.add(lun);
            luns.sort((a, b) -> Integer.compare(a.lun(), b.lun()));
            t.config = withLuns(t.config, luns);
        }
        reportedLunsChanged(t, affected);
        LOG.info("target {}: LUN {} added ({})", t.config.name(), lun.lun(), lun.backstore());
    }

    /**
     * Removes a logical unit from a running target: commands that arrive afterwards end with ILLEGAL REQUEST /
     * LOGICAL UNIT NOT SUPPORTED; commands already routed to it run to their end (waited for, at most 30 s); every
     * session that saw it gets a REPORTED LUNS DATA HAS CHANGED unit attention; then its backstore is flushed and
     * closed. Blocks until done.
     *
     * @param targetName the target
     * @param lun the LUN
     * @return {@code false} when the target has no such LUN
     * @throws IllegalArgumentException when there is no such target
     */
    public boolean removeLun(String targetName, int lun) {
        Set<ScsiDispatcher> affected = Collections.newSetFromMap(new IdentityHashMap<>());
        Target t;
        LogicalUnit lu;
        synchronized (changes) {
            t = existing(targetName);
            lu = t.dispatcher.removeLogicalUnit(lun);
            if (lu == null) {
                return false;
            }
            affected.add(t.dispatcher);
            for (ScsiDispatcher d : t.aclDispatchers.values()) {
                for (Map.Entry<Integer, LogicalUnit> e : d.logicalUnits().entrySet()) {
                    if (e.getValue() == lu) {
                        d.removeLogicalUnit(e.getKey());
                        affected.add(d);
                    }
                }
            }
            List<LunConfig> luns = new ArrayList<>(t.config.luns());
            luns.removeIf(c -> c.lun() == lun);
            t.config = withLuns(t.config, luns);
        }
        reportedLunsChanged(t, affected);
        drainAndClose(t.config.name(), lu);
        LOG.info("target {}: LUN {} removed", t.config.name(), lun);
        return true;
    }

    /**
     * Reports a changed capacity: every I_T nexus that addressed the logical unit gets a CAPACITY DATA HAS CHANGED
     * unit attention; READ CAPACITY then reports the backstore's block count.
     *
     * @param targetName the target
     * @param lun the LUN
     * @return {@code false} when the target has no such LUN
     * @throws IllegalArgumentException when there is no such target
     */
    public boolean capacityChanged(String targetName, int lun) {
        Target t = existing(targetName);
        LogicalUnit lu = t.dispatcher.logicalUnit(lun);
        if (lu == null) {
            return false;
        }
        t.dispatcher.capacityChanged(lun);
        LOG.info("target {}: LUN {} capacity now {} blocks", t.config.name(), lun, lu.blockCount());
        return true;
    }

    /**
     * The counters of one logical unit.
     *
     * @param targetName the target
     * @param lun the LUN
     * @return the counters, or {@code null} when the target or LUN does not exist
     */
    public io.iscsi4j.scsi.UnitStatistics statistics(String targetName, int lun) {
        Target t = target(targetName);
        LogicalUnit lu = t == null ? null : t.dispatcher.logicalUnit(lun);
        return lu == null ? null : lu.statistics();
    }

    private Target existing(String targetName) {
        Target t = target(targetName);
        if (t == null) {
            throw new IllegalArgumentException("no target " + targetName);
        }
        return t;
    }

    private static TargetConfig withLuns(TargetConfig c, List<LunConfig> luns) {
        return new TargetConfig(c.name(), c.alias(), luns, c.authenticator(), c.acls());
    }

    private static List<Integer> lunNumbers(TargetConfig c) {
        List<Integer> out = new ArrayList<>();
        for (LunConfig l : c.luns()) {
            out.add(l.lun());
        }
        return out;
    }

    /** Raises REPORTED LUNS DATA HAS CHANGED for the sessions of the target that use an affected dispatcher. */
    private void reportedLunsChanged(Target t, Set<ScsiDispatcher> affected) {
        for (Session s : registry.sessionsOf(t.config.name())) {
            ScsiDispatcher d = s.dispatcher();
            if (d != null && affected.contains(d)) {
                d.reportedLunsChanged(s.nexus());
            }
        }
    }

    /**
     * Waits for the commands routed to a logical unit that left every dispatcher (at most the close timeout), then
     * flushes and closes it (as long again at most). The wait runs on each session's event loop, so a command that
     * looked the unit up just before it left is among those awaited.
     */
    private void drainAndClose(String targetName, LogicalUnit lu) {
        Duration timeout = tuning.closeTimeout();
        CompletableFuture<Void> ended = registry.fence(targetName, s -> true, task -> task.unit() == lu, false);
        if (!await(ended, timeout)) {
            LOG.warn("target {}: closing a removed logical unit with {} commands still in flight after {} ms",
                    targetName, lu.statistics().inFlight(), timeout.toMillis());
        }
        closeAll(List.of(Map.entry(targetName, lu)), timeout);
    }

    /**
     * Sets the bound portal addresses, each with its portal group (what SendTargets reports on it, which targets it
     * reaches, with which tag).
     *
     * @param bound the addresses
     * @param groups the portal group of each bound address
     */
    public void portals(List<InetSocketAddress> bound, Map<InetSocketAddress, io.iscsi4j.PortalGroupConfig> groups) {
        this.portalGroupOf = Map.copyOf(groups);
        this.portals = List.copyOf(bound);
        Set<Integer> tags = new java.util.TreeSet<>();
        groups.values().forEach(g -> tags.add(g.tag()));
        if (!tags.isEmpty()) {
            portGroups.ownTargetPorts(tags);
        }
    }

    /** Sets the bound portal addresses, all in the default portal group (for tests). */
    public void portals(List<InetSocketAddress> bound) {
        Map<InetSocketAddress, io.iscsi4j.PortalGroupConfig> groups = new HashMap<>();
        io.iscsi4j.PortalGroupConfig g = new io.iscsi4j.PortalGroupConfig(portGroups.id(), bound, Set.of(), null);
        for (InetSocketAddress a : bound) {
            groups.put(a, g);
        }
        portals(bound, groups);
    }

    List<InetSocketAddress> portals() {
        return portals;
    }

    /**
     * The portal group of a bound address; the default group (this target's port group id as its tag, every
     * target) for an address not bound here (a test harness' channel).
     */
    io.iscsi4j.PortalGroupConfig portalGroup(InetSocketAddress bound) {
        io.iscsi4j.PortalGroupConfig g = bound == null ? null : portalGroupOf.get(bound);
        return g != null ? g : new io.iscsi4j.PortalGroupConfig(portGroups.id(), List.of(), Set.of(), null);
    }

    /** The bound addresses of one portal group, in binding order. */
    List<InetSocketAddress> portalsOf(int tag) {
        List<InetSocketAddress> out = new ArrayList<>();
        for (InetSocketAddress a : portals) {
            io.iscsi4j.PortalGroupConfig g = portalGroupOf.get(a);
            if (g != null && g.tag() == tag) {
                out.add(a);
            }
        }
        return out;
    }

    /**
     * Flushes and closes every logical unit (and so its backstore). Call after in-flight I/O drained. Returns within
     * about {@code timeout}, see {@link #closeAll}.
     *
     * @param timeout how long the flushes and closes may take in all
     */
    public void closeUnits(Duration timeout) {
        portGroups.removeListener(accessStateChanges);
        List<Map.Entry<String, LogicalUnit>> units = new ArrayList<>();
        for (Target t : targets.values()) {
            for (LogicalUnit lu : t.units()) {
                units.add(Map.entry(t.config.name(), lu));
            }
        }
        closeAll(units, timeout);
    }

    /**
     * Flushes and closes logical units (target name, unit), each on a daemon thread of its own, all at once, and
     * waits at most {@code timeout} for all of them: a backstore whose flush or close has not returned by then (one
     * blocked behind a call that never completes, say) is left to finish on its own, with a WARN line, so closing
     * never hangs on it.
     */
    private static void closeAll(List<Map.Entry<String, LogicalUnit>> units, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Thread> closers = new ArrayList<>(units.size());
        for (Map.Entry<String, LogicalUnit> u : units) {
            Thread t = new Thread(() -> close(u.getKey(), u.getValue(), deadline), "iscsi4j-close-" + u.getKey());
            t.setDaemon(true);
            t.start();
            closers.add(t);
        }
        for (int i = 0; i < closers.size(); i++) {
            Thread t = closers.get(i);
            long left = deadline - System.nanoTime();
            if (left > 0 && !Thread.currentThread().isInterrupted()) {
                try {
                    t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            if (t.isAlive()) {
                LOG.warn("target {}: a backstore did not finish flushing and closing within {} ms; leaving it behind",
                        units.get(i).getKey(), timeout.toMillis());
            }
        }
    }

    /** Flushes (waiting until {@code deadline} at most) and closes one logical unit. */
    private static void close(String targetName, LogicalUnit lu, long deadline) {
        try {
            CompletableFuture<Void> f = lu.backstore().flush().toCompletableFuture();
            f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            LOG.warn("flush of {} failed while closing: {}", targetName, e.toString());
        }
        try {
            lu.close();
        } catch (Exception e) {
            LOG.warn("closing a logical unit of {} failed: {}", targetName, e.toString());
        }
    }
}
