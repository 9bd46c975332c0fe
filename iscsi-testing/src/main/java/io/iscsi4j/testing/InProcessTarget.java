package io.iscsi4j.testing;

import io.iscsi4j.IscsiTarget;
import io.iscsi4j.backstore.Backstore;
import io.iscsi4j.backstore.Backstores;
import io.iscsi4j.initiator.BlockDevice;
import io.iscsi4j.initiator.IscsiException;
import io.iscsi4j.initiator.IscsiInitiator;
import io.iscsi4j.initiator.IscsiSession;
import io.iscsi4j.initiator.LoginOptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * An iSCSI target running inside the test's JVM on {@code 127.0.0.1} and a free port: one target name, LUNs 0 to
 * n-1, each LUN a {@link RecordingBackstore} over a {@link FaultPolicy} over the storage (memory by default).
 * Starting and closing take milliseconds, so a test may use a fresh target each time.
 *
 * <pre>{@code
 * try (InProcessTarget target = InProcessTarget.builder().lun(64 << 20).start()) {
 *     myBackupTool.copy(target.url(0), ...);                   // iscsi://127.0.0.1:PORT/IQN/0
 *     assertEquals(RecordedCommand.Type.WRITE, target.backstore(0).takeCommand(Duration.ofSeconds(5)).type());
 *     target.faults().mediumError(2048, 8);                   // the next read there fails
 * }
 * }</pre>
 *
 * <p>Usually started by {@link IscsiTargetExtension} or {@link IscsiTest}. Thread-safe.
 *
 * @since 0.1
 */
public final class InProcessTarget implements AutoCloseable {

    /** The target name used unless {@link Builder#iqn(String)} sets another. */
    public static final String DEFAULT_IQN = "iqn.2026-11.io.iscsi4j:test";

    /** The size of the LUN a target gets when the builder adds none: 64 MiB. */
    public static final long DEFAULT_LUN_BYTES = 64L << 20;

    private final IscsiTarget target;
    private final String iqn;
    private final List<RecordingBackstore> backstores;
    private final FaultPolicy faults;
    private final String chapUser;
    private final String chapSecret;
    private final String mutualUser;
    private final String mutualSecret;
    private final Object clientLock = new Object();
    private IscsiInitiator initiator;
    private IscsiSession client;
    private boolean closed;

    private InProcessTarget(IscsiTarget target, String iqn, List<RecordingBackstore> backstores, FaultPolicy faults,
                            String chapUser, String chapSecret, String mutualUser, String mutualSecret) {
        this.target = target;
        this.iqn = iqn;
        this.backstores = backstores;
        this.faults = faults;
        this.chapUser = chapUser;
        this.chapSecret = chapSecret;
        this.mutualUser = mutualUser;
        this.mutualSecret = mutualSecret;
    }

    /**
     * A new builder.
     *
     * @return a builder for a target without LUNs yet (one {@link #DEFAULT_LUN_BYTES} LUN unless some are added)
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The bound portal.
     *
     * @return {@code 127.0.0.1} and the port the target listens on
     */
    public InetSocketAddress portal() {
        return target.localAddress();
    }

    /**
     * The portal as {@code host:port}, as iscsiadm and libiscsi's tools take it.
     *
     * @return for example {@code 127.0.0.1:41234}
     */
    public String hostPort() {
        return "127.0.0.1:" + port();
    }

    /**
     * The bound port.
     *
     * @return the TCP port
     */
    public int port() {
        return portal().getPort();
    }

    /**
     * The target's iSCSI name.
     *
     * @return the IQN, lower case
     */
    public String iqn() {
        return iqn;
    }

    /**
     * A libiscsi / QEMU URL of a LUN, without credentials.
     *
     * @param lun the LUN
     * @return {@code iscsi://127.0.0.1:PORT/IQN/LUN}
     */
    public String url(int lun) {
        checkLun(lun);
        return "iscsi://" + hostPort() + "/" + iqn + "/" + lun;
    }

