package io.iscsi4j.core.session;

import io.iscsi4j.InterceptedLogin;
import io.iscsi4j.IscsiTarget;
import io.iscsi4j.LoginDecision;
import io.iscsi4j.ResourceLimits;
import io.iscsi4j.TargetConfig;
import io.iscsi4j.TargetInterceptor;
import io.iscsi4j.TargetListener;
import io.iscsi4j.core.auth.Authenticator;
import io.iscsi4j.core.auth.ChapCredentialsLookup;
import io.iscsi4j.core.login.LoginContext;
import io.iscsi4j.core.login.LoginOutcome;
import io.iscsi4j.core.login.LoginRequestFields;
import io.iscsi4j.core.login.LoginStage;
import io.iscsi4j.core.login.LoginResponseFields;
import io.iscsi4j.core.login.LoginStateMachine;
import io.iscsi4j.core.login.LoginStatus;
import io.iscsi4j.core.login.LoginStep;
import io.iscsi4j.core.login.NegotiatedParameters;
import io.iscsi4j.core.login.SessionAdmission;
import io.iscsi4j.core.login.SessionRequest;
import io.iscsi4j.core.login.SessionType;
import io.iscsi4j.core.login.TargetDescription;
import io.iscsi4j.core.login.TargetNegotiationConfig;
import io.iscsi4j.core.pdu.LoginRequest;
import io.iscsi4j.core.pdu.LoginResponse;
import io.iscsi4j.scsi.ItNexus;
import io.iscsi4j.scsi.ScsiDispatcher;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Locale;
import java.util.Optional;

/**
 * Glue between a connection's Login PDUs and the pure {@link LoginStateMachine}: converts PDUs to fields and
 * back, answers the machine's questions about targets and sessions from the {@link TargetContext}, and on success
 * creates and registers the {@link Session} (reinstating a session with the same initiator, ISID and target).
 * Event loop only.
 */
final class LoginPhase implements LoginContext {

    private static final Logger LOG = LoggerFactory.getLogger(LoginPhase.class);
    private static final Authenticator REFUSE_ALL = Authenticator.chap(ChapCredentialsLookup.none());

    /**
     * The command window of a discovery session: MaxCmdSN = ExpCmdSN + 1. A discovery session carries only Text
     * (SendTargets), NOP and Logout (RFC 7143 §13.21), one exchange at a time, so an unauthenticated peer gets no
     * room to park commands.
     */
    static final int DISCOVERY_COMMAND_WINDOW = 2;
    /**
     * The MaxRecvDataSegmentLength a discovery session declares: the RFC 7143 §13.12 default, plenty for a
     * SendTargets request.
     */
    static final int DISCOVERY_MAX_RECV_DATA_SEGMENT_LENGTH = 8192;

    private final TargetContext context;
    private final IscsiConnection connection;
    private final LoginStateMachine machine;
    private boolean first = true;
    private int allocatedTsih;
    /** Set when the interceptor decided to drop the connection instead of answering the login. */
    private boolean dropRequested;
    /** The latest Login Request, for a refusal sent in answer to another PDU. */
    private LoginRequest lastRequest;
    /** The LUN view {@link #admitSession} chose for a normal session. */
    private ScsiDispatcher admittedView;
    /** Set once the first Login Request asked for a discovery session. */
    private boolean discovery;

    LoginPhase(TargetContext context, IscsiConnection connection) {
        this.context = context;
        this.connection = connection;
        this.machine = new LoginStateMachine(this);
    }

