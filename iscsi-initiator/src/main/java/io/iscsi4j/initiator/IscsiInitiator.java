package io.iscsi4j.initiator;

import io.iscsi4j.initiator.internal.DiscoveryProcess;
import io.iscsi4j.initiator.internal.LoginProcess;
import io.iscsi4j.initiator.internal.SessionEngine;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The entry point: an iSCSI initiator with a name and I/O threads, which discovers targets and opens sessions.
 *
 * <pre>{@code
 * try (IscsiInitiator initiator = IscsiInitiator.builder().build()) {
 *     IscsiSession session = initiator.login(new InetSocketAddress("127.0.0.1", 3260),
 *             "iqn.2026-11.io.iscsi4j:demo", LoginOptions.builder().chap("alice", "secret").build())
 *             .toCompletableFuture().join();
 *     ...
 * }
 * }</pre>
 *
 * <p>Thread-safe. {@link #close()} closes every session it opened and, if it made them, its I/O threads.
 *
 * @since 0.1
 */
public final class IscsiInitiator implements AutoCloseable {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final String name;
    private final EventLoopGroup group;
    private final boolean ownsGroup;
    private final Set<IscsiSession> sessions = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private IscsiInitiator(Builder b) {
        this.name = b.name != null ? b.name : "iqn.2026-12.io.iscsi4j:initiator-"
                + HexFormat.of().formatHex(randomBytes(4));
        this.ownsGroup = b.group == null;
        this.group = ownsGroup ? new NioEventLoopGroup(b.ioThreads, new DefaultThreadFactory("iscsi4j-initiator",
                true)) : b.group;
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    /**
     * A new builder.
     *
     * @return a builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * This initiator's iSCSI name.
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * SendTargets discovery: logs in to a discovery session (with the options' CHAP credentials, if any), asks for
     * every target and logs out.
     *
     * @param portal the portal
     * @param options credentials and timeouts
     * @return the targets the portal reports
     */
    public CompletionStage<List<DiscoveredTarget>> discover(InetSocketAddress portal, LoginOptions options) {
        Objects.requireNonNull(portal, "portal");
        Objects.requireNonNull(options, "options");
        if (closed) {
            return CompletableFuture.failedFuture(new IscsiException("the initiator is closed"));
        }
        EventLoop loop = group.next();
        return LoginProcess.login(loop, portal, options, name, null, newIsid(), 1)
                .thenCompose(DiscoveryProcess::run);
    }

    /**
     * Logs in to a target.
     *
     * @param portal the portal
     * @param targetName the target's iSCSI name
     * @param options credentials, preferences, recovery and timeouts
     * @return the session; fails with {@link LoginException} when the target refuses
     */
    public CompletionStage<IscsiSession> login(InetSocketAddress portal, String targetName, LoginOptions options) {
        Objects.requireNonNull(portal, "portal");
        Objects.requireNonNull(targetName, "targetName");
        Objects.requireNonNull(options, "options");
        if (closed) {
            return CompletableFuture.failedFuture(new IscsiException("the initiator is closed"));
        }
        EventLoop loop = group.next();
        int initialCmdSN = RANDOM.nextInt();
        return LoginProcess.login(loop, portal, options, name, targetName, newIsid(), initialCmdSN)
                .thenApply(login -> {
                    SessionEngine[] holder = new SessionEngine[1];
                    SessionEngine engine = new SessionEngine(login, portal, options, name,
                            () -> sessions.remove(holder[0]));
                    holder[0] = engine;
                    sessions.add(engine);
                    return engine;
                });
    }

    /**
     * Logs in to the target a URL names, with its credentials.
     *
     * @param url the URL; it must name a target
     * @param base options the URL's credentials are added to
     * @return the session
     */
    public CompletionStage<IscsiSession> login(IscsiUrl url, LoginOptions base) {
        return login(url.portal(), url.requireTarget(), url.loginOptions(base));
    }

    /** A random ISID (RFC 7143 §11.12.5, type 10b "random"). */
    private static long newIsid() {
        return 0x80L << 40 | (RANDOM.nextLong() & 0xFF_FFFFL) << 16 | (RANDOM.nextInt() & 0xFFFFL);
    }

    /** Closes every session (logout, bounded by its command timeout) and the I/O threads this initiator made. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (IscsiSession session : List.copyOf(sessions)) {
            session.close();
        }
        if (ownsGroup) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Override
    public String toString() {
        return "IscsiInitiator[" + name + ", " + sessions.size() + " sessions]";
    }

    /**
     * Builds an {@link IscsiInitiator}. Not thread-safe.
     *
     * @since 0.1
     */
    public static final class Builder {
        private String name;
        private EventLoopGroup group;
        private int ioThreads = 1;

        private Builder() {
        }

        /**
         * The initiator's iSCSI name (default {@code iqn.2026-12.io.iscsi4j:initiator-} and 8 random hex digits).
         *
         * @param value an iqn., eui. or naa. name
         * @return this builder
         */
        public Builder name(String value) {
            this.name = Objects.requireNonNull(value, "name");
            return this;
        }

        /**
         * Uses a shared Netty event loop group (NIO) instead of making one; the initiator does not shut it down.
         *
         * @param value the group
         * @return this builder
         */
        public Builder eventLoopGroup(EventLoopGroup value) {
            this.group = Objects.requireNonNull(value, "group");
            return this;
        }

        /**
         * The number of I/O threads of the group the initiator makes (default 1); each session uses one.
         *
         * @param value 1 or more
         * @return this builder
         */
        public Builder ioThreads(int value) {
            if (value < 1) {
                throw new IllegalArgumentException("ioThreads must be positive: " + value);
            }
            this.ioThreads = value;
            return this;
        }

        /**
         * Makes the initiator.
         *
         * @return the initiator
         */
        public IscsiInitiator build() {
            return new IscsiInitiator(this);
        }
    }
}
