package io.iscsi4j.core.session;

import io.iscsi4j.TargetInterceptor;
import io.iscsi4j.TargetListener;
import io.iscsi4j.ResourceLimits;
import io.iscsi4j.core.login.Digest;
import io.iscsi4j.core.login.LoginStatus;
import io.iscsi4j.core.login.NegotiatedParameters;
import io.iscsi4j.core.login.SessionType;
import io.iscsi4j.core.pdu.AsyncMessage;
import io.iscsi4j.core.pdu.DataOut;
import io.iscsi4j.core.pdu.DigestSettings;
import io.iscsi4j.core.pdu.FramingError;
import io.iscsi4j.core.pdu.LoginRequest;
import io.iscsi4j.core.pdu.LogoutRequest;
import io.iscsi4j.core.pdu.LogoutResponse;
import io.iscsi4j.core.pdu.MalformedPdu;
import io.iscsi4j.core.pdu.NopIn;
import io.iscsi4j.core.pdu.NopOut;
import io.iscsi4j.core.pdu.Opcode;
import io.iscsi4j.core.pdu.Pdu;
import io.iscsi4j.core.pdu.PduEncoder;
import io.iscsi4j.core.pdu.PduFrameDecoder;
import io.iscsi4j.core.pdu.Reject;
import io.iscsi4j.core.pdu.RejectReason;
import io.iscsi4j.core.pdu.ScsiCommand;
import io.iscsi4j.core.pdu.TaskManagementRequest;
import io.iscsi4j.core.pdu.TaskManagementResponse;
import io.iscsi4j.core.pdu.TextRequest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * One iSCSI connection: the last handler of the channel pipeline. In the login phase it feeds Login Requests to
 * the {@link LoginPhase}; in full feature phase it routes PDUs to the {@link Session} (commands in CmdSN order,
 * Data-Out by task) and answers NOP-Out, Text, Logout and malformed PDUs itself. An idle connection is pinged with
 * a NOP-In and closed when the ping goes unanswered ({@code nopInInterval}, {@code nopInTimeout}). Runs on one
 * event loop.
 */
