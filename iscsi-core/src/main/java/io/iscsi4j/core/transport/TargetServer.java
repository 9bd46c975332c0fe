package io.iscsi4j.core.transport;

import io.iscsi4j.IscsiTarget;
import io.iscsi4j.LunConfig;
import io.iscsi4j.TargetConfig;
import io.iscsi4j.TargetListener;
import io.iscsi4j.core.pdu.PduEncoder;
import io.iscsi4j.core.pdu.PduFrameDecoder;
import io.iscsi4j.core.pdu.PlacingRecvAllocator;
import io.iscsi4j.core.session.ConnectionLimiter;
import io.iscsi4j.core.session.IscsiConnection;
import io.iscsi4j.core.session.TargetContext;
import io.iscsi4j.core.session.TargetEvents;
import io.iscsi4j.scsi.TargetPortGroups;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.spi.SelectorProvider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The network side of an {@link IscsiTarget}: binds the portals, builds each connection's pipeline
 * (frame decoder, encoder, connection handler) and shuts everything down in order. Used by {@link IscsiTarget};
 * not meant to be used directly.
 */
public final class TargetServer {

    private static final Logger LOG = LoggerFactory.getLogger(TargetServer.class);

    private final IscsiTarget.Settings settings;
    private final List<TargetListener> listeners;
    private final TargetPortGroups portGroups;
    private TargetEvents events;
    private final Object lock = new Object();
    private EventLoopGroup group;
    private ExecutorService ioExecutor;
    private TargetContext context;
    private ChannelGroup channels;
    private final List<Channel> serverChannels = new ArrayList<>();
    private volatile List<InetSocketAddress> bound = List.of();
    /** The portal group of each bound address. */
    private java.util.Map<InetSocketAddress, io.iscsi4j.PortalGroupConfig> groupsByPortal = java.util.Map.of();
    /** Binds portals, for {@link #addPortal} while running. */
    private ServerBootstrap bootstrap;
    private boolean started;
    private boolean closed;

    /**
     * @param settings the validated configuration
     */
    public TargetServer(IscsiTarget.Settings settings) {
        this(settings, List.of());
    }

    /**
     * @param settings the validated configuration
     * @param listeners observers of session events
     */
    public TargetServer(IscsiTarget.Settings settings, List<TargetListener> listeners) {
        this.settings = settings;
        this.listeners = List.copyOf(listeners);
        this.portGroups = new TargetPortGroups(settings.portGroup());
    }

    /** The target port groups, from construction on (before start, too). */
    public TargetPortGroups portGroups() {
        return portGroups;
    }

    /**
     * The shared state of the running target, for run-time changes.
     *
     * @throws IllegalStateException when not started, or closed
     */
    public TargetContext context() {
        synchronized (lock) {
            if (!started || closed || context == null) {
                throw new IllegalStateException(closed ? "closed" : "not started");
            }
            return context;
        }
    }

    /** The configuration. */
    public IscsiTarget.Settings settings() {
        return settings;
    }

    /** The bound portal addresses; empty before start. */
    public List<InetSocketAddress> boundAddresses() {
        return bound;
    }

