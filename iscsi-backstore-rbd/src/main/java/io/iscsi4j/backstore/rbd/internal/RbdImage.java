package io.iscsi4j.backstore.rbd.internal;

import com.sun.jna.CallbackThreadInitializer;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.iscsi4j.backstore.MiscompareException;
import io.iscsi4j.backstore.rbd.internal.Native.Rados;
import io.iscsi4j.backstore.rbd.internal.Native.Rbd;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One open RBD image and the cluster connection it came through: asynchronous I/O with each librbd completion
 * turned into a {@link CompletableFuture}, completed on librbd's completion thread. No Java thread waits for an I/O.
 *
 * <p>Buffers: a direct buffer's memory is handed to librbd as it is (the target's Data-In and Data-Out buffers
 * are direct), and stays referenced by the pending operation until librbd completes it; a heap buffer is staged in
 * native memory freed at the completion. A zero-length request never reaches librbd (a zero-length read aborts
 * the process inside librbd 16.2); it completes at once.
 *
 * <p>Thread-safe: librbd's image handle serves concurrent asynchronous calls.
 */
public final class RbdImage implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RbdImage.class);

    /** Pending operations of every image, by the argument their completion carries. */
    private static final ConcurrentHashMap<Long, Op> PENDING = new ConcurrentHashMap<>();
    private static final AtomicLong NEXT_ID = new AtomicLong();
    private static final Completion COMPLETION = new Completion();

    static {
        if (Native.loadFailure() == null) {
            // librbd's threads call back; keep them attached to the JVM instead of attaching them on every call.
            com.sun.jna.Native.setCallbackThreadInitializer(COMPLETION,
                    new CallbackThreadInitializer(true, false, "rbd-aio-completion"));
        }
    }

    private final long cluster;
    private final long ioctx;
    private final long image;
    private final String id;
    private final String fsid;
    private final long poolId;
    private final boolean cache;
    private final AtomicLong inFlight = new AtomicLong();
    private volatile boolean closed;
    /** Set when the cluster answered a call with EBLOCKLISTED: this client is fenced off for good. */
    private volatile boolean blocklisted;
    private volatile Runnable onUpdate;
    private final UpdateWatch watch = new UpdateWatch();
    private long watchHandle = -1;

    private RbdImage(long cluster, long ioctx, long image, String id, String fsid, long poolId, boolean cache) {
        this.cluster = cluster;
        this.ioctx = ioctx;
        this.image = image;
        this.id = id;
        this.fsid = fsid;
        this.poolId = poolId;
        this.cache = cache;
    }

    /**
     * Connects to the cluster and opens an image.
     *
     * @param conf the ceph.conf to read, or {@code null} for librados' default search
     * @param clientId the client's id without {@code client.} ({@code admin})
     * @param options more configuration ({@code rados_conf_set}), applied after the file
     * @param pool the pool
     * @param namespace the pool namespace, or {@code null}/empty for the default one
     * @param name the image's name
     * @param snapshot a snapshot to open (read-only), or {@code null}
     * @param readOnly open the image read-only
     * @return the open image
     * @throws IOException when the libraries are missing, the cluster unreachable or the image absent
     */
    public static RbdImage open(String conf, String clientId, Map<String, String> options, String pool,
            String namespace, String name, String snapshot, boolean readOnly) throws IOException {
        Throwable failure = Native.loadFailure();
        if (failure != null) {
            throw new IOException("cannot load librbd/librados (on Debian and Ubuntu: apt-get install librbd1; on "
                    + "Fedora and RHEL: dnf install librbd1): " + failure.getMessage(), failure);
        }
        long[] out = new long[1];
        check(Rados.rados_create(out, clientId), "rados_create");
        long cluster = out[0];
        long ioctx = 0;
        long image = 0;
        boolean done = false;
        try {
            if (conf != null) {
                check(Rados.rados_conf_read_file(cluster, conf), "reading " + conf);
            } else {
                check(Rados.rados_conf_read_file(cluster, null), "reading the default ceph.conf");
            }
            for (Map.Entry<String, String> e : options.entrySet()) {
                check(Rados.rados_conf_set(cluster, e.getKey(), e.getValue()), "setting " + e.getKey());
            }
            check(Rados.rados_connect(cluster), "connecting to the cluster");
            check(Rados.rados_ioctx_create(cluster, pool, out), "opening pool " + pool);
            ioctx = out[0];
            if (namespace != null && !namespace.isEmpty()) {
                Rados.rados_ioctx_set_namespace(ioctx, namespace);
            }
            int r = readOnly || snapshot != null
                    ? Rbd.rbd_open_read_only(ioctx, name, out, snapshot)
                    : Rbd.rbd_open(ioctx, name, out, snapshot);
            check(r, "opening image " + pool + "/" + name + (snapshot == null ? "" : "@" + snapshot));
            image = out[0];
            byte[] buf = new byte[128];
            check(Rbd.rbd_get_id(image, buf, buf.length), "rbd_get_id");
            String id = cString(buf);
            check(Rados.rados_cluster_fsid(cluster, buf, buf.length), "rados_cluster_fsid");
            String fsid = cString(buf);
            long poolId = Rados.rados_ioctx_get_id(ioctx);
            boolean cache = Rados.rados_conf_get(cluster, "rbd_cache", buf, buf.length) >= 0
                    && cString(buf).equals("true");
            RbdImage result = new RbdImage(cluster, ioctx, image, id, fsid, poolId, cache);
            done = true;
            return result;
        } finally {
            if (!done) {
                if (image != 0) {
                    Rbd.rbd_close(image);
                }
                if (ioctx != 0) {
                    Rados.rados_ioctx_destroy(ioctx);
                }
                Rados.rados_shutdown(cluster);
            }
        }
    }

    private static void check(int result, String what) throws IOException {
        if (result < 0) {
            throw new IOException(what + " failed: " + Errno.name(-result));
        }
    }

    private static String cString(byte[] buf) {
        int n = 0;
        while (n < buf.length && buf[n] != 0) {
            n++;
        }
        return new String(buf, 0, n, StandardCharsets.US_ASCII);
    }

    /** {@return the image's id, unique within its pool and kept across renames} */
    public String id() {
        return id;
    }

    /** {@return the cluster's fsid} */
    public String fsid() {
        return fsid;
    }

    /**
     * {@return this client's addresses, as the cluster knows them (what {@code ceph osd blocklist add} takes)}
     *
     * @throws IOException when librados fails
     */
    public String clientAddress() throws IOException {
        enter();
        try {
            long[] out = new long[1];
            check(Rados.rados_getaddrs(cluster, out), "rados_getaddrs");
            return new Pointer(out[0]).getString(0, StandardCharsets.US_ASCII.name());
        } finally {
            inFlight.decrementAndGet();
        }
    }

    /** {@return the pool's id} */
    public long poolId() {
        return poolId;
    }

    /** RBD_FEATURE_EXCLUSIVE_LOCK. */
    private static final long FEATURE_EXCLUSIVE_LOCK = 1L << 2;

    /**
     * {@return whether the image has the exclusive-lock feature (writers take turns holding the lock), or
     * {@code false} when that cannot be read}
     */
    public boolean exclusiveLock() {
        long[] features = new long[1];
        return Rbd.rbd_get_features(image, features) == 0 && (features[0] & FEATURE_EXCLUSIVE_LOCK) != 0;
    }

    /** {@return whether librbd's write-back cache is on ({@code rbd_cache}): writes need a flush to be durable} */
    public boolean cached() {
        return cache;
    }

    /**
     * {@return the image's size in bytes, as librbd knows it now (it refreshes the header first when another client
     * changed it)}
     *
     * @throws IOException when librbd fails
     */
    public long size() throws IOException {
        enter();
        try {
            long[] out = new long[1];
            check(Rbd.rbd_get_size(image, out), "rbd_get_size");
            return out[0];
        } finally {
            inFlight.decrementAndGet();
        }
    }

    /**
     * Counts a synchronous call as in flight, so {@link #close} waits for it and no call reaches librbd after
     * {@code rbd_close}; the caller decrements {@link #inFlight} when done.
     */
    private void enter() throws IOException {
        if (!tryEnter()) {
            throw new IOException("the RBD image " + id + " is closed");
        }
    }

    /**
     * Counts a call on this image's cluster connection as in flight (a synchronous call until it returns, an
     * asynchronous one until it completes), so {@link #close} waits for it and no call reaches librados after
     * {@code rados_shutdown}. Every {@code true} must be followed by one {@link #exit()}.
     *
     * @return {@code false} when the image is closed (nothing counted; make no call)
     */
    boolean tryEnter() {
        inFlight.incrementAndGet();
        if (closed) {
            inFlight.decrementAndGet();
            return false;
        }
        return true;
    }

    /** Ends a call counted by {@link #tryEnter()}. */
    void exit() {
        inFlight.decrementAndGet();
    }

    /** {@return the {@code rados_t} (valid while a call is counted by {@link #tryEnter()})} */
    long cluster() {
        return cluster;
    }

    /** {@return the pool's {@code rados_ioctx_t}, in the image's namespace (valid while a call is counted)} */
    long ioctx() {
        return ioctx;
    }

    /**
     * {@return this client's global id ({@code client.ID}), what watch/notify names clients by}
     *
     * @throws IOException when the image is closed
     */
    long instanceId() throws IOException {
        enter();
        try {
            return Rados.rados_get_instance_id(cluster);
        } finally {
            inFlight.decrementAndGet();
        }
    }

    /**
     * Notes that the cluster answered a call with EBLOCKLISTED: this client was fenced off. From then on every I/O
     * fails NOT READY without reaching librbd, even after the blocklist entry expires: a fenced gateway's view of
     * the image (and of the state it shares with other gateways) is stale, and only a new client (the backstore
     * opened again) may write.
     *
     * @param result a call's return value
     */
    void noteResult(long result) {
        if (result == -Errno.ESHUTDOWN && !blocklisted) {
            blocklisted = true;
            LOG.error("RBD image {}: this client was blocklisted (fenced off by another gateway or an operator); "
                    + "its I/O fails from now on, open the image again to serve it", id);
        }
    }

    /** {@return whether the cluster blocklisted this client (see {@link #noteResult})} */
    public boolean blocklisted() {
        return blocklisted;
    }

    /**
     * Calls {@code listener} (on a librbd thread; it must not call librbd there) whenever the image's header changes,
     * for example after {@code rbd resize} from any client.
     *
     * @param listener what to call
     * @throws IOException when librbd cannot set up the watch
     */
    public synchronized void watch(Runnable listener) throws IOException {
        if (watchHandle != -1) {
            throw new IllegalStateException("already watched");
        }
        onUpdate = listener;
        long[] out = new long[1];
        check(Rbd.rbd_update_watch(image, out, watch, 0), "rbd_update_watch");
        watchHandle = out[0];
    }

    /** Reads {@code dst.remaining()} bytes at {@code offset} into {@code dst} from its position. */
    public CompletableFuture<Void> read(long offset, ByteBuffer dst, long lba) {
        Op op = new Op(this, "rbd_aio_read", lba, false);
        int length = dst.remaining();
        if (length == 0) {
            return done(op);
        }
        long address = op.address(dst, true);
        long c = op.start();
        if (c != 0) {
            op.submitted(Rbd.rbd_aio_read(image, offset, length, address, c));
        }
        return op.future;
    }

    /** Writes {@code src.remaining()} bytes from its position at {@code offset}. */
    public CompletableFuture<Void> write(long offset, ByteBuffer src, long lba) {
        Op op = new Op(this, "rbd_aio_write", lba, true);
        int length = src.remaining();
        if (length == 0) {
            return done(op);
        }
        long address = op.address(src, false);
        long c = op.start();
        if (c != 0) {
            op.submitted(Rbd.rbd_aio_write(image, offset, length, address, c));
        }
        return op.future;
    }

    /** Flushes librbd's cache: every write completed before is durable when the future completes. */
    public CompletableFuture<Void> flush() {
        Op op = new Op(this, "rbd_aio_flush", 0, true);
        long c = op.start();
        if (c != 0) {
            op.submitted(Rbd.rbd_aio_flush(image, c));
        }
        return op.future;
    }

    /** Zeroes {@code length} bytes at {@code offset}, deallocating whole objects (they read as zeros). */
    public CompletableFuture<Void> writeZeroes(long offset, long length, long lba) {
        Op op = new Op(this, "rbd_aio_write_zeroes", lba, true);
        if (length == 0) {
            return done(op);
        }
        long c = op.start();
        if (c != 0) {
            op.submitted(Rbd.rbd_aio_write_zeroes(image, offset, length, c, 0, 0));
        }
        return op.future;
    }

    /** Writes {@code block} repeatedly over {@code length} bytes at {@code offset} (a multiple of its size). */
    public CompletableFuture<Void> writeSame(long offset, long length, ByteBuffer block, long lba) {
        Op op = new Op(this, "rbd_aio_writesame", lba, true);
        if (length == 0) {
            return done(op);
        }
        int blockLength = block.remaining();
        long address = op.address(block, false);
        long c = op.start();
        if (c != 0) {
            op.submitted(Rbd.rbd_aio_writesame(image, offset, length, address, blockLength, c, 0));
        }
        return op.future;
    }

    /**
     * Writes {@code data} at {@code offset} only if the image holds {@code expected} there, atomically for every
     * client of the image; on a difference the future fails with {@link MiscompareException} whose offset is that of
     * the first differing byte from {@code offset}.
     */
    public CompletableFuture<Void> compareAndWrite(long offset, ByteBuffer expected, ByteBuffer data, long lba) {
        Op op = new Op(this, "rbd_aio_compare_and_write", lba, true);
        int length = data.remaining();
        if (length == 0) {
            return done(op);
        }
        long expectedAddress = op.address(expected, false);
        long dataAddress = op.address(data, false);
        op.mismatch = new Memory(8);
        op.mismatch.setLong(0, -1);
        op.compareOffset = offset;
        long c = op.start();
        if (c != 0) {
            op.submitted((int) Rbd.rbd_aio_compare_and_write(image, offset, length, expectedAddress, dataAddress, c,
                    Pointer.nativeValue(op.mismatch), 0));
        }
        return op.future;
    }

    /**
     * Lists, synchronously, the extents from {@code offset} over {@code length} bytes that hold data.
     *
     * @param offset where to start
     * @param length how far to look
     * @param extents called for each extent holding data, in order: offset, length and whether it exists
     * @throws IOException when librbd fails
     */
    public void allocated(long offset, long length, ExtentConsumer extents) throws IOException {
        DiffCollector collector = new DiffCollector(extents);
        enter();
        try {
            check(Rbd.rbd_diff_iterate2(image, null, offset, length, (byte) 1, (byte) 0, collector, 0),
                    "rbd_diff_iterate2");
        } finally {
            inFlight.decrementAndGet();
        }
    }

    /** Receives extents from {@link #allocated}. */
    @FunctionalInterface
    public interface ExtentConsumer {
        /**
         * One extent.
         *
         * @param offset its byte offset
         * @param length its length in bytes
         * @param exists whether it holds data
         */
        void extent(long offset, long length, boolean exists);
    }

    private CompletableFuture<Void> done(Op op) {
        op.future.complete(null);
        return op.future;
    }

    /**
     * Waits (up to {@code timeoutMillis}) for the operations in flight, then closes the image and the connection.
     * Idempotent.
     */
    public void close(long timeoutMillis) {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (inFlight.get() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (inFlight.get() > 0) {
            // librbd waits for them in rbd_close; their completions then fail nothing (the target has given up).
            LOG.warn("closing RBD image {} with {} operations in flight", id, inFlight.get());
        }
        synchronized (this) {
            if (watchHandle != -1) {
                Rbd.rbd_update_unwatch(image, watchHandle);
                watchHandle = -1;
            }
        }
        Rbd.rbd_close(image);
        Rados.rados_ioctx_destroy(ioctx);
        Rados.rados_shutdown(cluster);
    }

    @Override
    public void close() {
        close(30_000);
    }

    /** One asynchronous call: its future, the buffers it lent to librbd and where a read's data must go. */
    private static final class Op {
        final RbdImage owner;
        final String what;
        final long lba;
        final boolean writing;
        final CompletableFuture<Void> future = new CompletableFuture<>();
        long id;
        /** A direct buffer whose memory librbd uses, kept reachable until the completion. */
        ByteBuffer lent;
        ByteBuffer lentToo;
        /** Native memory staging a heap buffer, freed at the completion. */
        Memory staging;
        Memory stagingToo;
        /** A heap buffer a read must fill from {@link #staging}. */
        ByteBuffer copyBack;
        /** COMPARE AND WRITE: where librbd puts the mismatch's offset, and the request's offset. */
        Memory mismatch;
        long compareOffset;

        Op(RbdImage owner, String what, long lba, boolean writing) {
            this.owner = owner;
            this.what = what;
            this.lba = lba;
            this.writing = writing;
        }

        /** The native address of {@code buffer}'s remaining bytes, staging a heap buffer. */
        long address(ByteBuffer buffer, boolean read) {
            int length = buffer.remaining();
            if (buffer.isDirect()) {
                if (lent == null) {
                    lent = buffer;
                } else {
                    lentToo = buffer;
                }
                return Pointer.nativeValue(com.sun.jna.Native.getDirectBufferPointer(buffer)) + buffer.position();
            }
            Memory memory = new Memory(length);
            if (read) {
                copyBack = buffer;
            } else {
                memory.getByteBuffer(0, length).put(buffer.duplicate());
            }
            if (staging == null) {
                staging = memory;
            } else {
                stagingToo = memory;
            }
            return Pointer.nativeValue(memory);
        }

        /** Registers the operation and creates its completion; {@code 0} when that failed (the future has failed). */
        long start() {
            // Counted before the check: close() sets closed, then waits for the count, so an operation either
            // sees closed or is waited for; none reaches librbd after rbd_close.
            owner.inFlight.incrementAndGet();
            if (owner.closed) {
                owner.inFlight.decrementAndGet();
                fail(-Errno.ENXIO);
                return 0;
            }
            if (owner.blocklisted) {
                owner.inFlight.decrementAndGet();
                fail(-Errno.ESHUTDOWN);
                return 0;
            }
            id = NEXT_ID.incrementAndGet();
            PENDING.put(id, this);
            long[] out = new long[1];
            int r = Rbd.rbd_aio_create_completion(id, COMPLETION, out);
            if (r < 0) {
                PENDING.remove(id);
                owner.inFlight.decrementAndGet();
                fail(r);
                return 0;
            }
            return out[0];
        }

        /** The call's own return value: a negative one means librbd refused it and will not complete it. */
        void submitted(int result) {
            if (result < 0 && PENDING.remove(id) != null) {
                owner.inFlight.decrementAndGet();
                fail(result);
            }
        }

        void completed(long result) {
            owner.inFlight.decrementAndGet();
            try {
                if (result < 0) {
                    fail(result);
                    return;
                }
                if (copyBack != null) {
                    copyBack.duplicate().put(staging.getByteBuffer(0, copyBack.remaining()));
                }
            } catch (RuntimeException e) {
                free();
                future.completeExceptionally(e);
                return;
            }
            free();
            future.complete(null);
        }

        private void fail(long result) {
            owner.noteResult(result);
            Exception failure;
            if (result == -Errno.EILSEQ && mismatch != null) {
                long at = mismatch.getLong(0);
                failure = new MiscompareException(at >= compareOffset ? at - compareOffset : Math.max(at, 0),
                        "COMPARE AND WRITE miscompare");
            } else {
                failure = Errno.toException(result, what, lba, writing);
            }
            free();
            future.completeExceptionally(failure);
        }

        private void free() {
            lent = null;
            lentToo = null;
            if (staging != null) {
                staging.close();
                staging = null;
            }
            if (stagingToo != null) {
                stagingToo.close();
                stagingToo = null;
            }
            if (mismatch != null) {
                mismatch.close();
                mismatch = null;
            }
        }
    }

    /** librbd's completion callback, one instance for every operation; runs on librbd's threads. */
    public static final class Completion implements Native.CompletionCallback {
        @Override
        public void invoke(long completion, long arg) {
            try {
                long result = Rbd.rbd_aio_get_return_value(completion);
                Rbd.rbd_aio_release(completion);
                Op op = PENDING.remove(arg);
                if (op != null) {
                    op.completed(result);
                }
            } catch (Throwable t) { // nothing may propagate into librbd
                LOG.error("RBD completion failed", t);
            }
        }
    }

    /** The image's update watch: hands the event to the listener. */
    public final class UpdateWatch implements Native.UpdateCallback {
        @Override
        public void invoke(long arg) {
            Runnable listener = onUpdate;
            if (listener != null) {
                try {
                    listener.run();
                } catch (Throwable t) { // nothing may propagate into librbd
                    LOG.error("RBD update listener failed", t);
                }
            }
        }
    }

    /** Collects {@code rbd_diff_iterate2}'s extents. */
    public static final class DiffCollector implements Native.DiffCallback {
        private final ExtentConsumer consumer;

        DiffCollector(ExtentConsumer consumer) {
            this.consumer = consumer;
        }

        @Override
        public int invoke(long offset, long length, int exists, long arg) {
            try {
                consumer.extent(offset, length, exists != 0);
                return 0;
            } catch (RuntimeException e) {
                LOG.error("RBD extent listener failed", e);
                return -Errno.ECANCELED;
            }
        }
    }
}
