package io.iscsi4j.initiator.internal;

import io.iscsi4j.core.pdu.DigestSettings;
import io.iscsi4j.core.pdu.Pdu;
import io.iscsi4j.core.pdu.PduEncoder;
import io.iscsi4j.core.pdu.PduFrameDecoder;
import io.iscsi4j.core.pdu.PlacingRecvAllocator;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.ReferenceCountUtil;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One TCP connection to a target with the PDU codec: frames inbound bytes into PDUs for the current
 * {@link PduListener}, encodes outbound PDUs. Every method must be called on {@link #eventLoop()}.
 */
public final class PduConnection {

    private static final Logger LOG = LoggerFactory.getLogger(PduConnection.class);

    private final Channel channel;
    private final PduFrameDecoder decoder;
    private PduListener listener;
    private Throwable closeCause;
    private boolean closedReported;
    /** Event loop only: inside a read batch, where {@link #flush()} waits for the batch's end. */
    private boolean inReadBatch;
    private boolean flushPending;

    private PduConnection(Channel channel, PduFrameDecoder decoder) {
        this.channel = channel;
        this.decoder = decoder;
    }

    /**
     * Connects.
     *
     * @param loop the event loop the connection lives on
     * @param address the portal
     * @param connectTimeout the connect timeout
     * @return the connection, completed on {@code loop}
     */
    public static CompletableFuture<PduConnection> connect(EventLoop loop, SocketAddress address,
                                                           Duration connectTimeout) {
        CompletableFuture<PduConnection> result = new CompletableFuture<>();
        PduFrameDecoder decoder = new PduFrameDecoder();
        Handler handler = new Handler();
        Bootstrap bootstrap = new Bootstrap()
                .group(loop)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.RCVBUF_ALLOCATOR, new PlacingRecvAllocator(decoder))
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE,
                        connectTimeout.toMillis()))
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast("decoder", decoder).addLast("encoder", PduEncoder.INSTANCE)
                                .addLast("handler", handler);
                    }
                });
        ChannelFuture connect = bootstrap.connect(address);
        connect.addListener(f -> {
            if (f.isSuccess()) {
                PduConnection connection = new PduConnection(connect.channel(), decoder);
                handler.connection = connection;
                result.complete(connection);
            } else {
                result.completeExceptionally(f.cause());
            }
        });
        return result;
    }

    /**
     * The event loop of this connection.
     *
     * @return the loop
     */
    public EventLoop eventLoop() {
        return channel.eventLoop();
    }

    /**
     * Routes inbound messages to {@code newListener} from now on.
     *
     * @param newListener the listener
     */
    public void listener(PduListener newListener) {
        this.listener = newListener;
        if (!channel.isActive() && !closedReported) {
            closedReported = true;
            newListener.onClosed(closeCause);
        }
    }

    /**
     * Sends a PDU (ownership passes to the channel) and flushes.
     *
     * @param pdu the PDU
     */
    public void send(Pdu pdu) {
        if (LOG.isTraceEnabled()) {
            LOG.trace("{} -> {}", channel.remoteAddress(), pdu);
        }
        channel.writeAndFlush(pdu, channel.voidPromise());
    }

    /**
     * Sends a PDU without flushing; call {@link #flush()} after.
     *
     * @param pdu the PDU
     */
    public void write(Pdu pdu) {
        if (LOG.isTraceEnabled()) {
            LOG.trace("{} -> {}", channel.remoteAddress(), pdu);
        }
        channel.write(pdu, channel.voidPromise());
    }

    /**
     * Flushes written PDUs. Called on the event loop while it delivers a batch of received PDUs (commands issued
     * from completions), the flush happens once at the end of the batch, so the commands that batch released leave
     * in one system call instead of one each.
     */
    public void flush() {
        if (inReadBatch && channel.eventLoop().inEventLoop()) {
            flushPending = true;
        } else {
            channel.flush();
        }
    }

    /**
     * Sets where data segments that arrive over several reads are gathered (see
     * {@link PduFrameDecoder.SegmentPlacement}); with a direct buffer there, the socket reads go straight into it.
     *
     * @param placement the placement, or {@code null} for the decoder's own buffers
     */
    public void segmentPlacement(PduFrameDecoder.SegmentPlacement placement) {
        decoder.setSegmentPlacement(placement);
    }

    /**
     * Enables digests and the inbound data segment limit negotiated at login; call after the final Login
     * Response was read and before the next PDU is sent.
     *
     * @param headerDigest CRC32C header digests
     * @param dataDigest CRC32C data digests
     * @param maxRecvDataSegmentLength this side's declared limit
     */
    public void enterFullFeaturePhase(boolean headerDigest, boolean dataDigest, int maxRecvDataSegmentLength) {
        decoder.setHeaderDigest(headerDigest);
        decoder.setDataDigest(dataDigest);
        decoder.setMaxDataSegmentLength(maxRecvDataSegmentLength);
        channel.attr(PduEncoder.DIGESTS).set(new DigestSettings(headerDigest, dataDigest));
    }

    /**
     * Whether the connection is open.
     *
     * @return {@code true} if active
     */
    public boolean isOpen() {
        return channel.isActive();
    }

    /**
     * Closes the connection; the listener hears {@link PduListener#onClosed} once.
     *
     * @param cause why, or {@code null}
     */
    public void close(Throwable cause) {
        if (closeCause == null) {
            closeCause = cause;
        }
        channel.close();
    }

    /**
     * The remote address, for messages.
     *
     * @return the address
     */
    public SocketAddress remoteAddress() {
        return channel.remoteAddress();
    }

    @Override
    public String toString() {
        return "PduConnection[" + channel + "]";
    }

    private static final class Handler extends ChannelInboundHandlerAdapter {
        PduConnection connection;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            PduConnection c = connection;
            if (c == null || c.listener == null) {
                LOG.debug("dropping {} before a listener was set", msg);
                ReferenceCountUtil.release(msg);
                return;
            }
            if (LOG.isTraceEnabled()) {
                LOG.trace("{} <- {}", ctx.channel().remoteAddress(), msg);
            }
            c.inReadBatch = true;
            c.listener.onMessage(msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            PduConnection c = connection;
            if (c != null) {
                c.inReadBatch = false;
                if (c.flushPending) {
                    c.flushPending = false;
                    ctx.channel().flush();
                }
            }
            ctx.fireChannelReadComplete();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            PduConnection c = connection;
            if (c != null && c.listener != null && !c.closedReported) {
                c.closedReported = true;
                c.listener.onClosed(c.closeCause);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.debug("connection {} failed", ctx.channel(), cause);
            PduConnection c = connection;
            if (c != null && c.closeCause == null) {
                c.closeCause = cause;
            }
            ctx.close();
        }
    }
}