    void onLoginRequest(LoginRequest req) {
        if (first) {
            first = false;
            connection.initStatSN(req.expStatSN());
        }
        lastRequest = req;
        LoginStep step = machine.process(new LoginRequestFields(req.transit(), req.continueFlag(), req.csg(),
                req.nsg(), req.versionMax(), req.versionMin(), req.isid(), req.tsih(), req.initiatorTaskTag(),
                req.cid(), req.cmdSN(), req.expStatSN(), ByteBufUtil.getBytes(req.data())));
        if (dropRequested) {
            releaseTsih();
            LOG.info("{}: login dropped by the interceptor", connection);
            connection.closeNow();
            return;
        }
        LoginResponseFields f = step.response();
        int window = commandWindow();
        LoginResponse resp = LoginResponse.builder()
                .transit(f.transit())
                .continueFlag(f.continueFlag())
                .csg(f.csg())
                .nsg(f.nsg())
                .versionMax(f.versionMax())
                .versionActive(f.versionActive())
                .isid(f.isid())
                .tsih(f.tsih())
                .initiatorTaskTag(req.initiatorTaskTag())
                .statSN(connection.nextStatSN())
                .expCmdSN(req.cmdSN())
                .maxCmdSN(req.cmdSN() + window - 1)
                .statusClass(f.statusClass())
                .statusDetail(f.statusDetail())
                .data(f.text().length == 0 ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(f.text()))
                .build();
        if (step.outcome() == LoginOutcome.CONTINUE) {
            connection.send(resp);
            return;
        }
        if (step.outcome() == LoginOutcome.FAILED) {
            releaseTsih();
            logRefusal(f.status(), step.failureReason().orElse(""));
            countRefusal(f.statusClass(), f.statusDetail());
            if (context.events().enabled()) {
                context.events().loginFailed(new TargetListener.LoginFailureInfo(
                        machine.initiatorName().orElse(null), machine.requestedTargetName().orElse(null),
                        connection.remoteAddress(), f.statusClass(), f.statusDetail(),
                        f.status() + ": " + step.failureReason().orElse("")));
            }
            connection.sendAndClose(resp);
            return;
        }
        NegotiatedParameters p = step.parameters().orElseThrow();
        context.loginFailures().succeeded(p.initiatorName());
        Session s = createSession(req, f.tsih(), p, window);
        allocatedTsih = 0;
        SessionRegistry.Registration registration = context.registry().register(s);
        // No command of the new session reaches the SCSI layer before every earlier session of its I_T nexus has
        // ended its tasks (RFC 7143 §6.3.5, session reinstatement; a session whose connection just closed too).
        s.awaitPredecessors(registration.predecessorsEnded());
        Session old = registration.reinstated();
        // No longer a pending login, before the initiator can learn so and open its next connection.
        ConnectionLimiter.Ticket ticket = connection.channel().attr(ConnectionLimiter.TICKET).get();
        if (ticket != null) {
            ticket.loginCompleted();
        }
        connection.loginAccepted(s, p);
        connection.send(resp);
        connection.flush();
        connection.enterFullFeaturePhase(s, p);
        long idleTimeout = context.tuning().discoverySessionIdleTimeout().toNanos();
        if (p.sessionType() == SessionType.DISCOVERY && idleTimeout > 0) {
            DiscoveryIdleTimer.install(connection, idleTimeout);
        }
        if (old != null) {
            LOG.info("{}: reinstating session 0x{} of {}", connection, Integer.toHexString(old.tsih),
                    LogText.escape(p.initiatorName()));
            old.close();
        }
        if (!discovery && accessChangedSince(p)) {
            // The target's access changed (or the target went) between the admission and the registration, too
            // late for TargetControl.setAccess to see this session: it ends as one whose access was removed.
            LOG.info("{}: access to the target changed during the login, closing", connection);
            connection.closeNow();
            return;
        }
        LOG.info("{}: {} session 0x{} of {} to {}", connection,
                p.sessionType() == SessionType.DISCOVERY ? "discovery" : "normal", Integer.toHexString(s.tsih),
                LogText.escape(p.initiatorName()),
                p.sessionType() == SessionType.DISCOVERY ? "-" : LogText.escape(p.targetName().orElse("")));
    }

    /**
     * Logs a refused login through the target's {@link LoginFailureLog}, which budgets the lines per remote address
     * and in all, so that a peer cannot flood the log by retrying or by varying its names. Authentication and
     * authorization failures are also counted per initiator name, reported once with a count rather than once per
     * attempt, at WARN; other refusals are logged at INFO. Every refusal is logged at DEBUG as well.
     */
    private void logRefusal(LoginStatus status, String reason) {
        String initiator = machine.initiatorName().orElse(null);
        InetSocketAddress remote = connection.remoteAddress();
        InetAddress address = remote == null ? null : remote.getAddress();
        String why = status + " from " + connection + ": " + reason;
        LOG.debug("{}: login refused: {} ({})", connection, status, LogText.escape(reason));
        boolean accessRefused = status == LoginStatus.AUTHENTICATION_FAILURE
                || status == LoginStatus.AUTHORIZATION_FAILURE;
        if (accessRefused && initiator != null) {
            context.loginFailures().failed(address, initiator, why);
        } else {
            context.loginFailures().refused(address, initiator, why);
        }
    }

    /** Whether the LUN view chosen at admission is no longer what the target's access gives this initiator. */
    private boolean accessChangedSince(NegotiatedParameters p) {
        TargetContext.Target t = context.target(p.targetName().orElse(""));
        return t == null || context.dispatcherFor(t, p.initiatorName()) != admittedView;
    }

