package io.iscsi4j.backstore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32C;

/**
 * A {@link SharedState} with one member, kept in a directory, so that one target's persistent reservations survive
 * its restarts ({@link #persistent()} is {@code true}: the logical unit offers APTPL) without any storage that several
 * processes share. For memory and file LUNs served by one process; several gateways need a state they all reach (an
 * RBD image's).
 *
 * <pre>{@code
 * SharedState state = DirectorySharedState.open(Path.of("/var/lib/iscsi4j/disk0"));
 * ... .lun(0, Backstores.file(Path.of("/srv/disk0.img"), 512), o -> o.sharedState(state))
 * }</pre>
 * (or {@code IscsiTarget.Builder.stateDirectory(root)}, which opens one per LUN).
 *
 * <p><b>On disk.</b> Each record is a file {@code r-<name>} (characters other than letters, digits, {@code .},
 * {@code _} and {@code -} escaped as {@code %XX}) holding a header, the record's version, its value and a CRC32C of
 * them all, so a version survives a restart and keeps growing after it. A compare-and-set writes the new file under a
 * temporary name, forces it, renames it over the old one atomically and forces the directory, all before its stage
 * completes: once the command that caused it is answered, the change survives a crash or power loss (where the file
 * system and device honour fsync), and a crash at any moment leaves the old record or the new one, never a mix.
 * Opening reads every record; a damaged or truncated record file fails {@link #open} with an {@link IOException}
 * naming it (never a silent reset of the reservations); temporary files of a write that a crash interrupted are
 * removed.
 *
 * <p><b>One process at a time.</b> {@link #open} takes an exclusive lock ({@link FileChannel#tryLock()}) on the file
 * {@code lock} in the directory, held until {@link #close}; a second opener, in another process or this one, fails
 * with an {@link IOException} that says who holds it. The lock is the operating system's advisory lock: it ends with
 * the process, so a killed target never leaves a stale lock behind; on network file systems it is only as good as
 * their locking.
 *
 * <p><b>One member.</b> {@link #broadcast} completes at once with no replies and no silent members; messages never
 * arrive; {@link #fence} fails (there is no other member to fence). Since no other member can hold the records,
 * {@link #soleMember()} is {@code true}: opening the state is a restart of the whole logical unit, which drops what
 * SPC-5 keeps only until a power loss (registrations made with APTPL 0, the reservation, PRGENERATION).
 *
 * <p>Threads: {@link #read} answers from memory at once; compare-and-sets run one after another, in the order called,
 * on one daemon thread of the state ({@code iscsi4j-state-N}, started on demand and ended when idle), and their stages
 * complete there. After a write failed once its rename may or may not have reached the disk, so every later
 * compare-and-set fails too, until the state is opened again. Thread-safe.
 *
 * @since 0.2
 */
public final class DirectorySharedState implements SharedState {

    /** The name of the lock file in the directory. */
    static final String LOCK_FILE = "lock";
    /** The prefix of every record file. */
    static final String RECORD_PREFIX = "r-";
    private static final String TMP_SUFFIX = ".tmp";
    /** "IJSR", iscsi4j shared-state record, then the format. */
    private static final int MAGIC = 0x494A_5352;
    private static final int FORMAT = 1;
    /** Magic, format, version, value length; then the value and a CRC32C. */
    private static final int HEADER_BYTES = 4 + 4 + 8 + 4;
    private static final int TRAILER_BYTES = 4;
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final Path directory;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final String memberId;
    /** The records as on disk; changed only on {@link #writer}'s thread. */
    private final Map<String, Versioned> records;
    private final ThreadPoolExecutor writer;
    /** Forces record files and the directory; a seam for tests. */
    private final FileBackstore.Forcer forcer;
    private volatile IOException writeFailure;
    private volatile boolean closed;

