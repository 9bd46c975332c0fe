package io.iscsi4j.initiator.internal;

import io.iscsi4j.core.pdu.LoginRequest;
import io.iscsi4j.core.pdu.LoginResponse;
import io.iscsi4j.core.pdu.LogoutRequest;
import io.iscsi4j.core.pdu.LogoutResponse;
import io.iscsi4j.core.pdu.Pdu;
import io.iscsi4j.core.pdu.PduEncoder;
import io.iscsi4j.core.pdu.PduFrameDecoder;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A minimal scripted target for the session engine's edge cases: it answers logins (no authentication) and logouts
 * by itself and hands every other PDU to the test, which answers with whatever PDUs it likes through
 * {@link #send}. One connection at a time; on 127.0.0.1 at a free port.
 */
final class ScriptedTarget implements AutoCloseable {

    private final NioEventLoopGroup group = new NioEventLoopGroup(1);
    private final Channel server;
    private final BlockingQueue<Pdu> received = new LinkedBlockingQueue<>();
    private volatile Channel connection;
    private volatile int maxCmdSnAhead = 31;
    private int statSN = 100;
    private volatile int loginCmdSN;

    ScriptedTarget() throws InterruptedException {
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new PduFrameDecoder(), PduEncoder.INSTANCE, new Handler());
                    }
                })
                .bind("127.0.0.1", 0).sync().channel();
    }

    InetSocketAddress portal() {
        return (InetSocketAddress) server.localAddress();
    }

    /** The window the login grants: MaxCmdSN = CmdSN + ahead (-1 closes it). */
    void windowAhead(int ahead) {
        this.maxCmdSnAhead = ahead;
    }

    /** The next PDU of the full feature phase the initiator sent (the test releases it). */
    Pdu take() throws InterruptedException {
        Pdu pdu = received.poll(10, TimeUnit.SECONDS);
        if (pdu == null) {
            throw new AssertionError("no PDU from the initiator within 10 s");
        }
        return pdu;
    }

    /** Whether the initiator sent nothing more within {@code millis}. */
    Pdu poll(long millis) throws InterruptedException {
        return received.poll(millis, TimeUnit.MILLISECONDS);
    }

    /** Sends a PDU on the current connection. */
    void send(Pdu pdu) {
        connection.writeAndFlush(pdu);
    }

    /** The CmdSN of the last login, which is the CmdSN of the session's first command. */
    int loginCmdSN() {
        return loginCmdSN;
    }

    /** The next StatSN. */
    synchronized int nextStatSN() {
        return statSN++;
    }

    /** Closes the current connection. */
    void drop() throws InterruptedException {
        connection.close().sync();
    }

    static ByteBuf text(Map<String, String> pairs) {
        return TextCodec.encode(ByteBufAllocator.DEFAULT, pairs);
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        Pdu leftover;
        while ((leftover = received.poll()) != null) {
            leftover.release();
        }
    }

    private final class Handler extends ChannelInboundHandlerAdapter {
        private boolean fullFeature;

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            connection = ctx.channel();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof LoginRequest login) {
                try {
                    answerLogin(ctx, login);
                } finally {
                    login.release();
                }
            } else if (msg instanceof LogoutRequest logout) {
                ctx.writeAndFlush(LogoutResponse.builder().initiatorTaskTag(logout.initiatorTaskTag())
                        .statSN(nextStatSN()).expCmdSN(logout.cmdSN()).maxCmdSN(logout.cmdSN() + 31).build());
                logout.release();
                ctx.close();
            } else if (msg instanceof Pdu pdu && fullFeature) {
                received.add(pdu);
            } else {
                ReferenceCountUtil.release(msg);
                ctx.close();
            }
        }

        private void answerLogin(ChannelHandlerContext ctx, LoginRequest login) {
            List<Map.Entry<String, String>> keys = TextCodec.decode(io.netty.buffer.ByteBufUtil.getBytes(login.data()));
            Map<String, String> answer = new LinkedHashMap<>();
            boolean operational = login.csg() == 1;
            if (operational) {
                for (Map.Entry<String, String> key : keys) {
                    switch (key.getKey()) {
                        case "HeaderDigest", "DataDigest" -> answer.put(key.getKey(), "None");
                        case "MaxRecvDataSegmentLength" -> answer.put("MaxRecvDataSegmentLength", "8192");
                        default -> answer.put(key.getKey(), key.getValue());
                    }
                }
            } else {
                answer.put("AuthMethod", "None");
                answer.put("TargetPortalGroupTag", "1");
            }
            fullFeature = operational;
            loginCmdSN = login.cmdSN();
            ctx.writeAndFlush(LoginResponse.builder()
                    .initiatorTaskTag(login.initiatorTaskTag())
                    .transit(true).csg(login.csg()).nsg(operational ? 3 : 1)
                    .isid(login.isid()).tsih(operational ? 7 : 0)
                    .statSN(nextStatSN()).expCmdSN(login.cmdSN()).maxCmdSN(login.cmdSN() + maxCmdSnAhead)
                    .data(text(answer))
                    .build());
        }
    }
}
