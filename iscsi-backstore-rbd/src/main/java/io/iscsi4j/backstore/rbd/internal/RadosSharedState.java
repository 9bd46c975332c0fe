package io.iscsi4j.backstore.rbd.internal;

import com.sun.jna.CallbackThreadInitializer;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import com.sun.jna.StringArray;
import io.iscsi4j.backstore.NotReadyException;
import io.iscsi4j.backstore.SharedState;
import io.iscsi4j.backstore.rbd.internal.Native.Rados;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongToIntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link SharedState} of the gateways serving one RBD image, kept by the cluster itself: one RADOS object next to the
 * image (same pool and namespace), named from the image's id ({@code iscsi4j.<image id>.state}, so a rename keeps
 * it), with the records in its omap, the messages sent with watch/notify on it, and fencing by Ceph's blocklist.
 *
 * <p><b>Records.</b> Record {@code N} is two omap keys: {@code record.N} (the value) and {@code version.N} (the
 * version, 16 lowercase hex digits). Omap rather than xattrs: a 64 KiB value is what RocksDB's key/values are for
 * (BlueStore keeps every xattr of an object in its onode, rewritten whole on every change), one read operation
 * fetches just the two keys, and the comparison behaves for a record never written: {@code omap_cmp} compares a
 * missing key (or a missing object, created in the same operation) as an empty value, while {@code cmpxattr} fails a
 * missing xattr with ENOENT (both checked against Ceph 16.2). A compare-and-set is one write operation, atomic on
 * the OSD: create the object if needed, compare {@code version.N} with the expected version (the empty string for 0),
 * set the value and the version plus one. A lost race is {@code -ECANCELED}. A read is one read operation fetching
 * both keys. The pool must support omap (a replicated pool: the image's own pool is one, its data may be elsewhere).
 *
 * <p><b>Members.</b> A member's id is its RADOS client's address ({@code rados_getaddrs}), what the blocklist takes.
 * Watch/notify names clients by global id ({@code client.ID}); librados 16.2's C API cannot list an object's
 * watchers with their addresses, so each member registers {@code member.<global id>} = its address (and when it
 * registered) in the omap when it opens and removes it when it closes; a member that joins sweeps entries of clients
 * that no longer watch (crashed ones), once they are older than ten minutes.
 *
 * <p><b>Messages.</b> Each member watches the object ({@code rados_watch2}); a broadcast is one
 * {@code rados_aio_notify}, its reply buffer decoded into replies and silent members. Its timeout is rounded up to
 * whole seconds (librados hands the OSD seconds, and 0 would be the OSD's default of 30 s). A message carries its sender's
 * id and a reply its member's id ({@link #frame}). A member acknowledges its own notify at once with nothing, and
 * leaves itself out of the result. Messages reach the handler in the order librados delivers them, on a thread of
 * this member; the acknowledgement carrying the handler's reply is sent when its stage completes. A broken watch is
 * re-established (up to six attempts, backing off from half a second) with a warning; a blocklisted client stops
 * watching for good, logged as an error.
 *
 * <p><b>Fencing.</b> {@code rados_blocklist_add} of the member's address, then {@code rados_wait_for_latest_osdmap},
 * so this client's next operations carry the map with the blocklist and every OSD applies it before serving them.
 * The entry expires after the cluster's default ({@code mon_osd_blocklist_default_expire}, one hour), as librbd's
 * own lock breaking does, so one setting governs both; a fenced gateway never writes through its client again
 * ({@link RbdImage#noteResult}) and must open the image again (a new client, a new address) to serve.
 *
 * <p>Calls: every librados call is counted in flight on the {@link RbdImage} (none is made after it closed); records
 * and messages use librados' asynchronous operations. librados calls back on its own few threads, which serve every
 * completion and watch event of the client (a caller's slow continuation there would hold them all up, and a
 * blocking librados call there risks a deadlock), so the callbacks only hand over: completions finish, and stages
 * complete, on threads of this member, which also make the blocking calls (fencing, re-watching). With a backstore
 * timeout each stage is bounded by it.
 *
 * <p>Thread-safe.
 */
public final class RadosSharedState implements SharedState {

    private static final Logger LOG = LoggerFactory.getLogger(RadosSharedState.class);

    static final String RECORD_KEY = "record.";
    static final String VERSION_KEY = "version.";
    static final String MEMBER_KEY = "member.";

    /** Frame kinds: a message to the handlers, a handler's reply, and the registry sweep's ping. */
    static final byte MESSAGE = 1;
    static final byte REPLY = 2;
    static final byte PING = 3;

    /** Longest record name. */
    static final int MAX_NAME = 200;

    private static final byte CMPXATTR_OP_EQ = 1;
    private static final int CREATE_IDEMPOTENT = 0;
    private static final int REWATCH_ATTEMPTS = 6;
    private static final long REWATCH_FIRST_BACKOFF_MILLIS = 500;
    private static final long STALE_MEMBER_MILLIS = TimeUnit.MINUTES.toMillis(10);
    private static final long SWEEP_TIMEOUT_MILLIS = 5_000;
    private static final int REGISTRY_MAX = 4096;
    /** 0: the cluster's default expiry ({@code mon_osd_blocklist_default_expire}, one hour). */
    private static final int BLOCKLIST_EXPIRE_SECONDS = 0;
    private static final byte[] EMPTY = new byte[0];

    /** Asynchronous calls of every member, by the argument their completion carries. */
    private static final ConcurrentHashMap<Long, Call> PENDING = new ConcurrentHashMap<>();
    private static final AtomicLong NEXT_ID = new AtomicLong();
    private static final Completion COMPLETION = new Completion();

    static {
        if (Native.loadFailure() == null) {
            com.sun.jna.Native.setCallbackThreadInitializer(COMPLETION,
                    new CallbackThreadInitializer(true, false, "rados-aio-completion"));
        }
    }

    private final RbdImage image;
    private final String name;
    private final String oid;
    private final String memberId;
    private final long gid;
    private final long timeoutMillis;
    /** Known members: global id to member id. */
    private final Map<Long, String> members = new ConcurrentHashMap<>();
    private final ExecutorService delivery;
    /** Finishes asynchronous calls and makes the blocking ones. */
    private final ExecutorService calls;
    /** Strong references for librados, for the member's lifetime. */
    private final Notified notified = new Notified();
    private final WatchBroken watchBroken = new WatchBroken();
    /** Serialises watching, re-watching and unwatching; never taken on a librados thread. */
    private final Object watchLock = new Object();
    private volatile long cookie; // written under watchLock
    /** Successful watches so far (librados may hand a new watch the cookie of the one it just destroyed). */
    private volatile int watches; // written under watchLock
    private boolean watching; // guarded by watchLock
    private final AtomicBoolean rewatching = new AtomicBoolean();
    private volatile MessageHandler handler;
    private volatile boolean closed;
    /** The watch ended because this client was blocklisted: no message reaches this member any more. */
    private volatile boolean cutOff;

    private RadosSharedState(RbdImage image, String name, String memberId, long gid, int timeoutSeconds) {
        this.image = image;
        this.name = name;
        this.oid = objectName(image.id());
        this.memberId = memberId;
        this.gid = gid;
        this.timeoutMillis = TimeUnit.SECONDS.toMillis(timeoutSeconds);
        this.delivery = Executors.newSingleThreadExecutor(r -> thread(r, "rados-state-" + name));
        this.calls = Executors.newCachedThreadPool(r -> thread(r, "rados-state-calls-" + name));
        com.sun.jna.Native.setCallbackThreadInitializer(notified,
                new CallbackThreadInitializer(true, false, "rados-watch"));
        com.sun.jna.Native.setCallbackThreadInitializer(watchBroken,
                new CallbackThreadInitializer(true, false, "rados-watch"));
    }

    private static Thread thread(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /**
     * {@return the RADOS object holding the state of the image with this id}
     *
     * @param imageId the image's id
     */
    public static String objectName(String imageId) {
        return "iscsi4j." + imageId + ".state";
    }

    /**
     * Joins the group of the image's gateways: registers this client and watches the state object (created if
     * needed). Blocks for two round trips to the cluster.
     *
     * @param image the open image, whose cluster connection the member uses
     * @param name the image's name, for thread names and logs
     * @param timeoutSeconds the backstore's timeout bounding each call, 0 for none
     * @return the member
     * @throws IOException when the cluster refuses or the image is closed
     */
    public static RadosSharedState open(RbdImage image, String name, int timeoutSeconds) throws IOException {
        RadosSharedState state = new RadosSharedState(image, name, image.clientAddress(), image.instanceId(),
                timeoutSeconds);
        try {
            await(state.register(), state.timeoutMillis);
            state.watch();
        } catch (IOException | RuntimeException e) {
            state.close();
            throw e;
        }
        state.sweep();
        return state;
    }

    private static <T> T await(CompletableFuture<T> future, long timeoutMillis) throws IOException {
        try {
            return timeoutMillis > 0 ? future.get(timeoutMillis, TimeUnit.MILLISECONDS) : future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (TimeoutException e) {
            throw new IOException("the cluster did not answer in " + timeoutMillis + " ms", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause().getMessage(), e);
        }
    }

    @Override
    public String memberId() {
        return memberId;
    }

    @Override
    public boolean persistent() {
        return true;
    }

    // ---------------------------------------------------------------------------------------------------- records

    static String versionString(long version) {
        return String.format("%016x", version);
    }

    private static void checkName(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty() || name.length() > MAX_NAME) {
            throw new IllegalArgumentException("a record name has 1 to " + MAX_NAME + " characters: " + name);
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                throw new IllegalArgumentException("a record name is printable ASCII: " + name);
            }
        }
    }

    @Override
    public CompletionStage<Versioned> read(String record) {
        checkName(record);
        CompletableFuture<Versioned> result = new CompletableFuture<>();
        String versionKey = VERSION_KEY + record;
        String valueKey = RECORD_KEY + record;
        StringArray keys = new StringArray(new String[] {versionKey, valueKey}, StandardCharsets.US_ASCII.name());
        long op = Rados.rados_create_read_op();
        long[] iterator = new long[1];
        Rados.rados_read_op_omap_get_vals_by_keys(op, Pointer.nativeValue(keys), 2, iterator, 0);
        long iter = iterator[0];
        String what = "reading record " + record;
        boolean started = start(what, result,
                c -> Rados.rados_aio_read_op_operate(op, image.ioctx(), c, oid, 0),
                r -> {
                    try {
                        if (r == -Errno.ENOENT) {
                            return completes(result, Versioned.ABSENT); // the object was never created
                        } else if (r < 0) {
                            return fails(result, failure(r, what));
                        }
                        Map<String, byte[]> values = drain(iter);
                        byte[] version = values.get(versionKey);
                        return completes(result, version == null ? Versioned.ABSENT
                                : new Versioned(parseVersion(version), values.getOrDefault(valueKey, EMPTY)));
                    } finally {
                        Rados.rados_omap_get_end(iter);
                        Rados.rados_release_read_op(op);
                    }
                }, keys);
        if (!started) {
            Rados.rados_omap_get_end(iter);
            Rados.rados_release_read_op(op);
        }
        return bounded(result, timeoutMillis, what);
    }

    private static long parseVersion(byte[] version) {
        try {
            return Long.parseUnsignedLong(new String(version, StandardCharsets.US_ASCII), 16);
        } catch (NumberFormatException e) {
            throw new IllegalStateException("a record's version is not 16 hex digits: "
                    + new String(version, StandardCharsets.US_ASCII), e);
        }
    }

    /** Reads every key and value from an omap iterator of a completed read operation. */
    private static Map<String, byte[]> drain(long iter) {
        Map<String, byte[]> values = new LinkedHashMap<>();
        long[] key = new long[1];
        long[] value = new long[1];
        long[] keyLength = new long[1];
        long[] valueLength = new long[1];
        while (true) {
            int r = Rados.rados_omap_get_next2(iter, key, value, keyLength, valueLength);
            if (r < 0) {
                throw new IllegalStateException("rados_omap_get_next2 failed: " + Errno.name(-r));
            }
            if (key[0] == 0) {
                return values;
            }
            String k = new String(new Pointer(key[0]).getByteArray(0, (int) keyLength[0]), StandardCharsets.UTF_8);
            byte[] v = valueLength[0] == 0 ? EMPTY : new Pointer(value[0]).getByteArray(0, (int) valueLength[0]);
            values.put(k, v);
        }
    }

    @Override
    public CompletionStage<Boolean> compareAndSet(String record, long expectedVersion, byte[] value) {
        checkName(record);
        Objects.requireNonNull(value, "value");
        if (value.length > MAX_RECORD_BYTES) {
            return CompletableFuture.failedFuture(new IllegalArgumentException(
                    "record of " + value.length + " bytes exceeds " + MAX_RECORD_BYTES));
        }
        if (expectedVersion < 0 || expectedVersion == Long.MAX_VALUE) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("version " + expectedVersion));
        }
        // Version 0 is a key that does not exist, which omap_cmp compares as an empty value.
        byte[] expected = expectedVersion == 0 ? EMPTY
                : versionString(expectedVersion).getBytes(StandardCharsets.US_ASCII);
        OmapEntries entries = new OmapEntries(
                List.of(VERSION_KEY + record, RECORD_KEY + record),
                List.of(versionString(expectedVersion + 1).getBytes(StandardCharsets.US_ASCII), value));
        long op = Rados.rados_create_write_op();
        Rados.rados_write_op_create(op, CREATE_IDEMPOTENT, null);
        Rados.rados_write_op_omap_cmp(op, VERSION_KEY + record, CMPXATTR_OP_EQ, expected, expected.length, 0);
        Rados.rados_write_op_omap_set(op, entries.keys(), entries.values(), entries.lengths(), entries.count());
        CompletableFuture<Boolean> result = new CompletableFuture<>();
        String what = "replacing record " + record;
        boolean started = start(what, result,
                c -> Rados.rados_aio_write_op_operate(op, image.ioctx(), c, oid, 0, 0),
                r -> {
                    Rados.rados_release_write_op(op);
                    if (r == 0) {
                        return completes(result, true);
                    } else if (r == -Errno.ECANCELED) {
                        return completes(result, false);
                    }
                    return fails(result, failure(r, what));
                }, entries);
        if (!started) {
            Rados.rados_release_write_op(op);
        }
        return bounded(result, timeoutMillis, what);
    }

    /** Keys and values for {@code rados_write_op_omap_set}, in native memory (librados copies them). */
    private static final class OmapEntries {
        private final StringArray keys;
        private final Memory values;
        private final List<Memory> blocks = new ArrayList<>();
        private final long[] lengths;

        OmapEntries(List<String> keyList, List<byte[]> valueList) {
            keys = new StringArray(keyList.toArray(String[]::new), StandardCharsets.US_ASCII.name());
            values = new Memory(8L * valueList.size());
            lengths = new long[valueList.size()];
            for (int i = 0; i < valueList.size(); i++) {
                byte[] v = valueList.get(i);
                Memory block = new Memory(Math.max(1, v.length));
                block.write(0, v, 0, v.length);
                blocks.add(block);
                values.setPointer(8L * i, block);
                lengths[i] = v.length;
            }
        }

        long keys() {
            return Pointer.nativeValue(keys);
        }

        long values() {
            return Pointer.nativeValue(values);
        }

        long[] lengths() {
            return lengths;
        }

        long count() {
            return lengths.length;
        }
    }

    // ---------------------------------------------------------------------------------------------------- registry

    /** Writes {@code member.<gid>} = this member's id and the time, creating the object if needed. */
    private CompletableFuture<Void> register() {
        String value = memberId + "\n" + System.currentTimeMillis();
        OmapEntries entries = new OmapEntries(List.of(MEMBER_KEY + gid),
                List.of(value.getBytes(StandardCharsets.US_ASCII)));
        long op = Rados.rados_create_write_op();
        Rados.rados_write_op_create(op, CREATE_IDEMPOTENT, null);
        Rados.rados_write_op_omap_set(op, entries.keys(), entries.values(), entries.lengths(), entries.count());
        return writeOp(op, "registering member " + memberId, entries);
    }

    private CompletableFuture<Void> removeKeys(List<String> keys, String what) {
        StringArray array = new StringArray(keys.toArray(String[]::new), StandardCharsets.US_ASCII.name());
        long op = Rados.rados_create_write_op();
        Rados.rados_write_op_omap_rm_keys(op, Pointer.nativeValue(array), keys.size());
        return writeOp(op, what, array);
    }

    private CompletableFuture<Void> writeOp(long op, String what, Object keep) {
        CompletableFuture<Void> result = new CompletableFuture<>();
        boolean started = start(what, result,
                c -> Rados.rados_aio_write_op_operate(op, image.ioctx(), c, oid, 0, 0),
                r -> {
                    Rados.rados_release_write_op(op);
                    return r < 0 ? fails(result, failure(r, what)) : completes(result, null);
                }, keep);
        if (!started) {
            Rados.rados_release_write_op(op);
        }
        return result;
    }

    /** One registry entry: a member's id and when it registered (its clock, milliseconds since the epoch). */
    record Registered(String memberId, long sinceMillis) {
        static Registered decode(byte[] value) {
            String s = new String(value, StandardCharsets.US_ASCII);
            int nl = s.indexOf('\n');
            if (nl < 0) {
                return new Registered(s, 0);
            }
            try {
                return new Registered(s.substring(0, nl), Long.parseLong(s.substring(nl + 1)));
            } catch (NumberFormatException e) {
                return new Registered(s.substring(0, nl), 0);
            }
        }
    }

    /** Reads the registry (and refreshes {@link #members}): global id to entry. */
    private CompletableFuture<Map<Long, Registered>> readRegistry() {
        CompletableFuture<Map<Long, Registered>> result = new CompletableFuture<>();
        long op = Rados.rados_create_read_op();
        long[] iterator = new long[1];
        Rados.rados_read_op_omap_get_vals2(op, "", MEMBER_KEY, REGISTRY_MAX, iterator, 0, 0);
        long iter = iterator[0];
        String what = "reading the members";
        boolean started = start(what, result,
                c -> Rados.rados_aio_read_op_operate(op, image.ioctx(), c, oid, 0),
                r -> {
                    try {
                        if (r < 0) {
                            return fails(result, failure(r, what));
                        }
                        Map<Long, Registered> registry = new HashMap<>();
                        drain(iter).forEach((key, value) -> {
                            try {
                                long id = Long.parseUnsignedLong(key.substring(MEMBER_KEY.length()));
                                Registered entry = Registered.decode(value);
                                registry.put(id, entry);
                                members.put(id, entry.memberId());
                            } catch (NumberFormatException e) {
                                LOG.debug("ignoring registry key {}", key);
                            }
                        });
                        return completes(result, registry);
                    } finally {
                        Rados.rados_omap_get_end(iter);
                        Rados.rados_release_read_op(op);
                    }
                });
        if (!started) {
            Rados.rados_omap_get_end(iter);
            Rados.rados_release_read_op(op);
        }
        return result;
    }

    /**
     * In the background: pings every watcher, then removes the registry entries of clients that no longer watch and
     * registered more than ten minutes ago (crashed members; the age spares one that registered and is about to
     * watch).
     */
    private void sweep() {
        notify(frame(PING, memberId, EMPTY), SWEEP_TIMEOUT_MILLIS)
                .thenCompose(reply -> readRegistry().thenCompose(registry -> {
                    Set<Long> watching = new HashSet<>();
                    reply.acks().forEach(a -> watching.add(a.gid()));
                    reply.timeouts().forEach(t -> watching.add(t.gid()));
                    watching.add(gid);
                    long now = System.currentTimeMillis();
                    List<String> stale = new ArrayList<>();
                    registry.forEach((id, entry) -> {
                        if (!watching.contains(id) && now - entry.sinceMillis() > STALE_MEMBER_MILLIS) {
                            stale.add(MEMBER_KEY + id);
                        }
                    });
                    if (stale.isEmpty()) {
                        return CompletableFuture.completedFuture(List.<String>of());
                    }
                    return removeKeys(stale, "removing stale members").thenApply(v -> stale);
                }))
                .whenComplete((stale, e) -> {
                    if (e != null) {
                        LOG.debug("RBD image {}: sweeping the members failed: {}", name, e.toString());
                    } else if (!stale.isEmpty()) {
                        LOG.info("RBD image {}: removed {} members that no longer watch: {}", name, stale.size(),
                                stale);
                    }
                });
    }

    // ---------------------------------------------------------------------------------------------------- messages

    /**
     * A message or reply on the wire: kind (1 byte), the member id's length (2 bytes, big-endian), the member id
     * (ASCII), then the payload.
     */
    record Frame(byte kind, String from, byte[] payload) {

        static Frame decode(byte[] bytes) {
            if (bytes.length < 3 || bytes[0] < MESSAGE || bytes[0] > PING) {
                return null;
            }
            int length = ((bytes[1] & 0xFF) << 8) | (bytes[2] & 0xFF);
            if (3 + length > bytes.length) {
                return null;
            }
            return new Frame(bytes[0], new String(bytes, 3, length, StandardCharsets.US_ASCII),
                    java.util.Arrays.copyOfRange(bytes, 3 + length, bytes.length));
        }
    }

    static byte[] frame(byte kind, String from, byte[] payload) {
        byte[] id = from.getBytes(StandardCharsets.US_ASCII);
        if (id.length > 0xFFFF) {
            throw new IllegalArgumentException("member id too long");
        }
        byte[] bytes = new byte[3 + id.length + payload.length];
        bytes[0] = kind;
        bytes[1] = (byte) (id.length >> 8);
        bytes[2] = (byte) id.length;
        System.arraycopy(id, 0, bytes, 3, id.length);
        System.arraycopy(payload, 0, bytes, 3 + id.length, payload.length);
        return bytes;
    }

    /** Watches the state object (synchronously). */
    private void watch() throws IOException {
        synchronized (watchLock) {
            if (!image.tryEnter()) {
                throw new IOException("the RBD image " + name + " is closed");
            }
            int r;
            long[] out = new long[1];
            try {
                r = Rados.rados_watch2(image.ioctx(), oid, out, notified, watchBroken, 0);
            } finally {
                image.exit();
            }
            if (r < 0) {
                image.noteResult(r);
                throw new IOException("watching " + oid + " failed: " + Errno.name(-r));
            }
            cookie = out[0];
            watching = true;
            watches++;
        }
    }

    /** {@return the current watch's handle (for tests)} */
    long cookie() {
        return cookie;
    }

    /** {@return how many watches succeeded so far, the first one included (for tests)} */
    int watches() {
        return watches;
    }

    @Override
    public CompletionStage<Replies> broadcast(byte[] message, Duration timeout) {
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(timeout, "timeout");
        if (closed) {
            return CompletableFuture.failedFuture(new IllegalStateException("member " + memberId + " closed"));
        }
        long millis = notifyTimeoutMillis(timeout);
        CompletableFuture<Replies> result = notify(frame(MESSAGE, memberId, message), millis)
                .thenCompose(this::replies);
        return bounded(result, timeoutMillis == 0 ? 0 : millis + timeoutMillis, "broadcast");
    }

    /**
     * The notify timeout for a broadcast's: whole seconds, rounded up, at least one. librados 16.2 passes the OSD
     * {@code timeout_ms / 1000} seconds, and the OSD takes 0 for its default (30 s): 500 ms would wait 30 s.
     */
    static long notifyTimeoutMillis(Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            return 1000;
        }
        long seconds = timeout.compareTo(Duration.ofDays(1)) > 0 ? TimeUnit.DAYS.toSeconds(1)
                : (timeout.toMillis() + 999) / 1000;
        return Math.max(1, seconds) * 1000;
    }

    /** Sends a notify and decodes its reply buffer. */
    private CompletableFuture<NotifyReply> notify(byte[] frame, long timeoutMillis) {
        CompletableFuture<NotifyReply> result = new CompletableFuture<>();
        Memory reply = new Memory(16); // char *reply_buffer; size_t reply_buffer_len
        reply.clear();
        String what = "rados_aio_notify";
        start(what, result,
                c -> Rados.rados_aio_notify(image.ioctx(), oid, c, frame, frame.length, timeoutMillis,
                        Pointer.nativeValue(reply), Pointer.nativeValue(reply) + 8),
                r -> {
                    long buffer = reply.getLong(0);
                    long length = reply.getLong(8);
                    try {
                        if (buffer == 0) {
                            return fails(result, failure(r < 0 ? r : -Errno.EIO, what));
                        } else if (r < 0 && r != -Errno.ETIMEDOUT) {
                            return fails(result, failure(r, what));
                        }
                        return completes(result, NotifyReply.decode(new Pointer(buffer).getByteArray(0,
                                (int) length)));
                    } finally {
                        if (buffer != 0) {
                            Rados.rados_buffer_free(buffer);
                        }
                    }
                }, reply);
        return result;
    }

    /** Names the members in a notify's reply (asking the registry for the silent ones not known yet). */
    private CompletableFuture<Replies> replies(NotifyReply reply) {
        Set<Long> unknown = new HashSet<>();
        for (NotifyReply.Ack a : reply.acks()) {
            Frame f = Frame.decode(a.payload());
            if (a.gid() != gid && (f == null || f.kind() != REPLY) && !members.containsKey(a.gid())) {
                unknown.add(a.gid());
            }
        }
        for (NotifyReply.Timeout t : reply.timeouts()) {
            if (t.gid() != gid && !members.containsKey(t.gid())) {
                unknown.add(t.gid());
            }
        }
        CompletableFuture<?> known = unknown.isEmpty() ? CompletableFuture.completedFuture(null)
                : readRegistry().exceptionally(e -> {
                    LOG.warn("RBD image {}: cannot read the members to name silent ones: {}", name, e.toString());
                    return Map.of();
                });
        return known.thenApply(v -> {
            Map<String, byte[]> replies = new LinkedHashMap<>();
            Set<String> silent = new HashSet<>();
            for (NotifyReply.Ack a : reply.acks()) {
                if (a.gid() == gid) {
                    continue; // this member's own watch
                }
                Frame f = Frame.decode(a.payload());
                if (f != null && f.kind() == REPLY) {
                    members.putIfAbsent(a.gid(), f.from());
                    replies.put(f.from(), f.payload());
                } else {
                    replies.put(nameOf(a.gid()), a.payload());
                }
            }
            for (NotifyReply.Timeout t : reply.timeouts()) {
                if (t.gid() != gid) {
                    silent.add(nameOf(t.gid()));
                }
            }
            silent.removeAll(replies.keySet());
            return new Replies(replies, silent);
        });
    }

    private String nameOf(long id) {
        String member = members.get(id);
        if (member == null) {
            LOG.warn("RBD image {}: client.{} watches the state object but is not a registered member", name, id);
            return "client." + Long.toUnsignedString(id);
        }
        return member;
    }

    @Override
    public void onMessage(MessageHandler messageHandler) {
        this.handler = Objects.requireNonNull(messageHandler, "handler");
    }

    /** A notify reached this member's watch (on librados' watch/notify thread). */
    private void notified(long notifyId, long handle, long notifierId, long data, long length) {
        if (notifierId == gid) {
            ack(notifyId, handle, EMPTY); // its own broadcast: not for its handler, and not to be waited for
            return;
        }
        byte[] bytes = length == 0 ? EMPTY : new Pointer(data).getByteArray(0, (int) length);
        Frame frame = Frame.decode(bytes);
        if (frame == null || frame.kind() != MESSAGE) {
            ack(notifyId, handle, EMPTY); // a ping, or not one of ours
            return;
        }
        if (closed || cutOff) {
            return;
        }
        try {
            delivery.execute(() -> deliver(notifyId, handle, frame));
        } catch (RejectedExecutionException e) {
            // closing
        }
    }

    private void deliver(long notifyId, long handle, Frame message) {
        MessageHandler h = handler;
        if (h == null || closed) {
            return; // no reply: the sender counts this member as silent
        }
        CompletionStage<byte[]> reply;
        try {
            reply = h.onMessage(message.from(), message.payload());
        } catch (RuntimeException e) {
            LOG.error("RBD image {}: the message handler failed", name, e);
            return;
        }
        reply.whenComplete((r, e) -> {
            if (e != null) {
                LOG.debug("RBD image {}: no reply to {}: {}", name, message.from(), e.toString());
            } else if (!closed) {
                ack(notifyId, handle, frame(REPLY, memberId, r == null ? EMPTY : r));
            }
        });
    }

    private void ack(long notifyId, long handle, byte[] reply) {
        if (!image.tryEnter()) {
            return;
        }
        try {
            int r = Rados.rados_notify_ack(image.ioctx(), oid, notifyId, handle, reply, reply.length);
            if (r < 0) {
                LOG.debug("RBD image {}: rados_notify_ack failed: {}", name, Errno.name(-r));
            }
        } finally {
            image.exit();
        }
    }

    /** The watch broke (on librados' watch/notify thread): re-watch on a thread of ours. */
    private void watchBroken(long brokenCookie, int error) {
        if (closed || cutOff || brokenCookie != cookie || !rewatching.compareAndSet(false, true)) {
            return;
        }
        if (error == -Errno.ESHUTDOWN) {
            blocklisted();
            return;
        }
        LOG.warn("RBD image {}: the watch on {} broke ({}); watching again", name, oid, Errno.name(-error));
        try {
            calls.execute(this::rewatch);
        } catch (RejectedExecutionException e) {
            rewatching.set(false); // closing
        }
    }

    private void blocklisted() {
        cutOff = true;
        image.noteResult(-Errno.ESHUTDOWN);
        LOG.error("RBD image {}: this gateway was blocklisted (fenced off); it receives no more messages from the "
                + "other gateways, open the image again to serve it", name);
    }

    private void rewatch() {
        long backoff = REWATCH_FIRST_BACKOFF_MILLIS;
        int error = 0;
        for (int attempt = 1; attempt <= REWATCH_ATTEMPTS; attempt++) {
            synchronized (watchLock) {
                if (closed) {
                    return;
                }
                if (!image.tryEnter()) {
                    return;
                }
                long[] out = new long[1];
                try {
                    if (watching) {
                        Rados.rados_unwatch2(image.ioctx(), cookie); // the broken watch must be destroyed
                        watching = false;
                    }
                    error = Rados.rados_watch2(image.ioctx(), oid, out, notified, watchBroken, 0);
                } finally {
                    image.exit();
                }
                if (error == 0) {
                    cookie = out[0];
                    watching = true;
                    watches++;
                    rewatching.set(false);
                    LOG.warn("RBD image {}: watching {} again (attempt {})", name, oid, attempt);
                    register().whenComplete((v, e) -> {
                        if (e != null) {
                            LOG.warn("RBD image {}: registering again failed: {}", name, e.toString());
                        }
                    });
                    return;
                }
                if (error == -Errno.ESHUTDOWN) {
                    blocklisted(); // stays "re-watching": no more attempts
                    return;
                }
                LOG.warn("RBD image {}: watching {} again failed ({}), attempt {} of {}", name, oid,
                        Errno.name(-error), attempt, REWATCH_ATTEMPTS);
                if (attempt == REWATCH_ATTEMPTS) {
                    break;
                }
                try {
                    watchLock.wait(backoff); // close() wakes it
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            backoff *= 2;
        }
        rewatching.set(false);
        if (!closed) {
            LOG.error("RBD image {}: gave up watching {} ({}): this gateway receives no messages from the others",
                    name, oid, Errno.name(-error));
        }
    }

    // ---------------------------------------------------------------------------------------------------- fencing

    /**
     * The blocklist entries for a member id: each address of an address vector
     * ({@code [v2:1.2.3.4:0/123,v1:1.2.3.4:0/123]}) or a single address, without its protocol prefix.
     *
     * @throws IllegalArgumentException when it is not a client address
     */
    static Set<String> blocklistEntries(String member) {
        String s = member.trim();
        List<String> parts = new ArrayList<>();
        if (s.startsWith("[") && s.endsWith("]") && s.matches("^\\[(v1|v2|any):.*")) {
            for (String p : s.substring(1, s.length() - 1).split(",")) {
                parts.add(p.trim());
            }
        } else {
            parts.add(s);
        }
        Set<String> entries = new java.util.LinkedHashSet<>();
        for (String p : parts) {
            String a = p.replaceFirst("^(v1|v2|any):", "");
            if (!a.matches("^(\\[[0-9a-fA-F:.]+\\]|[0-9.]+):\\d+/\\d+$")) {
                throw new IllegalArgumentException("not a RADOS client address: " + member);
            }
            entries.add(a);
        }
        return entries;
    }

    @Override
    public CompletionStage<Void> fence(String member) {
        Objects.requireNonNull(member, "memberId");
        Set<String> entries;
        try {
            entries = blocklistEntries(member);
            Set<String> own = blocklistEntries(memberId);
            own.retainAll(entries);
            if (!own.isEmpty()) {
                throw new IllegalArgumentException("a member cannot fence itself: " + member);
            }
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        if (closed) {
            return CompletableFuture.failedFuture(new IllegalStateException("member " + memberId + " closed"));
        }
        CompletableFuture<Void> result = new CompletableFuture<>();
        try {
            calls.execute(() -> {
                try {
                    blocklist(entries);
                    result.complete(null);
                } catch (Exception e) {
                    result.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(new IllegalStateException("member " + memberId + " closed"));
        }
        return bounded(result, 2 * timeoutMillis, "fencing " + member);
    }

    private void blocklist(Set<String> entries) throws Exception {
        if (!image.tryEnter()) {
            throw new NotReadyException("the RBD image " + name + " is closed");
        }
        try {
            long started = System.nanoTime();
            for (String entry : entries) {
                int r = Rados.rados_blocklist_add(image.cluster(), entry, BLOCKLIST_EXPIRE_SECONDS);
                if (r < 0) {
                    image.noteResult(r);
                    throw Errno.toClusterException(r, "blocklisting " + entry);
                }
            }
            int r = Rados.rados_wait_for_latest_osdmap(image.cluster());
            if (r < 0) {
                image.noteResult(r);
                throw Errno.toClusterException(r, "waiting for the OSD map with the blocklist");
            }
            members.values().removeIf(m -> {
                try {
                    return !java.util.Collections.disjoint(blocklistEntries(m), entries);
                } catch (IllegalArgumentException e) {
                    return false;
                }
            });
            LOG.warn("RBD image {}: fenced off {} (blocklisted, in force after {} ms)", name, entries,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        } finally {
            image.exit();
        }
    }

    // ---------------------------------------------------------------------------------------------------- closing

    @Override
    public void close() {
        synchronized (watchLock) {
            if (closed) {
                return;
            }
            closed = true;
            watchLock.notifyAll(); // a re-watch backing off ends
        }
        // No interrupts: close() may run on one of these threads, and the image's close must still wait.
        calls.shutdown();
        delivery.shutdown();
        if (!image.tryEnter()) {
            return; // the image closed first: librados has shut down, taking the watch with it
        }
        try {
            synchronized (watchLock) {
                if (watching) {
                    int r = Rados.rados_unwatch2(image.ioctx(), cookie);
                    if (r < 0) {
                        LOG.debug("RBD image {}: rados_unwatch2 failed: {}", name, Errno.name(-r));
                    }
                    watching = false;
                }
            }
            Rados.rados_watch_flush(image.cluster()); // no callback of this member runs or will run
        } finally {
            image.exit();
        }
        if (!cutOff && !image.blocklisted()) {
            // Leaves the registry; the image's close waits for this call (counted in flight).
            removeKeys(List.of(MEMBER_KEY + gid), "unregistering").whenComplete((v, e) -> {
                if (e != null) {
                    LOG.debug("RBD image {}: unregistering failed: {}", name, e.toString());
                }
            });
        }
    }

    @Override
    public String toString() {
        return "RadosSharedState[" + name + ", " + memberId + "]";
    }

    // ---------------------------------------------------------------------------------------------------- calls

    private Exception failure(int result, String what) {
        image.noteResult(result);
        return Errno.toClusterException(result, what);
    }

    /** Fails {@code future} with NOT READY when it has not completed in {@code millis} (0: no bound). */
    private static <T> CompletableFuture<T> bounded(CompletableFuture<T> future, long millis, String what) {
        if (millis <= 0) {
            return future;
        }
        return future.orTimeout(millis, TimeUnit.MILLISECONDS).exceptionallyCompose(e -> {
            Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
            return CompletableFuture.failedFuture(cause instanceof TimeoutException
                    ? new NotReadyException(what + ": no answer from the cluster in " + millis + " ms")
                    : cause);
        });
    }

    /**
     * Starts one asynchronous librados call, counted in flight on the image until it completes.
     *
     * @param what the call, for messages
     * @param future failed here when the call cannot start
     * @param submit makes the call with the completion, returning its result
     * @param done called with the call's return value when it completes, on a thread of this member: frees what
     *     librados allocated and returns what completes the caller's stage, run once the call no longer counts as
     *     in flight (the caller may close the image there)
     * @param keep native memory the call uses until it completes
     * @return whether the call started (if not, {@code done} is never called)
     */
    private boolean start(String what, CompletableFuture<?> future, LongToIntFunction submit, Finish done,
            Object... keep) {
        if (!image.tryEnter()) {
            future.completeExceptionally(new NotReadyException(what + ": the RBD image " + name + " is closed"));
            return false;
        }
        if (image.blocklisted()) {
            image.exit();
            future.completeExceptionally(failure(-Errno.ESHUTDOWN, what));
            return false;
        }
        long id = NEXT_ID.incrementAndGet();
        PENDING.put(id, new Call(image, calls, done, future, keep));
        long[] out = new long[1];
        int r = Rados.rados_aio_create_completion2(id, COMPLETION, out);
        if (r < 0) {
            PENDING.remove(id);
            image.exit();
            future.completeExceptionally(failure(r, what));
            return false;
        }
        r = submit.applyAsInt(out[0]);
        if (r < 0 && PENDING.remove(id) != null) {
            Rados.rados_aio_release(out[0]);
            image.exit();
            future.completeExceptionally(failure(r, what));
            return false;
        }
        return true;
    }

    /** What an asynchronous call does when it completes. */
    @FunctionalInterface
    private interface Finish {
        /**
         * @param result the call's return value
         * @return what completes the caller's stage (run after the call stopped counting as in flight)
         */
        Runnable finish(int result);
    }

    private static <T> Runnable completes(CompletableFuture<T> future, T value) {
        return () -> future.complete(value);
    }

    private static Runnable fails(CompletableFuture<?> future, Throwable failure) {
        return () -> future.completeExceptionally(failure);
    }

    /**
     * An asynchronous call in flight: where and what to do when it completes, and the memory it uses until then.
     * It counts as in flight until {@code done} has freed what librados allocated; its caller's stage completes
     * after that.
     */
    private record Call(RbdImage image, Executor executor, Finish done, CompletableFuture<?> future,
            Object[] keep) {

        void finish(int result) {
            Runnable then;
            try {
                then = done.finish(result);
            } catch (RuntimeException e) {
                then = fails(future, e);
            } finally {
                image.exit();
            }
            then.run();
        }
    }

    /** librados' completion callback for every member's calls: hands the result to the member's thread. */
    public static final class Completion implements Native.CompletionCallback {
        @Override
        public void invoke(long completion, long arg) {
            try {
                int result = Rados.rados_aio_get_return_value(completion);
                Rados.rados_aio_release(completion);
                Call call = PENDING.remove(arg);
                if (call != null) {
                    try {
                        call.executor().execute(() -> call.finish(result));
                    } catch (RejectedExecutionException e) {
                        call.finish(result); // the member closed: nothing of the caller's runs any more
                    }
                }
            } catch (Throwable t) { // nothing may propagate into librados
                LOG.error("RADOS completion failed", t);
            }
        }
    }

    /** The watch callback: hands the notify to the member. */
    public final class Notified implements Native.WatchCallback {
        @Override
        public void invoke(long arg, long notifyId, long handle, long notifierId, long data, long dataLength) {
            try {
                notified(notifyId, handle, notifierId, data, dataLength);
            } catch (Throwable t) { // nothing may propagate into librados
                LOG.error("RBD image {}: handling a notify failed", name, t);
            }
        }
    }

    /** The watch error callback. */
    public final class WatchBroken implements Native.WatchErrorCallback {
        @Override
        public void invoke(long arg, long brokenCookie, int error) {
            try {
                watchBroken(brokenCookie, error);
            } catch (Throwable t) { // nothing may propagate into librados
                LOG.error("RBD image {}: handling a watch error failed", name, t);
            }
        }
    }
}