    /**
     * Binds every portal.
     *
     * @throws IOException when a portal cannot be bound
     */
    public void start() throws IOException {
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("closed");
            }
            if (started) {
                throw new IllegalStateException("already started");
            }
            started = true;
            IscsiTarget.Tuning t = settings.settings();
            int cpus = Runtime.getRuntime().availableProcessors();
            group = new NioEventLoopGroup(t.eventLoopThreads() > 0 ? t.eventLoopThreads() : cpus,
                    new DefaultThreadFactory("iscsi4j-net", true), SelectorProvider.provider(),
                    () -> new BusyPollStrategy(t.busyPoll().toNanos()));
            int io = t.ioThreads() > 0 ? t.ioThreads() : cpus;
            ioExecutor = new ThreadPoolExecutor(io, io, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                    daemonThreads("iscsi4j-io-"));
            events = new TargetEvents(listeners);
            try {
                context = new TargetContext(settings, ioExecutor, events, portGroups);
            } catch (RuntimeException e) {
                closed = true; // the units built so far are closed; nothing is bound yet
                shutdown();
                // The target owns the backstores: those of LUNs never built are closed too (closing is idempotent).
                for (TargetConfig tc : settings.targets()) {
                    for (LunConfig l : tc.luns()) {
                        try {
                            l.backstore().close();
                        } catch (IOException | RuntimeException suppressed) {
                            e.addSuppressed(suppressed);
                        }
                    }
                }
                if (e instanceof java.io.UncheckedIOException unchecked) {
                    throw new IOException(unchecked.getMessage(), unchecked.getCause());
                }
                throw e;
            }
            channels = new DefaultChannelGroup("iscsi4j", GlobalEventExecutor.INSTANCE);
            ServerBootstrap b = new ServerBootstrap()
                    .group(group)
                    .channel(NioServerSocketChannel.class)
                    .option(ChannelOption.SO_BACKLOG, 128)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childOption(ChannelOption.SO_KEEPALIVE, true)
                    .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                    .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(
                            t.limits().maxPendingOutputBytes() / 2, t.limits().maxPendingOutputBytes()))
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            if (!admit(ch)) {
                                return;
                            }
                            channels.add(ch);
                            PduFrameDecoder decoder = new PduFrameDecoder();
                            ch.config().setRecvByteBufAllocator(new PlacingRecvAllocator(decoder));
                            ch.pipeline().addLast("frame", decoder);
                            ch.pipeline().addLast("encoder", PduEncoder.INSTANCE);
                            ch.pipeline().addLast("iscsi", new IscsiConnection(context, decoder));
                        }
                    });
            List<InetSocketAddress> addrs = new ArrayList<>();
            java.util.Map<InetSocketAddress, io.iscsi4j.PortalGroupConfig> groups = new java.util.LinkedHashMap<>();
            List<io.iscsi4j.PortalGroupConfig> all = new ArrayList<>();
            if (!settings.portals().isEmpty()) {
                all.add(new io.iscsi4j.PortalGroupConfig(settings.portGroup(), settings.portals(), java.util.Set.of(),
                        null));
            }
            all.addAll(settings.portalGroups());
            try {
                for (io.iscsi4j.PortalGroupConfig g : all) {
                    for (InetSocketAddress portal : g.portals()) {
                        ChannelFuture f = b.bind(portal).syncUninterruptibly();
                        if (!f.isSuccess()) {
                            throw new IOException("cannot bind " + portal + ": " + f.cause(), f.cause());
                        }
                        serverChannels.add(f.channel());
                        InetSocketAddress local = (InetSocketAddress) f.channel().localAddress();
                        addrs.add(local);
                        groups.put(local, g);
                    }
                }
            } catch (RuntimeException | IOException e) {
                closed = true; // the backstores are closed now; a later close() has nothing left to do
                shutdown();
                if (e instanceof IOException io2) {
                    throw io2;
                }
                throw new IOException("cannot bind: " + e.getMessage(), e);
            }
            bound = List.copyOf(addrs);
            groupsByPortal = new java.util.LinkedHashMap<>(groups);
            bootstrap = b;
            context.portals(bound, groups);
            LOG.info("iSCSI target listening on {}", bound);
        }
    }

    /**
     * Binds one more portal of an existing portal group while the target runs.
     *
     * @param tag the portal group's tag (the default group's is the port group id)
     * @param address the address to bind, port 0 for a free one
     * @return the bound address
     * @throws IOException when it cannot be bound
     * @throws IllegalArgumentException when there is no portal group with that tag
     * @throws IllegalStateException when not started or closed
     */
    public InetSocketAddress addPortal(int tag, InetSocketAddress address) throws IOException {
        synchronized (lock) {
            requireRunning();
            io.iscsi4j.PortalGroupConfig group = null;
            for (io.iscsi4j.PortalGroupConfig g : groupsByPortal.values()) {
                if (g.tag() == tag) {
                    group = g;
                }
            }
            if (group == null && tag == settings.portGroup()) {
                group = new io.iscsi4j.PortalGroupConfig(tag, List.of(), java.util.Set.of(), null);
            }
            for (io.iscsi4j.PortalGroupConfig g : settings.portalGroups()) {
                if (group == null && g.tag() == tag) {
                    group = g;
                }
            }
            if (group == null) {
                throw new IllegalArgumentException("no portal group " + tag);
            }
            ChannelFuture f = bootstrap.bind(address).syncUninterruptibly();
            if (!f.isSuccess()) {
                throw new IOException("cannot bind " + address + ": " + f.cause(), f.cause());
            }
            serverChannels.add(f.channel());
            InetSocketAddress local = (InetSocketAddress) f.channel().localAddress();
            groupsByPortal.put(local, group);
            List<InetSocketAddress> now = new ArrayList<>(bound);
            now.add(local);
            bound = List.copyOf(now);
            context.portals(bound, groupsByPortal);
            LOG.info("portal {} added to portal group {}", local, tag);
            return local;
        }
    }

    /**
     * Stops listening on one portal while the target runs. Sessions that came in through it go on; new connections
     * are refused.
     *
     * @param address a bound address
     * @return {@code false} when it is not bound
     * @throws IllegalStateException when not started or closed
     */
    public boolean removePortal(InetSocketAddress address) {
        synchronized (lock) {
            requireRunning();
            for (java.util.Iterator<Channel> it = serverChannels.iterator(); it.hasNext(); ) {
                Channel c = it.next();
                if (address.equals(c.localAddress())) {
                    it.remove();
                    c.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
                    groupsByPortal.remove(address);
                    List<InetSocketAddress> now = new ArrayList<>(bound);
                    now.remove(address);
                    bound = List.copyOf(now);
                    context.portals(bound, groupsByPortal);
                    LOG.info("portal {} removed", address);
                    return true;
                }
            }
            return false;
        }
    }

    private void requireRunning() {
        if (!started || closed) {
            throw new IllegalStateException(closed ? "closed" : "not started");
        }
    }

    /** Stops accepting, closes every connection, drains in-flight I/O, closes the backstores. Idempotent. */
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            if (!started) {
                // Never started: no logical unit wraps the backstores yet, but the target still owns them.
                for (TargetConfig t : settings.targets()) {
                    for (LunConfig l : t.luns()) {
                        try {
                            l.backstore().close();
                        } catch (IOException | RuntimeException e) {
                            LOG.warn("closing a backstore of {} failed: {}", t.name(), e.toString());
                        }
                    }
                }
                return;
            }
            shutdown();
            LOG.info("iSCSI target on {} stopped", bound);
        }
    }

    /**
     * Every wait here is bounded, so a backstore call that never completes cannot hold {@link #close()}: the
     * in-flight commands and then the backstores' flushes and closes get {@link IscsiTarget.Tuning#closeTimeout()}
     * each, the network a few seconds; what is still running then is left behind with a WARN line.
     */
    private void shutdown() {
        Duration closeTimeout = settings.settings().closeTimeout();
        for (Channel c : serverChannels) {
            c.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        serverChannels.clear();
        if (channels != null) {
            channels.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        if (context != null) {
            try {
                if (!context.inFlight().awaitIdle(closeTimeout)) {
                    LOG.warn("closing with storage I/O still in flight after {} ms; its backstores are closed under it",
                            closeTimeout.toMillis());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (group != null) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        if (context != null) {
            context.closeUnits(closeTimeout);
        }
        if (events != null) {
            events.close();
        }
        if (ioExecutor != null) {
            ioExecutor.shutdown();
            try {
                ioExecutor.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Applies the connection caps at accept time: a refused channel is closed before anything is read from it;
     * an admitted one gives its share back when it closes.
     */
    private boolean admit(SocketChannel ch) {
        ConnectionLimiter limiter = context.connectionLimiter();
        InetAddress address = ch.remoteAddress() != null ? ch.remoteAddress().getAddress() : null;
        ConnectionLimiter.Ticket ticket = address == null ? null : limiter.tryAdmit(address);
        if (ticket == null) {
            LOG.debug("refusing connection from {}: {}", ch.remoteAddress(),
                    address == null ? "no remote address" : limiter.refusalReason(address));
            ch.config().setOption(ChannelOption.SO_LINGER, 0); // reset: no TIME_WAIT left behind by a flood
            ch.close();
            return false;
        }
        ch.attr(ConnectionLimiter.TICKET).set(ticket);
        ch.closeFuture().addListener(f -> ticket.release());
        return true;
    }

    private static java.util.concurrent.ThreadFactory daemonThreads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
