package io.iscsi4j.core.session;

import io.iscsi4j.core.pdu.NopOut;
import io.iscsi4j.core.pdu.Pdu;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;

/**
 * Closes a discovery session that has sent no request for {@code discoverySessionIdleTimeout}. Sits in the channel
 * pipeline just before the {@link IscsiConnection} from the end of the login on, and watches the decoded PDUs go by:
 * every PDU except a NOP-Out counts as a request, so answering the target's NOP-In pings, or pinging, does not keep
 * the session. One timer on the channel's event loop, re-armed for the time left when it fires early; the per-PDU
 * cost is one {@link System#nanoTime()}. Event loop only.
 */
final class DiscoveryIdleTimer extends ChannelInboundHandlerAdapter {

    private static final Logger LOG = LoggerFactory.getLogger(DiscoveryIdleTimer.class);

    private final IscsiConnection connection;
    private final long timeoutNanos;
    private long lastRequestNanos;
    private ScheduledFuture<?> timer;

    /**
     * @param connection the discovery session's connection, closed when idle
     * @param timeoutNanos the idle time allowed, positive
     */
    DiscoveryIdleTimer(IscsiConnection connection, long timeoutNanos) {
        if (timeoutNanos <= 0) {
            throw new IllegalArgumentException("timeoutNanos must be positive: " + timeoutNanos);
        }
        this.connection = connection;
        this.timeoutNanos = timeoutNanos;
    }

    /**
     * Adds a timer just before {@code connection}'s handler in its pipeline; the time counts from now. Event loop
     * only.
     */
    static void install(IscsiConnection connection, long timeoutNanos) {
        ChannelHandlerContext ctx = connection.channel().pipeline().context(connection);
        if (ctx == null) {
            return; // the connection has left its pipeline: it is closing
        }
        connection.channel().pipeline().addBefore(ctx.name(), "discovery-idle",
                new DiscoveryIdleTimer(connection, timeoutNanos));
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        lastRequestNanos = System.nanoTime();
        if (ctx.channel().isActive()) {
            timer = ctx.executor().schedule(() -> check(ctx), timeoutNanos, TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Pdu && !(msg instanceof NopOut)) {
            lastRequestNanos = System.nanoTime();
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancel();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancel();
    }

    private void check(ChannelHandlerContext ctx) {
        timer = null;
        if (!ctx.channel().isActive()) {
            return;
        }
        long idle = System.nanoTime() - lastRequestNanos;
        if (idle < timeoutNanos) {
            timer = ctx.executor().schedule(() -> check(ctx), timeoutNanos - idle, TimeUnit.NANOSECONDS);
            return;
        }
        LOG.info("{}: discovery session without a request for {} ms, closing", connection,
                TimeUnit.NANOSECONDS.toMillis(idle));
        connection.closeNow();
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}