    private DirectorySharedState(Path directory, FileChannel lockChannel, FileLock lock, Map<String, Versioned> records,
                                 FileBackstore.Forcer forcer) {
        this.directory = directory;
        this.forcer = forcer;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.records = new ConcurrentHashMap<>(records);
        this.memberId = "directory:" + directory + ":" + ProcessHandle.current().pid();
        this.writer = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                r -> new WriterThread(this, r));
        writer.allowCoreThreadTimeOut(true);
    }

    /**
     * Opens the state kept in {@code directory}, creating the directory (and its parents) when missing.
     *
     * @param directory the directory; one per logical unit
     * @return the state, holding the directory's lock until closed
     * @throws IOException when the directory cannot be created or read, another opener holds it (the message names
     *         the holder), or a record file is damaged (the message names the file)
     */
    public static DirectorySharedState open(Path directory) throws IOException {
        return open(directory, FileBackstore.Forcer.DEFAULT);
    }

    /** {@link #open(Path)} forcing through {@code forcer} (tests inject failures and record the order with it). */
    static DirectorySharedState open(Path directory, FileBackstore.Forcer forcer) throws IOException {
        Objects.requireNonNull(directory, "directory");
        Path dir = directory.toAbsolutePath().normalize();
        Files.createDirectories(dir);
        Path lockFile = dir.resolve(LOCK_FILE);
        FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.READ, StandardOpenOption.WRITE,
                StandardOpenOption.CREATE);
        try {
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                throw new IOException("state directory " + dir + " is in use by " + holder(channel)
                        + " (a second target serving the same LUN's state?); stop that one first");
            }
            byte[] me = ("pid " + ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII);
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(me), 0);
            try {
                return new DirectorySharedState(dir, channel, lock, load(dir), forcer);
            } catch (IOException | RuntimeException e) {
                lock.release();
                throw e;
            }
        } catch (IOException | RuntimeException e) {
            try {
                channel.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** Who holds the lock, as the holder wrote it in the lock file. */
    private static String holder(FileChannel channel) {
        try {
            ByteBuffer b = ByteBuffer.allocate(64);
            channel.read(b, 0);
            String s = new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII).strip();
            return s.matches("pid [0-9]+") ? "another opener (" + s + ")" : "another opener";
        } catch (IOException e) {
            return "another opener";
        }
    }

    /** Reads every record file; removes temporary files a crash left behind. */
    private static Map<String, Versioned> load(Path dir) throws IOException {
        Map<String, Versioned> loaded = new HashMap<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, RECORD_PREFIX + "*")) {
            for (Path file : files) {
                String fileName = file.getFileName().toString();
                if (fileName.endsWith(TMP_SUFFIX)) {
                    Files.deleteIfExists(file); // never renamed into place: that write never completed
                    continue;
                }
                String name = unescape(fileName.substring(RECORD_PREFIX.length()), file);
                loaded.put(name, decode(file, Files.readAllBytes(file)));
            }
        }
        return loaded;
    }

    private static Versioned decode(Path file, byte[] b) throws IOException {
        if (b.length < HEADER_BYTES + TRAILER_BYTES) {
            throw damaged(file, "truncated: " + b.length + " bytes");
        }
        ByteBuffer in = ByteBuffer.wrap(b);
        if (in.getInt() != MAGIC) {
            throw damaged(file, "not an iscsi4j state record");
        }
        int format = in.getInt();
        if (format != FORMAT) {
            throw damaged(file, "record format " + format + " (a newer iscsi4j?)");
        }
        long version = in.getLong();
        int length = in.getInt();
        if (version < 1 || length < 0 || length > MAX_RECORD_BYTES
                || length != b.length - HEADER_BYTES - TRAILER_BYTES) {
            throw damaged(file, "truncated or damaged: version " + version + ", " + length + " value bytes in a file of "
                    + b.length);
        }
        CRC32C crc = new CRC32C();
        crc.update(b, 0, b.length - TRAILER_BYTES);
        if ((int) crc.getValue() != ByteBuffer.wrap(b, b.length - TRAILER_BYTES, TRAILER_BYTES).getInt()) {
            throw damaged(file, "checksum mismatch");
        }
        byte[] value = new byte[length];
        in.get(value);
        return new Versioned(version, value);
    }

    private static byte[] encode(long version, byte[] value) {
        ByteBuffer out = ByteBuffer.allocate(HEADER_BYTES + value.length + TRAILER_BYTES);
        out.putInt(MAGIC).putInt(FORMAT).putLong(version).putInt(value.length).put(value);
        CRC32C crc = new CRC32C();
        crc.update(out.array(), 0, out.position());
        out.putInt((int) crc.getValue());
        return out.array();
    }

    private static IOException damaged(Path file, String what) {
        return new IOException("shared state record " + file + " is damaged (" + what + "); refusing to start without"
                + " it: restore it from a backup, or delete it to drop the state it held");
    }

    /** A record name as a file name: letters, digits, '.', '_' and '-' as they are, every other byte as %XX. */
    static String escape(String name) {
        StringBuilder b = new StringBuilder(name.length());
        for (byte c : name.getBytes(StandardCharsets.UTF_8)) {
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_'
                    || c == '-') {
                b.append((char) c);
            } else {
                b.append('%').append(String.format("%02X", c & 0xFF));
            }
        }
        return b.toString();
    }

    private static String unescape(String escaped, Path file) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < escaped.length(); i++) {
            char c = escaped.charAt(i);
            if (c == '%') {
                try {
                    out.write(Integer.parseInt(escaped.substring(i + 1, i + 3), 16));
                } catch (NumberFormatException | IndexOutOfBoundsException e) {
                    throw damaged(file, "not a record file name");
                }
                i += 2;
            } else {
                out.write(c);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** {@return the directory the records are kept in} */
    public Path directory() {
        return directory;
    }

    /** {@return {@code directory:<path>:<pid>}; no other member ever sees it} */
    @Override
    public String memberId() {
        return memberId;
    }

    /** {@return {@code true}: the records are files that outlive the process} */
    @Override
    public boolean persistent() {
        return true;
    }

    /** {@return {@code true}: the directory's lock lets one member at a time hold the records} */
    @Override
    public boolean soleMember() {
        return true;
    }

    @Override
    public CompletionStage<Versioned> read(String name) {
        Objects.requireNonNull(name, "name");
        return CompletableFuture.completedFuture(records.getOrDefault(name, Versioned.ABSENT));
    }

    @Override
    public CompletionStage<Boolean> compareAndSet(String name, long expectedVersion, byte[] value) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        if (value.length > MAX_RECORD_BYTES) {
            return CompletableFuture.failedFuture(new IllegalArgumentException(
                    "record of " + value.length + " bytes exceeds " + MAX_RECORD_BYTES));
        }
        CompletableFuture<Boolean> result = new CompletableFuture<>();
        try {
            writer.execute(() -> {
                try {
                    result.complete(write(name, expectedVersion, value));
                } catch (IOException | RuntimeException e) {
                    result.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(new IllegalStateException("shared state in " + directory + " closed"));
        }
        return result;
    }

    /** Runs on the writer thread: one compare-and-set at a time. */
    private boolean write(String name, long expectedVersion, byte[] value) throws IOException {
        IOException failed = writeFailure;
        if (failed != null) {
            throw new IOException("an earlier write of the shared state in " + directory + " failed; the records on"
                    + " disk may differ from what was answered: reopen it", failed);
        }
        Versioned current = records.getOrDefault(name, Versioned.ABSENT);
        if (current.version() != expectedVersion) {
            return false;
        }
        long next = current.version() + 1;
        Path file = directory.resolve(RECORD_PREFIX + escape(name));
        Path tmp = file.resolveSibling(file.getFileName() + TMP_SUFFIX);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer b = ByteBuffer.wrap(encode(next, value));
            while (b.hasRemaining()) {
                ch.write(b);
            }
            forcer.force(tmp, ch, true);
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            throw new IOException("writing shared state record " + tmp + " failed: " + e, e); // the old one stands
        }
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            FileChannel dir = openDirectory();
            if (dir != null) {
                try (dir) {
                    forcer.force(directory, dir, true);
                }
            }
        } catch (IOException e) {
            writeFailure = e;
            throw new IOException("making shared state record " + file + " durable failed: " + e, e);
        }
        records.put(name, new Versioned(next, value.clone()));
        return true;
    }

    /**
     * The directory opened for forcing, or {@code null} on platforms that cannot open a directory as a channel
     * (Windows; the entry is then as durable as the file system makes a rename), as {@link FileBackstore} does for
     * a new image's entry.
     */
    private FileChannel openDirectory() {
        try {
            return FileChannel.open(directory, StandardOpenOption.READ);
        } catch (IOException e) {
            return null;
        }
    }

    /** {@return at once, with no replies and no silent members: there is no other member} */
    @Override
    public CompletionStage<Replies> broadcast(byte[] message, Duration timeout) {
        Objects.requireNonNull(message, "message");
        if (closed) {
            return CompletableFuture.failedFuture(new IllegalStateException("shared state in " + directory + " closed"));
        }
        return CompletableFuture.completedFuture(new Replies(Map.of(), Set.of()));
    }

    /** Kept, never called: no other member sends messages. */
    @Override
    public void onMessage(MessageHandler handler) {
        Objects.requireNonNull(handler, "handler");
    }

    /** {@return a failed stage ({@link IllegalArgumentException}): there is no other member to fence} */
    @Override
    public CompletionStage<Void> fence(String member) {
        return CompletableFuture.failedFuture(new IllegalArgumentException("no member " + member
                + " to fence: the shared state in " + directory + " has one member, " + memberId));
    }

    /**
     * Waits (at most 10 s) for the compare-and-sets already called, then releases the directory's lock. Idempotent.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        writer.shutdown();
        // From a continuation of this state's own write (its writer thread) there is nothing to wait for.
        if (!(Thread.currentThread() instanceof WriterThread w && w.owner == this)) {
            try {
                writer.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            lock.release();
            lockChannel.close();
        } catch (IOException e) {
            throw new UncheckedIOException("releasing the lock of " + directory + " failed", e);
        }
    }

    @Override
    public String toString() {
        return "DirectorySharedState[" + directory + "]";
    }

    /** The thread compare-and-sets run on, knowing its state. */
    private static final class WriterThread extends Thread {

        final DirectorySharedState owner;

        WriterThread(DirectorySharedState owner, Runnable task) {
            super(task, "iscsi4j-state-" + THREADS.incrementAndGet());
            this.owner = owner;
            setDaemon(true);
        }
    }
}
