package io.iscsi4j.backstore;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A backstore in a regular file: positional {@link FileChannel} I/O on a fixed pool of daemon threads named
 * {@code iscsi4j-file-io-N} that the backstore owns. Writes land in the OS page cache ({@link #hasVolatileCache()}
 * is {@code true}); FUA writes and {@link #flush()} call {@code force(false)}. Buffer positions of callers are left
 * unchanged. Read and write failures become {@link MediumErrorException} at the LBA where the transfer stopped;
 * flush failures stay plain {@link IOException}s (no LBA to report).
 *
 * <p>A failed {@code force} is sticky. When the kernel cannot write back cached pages it reports the error to one
 * fsync and then forgets it (Linux clears the error once reported, and may drop the dirty pages), so a later fsync
 * would succeed although the data written before it is lost. Once a force has failed, every later {@link #flush()}
 * fails with an {@link IOException} and every FUA write with {@link MediumErrorException} at its LBA (its data is
 * written first, as for any failed write), whether or not their own force succeeds; a flush or FUA write whose force
 * ran concurrently with the failing one fails too. Reads and plain writes still work. Only closing the backstore
 * and opening the file again clears the condition.
 *
 * <p>Identity: {@link #unitSerialNumber()} comes from the image's identity file, {@code <image>.iscsi4j-id}, created
 * with a random identity when missing (see {@link Identity}).
 *
 * <p>When {@link #open} creates the file, it also forces the parent directory ({@code force(true)} on the directory
 * opened for reading), so that the new file's directory entry survives a crash. On platforms where a directory
 * cannot be opened as a channel (Windows) this step is skipped and logged at DEBUG.
 */
final class FileBackstore extends BlockingBackstore {

    static final String THREAD_NAME_PREFIX = "iscsi4j-file-io-";
    /** An idle backstore holds no threads: they are started on demand and stop after this long without I/O. */
    private static final long IDLE_THREAD_TIMEOUT_SECONDS = 30;

    private static final System.Logger LOG = System.getLogger(FileBackstore.class.getName());

    private final Path path;
    private final FileChannel channel;
    private final Geometry geometry;
    private final IoExecutor executor;
    private final Forcer forcer;
    /** The image's identity from its identity file, or {@code null} when none could be kept. */
    private final String serial;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** The first failed force of {@link #channel}, kept until close: every later flush and FUA write fails. */
    private final AtomicReference<IOException> forceFailure = new AtomicReference<>();

    private FileBackstore(Path path, FileChannel channel, Geometry geometry, IoExecutor executor, Forcer forcer,
                          String serial) {
        super(executor);
        this.serial = serial;
        this.path = path;
        this.channel = channel;
        this.geometry = geometry;
        this.executor = executor;
        this.forcer = forcer;
    }

    /**
     * Calls {@link FileChannel#force} on a channel of the backstore's file or of its parent directory; a seam that
     * lets tests inject a failing fsync.
     */
    @FunctionalInterface
    interface Forcer {

        /** The forcer of production code: {@code channel.force(metaData)}. */
        Forcer DEFAULT = (path, channel, metaData) -> channel.force(metaData);

        /**
         * Forces {@code channel}'s updates to the storage device.
         *
         * @param path what the channel is open on: the backstore's file or its parent directory
         * @param channel the channel
         * @param metaData the argument of {@link FileChannel#force}
         * @throws IOException when the force fails
         */
        void force(Path path, FileChannel channel, boolean metaData) throws IOException;
    }

    /** Opens, creates or grows the file as {@link Backstores#file(Path, long, int, int)} documents. */
    static FileBackstore open(Path path, long sizeBytes, int blockSize, int ioThreads) throws IOException {
        return open(path, sizeBytes, blockSize, ioThreads, Forcer.DEFAULT);
    }

    /**
     * Opens, creates or grows the file as {@link Backstores#file(Path, long, int, int)} documents, forcing through
     * {@code forcer} (tests inject failures with it).
     */
    static FileBackstore open(Path path, long sizeBytes, int blockSize, int ioThreads, Forcer forcer)
            throws IOException {
        Geometry.checkBlockSize(blockSize);
        if (sizeBytes != 0) {
            Geometry.ofSize(sizeBytes, blockSize);
        }
        if (ioThreads < 1) {
            throw new IllegalArgumentException("I/O thread count must be at least 1, got " + ioThreads);
        }
        FileChannel channel;
        boolean created = false;
        if (sizeBytes == 0) {
            channel = openExisting(path);
        } else {
            try {
                channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE,
                        StandardOpenOption.CREATE_NEW);
                created = true;
            } catch (FileAlreadyExistsException e) {
                channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
            }
        }
        try {
            Geometry geometry = Geometry.ofSize(sizeFile(path, channel, sizeBytes), blockSize);
            if (created) {
                forceParentDirectory(path, forcer);
            }
            String serial = Identity.ofFile(path, forcer);
            return new FileBackstore(path, channel, geometry, new IoExecutor(ioThreads, channel), forcer, serial);
        } catch (IOException | RuntimeException e) {
            try {
                channel.close();
                if (created) { // so that opening again creates it again, forcing the directory
                    Files.deleteIfExists(path);
                }
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    private static FileChannel openExisting(Path path) throws IOException {
        try {
            return FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(path.toString(), null, "no size given to create it");
        }
    }

    /**
     * Makes the directory entry of a newly created file durable: forces the parent directory. A directory that cannot
     * be opened (platforms without directory channels) is skipped; a failing force is thrown.
     */
    static void forceParentDirectory(Path path, Forcer forcer) throws IOException {
        Path dir = path.toAbsolutePath().getParent();
        if (dir == null) {
            return;
        }
        FileChannel directory;
        try {
            directory = FileChannel.open(dir, StandardOpenOption.READ);
        } catch (IOException e) {
            LOG.log(Level.DEBUG, () -> "cannot open directory " + dir + " to force the entry of " + path
                    + " (not supported on this platform?): " + e);
            return;
        }
        try (directory) {
            forcer.force(dir, directory, true);
        }
    }

    /** Returns the backstore size in bytes, growing the file to {@code requested} when it is shorter. */
    private static long sizeFile(Path path, FileChannel channel, long requested) throws IOException {
        long current = channel.size();
        if (requested == 0) {
            if (current == 0) {
                throw new IllegalArgumentException("file " + path + " is empty; give a size to grow it");
            }
            return current;
        }
        if (current > requested) {
            throw new IllegalArgumentException("file " + path + " is " + current + " bytes, larger than the requested "
                    + requested + "; refusing to truncate it (pass size 0 to use the file's size)");
        }
        if (current < requested) {
            // One byte at the end: sparse where the file system supports it.
            channel.write(ByteBuffer.allocate(1), requested - 1);
        }
        return requested;
    }

    /**
     * The image's identity, kept in its identity file ({@code <image>.iscsi4j-id}); {@code null} when that file was
     * missing and could not be created.
     */
    @Override
    public String unitSerialNumber() {
        return serial;
    }

    @Override
    public int blockSize() {
        return geometry.blockSize();
    }

    @Override
    public long blockCount() {
        return geometry.blockCount();
    }

    @Override
    protected void readBlocking(long lba, ByteBuffer dst) throws IOException {
        ByteBuffer buffer = dst.duplicate();
        long position = lba * geometry.blockSize();
        try {
            while (buffer.hasRemaining()) {
                int n = channel.read(buffer, position);
                if (n < 0) {
                    // Shorter than the capacity (truncated behind our back): the rest reads as zeros.
                    Buffers.fillZeros(buffer, buffer.position(), buffer.remaining());
                    return;
                }
                position += n;
            }
        } catch (IOException e) {
            throw mediumError("read", position, e);
        }
    }

    @Override
    protected void writeBlocking(long lba, ByteBuffer src, boolean fua) throws IOException {
        ByteBuffer buffer = src.duplicate();
        long position = lba * geometry.blockSize();
        try {
            while (buffer.hasRemaining()) {
                position += channel.write(buffer, position);
            }
        } catch (IOException e) {
            if (isOutOfSpace(e)) {
                throw new OutOfSpaceException("write at LBA " + position / geometry.blockSize() + " of " + path
                        + ": the file system is full", e);
            }
            throw mediumError("write", position, e);
        }
        if (fua) {
            try {
                force();
            } catch (IOException e) {
                throw mediumError("force (FUA) write", lba * geometry.blockSize(), e);
            }
        }
    }

    @Override
    protected void flushBlocking() throws IOException {
        force();
    }

    /**
     * {@code force(false)} on the file, failing while an earlier force has failed (see the class comment). A force
     * that succeeds while another one fails concurrently fails too: the kernel may have reported the lost write-back
     * to the other caller only.
     */
    private void force() throws IOException {
        IOException earlier = forceFailure.get();
        if (earlier != null) {
            throw stickyFailure(earlier);
        }
        try {
            forcer.force(path, channel, false);
        } catch (IOException e) {
            forceFailure.compareAndSet(null, e);
            throw e;
        }
        IOException concurrent = forceFailure.get();
        if (concurrent != null) {
            throw stickyFailure(concurrent);
        }
    }

    private IOException stickyFailure(IOException first) {
        return new IOException("an earlier force of " + path
                + " failed; data written before it may be lost (close and reopen the backstore to clear)", first);
    }

    /**
     * Stops accepting I/O, waits for in-flight I/O to finish, stops the I/O threads and closes the file.
     * Idempotent. Called from one of this backstore's own I/O threads (a completion callback), it does not wait:
     * the file is closed when the last queued I/O finishes. If the waiting thread is interrupted, pending I/O is
     * abandoned (it fails with {@link MediumErrorException}) and {@link InterruptedIOException} is thrown.
     */
    @Override
    public void close() throws IOException {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        executor.shutdown();
        if (Thread.currentThread() instanceof IoThread thread && thread.owner == executor) {
            return;
        }
        try {
            executor.awaitTermination(Long.MAX_VALUE, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while closing " + this + "; pending I/O abandoned");
        }
        executor.rethrowCloseFailure();
    }

    @Override
    public String toString() {
        return "file[path=" + path + ", blocks=" + blockCount() + ", blockSize=" + blockSize() + "]";
    }

    /**
     * Whether a failed write ran out of space: the JDK reports {@code ENOSPC} and {@code EDQUOT} only through the
     * message of a plain {@link IOException} (the C library's text on Linux and the BSDs).
     */
    static boolean isOutOfSpace(IOException e) {
        String m = e.getMessage();
        return m != null && (m.contains("No space left on device") || m.contains("Disk quota exceeded"));
    }

    private MediumErrorException mediumError(String operation, long bytePosition, IOException cause) {
        long lba = bytePosition / geometry.blockSize();
        return new MediumErrorException(lba, operation + " failed at LBA " + lba + " of " + path, cause);
    }

    /** A bounded pool that closes the channel once terminated, that is after the last queued I/O ran. */
    private static final class IoExecutor extends ThreadPoolExecutor {

        private final FileChannel channel;
        private volatile IOException closeFailure;

        IoExecutor(int threads, FileChannel channel) {
            super(threads, threads, IDLE_THREAD_TIMEOUT_SECONDS, TimeUnit.SECONDS, new LinkedBlockingQueue<>());
            this.channel = channel;
            allowCoreThreadTimeOut(true);
            AtomicInteger counter = new AtomicInteger();
            setThreadFactory(task -> new IoThread(this, task, THREAD_NAME_PREFIX + counter.incrementAndGet()));
        }

        @Override
        protected void terminated() {
            try {
                channel.close();
            } catch (IOException e) {
                closeFailure = e;
            }
        }

        void rethrowCloseFailure() throws IOException {
            IOException failure = closeFailure;
            if (failure != null) {
                throw failure;
            }
        }
    }

    private static final class IoThread extends Thread {

        final IoExecutor owner;

        IoThread(IoExecutor owner, Runnable task, String name) {
            super(task, name);
            this.owner = owner;
            setDaemon(true);
        }
    }
}