    /**
     * A libiscsi / QEMU URL of a LUN with the CHAP credentials in it, when the target requires CHAP.
     *
     * @param lun the LUN
     * @return {@code iscsi://USER%SECRET@127.0.0.1:PORT/IQN/LUN}, or {@link #url(int)} without CHAP
     */
    public String urlWithCredentials(int lun) {
        if (chapUser == null) {
            return url(lun);
        }
        checkLun(lun);
        return "iscsi://" + encode(chapUser) + "%" + encode(chapSecret) + "@" + hostPort() + "/" + iqn + "/" + lun;
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /**
     * How many LUNs the target has; they are numbered from 0.
     *
     * @return the LUN count
     */
    public int lunCount() {
        return backstores.size();
    }

    /**
     * The recording backstore of a LUN: the commands the target issued, and direct access to the contents.
     *
     * @param lun the LUN
     * @return its backstore
     */
    public RecordingBackstore backstore(int lun) {
        checkLun(lun);
        return backstores.get(lun);
    }

    /**
     * The faults this target injects; change them at any time.
     *
     * @return the target's fault policy, shared by all its LUNs
     */
    public FaultPolicy faults() {
        return faults;
    }

    /**
     * The underlying target.
     *
     * @return the running {@link IscsiTarget}
     */
    public IscsiTarget target() {
        return target;
    }

    /**
     * Releases stalled I/O, then closes the target (connections, backstores). Idempotent; never hangs on stalled
     * I/O.
     */
    @Override
    public void close() {
        faults.releaseStalled();
        IscsiInitiator toClose;
        synchronized (clientLock) {
            closed = true;
            toClose = initiator;
            initiator = null;
            client = null;
        }
        if (toClose != null) {
            toClose.close();
        }
        target.close();
    }

    /**
     * A session logged in to this target through the real iSCSI protocol (the iscsi4j initiator, no native tool):
     * made on first use, with the target's CHAP credentials (and mutual CHAP) if it has them, and closed with the
     * target. While it is open every call returns the same session; once it ended (logged out, or its connection
     * dropped without recovery) the next call logs in again.
     *
     * <pre>{@code
     * target.client().lun(0).writeBlocking(8, ByteBuffer.wrap(bytes));
     * assertThat(target.backstore(0).readBlocks(8, bytes.length / 512)).isEqualTo(bytes);
     * }</pre>
     *
     * @return the session
     * @throws IscsiException if the login fails (for example while {@link FaultPolicy#rejectLogins()} is set)
     * @throws IllegalStateException if the target is closed
     */
    public IscsiSession client() throws IscsiException {
        synchronized (clientLock) {
            if (client == null || !client.isOpen()) {
                client = connect(LoginOptions.defaults());
            }
            return client;
        }
    }

    /**
     * A block-device view of a LUN through {@link #client()}.
     *
     * @param lun the LUN
     * @return the device
     * @throws IscsiException if the login or READ CAPACITY fails
     */
    public BlockDevice clientLun(int lun) throws IscsiException {
        checkLun(lun);
        return client().lun(lun);
    }

    /**
     * A new session with this target, with options of the test's choosing (digests, recovery, other credentials);
     * the target's CHAP credentials are added when {@code options} has none. Closed with the target unless closed
     * before.
     *
     * @param options the login options
     * @return the session
     * @throws IscsiException if the login fails
     * @throws IllegalStateException if the target is closed
     */
    public IscsiSession connect(LoginOptions options) throws IscsiException {
        Objects.requireNonNull(options, "options");
        IscsiInitiator current;
        synchronized (clientLock) {
            if (closed) {
                throw new IllegalStateException("the target is closed");
            }
            if (initiator == null) {
                initiator = IscsiInitiator.builder().build();
            }
            current = initiator;
        }
        LoginOptions effective = options;
        if (chapUser != null && !options.usesChap()) {
            LoginOptions.Builder b = options.toBuilder().chap(chapUser, chapSecret);
            if (mutualUser != null) {
                b.mutualChap(mutualUser, mutualSecret);
            }
            effective = b.build();
        }
        try {
            return current.login(portal(), iqn, effective).toCompletableFuture()
                    .get(effective.loginTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IscsiException("interrupted while logging in to " + iqn, e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IscsiException ie) {
                throw ie;
            }
            throw new IscsiException("login to " + iqn + " failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new IscsiException("login to " + iqn + " timed out", e);
        }
    }

    private void checkLun(int lun) {
        if (lun < 0 || lun >= backstores.size()) {
            throw new IllegalArgumentException("no LUN " + lun + ": the target has LUNs 0.." + (backstores.size() - 1));
        }
    }

    @Override
    public String toString() {
        return "InProcessTarget[" + iqn + " on " + target.boundAddresses() + ", " + backstores.size() + " LUNs]";
    }

    /**
     * Configures and starts {@link InProcessTarget}s. Reusable: every {@link #start()} makes a new target with new,
     * empty storage. Not thread-safe.
     *
     * @since 0.1
     */
    public static final class Builder {

        private String iqn = DEFAULT_IQN;
        private final List<Supplier<? extends Backstore>> luns = new ArrayList<>();
        private String chapUser;
        private String chapSecret;
        private String mutualUser;
        private String mutualSecret;
        private final List<Consumer<IscsiTarget.Builder>> customizers = new ArrayList<>();

        Builder() {
        }

        /**
         * Sets the target name.
         *
         * @param value an iSCSI name; default {@link InProcessTarget#DEFAULT_IQN}
         * @return this
         */
        public Builder iqn(String value) {
            this.iqn = Objects.requireNonNull(value, "iqn");
            return this;
        }

        /**
         * Adds a memory LUN of 512-byte blocks, numbered after the LUNs added before.
         *
         * @param sizeBytes the capacity, a multiple of 512
         * @return this
         */
        public Builder lun(long sizeBytes) {
            return lun(sizeBytes, Backstores.DEFAULT_BLOCK_SIZE);
        }

        /**
         * Adds a memory LUN, numbered after the LUNs added before.
         *
         * @param sizeBytes the capacity, a multiple of {@code blockSize}
         * @param blockSize the logical block size, 512 or 4096 (a power of two from 512 to 65536)
         * @return this
         */
        public Builder lun(long sizeBytes, int blockSize) {
            if (blockSize < 512 || blockSize > 65536 || Integer.bitCount(blockSize) != 1) {
                throw new IllegalArgumentException("block size must be a power of two from 512 to 65536: "
                        + blockSize);
            }
            if (sizeBytes <= 0 || sizeBytes % blockSize != 0) {
                throw new IllegalArgumentException("LUN size " + sizeBytes + " is not a positive multiple of "
                        + blockSize);
            }
            luns.add(() -> Backstores.memory(sizeBytes, blockSize));
            return this;
        }

        /**
         * Adds a memory LUN given in blocks, numbered after the LUNs added before.
         *
         * @param blockSize the logical block size
         * @param blockCount the number of blocks
         * @return this
         */
        public Builder lunBlocks(int blockSize, long blockCount) {
            return lun(Math.multiplyExact(blockSize, blockCount), blockSize);
        }

        /**
         * Adds a LUN with custom storage, numbered after the LUNs added before.
         *
         * @param storage makes a new backstore for every {@link #start()}; the target closes it
         * @return this
         */
        public Builder lun(Supplier<? extends Backstore> storage) {
            luns.add(Objects.requireNonNull(storage, "storage"));
            return this;
        }

        /**
         * Requires one-way CHAP. Short secrets are accepted (this is a test target).
         *
         * @param user the CHAP name initiators send
         * @param secret the secret
         * @return this
         */
        public Builder chap(String user, String secret) {
            this.chapUser = Objects.requireNonNull(user, "user");
            this.chapSecret = Objects.requireNonNull(secret, "secret");
            return this;
        }

        /**
         * Enables mutual CHAP (needs {@link #chap}).
         *
         * @param targetUser the CHAP name the target answers with
         * @param targetSecret the target's secret
         * @return this
         */
        public Builder mutualChap(String targetUser, String targetSecret) {
            this.mutualUser = Objects.requireNonNull(targetUser, "targetUser");
            this.mutualSecret = Objects.requireNonNull(targetSecret, "targetSecret");
            return this;
        }

        /**
         * Adjusts the underlying {@link IscsiTarget.Builder} (negotiation limits, timeouts), after the kit's own
         * settings. Do not replace the portal or the interceptor.
         *
         * @param customizer changes the builder
         * @return this
         */
        public Builder configure(Consumer<IscsiTarget.Builder> customizer) {
            customizers.add(Objects.requireNonNull(customizer, "customizer"));
            return this;
        }

        /**
         * Starts a new target on {@code 127.0.0.1} and a free port.
         *
         * @return the running target
         * @throws UncheckedIOException when the port cannot be bound
         * @throws IllegalStateException when the configuration is invalid
         */
        public InProcessTarget start() {
            FaultPolicy faults = new FaultPolicy();
            List<RecordingBackstore> backstores = new ArrayList<>();
            List<Supplier<? extends Backstore>> specs = luns.isEmpty()
                    ? List.of(() -> Backstores.memory(DEFAULT_LUN_BYTES)) : luns;
            for (Supplier<? extends Backstore> spec : specs) {
                Backstore storage = Objects.requireNonNull(spec.get(), "a LUN supplier returned null");
                backstores.add(new RecordingBackstore(faults.wrap(storage), storage));
            }
            IscsiTarget.Builder b = IscsiTarget.builder()
                    .portal("127.0.0.1", 0)
                    .eventLoopThreads(1)
                    .ioThreads(2)
                    .interceptor(faults.interceptor())
                    .target(iqn, t -> {
                        for (int i = 0; i < backstores.size(); i++) {
                            t.lun(i, backstores.get(i));
                        }
                        if (chapUser != null) {
                            t.allowShortSecrets().chap(chapUser, chapSecret);
                            if (mutualUser != null) {
                                t.mutualChap(mutualUser, mutualSecret);
                            }
                        }
                    });
            customizers.forEach(c -> c.accept(b));
            IscsiTarget target = b.build();
            try {
                target.start();
            } catch (IOException e) {
                target.close();
                throw new UncheckedIOException("cannot start an in-process iSCSI target", e);
            }
            return new InProcessTarget(target, iqn.toLowerCase(Locale.ROOT), List.copyOf(backstores),
                    faults, chapUser, chapSecret, mutualUser, mutualSecret);
        }
    }
}