public final class IscsiConnection extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(IscsiConnection.class);
    private static final int NO_TAG = 0xFFFFFFFF;
    /** Output queued for a discovery session's connection before the target stops reading it. */
    static final int DISCOVERY_PENDING_OUTPUT_BYTES = 64 * 1024;

    private enum Phase {
        /** Exchanging Login Requests and Responses. */
        LOGIN,
        /** Full feature phase: commands and data. */
        FULL_FEATURE,
        /** Logged out or failed: the channel is closing, input is discarded. */
        CLOSING
    }

    private final TargetContext context;
    private final PduFrameDecoder decoder;
    private Channel channel;
    private Phase phase = Phase.LOGIN;
    private int statSN;
    private Session session;
    private LoginPhase login;
    private TextResponder text;
    private ScheduledFuture<?> loginTimer;
    private String name = "connection";
    /** What listeners learn about this connection's session; set on entering full feature phase. */
    private TargetListener.SessionInfo sessionInfo;
    /** Whether the session ended with a successful Logout Response. */
    private boolean loggedOut;
    private ScheduledFuture<?> logoutDeadline;
    private boolean flushScheduled;
    private final Runnable flushTask = () -> {
        flushScheduled = false;
        channel.flush();
    };
    /** When the last PDU arrived in full feature phase ({@link System#nanoTime()}). */
    private long lastInputNanos;
    /** The Target Transfer Tag of the NOP-In ping awaiting its NOP-Out, or {@link #NO_TAG} when none is. */
    private int pingTag = NO_TAG;
    /** The liveness timer: pings an idle connection, closes one whose ping went unanswered. */
    private ScheduledFuture<?> livenessTimer;
    private final Runnable livenessCheck = this::checkLiveness;
    /** The portal group of the portal this connection came in on; set when the channel becomes active. */
    private io.iscsi4j.PortalGroupConfig portalGroup;
    /** The iSCSI-level counters this connection counts into; set when the channel becomes active. */
    private IscsiCounters.Tally tally;

    /**
     * @param context what the target's connections share
     * @param decoder this channel's frame decoder, reconfigured when login completes
     */
    public IscsiConnection(TargetContext context, PduFrameDecoder decoder) {
        this.context = context;
        this.decoder = decoder;
    }

    // ---- channel events ----

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        channel = ctx.channel();
        name = String.valueOf(channel.remoteAddress());
        InetSocketAddress portal = channel.parent() != null ? address(channel.parent().localAddress()) : null;
        tally = context.tally(portal);
        portalGroup = context.portalGroup(portal);
        login = new LoginPhase(context, this);
        long timeout = context.tuning().loginTimeout().toMillis();
        loginTimer = channel.eventLoop().schedule(() -> {
            if (phase == Phase.LOGIN) {
                LOG.info("{}: login not completed within {} ms, closing", name, timeout);
                closeNow();
            }
        }, timeout, TimeUnit.MILLISECONDS);
        super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (phase == Phase.CLOSING) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof Pdu pdu) {
            if (phase == Phase.LOGIN) {
                onLoginPhasePdu(pdu);
            } else {
                lastInputNanos = System.nanoTime();
                onFullFeaturePdu(pdu);
            }
        } else if (msg instanceof MalformedPdu m) {
            lastInputNanos = System.nanoTime();
            try {
                onMalformed(m);
            } finally {
                m.release();
            }
        } else if (msg instanceof FramingError f) {
            try {
                LOG.debug("{}: framing error ({}), closing", name, f.description());
                // The decoder's description names a header digest mismatch; every other framing error is a length
                // over a limit.
                tally.add(f.description().startsWith("header digest")
                        ? IscsiCounters.Event.HEADER_DIGEST_ERROR : IscsiCounters.Event.FORMAT_ERROR);
                closeNow();
            } finally {
                ReferenceCountUtil.release(f);
            }
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
    }

    /**
     * Stops reading while more than {@link ResourceLimits#maxPendingOutputBytes()} wait to be sent (the channel's
     * write buffer high water mark) and resumes below half of it: an initiator that does not read its responses
     * cannot make the target queue output without bound.
     */
    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        boolean writable = ctx.channel().isWritable();
        ctx.channel().config().setAutoRead(writable);
        if (writable && session != null && phase == Phase.FULL_FEATURE) {
            session.startDeferred(); // reads held back while the output was over its high water mark
        }
        super.channelWritabilityChanged(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        phase = Phase.CLOSING;
        if (loginTimer != null) {
            loginTimer.cancel(false);
        }
        if (login != null) {
            login.abandon();
        }
        if (logoutDeadline != null) {
            logoutDeadline.cancel(false);
        }
        if (livenessTimer != null) {
            livenessTimer.cancel(false);
        }
        if (session != null) {
            // Counted and out of the live sessions first, so that whoever awaits the session's end finds both done.
            tally.add(loggedOut ? IscsiCounters.Event.LOGOUT : IscsiCounters.Event.CONNECTION_DROP);
            context.registry().remove(session);
            session.connectionClosed();
            // The one INFO line per session end (the login has its own in LoginPhase).
            LOG.info("{}: session 0x{} of {} {}", name, Integer.toHexString(session.tsih),
                    LogText.escape(session.key.initiatorName()), loggedOut ? "logged out" : "closed without logout");
            if (sessionInfo != null && context.events().enabled()) {
                if (loggedOut) {
                    context.events().loggedOut(sessionInfo);
                } else {
                    context.events().connectionDropped(sessionInfo);
                }
            }
        }
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException) {
            LOG.debug("{}: {}", name, cause.toString());
        } else {
            LOG.warn("{}: closing after unexpected error", name, cause);
        }
        closeNow();
    }

    // ---- login phase ----

    private void onLoginPhasePdu(Pdu pdu) {
        try {
            if (pdu instanceof LoginRequest req) {
                login.onLoginRequest(req);
            } else {
                refuseDuringLogin(LoginStatus.INVALID_DURING_LOGIN, pdu.opcode() + " before login completed");
            }
        } finally {
            pdu.release();
        }
    }

    /**
     * A PDU other than a valid Login Request arrived during login. RFC 7143 §6.3: before the first Login Request
     * the connection is closed at once; after it the target answers with a Login Response carrying
     * {@code status} (0x020B "invalid during login" for another opcode, 0x0200 for a malformed Login Request)
     * and closes.
     */
    private void refuseDuringLogin(LoginStatus status, String what) {
        LOG.debug("{}: {}, closing", name, what);
        if (login != null && login.started()) {
            sendAndClose(login.refusal(status));
        } else {
            tally.add(IscsiCounters.Event.FORMAT_ERROR); // not iSCSI: no Login Request first
            closeNow();
        }
    }

    /**
     * Called by the login phase just before the final Login Response goes out: what the session shows from now on
     * ({@code IscsiTarget.sessions()}, listeners) is set, and the login is counted, before the initiator can learn
     * that it logged in.
     */
    void loginAccepted(Session s, NegotiatedParameters p) {
        boolean discovery = p.sessionType() == SessionType.DISCOVERY;
        sessionInfo = new TargetListener.SessionInfo(p.initiatorName(), s.key.isid(), s.tsih,
                discovery ? "" : s.key.targetName(), discovery, address(channel.remoteAddress()),
                address(channel.localAddress()));
        s.details = LiveSession.Details.of(sessionInfo, p, java.time.Instant.now());
        tally.target(discovery ? null : context.targetCounters(s.key.targetName()));
        tally.add(IscsiCounters.Event.LOGIN_ACCEPTED);
    }

    /** Called by the login phase once the final Login Response went out: enter full feature phase. */
    void enterFullFeaturePhase(Session s, NegotiatedParameters p) {
        int targetMaxRecvDataSegmentLength = p.targetMaxRecvDataSegmentLength();
        boolean headerDigest = p.headerDigest() == Digest.CRC32C;
        boolean dataDigest = p.dataDigest() == Digest.CRC32C;
        this.session = s;
        this.phase = Phase.FULL_FEATURE;
        if (loginTimer != null) {
            loginTimer.cancel(false);
            loginTimer = null;
        }
        login = null;
        ConnectionLimiter.Ticket ticket = channel.attr(ConnectionLimiter.TICKET).get();
        if (ticket != null) {
            ticket.loginCompleted();
        }
        text = new TextResponder(context, this, s, p);
        decoder.setMaxDataSegmentLength(targetMaxRecvDataSegmentLength);
        decoder.setHeaderDigest(headerDigest);
        decoder.setDataDigest(dataDigest);
        if (p.sessionType() != SessionType.DISCOVERY) {
            decoder.setSegmentPlacement(s::placeDataOut);
        }
        channel.attr(PduEncoder.DIGESTS)
                .set(new DigestSettings(headerDigest, dataDigest));
        if (p.sessionType() == SessionType.DISCOVERY) {
            // Discovery answers are small and come one at a time: stop reading a peer that does not read them
            // long before the normal output cap.
            int high = Math.min(DISCOVERY_PENDING_OUTPUT_BYTES, limits().maxPendingOutputBytes());
            channel.config().setWriteBufferWaterMark(new WriteBufferWaterMark(high / 2, high));
        }
        if (context.events().enabled()) {
            context.events().loginSucceeded(sessionInfo);
        }
        lastInputNanos = System.nanoTime();
        long interval = context.tuning().nopInInterval().toNanos();
        if (interval > 0) {
            livenessTimer = channel.eventLoop().schedule(livenessCheck, interval, TimeUnit.NANOSECONDS);
        }
    }

    /**
     * The liveness timer fired (RFC 7143 §11.19, NOP-In as a ping). With a ping outstanding its time is up: the
     * initiator is gone or no longer reads, so the connection is closed and the session ends as on any connection
     * loss. Otherwise, when no PDU arrived for {@code nopInInterval}, a NOP-In with a fresh Target Transfer Tag
     * solicits a NOP-Out; a connection with recent input is only checked again later. Event loop only.
     */
    private void checkLiveness() {
        livenessTimer = null;
        if (phase != Phase.FULL_FEATURE) {
            return;
        }
        if (pingTag != NO_TAG) {
            LOG.info("{}: no answer to the NOP-In ping within {} ms, closing", name,
                    context.tuning().nopInTimeout().toMillis());
            tally.add(IscsiCounters.Event.NOP_IN_TIMEOUT);
            closeNow();
            return;
        }
        long interval = context.tuning().nopInInterval().toNanos();
        long idle = System.nanoTime() - lastInputNanos;
        if (idle < interval) {
            livenessTimer = channel.eventLoop().schedule(livenessCheck, interval - idle, TimeUnit.NANOSECONDS);
            return;
        }
        pingTag = session.nextTag();
        LOG.debug("{}: idle for {} ms, sending a NOP-In ping with TTT 0x{}", name, idle / 1_000_000,
                Integer.toHexString(pingTag));
        // §11.19.1: ITT 0xffffffff, so StatSN carries the next value and is not advanced; a valid TTT needs a LUN.
        send(NopIn.builder()
                .lun(0)
                .initiatorTaskTag(NO_TAG)
                .targetTransferTag(pingTag)
                .statSN(currentStatSN())
                .expCmdSN(session.expCmdSN())
                .maxCmdSN(session.maxCmdSN())
                .data(Unpooled.EMPTY_BUFFER)
                .build());
        flush();
        livenessTimer = channel.eventLoop().schedule(livenessCheck, context.tuning().nopInTimeout().toNanos(),
                TimeUnit.NANOSECONDS);
    }

    /** The ping was answered: the next check comes {@code nopInInterval} from now. */
    private void rearmLiveness() {
        if (livenessTimer != null) {
            livenessTimer.cancel(false);
        }
        livenessTimer = channel.eventLoop().schedule(livenessCheck, context.tuning().nopInInterval().toNanos(),
                TimeUnit.NANOSECONDS);
    }

    /** A task management function was answered: tells the listeners. */
    void taskManagementAnswered(TargetListener.TaskManagementInfo function) {
        if (listening()) {
            context.events().taskManagement(sessionInfo, function);
        }
    }

    /** The portal group this connection came in through: its tag, its targets, its discovery authentication. */
    io.iscsi4j.PortalGroupConfig portalGroup() {
        return portalGroup;
    }

    /** The iSCSI-level counters of this connection. Event loop only. */
    IscsiCounters.Tally tally() {
        return tally;
    }

    /** The initiator's address, or {@code null}. */
    InetSocketAddress remoteAddress() {
        return address(channel.remoteAddress());
    }

    private static InetSocketAddress address(SocketAddress a) {
        return a instanceof InetSocketAddress i ? i : null;
    }

    /** The session for listener events, or {@code null} when there is no session yet. */
    TargetListener.SessionInfo sessionInfo() {
        return sessionInfo;
    }

    /** Whether listeners hear of this connection's session events: a session exists and listeners are set. */
    boolean listening() {
        return sessionInfo != null && context.events().enabled();
    }

    /**
     * Asks the initiator to log out (RFC 7143 §11.9.1, AsyncEvent 1) within {@code seconds}, and closes the
     * connection when it has not by then. Event loop only.
     */
    void requestLogout(int seconds) {
        if (phase != Phase.FULL_FEATURE || logoutDeadline != null) {
            return;
        }
        send(AsyncMessage.builder()
                .asyncEvent(1)
                .parameter3(seconds)
                .statSN(nextStatSN())
                .expCmdSN(session.expCmdSN())
                .maxCmdSN(session.maxCmdSN())
                .build());
        flush();
        logoutDeadline = channel.eventLoop().schedule(() -> {
            if (phase != Phase.CLOSING) {
                LOG.info("{}: no logout within {} s of the logout request, closing", name, seconds);
                closeNow();
            }
        }, seconds, TimeUnit.SECONDS);
    }

    // ---- full feature phase ----

    private void onFullFeaturePdu(Pdu pdu) {
        if (pdu instanceof DataOut d) {
            session.onDataOut(d);
        } else if (pdu instanceof ScsiCommand c) {
            session.onCommand(c, c.cmdSN(), c.immediate());
        } else if (pdu instanceof NopOut n) {
            session.onCommand(n, n.cmdSN(), n.immediate() || n.initiatorTaskTag() == NO_TAG);
        } else if (pdu instanceof TextRequest t) {
            session.onCommand(t, t.cmdSN(), t.immediate());
        } else if (pdu instanceof TaskManagementRequest t) {
            session.onCommand(t, t.cmdSN(), t.immediate());
        } else if (pdu instanceof LogoutRequest l) {
            session.onCommand(l, l.cmdSN(), l.immediate());
        } else {
            // SNACK (ErrorRecoveryLevel 0), a second Login, or a target-only opcode.
            try {
                sendReject(pdu.opcode() == Opcode.SNACK
                        ? RejectReason.SNACK_REJECT : RejectReason.PROTOCOL_ERROR, pdu);
            } finally {
                pdu.release();
            }
        }
    }

    void onNopOut(NopOut n) {
        int ttt = n.targetTransferTag();
        if (ttt != NO_TAG) {
            if (ttt == pingTag) {
                // The answer to our ping (§11.18): the initiator is alive; the next check comes an interval later.
                pingTag = NO_TAG;
                rearmLiveness();
            } else {
                LOG.debug("{}: NOP-Out with TTT 0x{} answers no outstanding ping, ignored", name,
                        Integer.toHexString(ttt));
            }
        }
        if (n.initiatorTaskTag() == NO_TAG) {
            return; // a reply to our NOP-In, or a ping that wants no answer
        }
        send(NopIn.builder()
                .lun(n.lun())
                .initiatorTaskTag(n.initiatorTaskTag())
                .targetTransferTag(NO_TAG)
                .statSN(nextStatSN())
                .expCmdSN(session.expCmdSN())
                .maxCmdSN(session.maxCmdSN())
                .data(n.data().retainedDuplicate())
                .build());
    }

    void onText(TextRequest t) {
        text.onTextRequest(t);
    }

    void onLogout(LogoutRequest l) {
        int response;
        switch (l.reasonCode()) {
            case 0 -> response = 0;                                        // close the session
            case 1 -> response = l.cid() == session.cid ? 0 : 1;       // close this connection / CID not found
            case 2 -> response = 2;                                        // recovery not supported (ERL 0)
            default -> response = 3;                                       // cleanup failed
        }
        int itt = l.initiatorTaskTag();
        if (response == 0) {
            // RFC 7143 §11.14: the target aborts every pending command of the session. The response goes out once
            // they have ended, so an initiator that saw its logout complete sees no older write land afterwards.
            LOG.debug("{}: logout", name);
            loggedOut = true;
            phase = Phase.CLOSING;
            session.fenceHere(task -> true, true).whenComplete((v, e) ->
                    channel.writeAndFlush(logoutResponse(itt, 0)).addListener(ChannelFutureListener.CLOSE));
        } else {
            send(logoutResponse(itt, response));
        }
    }

    /** A Logout Response, numbered when it is sent. */
    private LogoutResponse logoutResponse(int itt, int response) {
        return LogoutResponse.builder()
                .response(response)
                .initiatorTaskTag(itt)
                .statSN(nextStatSN())
                .expCmdSN(session.expCmdSN())
                .maxCmdSN(session.maxCmdSN())
                .time2Wait(0)
                .time2Retain(0)
                .build();
    }

    void sendTaskManagementResponse(int itt, int response) {
        sendTaskManagementResponse(itt, response, 0);
    }

    /** A task management response with SAM-5 ADDITIONAL RESPONSE INFORMATION (QUERY ASYNCHRONOUS EVENT). */
    void sendTaskManagementResponse(int itt, int response, int additionalResponseInformation) {
        send(TaskManagementResponse.builder()
                .response(response)
                .additionalResponseInformation(additionalResponseInformation)
                .initiatorTaskTag(itt)
                .statSN(nextStatSN())
                .expCmdSN(session.expCmdSN())
                .maxCmdSN(session.maxCmdSN())
                .build());
    }

    private void onMalformed(MalformedPdu m) {
        tally.add(m.reason() == RejectReason.DATA_DIGEST_ERROR
                ? IscsiCounters.Event.DATA_DIGEST_ERROR : IscsiCounters.Event.FORMAT_ERROR);
        if (phase == Phase.LOGIN) {
            refuseDuringLogin(m.opcode() == Opcode.LOGIN_REQUEST
                    ? LoginStatus.INITIATOR_ERROR : LoginStatus.INVALID_DURING_LOGIN,
                    "malformed PDU during login (" + m.description() + ")");
            return;
        }
        LOG.debug("{}: rejecting PDU: {}", name, m.description());
        sendReject(m.reason(), m.header());
        if (m.opcode() == Opcode.SCSI_COMMAND && m.reason() == RejectReason.DATA_DIGEST_ERROR) {
            session.onCommandDataLost(m.header());
        } else if (m.opcode() == Opcode.DATA_OUT && m.reason() == RejectReason.DATA_DIGEST_ERROR) {
            ByteBuf h = m.header();
            session.onDataOutLost(m.initiatorTaskTag(), h.getInt(h.readerIndex() + 20),
                    (h.getByte(h.readerIndex() + 1) & 0x80) != 0);
        }
    }

    /** Sends a Reject carrying the header of a decoded PDU. */
    void sendReject(RejectReason reason, Pdu rejected) {
        ByteBuf header = alloc().buffer(Pdu.BHS_LENGTH + 64);
        try {
            rejected.encodeHeader(header);
            header.writerIndex(Pdu.BHS_LENGTH);
            sendReject(reason, header);
        } finally {
            header.release();
        }
    }

    private void sendReject(RejectReason reason, ByteBuf header) {
        tally.add(IscsiCounters.Event.REJECT_SENT);
        int exp = session != null ? session.expCmdSN() : 0;
        int max = session != null ? session.maxCmdSN() : 0;
        send(Reject.builder()
                .reason(reason)
                .statSN(nextStatSN())
                .expCmdSN(exp)
                .maxCmdSN(max)
                .dataSN(0)
                .rejectedHeader(header.retainedSlice(header.readerIndex(), Pdu.BHS_LENGTH))
                .build());
    }

    // ---- output ----

    void send(Pdu pdu) {
        channel.write(pdu, channel.voidPromise());
    }

    /**
     * Sends a PDU from its encoded header and its data segment, without a PDU object (see
     * {@link PduEncoder#writeEncoded}); takes both buffers. Event loop only.
     */
    void sendEncoded(ByteBuf header, ByteBuf data) {
        PduEncoder.writeEncoded(channel, header, data);
    }

    void flush() {
        channel.flush();
    }

    /**
     * Flushes after the tasks already queued on the event loop ran: completions that arrive together (from I/O
     * threads) go out in one write instead of one system call each.
     */
    void flushSoon() {
        if (!flushScheduled) {
            flushScheduled = true;
            channel.eventLoop().execute(flushTask);
        }
    }

    /** Sends and flushes, then closes the channel. */
    void sendAndClose(Pdu pdu) {
        phase = Phase.CLOSING;
        channel.writeAndFlush(pdu).addListener(ChannelFutureListener.CLOSE);
    }

    /** Closes the channel once everything written so far has been flushed. */
    void closeAfterFlush() {
        phase = Phase.CLOSING;
        channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }

    void closeNow() {
        phase = Phase.CLOSING;
        channel.close();
    }

    /** Returns the StatSN for a status-bearing PDU and advances it. */
    int nextStatSN() {
        return statSN++;
    }

    /** The next StatSN, for PDUs that carry but do not advance it. */
    int currentStatSN() {
        return statSN;
    }

    void initStatSN(int value) {
        statSN = value;
    }

    ByteBufAllocator alloc() {
        return channel.alloc();
    }

    /** The target's reusable Data-In buffers of large reads. */
    DataInBuffers dataInBuffers() {
        return context.dataInBuffers();
    }

    /** The target's resource caps. */
    ResourceLimits limits() {
        return context.tuning().limits();
    }

    boolean inEventLoop() {
        return channel.eventLoop().inEventLoop();
    }

    void execute(Runnable r) {
        channel.eventLoop().execute(r);
    }

    Channel channel() {
        return channel;
    }

    /** The target's interceptor, or {@code null}. */
    TargetInterceptor interceptor() {
        return context.interceptor();
    }

    @Override
    public String toString() {
        return name;
    }
}
