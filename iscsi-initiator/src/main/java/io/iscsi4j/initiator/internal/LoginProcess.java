package io.iscsi4j.initiator.internal;

import io.iscsi4j.core.pdu.FramingError;
import io.iscsi4j.core.pdu.LoginRequest;
import io.iscsi4j.core.pdu.LoginResponse;
import io.iscsi4j.initiator.IscsiException;
import io.iscsi4j.initiator.LoginException;
import io.iscsi4j.initiator.LoginOptions;
import io.iscsi4j.initiator.SessionParameters;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.ByteArrayOutputStream;
import java.net.SocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Connects and runs a {@link LoginDriver} over the connection, with a timeout; everything on one event loop. */
public final class LoginProcess implements PduListener {

    private static final Logger LOG = LoggerFactory.getLogger(LoginProcess.class);
    private static final int LOGIN_ITT = 0;
    /** The most login text a target may send in one (continued) response: a hostile target cannot exhaust memory. */
    static final int MAX_RESPONSE_TEXT = 64 * 1024;

    private final LoginDriver driver;
    private final long isid;
    private final int cmdSN;
    private final CompletableFuture<LoginResult> result = new CompletableFuture<>();
    private final ByteArrayOutputStream text = new ByteArrayOutputStream();
    private PduConnection connection;
    private int expStatSN;
    private boolean started;
    private LoginDriver.Request last;
    private ScheduledFuture<?> timeout;

    private LoginProcess(LoginDriver driver, long isid, int cmdSN) {
        this.driver = driver;
        this.isid = isid;
        this.cmdSN = cmdSN;
    }

    /**
     * Connects to {@code portal} and logs in.
     *
     * @param loop the event loop the connection will live on
     * @param portal the target portal
     * @param options credentials and preferences
     * @param initiatorName this initiator's name
     * @param targetName the target, {@code null} for discovery
     * @param isid the ISID (the same as an earlier session's to reinstate it; TSIH is always 0)
     * @param cmdSN the initial CmdSN
     * @return the result, completed on {@code loop}; the listener of its connection must be replaced
     */
    public static CompletableFuture<LoginResult> login(EventLoop loop, SocketAddress portal, LoginOptions options,
                                                       String initiatorName, String targetName, long isid,
                                                       int cmdSN) {
        LoginProcess process = new LoginProcess(new LoginDriver(options, initiatorName, targetName, isid), isid,
                cmdSN);
        process.timeout = loop.schedule(() -> process.fail(new IscsiException("login to " + portal
                + " timed out after " + options.loginTimeout().toMillis() + " ms")),
                options.loginTimeout().toMillis(), TimeUnit.MILLISECONDS);
        PduConnection.connect(loop, portal, options.loginTimeout()).whenComplete((c, e) -> {
            if (e != null) {
                process.fail(new IscsiException("cannot connect to " + portal + ": " + e.getMessage(), e));
                return;
            }
            if (process.result.isDone()) {
                c.close(null);
                return;
            }
            process.connection = c;
            c.listener(process);
            process.send(process.driver.first());
        });
        return process.result;
    }

    private void send(LoginDriver.Request request) {
        last = request;
        started = true;
        sendRequest(request, false);
    }

    private void sendRequest(LoginDriver.Request request, boolean emptyForContinuation) {
        ByteBuf data = emptyForContinuation || request.text().isEmpty() ? Unpooled.EMPTY_BUFFER
                : TextCodec.encode(ByteBufAllocator.DEFAULT, request.text());
        if (LOG.isDebugEnabled() && !emptyForContinuation) {
            LOG.debug("login request to {}: stage {}, keys {}", connection.remoteAddress(), request.csg(),
                    request.text().keySet());
        }
        connection.send(LoginRequest.builder()
                .immediate(true)
                .transit(!emptyForContinuation && request.transit())
                .csg(request.csg())
                .nsg(request.transit() && !emptyForContinuation ? request.nsg() : 0)
                .versionMax(0).versionMin(0)
                .isid(isid).tsih(0).cid(0)
                .initiatorTaskTag(LOGIN_ITT)
                .cmdSN(cmdSN).expStatSN(expStatSN)
                .data(data)
                .build());
    }

    @Override
    public void onMessage(Object message) {
        try {
            if (result.isDone()) {
                return;
            }
            if (message instanceof FramingError error) {
                fail(new IscsiException("framing error during login: " + error.description()));
                return;
            }
            if (!(message instanceof LoginResponse response)) {
                fail(new IscsiException("unexpected during login: " + message));
                return;
            }
            handle(response);
        } catch (LoginException e) {
            fail(e);
        } catch (RuntimeException e) {
            fail(new IscsiException("login failed: " + e.getMessage(), e));
        } finally {
            ReferenceCountUtil.release(message);
        }
    }

    private void handle(LoginResponse response) throws LoginException {
        if (!started || response.initiatorTaskTag() != LOGIN_ITT) {
            throw new LoginException("a Login Response that answers nothing", 0, 0);
        }
        expStatSN = response.statSN() + 1;
        ByteBuf data = response.data();
        if (text.size() + data.readableBytes() > MAX_RESPONSE_TEXT) {
            throw new LoginException("the target's login text exceeds " + MAX_RESPONSE_TEXT + " bytes", 0, 0);
        }
        text.write(ByteBufUtil.getBytes(data, data.readerIndex(), data.readableBytes()), 0, data.readableBytes());
        if (response.continueFlag() && response.statusClass() == 0) {
            sendRequest(last, true);
            return;
        }
        byte[] all = text.toByteArray();
        text.reset();
        LoginDriver.Request next = driver.onResponse(response.statusClass(), response.statusDetail(),
                response.transit(), response.nsg(), response.tsih(), TextCodec.decode(all));
        if (next != null) {
            send(next);
            return;
        }
        SessionParameters parameters = driver.parameters();
        connection.enterFullFeaturePhase(parameters.headerDigest(), parameters.dataDigest(),
                parameters.maxRecvDataSegmentLength());
        timeout.cancel(false);
        LOG.debug("logged in to {} ({}): {}", connection.remoteAddress(), parameters.targetName(), parameters);
        result.complete(new LoginResult(connection, parameters, cmdSN, expStatSN, response.expCmdSN(),
                response.maxCmdSN()));
    }

    @Override
    public void onClosed(Throwable cause) {
        fail(new IscsiException("the target closed the connection during login"
                + (cause != null ? ": " + cause.getMessage() : ""), cause));
    }

    private void fail(IscsiException e) {
        if (timeout != null) {
            timeout.cancel(false);
        }
        if (result.completeExceptionally(e) && connection != null) {
            connection.close(e);
        }
    }
}
