package io.iscsi4j.backstore.rbd;

import io.iscsi4j.backstore.Backstore;
import io.iscsi4j.backstore.BackstoreCapability;
import io.iscsi4j.backstore.ProvisioningExtent;
import io.iscsi4j.backstore.SharedState;
import io.iscsi4j.backstore.rbd.internal.RadosSharedState;
import io.iscsi4j.backstore.rbd.internal.RbdImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Backstore} over a Ceph RBD image, through librbd's asynchronous C API: every read, write, flush, unmap,
 * WRITE SAME and COMPARE AND WRITE is one librbd call whose completion completes the stage (on librbd's completion
 * thread); no Java thread waits for an I/O.
 *
 * <ul>
 *   <li><b>Commands.</b> READ and WRITE: {@code rbd_aio_read}/{@code rbd_aio_write}; FUA: the write, then
 *       {@code rbd_aio_flush}; SYNCHRONIZE CACHE: {@code rbd_aio_flush}; UNMAP and WRITE SAME with UNMAP:
 *       {@code rbd_aio_write_zeroes} (whole objects are deallocated, the rest zeroed, so unmapped blocks read as
 *       zeros, as the target reports); WRITE SAME: {@code rbd_aio_writesame}; COMPARE AND WRITE of one 512-byte block:
 *       {@code rbd_aio_compare_and_write}, atomic in the cluster, so it stays atomic when several gateways serve the
 *       image (longer ones: see {@link #compareAndWrite}); GET LBA STATUS: the image's allocation ({@code rbd_diff_iterate2}).</li>
 *   <li><b>Cache.</b> With librbd's cache on ({@code rbd_cache}, Ceph's default) the logical unit is write-back
 *       ({@link #hasVolatileCache()}) and initiators flush; with it off, write-through.</li>
 *   <li><b>Size.</b> The block count follows the image: a resize by any client ({@code rbd resize}) is seen through
 *       an update watch, and the logical unit reports CAPACITY DATA HAS CHANGED to every initiator
 *       ({@link #onCapacityChange}).</li>
 *   <li><b>Identity.</b> {@link #unitSerialNumber()} derives from the cluster's fsid, the pool's id and the image's
 *       id, so every process serving the image reports the same serial number and NAA designator, and two images
 *       never share one.</li>
 *   <li><b>Errors.</b> A client blocklisted by the cluster, a timed-out request (set {@code rados_osd_op_timeout},
 *       see {@link Builder#timeoutSeconds}) or an image that is gone: NOT READY; a read-only image or snapshot, or
 *       writes refused because another client holds the image's exclusive lock: DATA PROTECT / WRITE PROTECTED;
 *       EIO: MEDIUM ERROR; a miscompare: MISCOMPARE with the offset of the first differing byte; anything else:
 *       HARDWARE ERROR. A blocklisted client stays fenced: its later calls fail NOT READY without reaching the
 *       cluster, even once the blocklist entry expired; open the image again to serve it.</li>
 *   <li><b>Several gateways.</b> {@link #sharedState()} is this backstore's member of the {@link SharedState} of every
 *       gateway serving the image: records on a RADOS object next to the image, messages by watch/notify, fencing
 *       by the cluster's blocklist.</li>
 * </ul>
 *
 * <p>librbd and librados come from the host: on Debian and Ubuntu {@code apt-get install librbd1}. Without them
 * {@link Builder#open()} fails with a message that says so.
 *
 * @since 0.1
 */
public final class RbdBackstore implements Backstore {

    private static final Logger LOG = LoggerFactory.getLogger(RbdBackstore.class);

    /** GET LBA STATUS looks at most this many bytes per call (the initiator asks again from where it ended). */
    private static final long STATUS_WINDOW = 1L << 30;

    /** The one length librbd 16.2 compares and writes atomically: a 512-byte sector. */
    private static final int NATIVE_COMPARE_AND_WRITE = 512;

    private final RbdImage image;
    private final int blockSize;
    private final boolean readOnly;
    private final String name;
    private final int timeoutSeconds;
    private SharedState sharedState; // guarded by this
    private boolean closed; // guarded by this
    private final String serial;
    private volatile long size;
    private final List<Runnable> capacityListeners = new CopyOnWriteArrayList<>();
    /** Re-reads the size after an update event (librbd may not be called on its callback thread). */
    private final ExecutorService watcher;

    private RbdBackstore(RbdImage image, int blockSize, boolean readOnly, String name, int timeoutSeconds)
            throws IOException {
        this.image = image;
        this.blockSize = blockSize;
        this.readOnly = readOnly;
        this.name = name;
        this.timeoutSeconds = timeoutSeconds;
        this.serial = serialOf(image.fsid(), image.poolId(), image.id());
        this.size = image.size();
        if (size < blockSize) {
            throw new IOException("image " + name + " is smaller than one block (" + size + " bytes)");
        }
        this.watcher = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "rbd-watch-" + name);
            t.setDaemon(true);
            return t;
        });
        image.watch(this::imageUpdated);
    }

    /** {@return a builder for opening an image} */
    public static Builder builder() {
        return new Builder();
    }

    /** A 32-hex-digit serial from a SHA-256 of the cluster, pool and image ids. */
    static String serialOf(String fsid, long poolId, String imageId) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256")
                    .digest((fsid + "/" + poolId + "/" + imageId).getBytes(StandardCharsets.US_ASCII));
            StringBuilder b = new StringBuilder(32);
            for (int i = 0; i < 16; i++) {
                b.append(Character.forDigit((hash[i] >> 4) & 0xF, 16)).append(Character.forDigit(hash[i] & 0xF, 16));
            }
            return b.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is a required JDK algorithm", e);
        }
    }

    /** librbd's update watch fired (on its thread): the size is read on ours. */
    private void imageUpdated() {
        try {
            watcher.execute(this::refreshSize);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closing: the size no longer matters
        }
    }

    private void refreshSize() {
        long now;
        try {
            now = image.size();
        } catch (IOException e) {
            LOG.warn("RBD image {}: cannot read its size after an update: {}", name, e.getMessage());
            return;
        }
        long before = size;
        if (now == before) {
            return;
        }
        size = now;
        LOG.info("RBD image {} resized from {} to {} bytes", name, before, now);
        if (now / blockSize != before / blockSize) {
            for (Runnable listener : capacityListeners) {
                try {
                    listener.run();
                } catch (RuntimeException e) {
                    LOG.error("capacity listener failed", e);
                }
            }
        }
    }

    /** {@return the image's id in its pool (kept across renames)} */
    public String imageId() {
        return image.id();
    }

    /**
     * The address this process's cluster client has, as the cluster knows it: what an operator blocklists to fence
     * this gateway off the image ({@code ceph osd blocklist add ADDRESS}); its commands then end NOT READY.
     *
     * @return the address, for example {@code [v2:127.0.0.1:0/1234,v1:127.0.0.1:0/1234]}
     * @throws IOException when librados cannot tell
     */
    public String clientAddress() throws IOException {
        return image.clientAddress();
    }

    /**
     * This backstore's member of the state shared by every gateway serving the image (each a process, or a
     * backstore, with its own cluster connection): created on the first call, closed with the backstore.
     *
     * <ul>
     *   <li><b>Records</b> live in the omap of one RADOS object next to the image (same pool and namespace), named
     *       from the image's id so that a rename keeps it: {@code iscsi4j.<image id>.state}. A compare-and-set is one
     *       RADOS operation, atomic on the OSD; the records survive every gateway ({@link SharedState#persistent()}
     *       is {@code true}).</li>
     *   <li><b>Member id</b>: the cluster client's address, {@link #clientAddress()}.</li>
     *   <li><b>Messages</b>: watch/notify on that object; a member answers when its handler's stage completes. A
     *       broadcast's timeout is rounded up to whole seconds (the OSD counts notify timeouts in seconds).</li>
     *   <li><b>Fencing</b> blocklists the member's client address ({@code ceph osd blocklist add}, for the
     *       cluster's default expiry, one hour) and completes once this client has the OSD map with the entry, so
     *       every OSD refuses the fenced client's later operations. The fenced gateway's calls then fail NOT READY,
     *       and keep failing after the entry expires: it must open the image again (a new client) to serve.</li>
     * </ul>
     *
     * <p>Several gateways need librbd's cache off ({@code option("rbd_cache", "false")}; the LUN is then
     * write-through): each client's cache would keep serving data another gateway has overwritten since, and a write
     * acknowledged from one gateway's cache would not be seen through another. This method refuses an image opened
     * with the cache on.
     *
     * <p>The first call blocks for two round trips to the cluster (registering this member, then watching); with
     * {@link Builder#timeoutSeconds} every later call is bounded by that timeout.
     *
     * @return the member; the backstore closes it
     * @throws IOException when the cluster refuses or the backstore is closed
     * @throws IllegalStateException when the image was opened with librbd's cache on
     * @since 0.2
     */
    public synchronized SharedState sharedState() throws IOException {
        if (closed) {
            throw new IOException("the RBD backstore " + name + " is closed");
        }
        if (image.cached()) {
            throw new IllegalStateException("the RBD image " + name + " is open with librbd's cache on: several"
                    + " gateways need it off (open with option(\"rbd_cache\", \"false\")), or one gateway's cache"
                    + " serves reads that another gateway's writes made stale");
        }
        if (sharedState == null) {
            sharedState = RadosSharedState.open(image, name, timeoutSeconds);
            if (image.exclusiveLock()) {
                LOG.warn("RBD image {} has the exclusive-lock feature: gateways writing it at once pass the lock"
                        + " back and forth, and one that dies holding it stalls the others' writes until the cluster"
                        + " notices (osd_client_watch_timeout, 30 s by default). Serve it active/optimized through"
                        + " one gateway and non-optimized through the others, or disable the feature"
                        + " (rbd feature disable {} exclusive-lock, with object-map and fast-diff first)", name, name);
            }
        }
        return sharedState;
    }

    @Override
    public int blockSize() {
        return blockSize;
    }

    @Override
    public long blockCount() {
        return size / blockSize;
    }

    @Override
    public boolean isReadOnly() {
        return readOnly;
    }

    @Override
    public boolean hasVolatileCache() {
        return image.cached();
    }

    @Override
    public Set<BackstoreCapability> capabilities() {
        return readOnly ? Set.of() : Set.of(BackstoreCapability.UNMAP, BackstoreCapability.THIN_PROVISIONING);
    }

    @Override
    public String unitSerialNumber() {
        return serial;
    }

    @Override
    public void onCapacityChange(Runnable listener) {
        capacityListeners.add(Objects.requireNonNull(listener, "listener"));
    }

    @Override
    public CompletionStage<Void> read(long lba, ByteBuffer dst) {
        return image.read(lba * blockSize, dst, lba);
    }

    @Override
    public CompletionStage<Void> write(long lba, ByteBuffer src, boolean fua) {
        CompletableFuture<Void> written = image.write(lba * blockSize, src, lba);
        return fua ? written.thenCompose(v -> image.flush()) : written;
    }

    @Override
    public CompletionStage<Void> flush() {
        return image.flush();
    }

    @Override
    public CompletionStage<Void> unmap(long lba, long blocks) {
        return image.writeZeroes(lba * blockSize, blocks * blockSize, lba);
    }

    @Override
    public CompletionStage<Void> writeSame(long lba, long blocks, ByteBuffer block, boolean fua) {
        CompletableFuture<Void> written = image.writeSame(lba * blockSize, blocks * blockSize, block, lba);
        return fua ? written.thenCompose(v -> image.flush()) : written;
    }

    /**
     * One 512-byte block: {@code rbd_aio_compare_and_write}, atomic in the cluster (what VMware's ATS locking and
     * other cluster locks send). Larger requests: librbd 16.2 refuses a compare-and-write that crosses a 512-byte
     * sector, so they are read, compared and written by the default, atomic against this process's other commands
     * but not against other clients of the image.
     */
    @Override
    public CompletionStage<Void> compareAndWrite(long lba, ByteBuffer expected, ByteBuffer data, boolean fua) {
        if (data.remaining() != NATIVE_COMPARE_AND_WRITE) {
            return Backstore.super.compareAndWrite(lba, expected, data, fua);
        }
        CompletableFuture<Void> written = image.compareAndWrite(lba * blockSize, expected, data, lba);
        return fua ? written.thenCompose(v -> image.flush()) : written;
    }

    @Override
    public CompletionStage<List<ProvisioningExtent>> provisioningStatus(long lba, long maxBlocks) {
        long offset = lba * blockSize;
        long length = Math.min(Math.min(maxBlocks, blockCount() - lba) * blockSize, STATUS_WINDOW);
        List<ProvisioningExtent> extents = new ArrayList<>();
        long[] next = {offset}; // the first byte not yet reported
        try {
            image.allocated(offset, length, (at, len, exists) -> {
                long start = Math.max(at, next[0]);
                long end = Math.min(at + len, offset + length);
                if (end <= start) {
                    return;
                }
                if (start > next[0]) {
                    add(extents, next[0], start, true);
                }
                add(extents, start, end, !exists);
                next[0] = end;
            });
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
        if (next[0] < offset + length) {
            add(extents, next[0], offset + length, true);
        }
        return CompletableFuture.completedFuture(List.copyOf(extents));
    }

    /** Appends the blocks of bytes [from, to) to the extents, merged with the last one in the same state. */
    private void add(List<ProvisioningExtent> extents, long from, long to, boolean deallocated) {
        // An extent's ends are rounded outwards to whole blocks only for data (a partly written block is mapped).
        long first = deallocated ? (from + blockSize - 1) / blockSize : from / blockSize;
        long end = deallocated ? to / blockSize : (to + blockSize - 1) / blockSize;
        if (!extents.isEmpty()) {
            ProvisioningExtent last = extents.get(extents.size() - 1);
            first = Math.max(first, last.end());
            if (end <= first) {
                return;
            }
            if (last.deallocated() == deallocated) {
                extents.set(extents.size() - 1, new ProvisioningExtent(last.lba(), end - last.lba(), deallocated));
                return;
            }
        }
        if (end > first) {
            extents.add(new ProvisioningExtent(first, end - first, deallocated));
        }
    }

    @Override
    public void close() {
        SharedState shared;
        synchronized (this) {
            closed = true;
            shared = sharedState;
        }
        if (shared != null) {
            shared.close(); // unwatches before the cluster connection goes
        }
        watcher.shutdown(); // a size refresh under way ends first: the image counts it and waits for it
        try {
            watcher.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        image.close();
    }

    @Override
    public String toString() {
        return "RbdBackstore[" + name + ", " + size + " bytes]";
    }

    /**
     * Opens an RBD image. Required: {@link #image}. Everything else has a default.
     *
     * @since 0.1
     */
    public static final class Builder {
        private String pool = "rbd";
        private String namespace = "";
        private String image;
        private String snapshot;
        private boolean readOnly;
        private String conf;
        private String clientId = "admin";
        private int blockSize = 512;
        private int timeoutSeconds;
        private final Map<String, String> options = new LinkedHashMap<>();

        private Builder() {
        }

        /**
         * The pool. Default {@code rbd}.
         *
         * @param value the pool's name
         * @return this
         */
        public Builder pool(String value) {
            this.pool = Objects.requireNonNull(value, "pool");
            return this;
        }

        /**
         * The pool namespace. Default: none.
         *
         * @param value the namespace, empty for none
         * @return this
         */
        public Builder namespace(String value) {
            this.namespace = Objects.requireNonNull(value, "namespace");
            return this;
        }

        /**
         * The image's name. Required.
         *
         * @param value the name
         * @return this
         */
        public Builder image(String value) {
            this.image = Objects.requireNonNull(value, "image");
            return this;
        }

        /**
         * Serves a snapshot of the image (read-only). Default: the image itself.
         *
         * @param value the snapshot's name
         * @return this
         */
        public Builder snapshot(String value) {
            this.snapshot = Objects.requireNonNull(value, "snapshot");
            return this;
        }

        /**
         * Opens the image read-only (the logical unit is write-protected). Default {@code false}.
         *
         * @param value whether to open read-only
         * @return this
         */
        public Builder readOnly(boolean value) {
            this.readOnly = value;
            return this;
        }

        /**
         * The Ceph configuration file. Default: the {@code CEPH_CONF} environment variable, else librados' own
         * search ({@code /etc/ceph/ceph.conf}, {@code ~/.ceph/config}, {@code ./ceph.conf}).
         *
         * @param path the file
         * @return this
         */
        public Builder conf(String path) {
            this.conf = Objects.requireNonNull(path, "conf");
            return this;
        }

        /**
         * The Ceph client id, without {@code client.}. Default {@code admin}.
         *
         * @param value the id
         * @return this
         */
        public Builder clientId(String value) {
            this.clientId = Objects.requireNonNull(value, "clientId");
            return this;
        }

        /**
         * The logical block size the initiators see. Default 512.
         *
         * @param bytes a power of two from 512 to 65536
         * @return this
         */
        public Builder blockSize(int bytes) {
            if (bytes < 512 || bytes > 65536 || Integer.bitCount(bytes) != 1) {
                throw new IllegalArgumentException("blockSize must be a power of two from 512 to 65536: " + bytes);
            }
            this.blockSize = bytes;
            return this;
        }

        /**
         * Bounds every request to the cluster: a request to the OSDs or the monitors that takes longer fails, and
         * the command ends NOT READY instead of waiting for a cluster that does not answer
         * ({@code rados_osd_op_timeout}, {@code rados_mon_op_timeout}). It bounds each call of the
         * {@link RbdBackstore#sharedState() shared state} as well (a broadcast: its own timeout plus this one).
         * Default: librados' (no timeout).
         *
         * @param seconds the timeout, at least 1
         * @return this
         */
        public Builder timeoutSeconds(int seconds) {
            if (seconds < 1) {
                throw new IllegalArgumentException("timeoutSeconds must be at least 1: " + seconds);
            }
            options.put("rados_osd_op_timeout", Integer.toString(seconds));
            options.put("rados_mon_op_timeout", Integer.toString(seconds));
            this.timeoutSeconds = seconds;
            return this;
        }

        /**
         * Sets a librados or librbd configuration option, after the configuration file is read (for example
         * {@code rbd_cache=false}).
         *
         * @param key the option's name
         * @param value its value
         * @return this
         */
        public Builder option(String key, String value) {
            options.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * Connects to the cluster and opens the image.
         *
         * @return the backstore, owned by the caller (a target closes the backstores it serves)
         * @throws IOException when librbd is not installed, the cluster cannot be reached, or the image cannot be
         *     opened; the message says which
         * @throws IllegalStateException when no image was named
         */
        public RbdBackstore open() throws IOException {
            if (image == null) {
                throw new IllegalStateException("image is required");
            }
            String file = conf != null ? conf : System.getenv("CEPH_CONF");
            boolean ro = readOnly || snapshot != null;
            RbdImage opened = RbdImage.open(file, clientId, options, pool, namespace, image, snapshot, ro);
            String name = pool + "/" + (namespace.isEmpty() ? "" : namespace + "/") + image
                    + (snapshot == null ? "" : "@" + snapshot);
            try {
                return new RbdBackstore(opened, blockSize, ro, name, timeoutSeconds);
            } catch (IOException | RuntimeException e) {
                opened.close();
                throw e;
            }
        }
    }
}