    /** Counts a refused login, for the target the login named too when it exists. */
    private void countRefusal(int statusClass, int statusDetail) {
        IscsiCounters.Tally tally = connection.tally();
        if (!discovery) {
            machine.requestedTargetName()
                    .ifPresent(name -> tally.target(context.targetCounters(name.toLowerCase(Locale.ROOT))));
        }
        tally.loginRefused(statusClass << 8 | statusDetail);
    }

    private Session createSession(LoginRequest req, int tsih, NegotiatedParameters p, int window) {
        boolean discovery = p.sessionType() == SessionType.DISCOVERY;
        String targetName = discovery ? "" : p.targetName().orElse("").toLowerCase(Locale.ROOT);
        SessionParams params = new SessionParams(p.maxBurstLength(), p.firstBurstLength(), p.initialR2T(),
                p.immediateData(), p.maxOutstandingR2T(), p.initiatorMaxRecvDataSegmentLength(), window,
                p.defaultTime2Wait(), p.defaultTime2Retain());
        String initiatorPort = p.initiatorName() + ",i,0x" + String.format("%012x", req.isid());
        // The portal group's tag names the SCSI target port and is its relative target port id; the port is in this
        // target's ALUA target port group.
        int tag = connection.portalGroup().tag();
        String targetPort = (discovery ? "" : targetName) + ",t,0x" + String.format("%04x", tag);
        ItNexus nexus = new ItNexus(initiatorPort, targetPort, tag, context.portalGroupTag());
        SessionKey key = new SessionKey(p.initiatorName().toLowerCase(Locale.ROOT), req.isid(), targetName);
        ScsiDispatcher dispatcher = discovery ? null : admittedView;
        return new Session(key, tsih, req.cid(), connection, dispatcher, nexus,
                params, req.cmdSN(), context.inFlight(), context.registry());
    }

    /** The session's command window: the target's, or the small one of a discovery session. */
    private int commandWindow() {
        int window = context.tuning().commandWindow();
        return discovery ? Math.min(window, DISCOVERY_COMMAND_WINDOW) : window;
    }

    /** Whether a Login Request arrived: the login phase has started (RFC 7143 §6.3). */
    boolean started() {
        return !first;
    }

    /**
     * A Login Response ending the login with {@code status}, in answer to a PDU that is not a valid Login Request
     * (RFC 7143 §6.3, §11.13.5). Echoes the latest Login Request's ISID, TSIH and initiator task tag; frees a
     * TSIH allocated for it.
     */
    LoginResponse refusal(LoginStatus status) {
        releaseTsih();
        LoginRequest req = lastRequest;
        int window = commandWindow();
        logRefusal(status, "PDU other than a valid Login Request during login");
        countRefusal(status.statusClass(), status.statusDetail());
        return LoginResponse.builder()
                .csg(machine.currentStage().map(LoginStage::code).orElse(req.csg()))
                .versionMax(0)
                .versionActive(0)
                .isid(req.isid())
                .tsih(req.tsih())
                .initiatorTaskTag(req.initiatorTaskTag())
                .statSN(connection.nextStatSN())
                .expCmdSN(req.cmdSN())
                .maxCmdSN(req.cmdSN() + window - 1)
                .statusClass(status.statusClass())
                .statusDetail(status.statusDetail())
                .data(Unpooled.EMPTY_BUFFER)
                .build();
    }

    /** The connection closed during login. */
    void abandon() {
        releaseTsih();
    }

    private void releaseTsih() {
        if (allocatedTsih != 0) {
            context.registry().releaseTsih(allocatedTsih);
            allocatedTsih = 0;
        }
    }

    // ---- LoginContext ----

    @Override
    public Optional<TargetDescription> findTarget(String targetName) {
        TargetContext.Target t = context.target(targetName);
        if (t == null || !connection.portalGroup().serves(t.config.name())) {
            return Optional.empty();
        }
        TargetConfig c = t.config;
        return Optional.of(new TargetDescription(c.name(), Optional.ofNullable(c.alias())));
    }

    @Override
    public boolean mayAccess(String initiatorName, String targetName) {
        TargetContext.Target t = context.target(targetName);
        return t != null && connection.portalGroup().serves(t.config.name()) && t.config.aclFor(initiatorName) != null;
    }

