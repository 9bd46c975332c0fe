package io.iscsi4j;

import io.iscsi4j.core.auth.Authenticator;
import io.iscsi4j.core.auth.ChapAlgorithm;
import io.iscsi4j.core.session.TargetContext;
import io.iscsi4j.core.transport.TargetServer;
import io.iscsi4j.scsi.TargetPortGroups;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * An embeddable iSCSI target: one or more network portals serving one or more targets, each with LUNs backed by
 * {@link io.iscsi4j.backstore.Backstore}s.
 *
 * <pre>{@code
 * try (IscsiTarget target = IscsiTarget.builder()
 *         .portal("127.0.0.1", 3260)
 *         .target("iqn.2026-11.io.iscsi4j:demo", t -> t.lun(0, Backstores.memory(1L << 30)))
 *         .build()
 *         .start()) {
 *     System.out.println("listening on " + target.localAddress());
 *     ...
 * }
 * }</pre>
 *
 * <p>Lifecycle: {@link #start()} binds every portal and returns once they accept connections (port 0 picks a free
 * port; read it with {@link #boundAddresses()}). {@link #close()} stops accepting, closes every connection, waits
 * for in-flight I/O, flushes and closes the backstores; it is idempotent, and bounded even when a backstore call
 * never completes (see {@link Builder#closeTimeout(Duration)}). Thread-safe.
 *
 * <p>While running, targets and LUNs can be added, removed and resized without disturbing other sessions
 * ({@link #addTarget}, {@link #removeTarget(String, Duration)}, {@link #target(String)} and its
 * {@link TargetControl}); {@link #statistics(String, int)} reads per-LUN counters, and a {@link TargetListener}
 * registered with {@link Builder#listener} observes logins, logouts and task management.
 *
 * <p>Several targets serving the same storage (gateways) are paths of one device to multipath initiators: each is
 * its own target port group ({@link Builder#portGroup}), with an asymmetric access state the application sets at run
 * time through {@link #portGroups()}.
 *
 * @since 0.1
 */
public final class IscsiTarget implements AutoCloseable {

    /** How long {@link #removeTarget(String)} gives sessions to log out. */
    public static final Duration DEFAULT_LOGOUT_GRACE = Duration.ofSeconds(5);

    private final TargetServer server;
    /** The name of this target's MBeans, or {@code null} for none. */
    private final String jmxName;
    /** The MBeans, from {@link #start()} on when {@link #jmxName} is set. */
    private volatile JmxBeans jmx;

    private IscsiTarget(Settings settings, List<TargetListener> listeners, String jmxName) {
        this.server = new TargetServer(settings, listeners);
        this.jmxName = jmxName;
    }

    /** {@return a new builder} */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Binds every portal and starts serving.
     *
     * @return this, for try-with-resources chaining
     * @throws IOException when a portal cannot be bound (everything bound so far is released), or a LUN's
     *         {@linkplain Builder#stateDirectory state directory} cannot be opened (in use, damaged); the message
     *         names it
     * @throws IllegalStateException when already started or closed
     */
    public IscsiTarget start() throws IOException {
        server.start();
        if (jmxName != null) {
            JmxBeans beans = new JmxBeans(this, jmxName);
            jmx = beans;
            beans.refresh();
        }
        return this;
    }

    /** Brings the MBeans up to date after a run-time change of targets or LUNs. */
    private void configurationChanged() {
        JmxBeans beans = jmx;
        if (beans != null) {
            beans.refresh();
        }
    }

    /** {@return the addresses the portals are bound to, in configuration order; empty before {@link #start()}} */
    public List<InetSocketAddress> boundAddresses() {
        return server.boundAddresses();
    }

    /**
     * The first portal's bound address.
     *
     * @return the address the first portal is bound to
     * @throws IllegalStateException when not started
     */
    public InetSocketAddress localAddress() {
        List<InetSocketAddress> a = server.boundAddresses();
        if (a.isEmpty()) {
            throw new IllegalStateException("not started");
        }
        return a.get(0);
    }

    /**
     * The target port groups (implicit asymmetric logical unit access, SPC-5 §5.16): this target's own group (id
     * {@link Builder#portGroup}) with the asymmetric access state of every LUN it serves, and the other gateways'
     * groups as the application reports them. Set the own state
     * ({@link TargetPortGroups#state(io.iscsi4j.scsi.AccessState)}) to move initiators between gateways: commands the
     * state does not allow end with NOT READY / LOGICAL UNIT NOT ACCESSIBLE, every session gets ASYMMETRIC ACCESS
     * STATE CHANGED (2Ah/06h) on its next command to each LUN it used, and REPORT TARGET PORT GROUPS reports the new
     * state. Tell this target of the other gateways with
     * {@link TargetPortGroups#peer} and {@link TargetPortGroups#removePeer}, so initiators that ask one gateway learn
     * about all paths. Usable before {@link #start()} (to start in standby, say) and while running.
     *
     * @return the groups, the same object for the life of this target; thread-safe
     * @since 0.1
     */
    public TargetPortGroups portGroups() {
        return server.portGroups();
    }

    /** {@return the targets: as configured before {@link #start()}; while running, as they are now} */
    public List<TargetConfig> targets() {
        try {
            return server.context().targetConfigs();
        } catch (IllegalStateException notRunning) {
            return server.settings().targets();
        }
    }

    // ---- run-time changes ----

    /**
     * Adds a target while the others serve sessions. Initiators can discover it and log in once this returns.
     *
     * @param name the iSCSI name, as for {@link Builder#target}
     * @param configure adds LUNs, options, authentication and ACLs; the target owns the backstores once this method
     *     returned (when it throws, the caller still owns them)
     * @return a handle to change the new target
     * @throws IllegalArgumentException when the name is invalid or taken, or the configuration is invalid
     * @throws IllegalStateException when not started, closed, or the target has no LUN
     */
    public TargetControl addTarget(String name, Consumer<TargetBuilder> configure) {
        String n = Builder.checkName(name);
        TargetBuilder b = new TargetBuilder(n);
        configure.accept(b);
        TargetConfig config = b.build();
        server.context().addTarget(config);
        configurationChanged();
        return new TargetControl(server.context(), n, this::configurationChanged);
    }

    /**
     * Removes a target, giving its sessions {@link #DEFAULT_LOGOUT_GRACE} to log out; see
     * {@link #removeTarget(String, Duration)}.
     *
     * @param name the target's iSCSI name
     * @return {@code false} when there is no such target
     */
    public boolean removeTarget(String name) {
        return removeTarget(name, DEFAULT_LOGOUT_GRACE);
    }

    /**
     * Removes a target while the others serve sessions. Logins to it fail with TARGET NOT FOUND from now on and
     * SendTargets no longer lists it. Each of its sessions receives an Async Message asking it to log out within
     * {@code logoutGrace} (RFC 7143 §11.9.1, AsyncEvent 1, Parameter3 = the grace in seconds); a session that has
     * not logged out by then is dropped. Then the target's in-flight commands are awaited (at most
     * {@link Builder#closeTimeout(Duration)}, 30 s by default) and its backstores flushed and closed. Blocks until all that is done. Listeners see {@code loggedOut} or
     * {@code connectionDropped} for each session.
     *
     * @param name the target's iSCSI name
     * @param logoutGrace how long sessions get to log out (rounded up to seconds); {@link Duration#ZERO} drops them
     *     at once without asking
     * @return {@code false} when there is no such target
     * @throws IllegalStateException when not started or closed
     */
    public boolean removeTarget(String name, Duration logoutGrace) {
        Objects.requireNonNull(name, "name");
        if (logoutGrace.isNegative()) {
            throw new IllegalArgumentException("logoutGrace must not be negative");
        }
        boolean removed = server.context().removeTarget(name, logoutGrace);
        configurationChanged();
        return removed;
    }

    /**
     * A handle to change one running target: add, remove and resize LUNs, read statistics.
     *
     * @param name the target's iSCSI name (case-insensitive)
     * @return the handle
     * @throws IllegalArgumentException when there is no such target
     * @throws IllegalStateException when not started or closed
     */
    public TargetControl target(String name) {
        String n = Objects.requireNonNull(name, "name").toLowerCase(Locale.ROOT);
        TargetContext context = server.context();
        for (TargetConfig c : context.targetConfigs()) {
            if (c.name().equals(n)) {
                return new TargetControl(context, n, this::configurationChanged);
            }
        }
        throw new IllegalArgumentException("no target " + name);
    }

    /**
     * A snapshot of one LUN's statistics: commands, read and write commands, bytes, CHECK CONDITIONs, commands in
     * flight and a latency histogram. Reading costs no more than summing a few counters; the target records them at
     * a cost of a few atomic additions per command.
     *
     * @param targetName the target's iSCSI name
     * @param lun the LUN
     * @return the counters now
     * @throws IllegalArgumentException when there is no such target or LUN
     * @throws IllegalStateException when not started or closed
     */
    public LunStatistics statistics(String targetName, int lun) {
        return target(targetName).statistics(lun);
    }

    /**
     * Replaces how initiators authenticate for discovery sessions while the target serves; discovery logins from
     * now on use it, discovery sessions already open go on. For one-way CHAP:
     * {@code Authenticator.chap(ChapCredentialsLookup.fixed(ChapCredentials.of(user, secret)))}; no authentication:
     * {@link Authenticator#none()}.
     *
     * @param authenticator the new discovery authenticator; must be thread-safe
     * @throws IllegalStateException when not started or closed
     * @since 0.2
     */
    public void setDiscoveryAuthenticator(Authenticator authenticator) {
        server.context().discoveryAuthenticator(authenticator);
    }

    /**
     * Adds a portal to a portal group while the target runs: initiators can connect to it once this returns, and
     * SendTargets on the group's portals lists it.
     *
     * @param tag the portal group's tag ({@link Builder#portGroup} for the default group, or a
     *     {@link Builder#portalGroup} tag)
     * @param address the address to bind, port 0 for a free one
     * @return the bound address
     * @throws IOException when the address cannot be bound
     * @throws IllegalArgumentException when there is no such portal group
     * @throws IllegalStateException when not started or closed
     * @since 0.2
     */
    public InetSocketAddress addPortal(int tag, InetSocketAddress address) throws IOException {
        InetSocketAddress bound = server.addPortal(tag, Objects.requireNonNull(address, "address"));
        configurationChanged();
        return bound;
    }

    /**
     * Stops listening on a portal while the target runs; SendTargets no longer lists it. Sessions that came in
     * through it go on (end them with {@link ActiveSession#close(Duration)} where needed).
     *
     * @param address one of {@link #boundAddresses()}
     * @return {@code false} when it was not bound
     * @throws IllegalStateException when not started or closed
     * @since 0.2
     */
    public boolean removePortal(InetSocketAddress address) {
        boolean removed = server.removePortal(Objects.requireNonNull(address, "address"));
        configurationChanged();
        return removed;
    }

    /**
     * Every session in full feature phase now, normal and discovery, of every target, ordered by TSIH: the
     * initiator's name and alias, ISID, TSIH, addresses, login time, negotiated parameters, reachable LUNs and
     * counters, and {@link ActiveSession#close(Duration)} to end one.
     *
     * @return a snapshot
     * @throws IllegalStateException when not started or closed
     * @since 0.2
     */
    public List<ActiveSession> sessions() {
        return server.context().sessions(null);
    }

    /**
     * The iSCSI-level counters of everything since the start: logins accepted and refused by status, logouts,
     * connection drops, digest and format errors, Rejects sent, NOP-In timeouts.
     *
     * @return the counters now
     * @throws IllegalStateException when not started or closed
     * @since 0.2
     */
    public IscsiStatistics iscsiStatistics() {
        return server.context().iscsiStatistics();
    }

    /**
     * The iSCSI-level counters of what came in on one portal.
     *
     * @param portal one of {@link #boundAddresses()}
     * @return the counters now
     * @throws IllegalArgumentException when it is not a bound portal
     * @throws IllegalStateException when not started or closed
     * @since 0.2
     */
    public IscsiStatistics iscsiStatistics(InetSocketAddress portal) {
        return server.context().iscsiStatistics(portal);
    }

    /**
     * Stops the target: closes the portals and all connections, waits for in-flight I/O, flushes and closes the
     * backstores. Idempotent. Bounded: every wait has a limit, so a backstore call that never completes delays the
     * return by at most {@link Builder#closeTimeout(Duration)} for the in-flight commands plus as much again for the
     * flushes and closes of the backstores (each WARN-logged when it runs out), plus a few seconds for the network
     * threads; a backstore left behind that way may still be running when this method returns.
     */
    @Override
    public void close() {
        JmxBeans beans = jmx;
        if (beans != null) {
            beans.close();
        }
        server.close();
    }

    /**
     * The validated configuration handed to the server. Not part of the public API contract beyond reading.
     *
     * @param portals addresses to bind
     * @param targets the targets
     * @param settings negotiation and resource settings
     * @param discoveryAuthenticator how initiators authenticate for discovery sessions
     * @param interceptor decides logins and commands before the target acts on them, or {@code null} for none
     * @param portGroup the own target port group: also the target portal group tag and relative target port id
     * @param stateDirectory where LUNs without a shared state of their own keep their persistent reservations
     *        ({@link Builder#stateDirectory}), or {@code null}
     * @param portalGroups the portal groups besides the default one ({@link Builder#portalGroup}), whose portals are
     *        {@code portals} and whose tag is {@code portGroup}
     */
    public record Settings(List<InetSocketAddress> portals, List<TargetConfig> targets, Tuning settings,
                           Authenticator discoveryAuthenticator, TargetInterceptor interceptor, int portGroup,
                           java.nio.file.Path stateDirectory, List<PortalGroupConfig> portalGroups) {

        /**
         * Settings with the default portal group only.
         *
         * @param portals addresses to bind
         * @param targets the targets
         * @param settings negotiation and resource settings
         * @param discoveryAuthenticator how initiators authenticate for discovery sessions
         * @param interceptor decides logins and commands, or {@code null} for none
         * @param portGroup the own target port group, 1 to 65535
         * @param stateDirectory the state directory, or {@code null}
         * @since 0.2
         */
        public Settings(List<InetSocketAddress> portals, List<TargetConfig> targets, Tuning settings,
                        Authenticator discoveryAuthenticator, TargetInterceptor interceptor, int portGroup,
                        java.nio.file.Path stateDirectory) {
            this(portals, targets, settings, discoveryAuthenticator, interceptor, portGroup, stateDirectory,
                    List.of());
        }

        /**
         * Settings without a state directory.
         *
         * @param portals addresses to bind
         * @param targets the targets
         * @param settings negotiation and resource settings
         * @param discoveryAuthenticator how initiators authenticate for discovery sessions
         * @param interceptor decides logins and commands, or {@code null} for none
         * @param portGroup the own target port group, 1 to 65535
         */
        public Settings(List<InetSocketAddress> portals, List<TargetConfig> targets, Tuning settings,
                        Authenticator discoveryAuthenticator, TargetInterceptor interceptor, int portGroup) {
            this(portals, targets, settings, discoveryAuthenticator, interceptor, portGroup, null);
        }

        /**
         * Checks the components.
         *
         * @param portals addresses to bind
         * @param targets the targets
         * @param settings negotiation and resource settings
         * @param discoveryAuthenticator how initiators authenticate for discovery sessions
         * @param interceptor decides logins and commands, or {@code null} for none
         * @param portGroup the own target port group, 1 to 65535
         * @param stateDirectory the state directory, or {@code null}
         * @param portalGroups the portal groups besides the default one
         */
        public Settings {
            Objects.requireNonNull(discoveryAuthenticator, "discoveryAuthenticator");
            portalGroups = List.copyOf(portalGroups);
            if (portGroup < 1 || portGroup > TargetPortGroups.MAX_ID) {
                throw new IllegalArgumentException("portGroup must be 1.." + TargetPortGroups.MAX_ID + ": "
                        + portGroup);
            }
        }
    }

    /**
     * Negotiation preferences and resource limits.
     *
     * @param maxRecvDataSegmentLength the largest data segment the target accepts in one PDU
     * @param maxBurstLength the largest solicited burst the target accepts or sends
     * @param firstBurstLength the most unsolicited data the target accepts per command
     * @param immediateData whether the target accepts immediate data
     * @param initialR2T whether the target requires an R2T before any Data-Out
     * @param maxOutstandingR2T the most R2Ts outstanding per command
     * @param commandWindow commands the initiator may have outstanding (MaxCmdSN - ExpCmdSN + 1)
     * @param loginTimeout how long a connection may take to complete its login
     * @param nopInInterval how long a connection in full feature phase may send nothing before the target pings it
     *     with a NOP-In; {@link Duration#ZERO} disables the pings
     * @param nopInTimeout how long the initiator has to answer a NOP-In ping before the connection is closed
     * @param discoverySessionIdleTimeout how long a discovery session may send no PDU other than NOP-Out before it is
     *     closed; {@link Duration#ZERO} for no limit
     * @param ioThreads threads that call backstores (0 = number of processors)
     * @param eventLoopThreads network threads (0 = number of processors)
     * @param limits caps on connections, logins, sessions and buffered data
     * @param closeTimeout how long closing the target (or removing a target or LUN) waits for in-flight commands,
     *     and then for the backstores' flush and close
     * @param busyPoll how long a network thread polls its sockets after activity before it sleeps
     *     ({@link Duration#ZERO}: it sleeps at once)
     */
    public record Tuning(int maxRecvDataSegmentLength, int maxBurstLength, int firstBurstLength,
                         boolean immediateData, boolean initialR2T, int maxOutstandingR2T, int commandWindow,
                         Duration loginTimeout, Duration nopInInterval, Duration nopInTimeout,
                         Duration discoverySessionIdleTimeout, int ioThreads,
                         int eventLoopThreads, ResourceLimits limits, Duration closeTimeout, Duration busyPoll) {
    }

    /**
     * Builds an {@link IscsiTarget}. Not thread-safe.
     *
     * @since 0.1
     */
    public static final class Builder {

        private static final Pattern IQN = Pattern.compile(
                "iqn\\.\\d{4}-\\d{2}\\.[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[a-z0-9.:_-]*)?");
        private static final Pattern EUI = Pattern.compile("eui\\.[0-9a-f]{16}");
        private static final Pattern NAA = Pattern.compile("naa\\.([0-9a-f]{16}|[0-9a-f]{32})");

        private final List<InetSocketAddress> portals = new ArrayList<>();
        private final Map<String, TargetConfig> targets = new LinkedHashMap<>();
        private int maxRecvDataSegmentLength = 262_144;
        private int maxBurstLength = 1_048_576;
        private int firstBurstLength = 262_144;
        private boolean immediateData = true;
        private boolean initialR2T = false;
        private int maxOutstandingR2T = 8;
        private int commandWindow = 128;
        private Duration loginTimeout = Duration.ofSeconds(15);
        private Duration nopInInterval = Duration.ofSeconds(15);
        private Duration nopInTimeout = Duration.ofSeconds(30);
        private Duration discoverySessionIdleTimeout = Duration.ofSeconds(60);
        private Duration closeTimeout = Duration.ofSeconds(30);
        private Duration busyPoll = Duration.ofNanos(50_000);
        private int ioThreads;
        private int eventLoopThreads;
        private int maxConnections = ResourceLimits.DEFAULT.maxConnections();
        private int maxConnectionsPerAddress = ResourceLimits.DEFAULT.maxConnectionsPerAddress();
        private int maxPendingLogins = ResourceLimits.DEFAULT.maxPendingLogins();
        private int maxPendingLoginsPerAddress = ResourceLimits.DEFAULT.maxPendingLoginsPerAddress();
        private int maxSessions = ResourceLimits.DEFAULT.maxSessions();
        private int maxDiscoverySessions = ResourceLimits.DEFAULT.maxDiscoverySessions();
        private int maxSessionsPerInitiator = ResourceLimits.DEFAULT.maxSessionsPerInitiator();
        private int maxImmediateCommands = ResourceLimits.DEFAULT.maxImmediateCommands();
        private int maxDataBufferBytesPerSession = ResourceLimits.DEFAULT.maxDataBufferBytesPerSession();
        private int maxPendingOutputBytes = ResourceLimits.DEFAULT.maxPendingOutputBytes();
        private final AuthenticationSettings discovery =
                new AuthenticationSettings(AuthenticationSettings.DISCOVERY_NAMES, "");
        private TargetInterceptor interceptor;
        private int portGroup = TargetPortGroups.DEFAULT_ID;
        private String jmxName;
        private final Map<Integer, PortalGroupBuilder> portalGroups = new LinkedHashMap<>();
        private java.nio.file.Path stateDirectory;
        private final List<TargetListener> listeners = new ArrayList<>();

        private Builder() {
        }

        /**
         * Adds a network portal.
         *
         * @param host an IP address or host name to bind (for example {@code 127.0.0.1} or {@code ::1})
         * @param port the TCP port, 0 for any free port
         * @return this
         */
        public Builder portal(String host, int port) {
            Objects.requireNonNull(host, "host");
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be 0..65535: " + port);
            }
            portals.add(new InetSocketAddress(host, port));
            return this;
        }

        /**
         * Adds a network portal.
         *
         * @param address the address to bind
         * @return this
         */
        public Builder portal(InetSocketAddress address) {
            portals.add(Objects.requireNonNull(address, "address"));
            return this;
        }

        /**
         * Adds a target.
         *
         * @param name the iSCSI name ({@code iqn.yyyy-mm.reversed.domain[:id]}, {@code eui.<16 hex>} or
         *        {@code naa.<16|32 hex>}); stored in lower case
         * @param configure adds LUNs, options and authentication
         * @return this
         * @throws IllegalArgumentException when the name is invalid or taken, a LUN is invalid, or a CHAP user or
         *     secret is invalid (too short, empty, the same secret for both directions; never quoting a secret)
         * @throws IllegalStateException when the target has no LUN or contradictory authentication settings
         */
        public Builder target(String name, Consumer<TargetBuilder> configure) {
            String n = Objects.requireNonNull(name, "name").toLowerCase(Locale.ROOT);
            if (!IQN.matcher(n).matches() && !EUI.matcher(n).matches() && !NAA.matcher(n).matches()) {
                throw new IllegalArgumentException("not a valid iSCSI name: " + name
                        + " (expected iqn.yyyy-mm.reversed.domain[:identifier], eui.<16 hex> or naa.<hex>)");
            }
            if (targets.containsKey(n)) {
                throw new IllegalArgumentException("target " + n + " is defined twice");
            }
            TargetBuilder b = new TargetBuilder(n);
            configure.accept(b);
            targets.put(n, b.build());
            return this;
        }

        /**
         * The largest data segment the target accepts per PDU (MaxRecvDataSegmentLength), 512 to 16777215.
         * Default 262144.
         *
         * @param bytes the limit
         * @return this
         */
        public Builder maxRecvDataSegmentLength(int bytes) {
            this.maxRecvDataSegmentLength = range("maxRecvDataSegmentLength", bytes, 512, 16_777_215);
            return this;
        }

        /**
         * The largest burst the target offers (MaxBurstLength), 512 to 16777215. Default 1048576.
         *
         * @param bytes the limit
         * @return this
         */
        public Builder maxBurstLength(int bytes) {
            this.maxBurstLength = range("maxBurstLength", bytes, 512, 16_777_215);
            return this;
        }

        /**
         * The most unsolicited data accepted per command (FirstBurstLength), 512 to 16777215. Default 262144.
         *
         * @param bytes the limit
         * @return this
         */
        public Builder firstBurstLength(int bytes) {
            this.firstBurstLength = range("firstBurstLength", bytes, 512, 16_777_215);
            return this;
        }

        /**
         * Whether immediate data is accepted (ImmediateData). Default {@code true}.
         *
         * @param value the target's offer
         * @return this
         */
        public Builder immediateData(boolean value) {
            this.immediateData = value;
            return this;
        }

        /**
         * Whether the target requires an R2T before the first Data-Out (InitialR2T). Default {@code false}.
         *
         * @param value the target's offer
         * @return this
         */
        public Builder initialR2T(boolean value) {
            this.initialR2T = value;
            return this;
        }

        /**
         * The most R2Ts outstanding per command (MaxOutstandingR2T), 1 to 65535. Default 8.
         *
         * @param value the limit
         * @return this
         */
        public Builder maxOutstandingR2T(int value) {
            this.maxOutstandingR2T = range("maxOutstandingR2T", value, 1, 65535);
            return this;
        }

        /**
         * How many commands each session may have outstanding (the CmdSN window), 1 to 4096. Default 128.
         *
         * @param value the window
         * @return this
         */
        public Builder commandWindow(int value) {
            this.commandWindow = range("commandWindow", value, 1, 4096);
            return this;
        }

        /**
         * How long a connection may take from accept to full feature phase. Default 15 s.
         *
         * @param value a positive duration
         * @return this
         */
        public Builder loginTimeout(Duration value) {
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException("loginTimeout must be positive");
            }
            this.loginTimeout = value;
            return this;
        }

        /**
         * How long a connection in full feature phase may send no PDU before the target checks that the initiator
         * is still there: it sends a NOP-In ping (RFC 7143 §11.19) with a Target Transfer Tag, which the initiator
         * must answer with a NOP-Out carrying that tag. An initiator that does not answer within
         * {@link #nopInTimeout(Duration)} is treated as gone: the connection is closed and its session ends as on
         * any connection loss. Busy connections are never pinged. Default 15 s; {@link Duration#ZERO} disables the
         * pings (a peer that vanishes without closing its TCP connection then keeps its session until TCP itself
         * notices).
         *
         * @param value zero, or at least 1 ms
         * @return this
         */
        public Builder nopInInterval(Duration value) {
            if (value.isNegative() || !value.isZero() && value.toMillis() < 1) {
                throw new IllegalArgumentException("nopInInterval must be zero or at least 1 ms: " + value);
            }
            this.nopInInterval = value;
            return this;
        }

        /**
         * How long an initiator has to answer a NOP-In ping (see {@link #nopInInterval(Duration)}) before the target
         * closes its connection. Default 30 s.
         *
         * @param value at least 1 ms
         * @return this
         */
        public Builder nopInTimeout(Duration value) {
            if (value.toMillis() < 1) {
                throw new IllegalArgumentException("nopInTimeout must be at least 1 ms: " + value);
            }
            this.nopInTimeout = value;
            return this;
        }

        /**
         * How long a discovery session may go without a request before the target closes its connection. Every PDU
         * from the initiator counts as a request (in practice Text for SendTargets, and Logout) except NOP-Out:
         * neither the initiator's own pings nor its answers to the target's NOP-In pings keep a discovery session,
         * one of {@link #maxDiscoverySessions(int)}, open. Initiators open a discovery
         * session, send SendTargets and log out, all within a second or so. Default 60 s; {@link Duration#ZERO}
         * lets idle discovery sessions stay (then only {@link #nopInInterval(Duration)} drops a vanished peer).
         *
         * @param value zero, or at least 1 ms
         * @return this
         */
        public Builder discoverySessionIdleTimeout(Duration value) {
            if (value.isNegative() || !value.isZero() && value.toMillis() < 1) {
                throw new IllegalArgumentException("discoverySessionIdleTimeout must be zero or at least 1 ms: "
                        + value);
            }
            this.discoverySessionIdleTimeout = value;
            return this;
        }

        /**
         * How long {@link IscsiTarget#close()} waits for commands still in flight (their backstore calls running) once
         * the connections are closed, and then, separately, for the backstores' final flush and close; what is not
         * done by then is left behind with a WARN line, so a backstore call that never completes cannot hold
         * {@code close()}. Removing a target or a LUN waits for its commands, and for its backstores, as long. A LUN
         * with a {@linkplain LunBuilder#backstoreTimeout backstore timeout} ends its commands after that timeout
         * instead, so its stalled calls do not delay closing. Default 30 s.
         *
         * @param value 1 ms to 1 day
         * @return this
         * @since 0.1
         */
        public Builder closeTimeout(Duration value) {
            if (value.compareTo(Duration.ofMillis(1)) < 0 || value.compareTo(Duration.ofDays(1)) > 0) {
                throw new IllegalArgumentException("closeTimeout must be 1 ms to 1 day: " + value);
            }
            this.closeTimeout = value;
            return this;
        }

        /**
         * Threads calling backstores; 0 (default) means the number of processors.
         *
         * @param value thread count
         * @return this
         */
        public Builder ioThreads(int value) {
            this.ioThreads = range("ioThreads", value, 0, 1024);
            return this;
        }

        /**
         * Network event-loop threads; 0 (default) means the number of processors.
         *
         * @param value thread count
         * @return this
         */
        public Builder eventLoopThreads(int value) {
            this.eventLoopThreads = range("eventLoopThreads", value, 0, 1024);
            return this;
        }

        /**
         * How long a network thread keeps polling its sockets after activity before it goes to sleep; default 50 µs,
         * {@link Duration#ZERO} to sleep at once. At a low queue depth the initiator's next command usually arrives
         * within that time, and a thread still polling takes it without being woken: on a virtual machine the wake-up
         * (an interrupt to another CPU and a context switch) costs about as much as serving a 4 KiB read. Measured
         * at queue depth 1 on 2 cores: about twice the 4 KiB IOPS, at the same or less CPU time per command.
         * Polling adapts: after four polls in a row that found nothing (an idle or slow peer) a thread sleeps at once,
         * and polls again on every 16th wake-up only, until a poll finds work.
         *
         * @param value 0 to 1 ms
         * @return this
         * @since 0.1
         */
        public Builder busyPoll(Duration value) {
            if (value.isNegative() || value.compareTo(Duration.ofMillis(1)) > 0) {
                throw new IllegalArgumentException("busyPoll must be 0 to 1 ms: " + value);
            }
            this.busyPoll = value;
            return this;
        }

        // ---- resource limits (see ResourceLimits for what happens at each cap) ----

        /**
         * The most TCP connections open at once over all portals; a connection over the cap is closed right after
         * accept. Default 1024.
         *
         * @param value at least 1
         * @return this
         */
        public Builder maxConnections(int value) {
            this.maxConnections = range("maxConnections", value, 1, Integer.MAX_VALUE);
            return this;
        }

        /**
         * The most TCP connections open at once from one IP address; a connection over the cap is closed right
         * after accept. Default 64.
         *
         * @param value at least 1
         * @return this
         */
        public Builder maxConnectionsPerAddress(int value) {
            this.maxConnectionsPerAddress = range("maxConnectionsPerAddress", value, 1, Integer.MAX_VALUE);
            return this;
        }

        /**
         * The most connections at once that have not completed their login (half-open logins); a connection over
         * the cap is closed right after accept. Each pending login ends at the latest after
         * {@link #loginTimeout(Duration)}. Default 64.
         *
         * @param value at least 1
         * @return this
         */
        public Builder maxPendingLogins(int value) {
            this.maxPendingLogins = range("maxPendingLogins", value, 1, Integer.MAX_VALUE);
            return this;
        }

        /**
         * The most connections at once from one IP address that have not completed their login; a connection over
         * the cap is closed right after accept. Keep it well below {@link #maxPendingLogins(int)}: then one address
         * that opens connections and never logs in cannot take every pending-login slot and keep other initiators
         * out. An initiator that logs in to many targets at once (several sessions started together, or several
         * hosts behind one NAT address) needs one slot per login in progress; logins take milliseconds, and a
         * refused initiator retries. Default 8.
         *
         * @param value at least 1
         * @return this
         */
        public Builder maxPendingLoginsPerAddress(int value) {
            this.maxPendingLoginsPerAddress = range("maxPendingLoginsPerAddress", value, 1, Integer.MAX_VALUE);
            return this;
        }

        /**
         * The most normal sessions at once; a leading login of a normal session over the cap fails with status
         * 0x0302 (Out of resources). Discovery sessions are counted apart, see {@link #maxDiscoverySessions(int)}.
         * Default 1024.
         *
         * @param value at least 1; together with {@code maxDiscoverySessions} at most 65535 (the TSIH space)
         * @return this
         */
        public Builder maxSessions(int value) {
            this.maxSessions = range("maxSessions", value, 1, 65535);
            return this;
        }

        /**
         * The most discovery sessions (SessionType=Discovery, SendTargets only) at once; a leading login of a
         * discovery session over the cap fails with status 0x0302 (Out of resources). They are counted apart from
         * {@link #maxSessions(int)}, so a peer opening discovery sessions, which need no ACL, cannot keep initiators
         * from their targets; each is also closed once idle for {@link #discoverySessionIdleTimeout(Duration)}.
         * Default 16.
         *
         * @param value at least 1; together with {@code maxSessions} at most 65535 (the TSIH space)
         * @return this
         */
        public Builder maxDiscoverySessions(int value) {
            this.maxDiscoverySessions = range("maxDiscoverySessions", value, 1, 65535);
            return this;
        }

        /**
         * The most sessions at once per initiator name; a further leading login fails with status 0x0206 (Too
         * many connections), except a reinstatement of one of its sessions (same ISID). Sessions have one
         * connection each, so this also caps connections per initiator name. Default 64.
         *
         * @param value at least 1
         * @return this
         */
        public Builder maxSessionsPerInitiator(int value) {
            this.maxSessionsPerInitiator = range("maxSessionsPerInitiator", value, 1, 65535);
            return this;
        }

        /**
         * The most immediate SCSI commands (I bit set, outside the CmdSN window) outstanding at once per session;
         * one more is answered with a Reject, reason 0x06 (Immediate command reject). Default 16.
         *
         * @param value at least 1
         * @return this
         */
        public Builder maxImmediateCommands(int value) {
            this.maxImmediateCommands = range("maxImmediateCommands", value, 1, 4096);
            return this;
        }

        /**
         * The most read and write data, in bytes, a session's commands buffer at once (each command counted at its
         * expected data transfer length); a command whose buffer would exceed it is not executed yet (a write gets
         * no R2T) until earlier commands completed, and later commands wait behind it. Reads also wait while the
         * connection's output is over {@link #maxPendingOutputBytes(int)}. Default 64 MiB.
         *
         * @param bytes at least 65536
         * @return this
         */
        public Builder maxDataBufferBytesPerSession(int bytes) {
            this.maxDataBufferBytesPerSession = range("maxDataBufferBytesPerSession", bytes, 65536,
                    Integer.MAX_VALUE);
            return this;
        }

        /**
         * How many bytes may be queued for sending on one connection before the target stops reading from it
         * (an initiator that does not read its responses is slowed down by TCP flow control). Default 4 MiB.
         *
         * @param bytes at least 65536
         * @return this
         */
        public Builder maxPendingOutputBytes(int bytes) {
            this.maxPendingOutputBytes = range("maxPendingOutputBytes", bytes, 65536, Integer.MAX_VALUE);
            return this;
        }

        /**
         * Requires CHAP for discovery sessions (SendTargets), like LIO's {@code discovery_auth}: initiators must
         * prove they know {@code secret} under the name {@code user} before they may list the targets. Default: no
         * authentication for discovery. Each target's own authentication is set with {@link TargetBuilder#chap}.
         *
         * @param user the name initiators send as {@code CHAP_N}
         * @param secret the shared secret, at least 12 characters unless {@link #allowShortDiscoverySecrets()};
         *     never logged
         * @return this
         */
        public Builder discoveryChap(String user, String secret) {
            discovery.chap(user, secret);
            return this;
        }

        /**
         * Enables mutual CHAP for discovery sessions: the target answers an initiator's challenge with
         * {@code targetSecret}. Needs {@link #discoveryChap}.
         *
         * @param targetUser the name the target sends as {@code CHAP_N}
         * @param targetSecret the target's secret, different from the initiators' secret; never logged
         * @return this
         */
        public Builder discoveryMutualChap(String targetUser, String targetSecret) {
            discovery.mutualChap(targetUser, targetSecret);
            return this;
        }

        /**
         * Restricts the CHAP algorithms accepted for discovery sessions (default: all, MD5 included). Needs
         * {@link #discoveryChap}.
         *
         * @param first an algorithm
         * @param more more algorithms
         * @return this
         */
        public Builder discoveryChapAlgorithms(ChapAlgorithm first, ChapAlgorithm... more) {
            discovery.chapAlgorithms(first, more);
            return this;
        }

        /**
         * Accepts discovery CHAP secrets shorter than 12 characters (tests, labs, or connections protected by
         * IPsec). Targets have their own {@link TargetBuilder#allowShortSecrets()}.
         *
         * @return this
         */
        public Builder allowShortDiscoverySecrets() {
            discovery.allowShortSecrets();
            return this;
        }

        /**
         * Authenticates discovery sessions with a custom {@link Authenticator}; instead of {@link #discoveryChap},
         * not together with it. Default: {@link Authenticator#none()}.
         *
         * @param authenticator decides how initiators authenticate for discovery; must be thread-safe
         * @return this
         */
        public Builder discoveryAuthenticator(Authenticator authenticator) {
            discovery.authenticator(authenticator);
            return this;
        }

        /**
         * Sets a {@link TargetInterceptor} that decides every login before it completes and every SCSI command
         * before it runs (fault injection in tests, custom admission). Default: none, which costs nothing.
         *
         * @param value the interceptor, thread-safe and non-blocking; {@code null} removes it
         * @return this
         */
        public Builder interceptor(TargetInterceptor value) {
            this.interceptor = value;
            return this;
        }

        /**
         * Sets this target's port group, for several targets (gateways, in one process or several) that serve the same
         * storage to the same initiators, each one path to the same LUNs for multipath I/O: give each gateway its own
         * number. The number is at once
         * <ul>
         *   <li>the iSCSI target portal group tag of every portal (TargetPortalGroupTag at login, the {@code ,tag} of
         *       SendTargets), so each gateway's SCSI target port ({@code <iqn>,t,0x<tag>}) and each initiator's I_T
         *       nexus through it are distinct;</li>
         *   <li>its ALUA target port group (SPC-5 §5.16), reported in VPD page 83h and by REPORT TARGET PORT GROUPS,
         *       whose state {@link IscsiTarget#portGroups()} sets;</li>
         *   <li>the relative target port identifier of its one target port (VPD page 83h).</li>
         * </ul>
         * One value for every target of this {@code IscsiTarget}. Give the LUNs of every gateway the same
         * {@linkplain LunBuilder#serial serial}, so initiators see one device. Default 1. {@link #build()} reports a
         * value outside 1 to 65535 with the other problems.
         *
         * @param id the group, 1 to 65535
         * @return this
         * @since 0.1
         */
        public Builder portGroup(int id) {
            this.portGroup = id;
            return this;
        }

        /**
         * Keeps the persistent reservations of every LUN that has no {@linkplain LunBuilder#sharedState shared state}
         * of its own in {@code directory}, so that they survive a restart of the target: each LUN gets an
         * {@link io.iscsi4j.backstore.DirectorySharedState} in {@code <directory>/<target name>/<LUN number>} (the
         * target name with every character but letters, digits, {@code .} and {@code -} escaped as {@code %XX}, so
         * {@code iqn.2026-11.com.example:disk} becomes {@code iqn.2026-11.com.example%3Adisk}), opened when the LUN
         * starts serving ({@link #start()}, {@code addLun}, {@code addTarget}) and closed with it.
         *
         * <p>What initiators see: PERSISTENT RESERVE IN REPORT CAPABILITIES reports PTPL_C 1, and a REGISTER with
         * APTPL 1 is accepted. Every PERSISTENT RESERVE OUT that changes the state has written it (temporary file,
         * fsync, atomic rename, fsync of the directory) before its GOOD status. A target started again on the
         * directory is powered on in SPC-5's sense: the registrations and the reservation are back (READ KEYS, READ
         * RESERVATION, and enforced: other initiators' writes end in RESERVATION CONFLICT) if the last REGISTER set
         * APTPL, and gone otherwise; PRGENERATION restarts at zero.
         *
         * <p>The state belongs to the target name and LUN number, not to the storage: serve other storage under them
         * and it inherits the reservations (delete the LUN's directory then). One process at a time: a second target
         * (in this process or another) serving a LUN whose directory is in use fails to start, naming the directory
         * and the process that holds it. A damaged state file fails the start too, naming the file. Default: none;
         * reservations then live as long as the LUN object and APTPL 1 is refused (INVALID FIELD IN PARAMETER LIST).
         *
         * @param directory the directory, created when missing
         * @return this
         * @since 0.2
         */
        public Builder stateDirectory(java.nio.file.Path directory) {
            this.stateDirectory = Objects.requireNonNull(directory, "directory");
            return this;
        }

        /**
         * Validates and builds.
         *
         * @return a target, not yet started
         * @throws IllegalStateException naming what is missing or inconsistent
         */
        public IscsiTarget build() {
            List<String> problems = new ArrayList<>();
            List<PortalGroupConfig> groups = new ArrayList<>();
            portalGroups.values().forEach(g -> groups.add(g.build()));
            java.util.Set<InetSocketAddress> seen = new java.util.HashSet<>();
            for (InetSocketAddress a : portals) {
                if (a.getPort() != 0 && !seen.add(a)) {
                    problems.add("portal " + a + " is configured twice");
                }
            }
            for (PortalGroupConfig g : groups) {
                if (g.tag() == portGroup) {
                    problems.add("portal group " + g.tag() + " has the tag of the default group (portGroup): give it"
                            + " another tag, or add its portals with portal(...)");
                }
                if (g.portals().isEmpty()) {
                    problems.add("portal group " + g.tag() + " has no portal");
                }
                for (InetSocketAddress a : g.portals()) {
                    if (a.getPort() != 0 && !seen.add(a)) {
                        problems.add("portal " + a + " is configured twice (portal group " + g.tag() + ")");
                    }
                }
                for (String t : g.targets()) {
                    if (!targets.containsKey(t)) {
                        problems.add("portal group " + g.tag() + " names target " + t + ", which is not configured");
                    }
                }
            }
            if (portals.isEmpty() && groups.isEmpty()) {
                problems.add("no portal: add one with portal(\"127.0.0.1\", 3260)");
            }
            if (targets.isEmpty()) {
                problems.add("no target: add one with target(\"iqn.2026-11.com.example:disk\", t -> t.lun(0, backstore))");
            }
            if (firstBurstLength > maxBurstLength) {
                problems.add("firstBurstLength (" + firstBurstLength + ") exceeds maxBurstLength (" + maxBurstLength + ")");
            }
            if (portGroup < 1 || portGroup > TargetPortGroups.MAX_ID) {
                problems.add("portGroup must be 1 to " + TargetPortGroups.MAX_ID + ": " + portGroup);
            }
            if (maxSessions + maxDiscoverySessions > 65535) {
                problems.add("maxSessions (" + maxSessions + ") plus maxDiscoverySessions (" + maxDiscoverySessions
                        + ") exceed the 65535 session handles (TSIH)");
            }
            Authenticator discoveryAuthenticator = null;
            try {
                discoveryAuthenticator = discovery.build();
            } catch (IllegalArgumentException | IllegalStateException e) {
                problems.add(e.getMessage());
            }
            if (!problems.isEmpty()) {
                throw new IllegalStateException("incomplete iSCSI target configuration: " + String.join("; ", problems));
            }
            Tuning tuning = new Tuning(maxRecvDataSegmentLength, maxBurstLength, firstBurstLength, immediateData,
                    initialR2T, maxOutstandingR2T, commandWindow, loginTimeout, nopInInterval, nopInTimeout,
                    discoverySessionIdleTimeout, ioThreads, eventLoopThreads,
                    new ResourceLimits(maxConnections, maxConnectionsPerAddress, maxPendingLogins,
                            maxPendingLoginsPerAddress, maxSessions, maxDiscoverySessions, maxSessionsPerInitiator,
                            maxImmediateCommands, maxDataBufferBytesPerSession, maxPendingOutputBytes),
                    closeTimeout, busyPoll);
            return new IscsiTarget(new Settings(List.copyOf(portals), List.copyOf(targets.values()), tuning,
                    discoveryAuthenticator, interceptor, portGroup, stateDirectory, groups), listeners, jmxName);
        }

        /**
         * Adds a portal group besides the default one (the portals added with {@link #portal}, tag
         * {@link #portGroup}, every target): its own portals, the targets reachable through them, and optionally its
         * own discovery authentication, as Linux LIO's TPGs and FreeBSD ctld's portal groups do. On the group's
         * portals SendTargets lists only its targets, with its portals and {@code tag}, and a login to another target
         * fails with TARGET NOT FOUND (0x0203). Each group is a SCSI target port of every target it serves (target
         * port name {@code <iqn>,t,0x<tag>}, relative target port identifier {@code tag}, reported in VPD page 83h),
         * all of them in this target's ALUA target port group ({@link #portGroup}), which REPORT TARGET PORT GROUPS
         * lists with all its ports. Tags must differ from each other and from {@link #portGroup}, and, with several
         * gateways serving the same LUNs, from the other gateways' port groups and portal groups.
         * {@link #build()} reports a group without portals, a repeated tag or portal, and an unknown target.
         *
         * @param tag the target portal group tag, 1 to 65535
         * @param group adds portals, targets and discovery authentication
         * @return this
         * @throws IllegalArgumentException when the tag is out of range or used by another portal group
         * @since 0.2
         */
        public Builder portalGroup(int tag, Consumer<PortalGroupBuilder> group) {
            if (tag < 1 || tag > TargetPortGroups.MAX_ID) {
                throw new IllegalArgumentException("portal group tag must be 1 to " + TargetPortGroups.MAX_ID + ": "
                        + tag);
            }
            if (portalGroups.containsKey(tag)) {
                throw new IllegalArgumentException("portal group " + tag + " is configured twice");
            }
            PortalGroupBuilder b = new PortalGroupBuilder(tag);
            group.accept(b);
            portalGroups.put(tag, b);
            return this;
        }

        /**
         * Registers this target's MBeans on the platform MBean server when it starts, and unregisters them when it
         * closes: the counters of the whole target, of each portal, target and LUN, its sessions and an operation
         * that ends one (see package {@link io.iscsi4j.management}). Off by default. Object names are
         * {@code io.iscsi4j:type=...,name=NAME,...}; give every target in one JVM its own name, or the second one's
         * MBeans are not registered (a WARN line says so).
         *
         * @param name this target's name among the JVM's MBeans, for example the application's name
         * @return this
         * @since 0.2
         */
        public Builder jmx(String name) {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("the JMX name must not be blank");
            }
            this.jmxName = name;
            return this;
        }

        /**
         * Registers a listener for session events: logins, failed logins, logouts, dropped connections, task
         * management functions. Listeners run on a dedicated thread, in registration order; at most 10,000 events
         * wait for them, further events are dropped (and the drops logged) while that many wait. See
         * {@link TargetListener}.
         *
         * @param listener the listener
         * @return this
         */
        public Builder listener(TargetListener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /** Checks an iSCSI name and returns it in lower case. */
        static String checkName(String name) {
            String n = Objects.requireNonNull(name, "name").toLowerCase(Locale.ROOT);
            if (!IQN.matcher(n).matches() && !EUI.matcher(n).matches() && !NAA.matcher(n).matches()) {
                throw new IllegalArgumentException("not a valid iSCSI name: " + name
                        + " (expected iqn.yyyy-mm.reversed.domain[:identifier], eui.<16 hex> or naa.<hex>)");
            }
            return n;
        }

        private static int range(String name, int v, int min, int max) {
            if (v < min || v > max) {
                throw new IllegalArgumentException(name + " must be " + min + ".." + max + ": " + v);
            }
            return v;
        }
    }

}