    /** The target's authenticator, or the discovery one for a discovery session. */
    @Override
    public Authenticator authenticator(Optional<String> targetName) {
        if (targetName.isEmpty()) {
            Authenticator own = connection.portalGroup().discoveryAuthenticator();
            return own != null ? own : context.discoveryAuthenticator();
        }
        TargetContext.Target target = context.target(targetName.get());
        // The machine looked the target up first; should it be gone, refuse every initiator.
        return target != null ? target.config.authenticator() : REFUSE_ALL;
    }

    /** The target's preferences; a discovery session declares a small MaxRecvDataSegmentLength. */
    @Override
    public TargetNegotiationConfig negotiationConfig(Optional<String> targetName) {
        IscsiTarget.Tuning t = context.tuning();
        discovery = targetName.isEmpty();
        return TargetNegotiationConfig.builder()
                .targetMaxRecvDataSegmentLength(discovery
                        ? Math.min(t.maxRecvDataSegmentLength(), DISCOVERY_MAX_RECV_DATA_SEGMENT_LENGTH)
                        : t.maxRecvDataSegmentLength())
                .maxBurstLength(t.maxBurstLength())
                .firstBurstLength(t.firstBurstLength())
                .immediateData(t.immediateData())
                .initialR2T(t.initialR2T())
                .maxOutstandingR2T(t.maxOutstandingR2T())
                .build();
    }

    @Override
    public int targetPortalGroupTag() {
        return connection.portalGroup().tag();
    }

    @Override
    public SessionAdmission admitSession(SessionRequest request) {
        if (!request.isLeading()) {
            // One connection per session (MaxConnections=1): adding a connection is refused.
            return SessionAdmission.refused(context.registry().exists(request.tsih())
                    ? LoginStatus.TOO_MANY_CONNECTIONS : LoginStatus.SESSION_DOES_NOT_EXIST);
        }
        LoginDecision decision = intercept(request);
        if (decision.kind() == LoginDecision.Kind.DROP_CONNECTION) {
            dropRequested = true;
            return SessionAdmission.refused(LoginStatus.TARGET_ERROR);
        }
        if (decision.kind() == LoginDecision.Kind.REJECT) {
            return SessionAdmission.refused(
                    LoginStatus.fromCodes(decision.statusClass(), decision.statusDetail()).orElseThrow());
        }
        NegotiatedParameters p = request.parameters();
        String targetName = p.sessionType() == SessionType.DISCOVERY
                ? "" : p.targetName().orElse("").toLowerCase(Locale.ROOT);
        if (p.sessionType() != SessionType.DISCOVERY) {
            // The LUN view is fixed here, once: should the target's access have changed since the initiator was
            // authorized (TargetControl.setAccess), the login ends as the new configuration says.
            TargetContext.Target target = context.target(targetName);
            admittedView = target == null ? null : context.dispatcherFor(target, p.initiatorName());
            if (admittedView == null) {
                return SessionAdmission.refused(target == null ? LoginStatus.NOT_FOUND
                        : LoginStatus.AUTHORIZATION_FAILURE);
            }
        }
        SessionKey key = new SessionKey(p.initiatorName().toLowerCase(Locale.ROOT), request.isid(), targetName);
        ResourceLimits limits = context.tuning().limits();
        int tsih = context.registry().reserveTsih(key, limits.maxSessions(), limits.maxDiscoverySessions(),
                limits.maxSessionsPerInitiator());
        if (tsih == SessionRegistry.TOO_MANY_SESSIONS || tsih == SessionRegistry.TOO_MANY_DISCOVERY_SESSIONS) {
            return SessionAdmission.refused(LoginStatus.OUT_OF_RESOURCES);
        }
        if (tsih == SessionRegistry.TOO_MANY_INITIATOR_SESSIONS) {
            return SessionAdmission.refused(LoginStatus.TOO_MANY_CONNECTIONS);
        }
        allocatedTsih = tsih;
        return SessionAdmission.admitted(allocatedTsih);
    }

    /** Asks the target's interceptor, if any, about a login about to enter full feature phase. */
    private LoginDecision intercept(SessionRequest request) {
        TargetInterceptor interceptor = context.interceptor();
        if (interceptor == null) {
            return LoginDecision.accept();
        }
        NegotiatedParameters p = request.parameters();
        try {
            LoginDecision d = interceptor.beforeLogin(new InterceptedLogin(p.initiatorName(), p.targetName(),
                    p.sessionType() == SessionType.DISCOVERY, connection.channel().remoteAddress()));
            return d != null ? d : LoginDecision.accept();
        } catch (RuntimeException e) {
            LOG.warn("{}: login interceptor failed, accepting the login", connection, e);
            return LoginDecision.accept();
        }
    }
}
