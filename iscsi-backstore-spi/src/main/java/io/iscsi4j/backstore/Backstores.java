package io.iscsi4j.backstore;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ServiceLoader;
import java.util.TreeSet;
import java.util.concurrent.CompletionStage;

/**
 * Stock backstores: memory, file, read-only view; and a backstore named by a spec string.
 *
 * <p>Sizes are in bytes and must be a positive multiple of the block size; block sizes are in bytes and must be a
 * power of two from 512 to 65536 (initiators expect 512 or 4096). Violations throw
 * {@link IllegalArgumentException} naming the value. Each returned backstore is owned by the caller, who closes it.
 *
 * <pre>{@code
 * Backstore scratch = Backstores.memory(Backstores.parseSize("64G"));            // thin, in heap
 * Backstore disk = Backstores.file(Path.of("/var/lib/lun0.img"), 10L << 30, 4096); // created sparse if missing
 * Backstore image = Backstores.readOnly(Backstores.file(Path.of("/srv/boot.img"), 512));
 * Backstore named = Backstores.open("memory:size=1G,blockSize=4096");
 * }</pre>
 *
 * All methods are thread-safe.
 *
 * @since 0.1
 */
public final class Backstores {

    /** The block size used when none is given: {@value} bytes. */
    public static final int DEFAULT_BLOCK_SIZE = 512;

    /** The number of I/O threads of a file backstore when none is given: {@value}. */
    public static final int DEFAULT_FILE_IO_THREADS = 4;

    private Backstores() {
    }

    /**
     * A successfully completed stage, shared, for a backstore call that finished before it returned. The SCSI layer
     * recognises it and goes on at once, without registering a callback and without allocating: on the data path,
     * return it rather than a new completed stage. Its completion methods throw and its
     * {@code toCompletableFuture()} is a copy, so no caller can change what others see.
     *
     * @return the stage
     */
    public static CompletionStage<Void> completed() {
        return Buffers.DONE;
    }

    /**
     * A memory backstore with 512-byte blocks; see {@link #memory(long, int)}.
     *
     * @param sizeBytes capacity in bytes, a positive multiple of 512, at most 512 TiB
     * @return a new, zero-filled backstore
     * @throws IllegalArgumentException when the size is invalid
     */
    public static Backstore memory(long sizeBytes) {
        return memory(sizeBytes, DEFAULT_BLOCK_SIZE);
    }

    /**
     * A thin-provisioned backstore in heap memory. It reads as zeros and allocates heap in 256 KiB chunks on first
     * write to each chunk, so a large, mostly empty LUN costs little; data is lost when the JVM exits or the
     * backstore is closed. Its {@linkplain Backstore#unitSerialNumber() serial number} is random, picked here: no
     * other backstore, in this JVM or another, presents the same device. I/O completes inline on the calling thread (a memory copy) and leaves the buffers'
     * positions unchanged. Reports {@link BackstoreCapability#THIN_PROVISIONING}, {@link BackstoreCapability#UNMAP}
     * (unmapping whole 256 KiB chunks releases their heap; unmapping part of a chunk zero-fills it),
     * {@link BackstoreCapability#WRITE_ATOMIC} and no volatile cache; write same and provisioning status are native.
     *
     * @param sizeBytes capacity in bytes, a positive multiple of {@code blockSize}, at most 512 TiB
     * @param blockSize block size in bytes, a power of two from 512 to 65536
     * @return a new, zero-filled backstore
     * @throws IllegalArgumentException when the size or block size is invalid
     */
    public static Backstore memory(long sizeBytes, int blockSize) {
        return new MemoryBackstore(Geometry.ofSize(sizeBytes, blockSize));
    }

    /**
     * A file backstore over an existing file, sized by the file; see {@link #file(Path, long, int, int)}.
     *
     * @param path an existing regular file whose size is a positive multiple of {@code blockSize}
     * @param blockSize block size in bytes, a power of two from 512 to 65536
     * @return a new backstore that owns the open file
     * @throws java.nio.file.NoSuchFileException when the file does not exist
     * @throws IOException when the file cannot be opened for reading and writing
     * @throws IllegalArgumentException when the block size or the file's size is invalid
     */
    public static Backstore file(Path path, int blockSize) throws IOException {
        return file(path, 0, blockSize, DEFAULT_FILE_IO_THREADS);
    }

    /**
     * A file backstore with {@value #DEFAULT_FILE_IO_THREADS} I/O threads; see {@link #file(Path, long, int, int)}.
     *
     * @param path the file, created when missing
     * @param sizeBytes capacity in bytes, a positive multiple of {@code blockSize}; 0 uses the existing file's size
     * @param blockSize block size in bytes, a power of two from 512 to 65536
     * @return a new backstore that owns the open file
     * @throws IOException when the file cannot be created, opened or grown
     * @throws IllegalArgumentException when a size is invalid or the file is larger than {@code sizeBytes}
     */
    public static Backstore file(Path path, long sizeBytes, int blockSize) throws IOException {
        return file(path, sizeBytes, blockSize, DEFAULT_FILE_IO_THREADS);
    }

    /**
     * A backstore in a regular file, opened for reading and writing.
     *
     * <p>Sizing: a missing file is created with {@code sizeBytes}. An existing file is used at its own size when
     * {@code sizeBytes} is 0 (a missing file then throws {@link java.nio.file.NoSuchFileException}), grown to
     * {@code sizeBytes} when shorter, and refused with {@link IllegalArgumentException} when longer (it is never
     * truncated). Files are created and grown sparsely where the file system supports it. A file this method creates
     * is made to survive a crash: its parent directory is forced to the device before the method returns (skipped
     * where the platform cannot open a directory, as on Windows); when that or growing it fails, the new file is
     * deleted again.
     *
     * <p>Identity: the image keeps its {@linkplain Backstore#unitSerialNumber() serial number} (and so its NAA
     * designator) in a small file next to it, {@code <file name>.iscsi4j-id} (for {@code lun0.img},
     * {@code lun0.img.iscsi4j-id}): 32 hexadecimal digits of a random UUID, created atomically (temporary file, force,
     * link or atomic rename, directory forced) the first time the image is opened. The image keeps its identity
     * across restarts; every other image has its own, here or on another machine, even under the same target name and
     * LUN, so multipath initiators never merge two of them. Move or rename the identity file with the image; a copy
     * of the image without it is a new device, and should be (a copy served next to its original would otherwise be
     * merged with it). When the file is missing and cannot be created (a read-only directory or file system), the
     * image has no identity ({@code null}, logged at WARN) and the target gives the LUN a random serial on every start
     * unless the application sets one. An identity file that exists but does not hold an identity fails the open with
     * an {@link IOException} naming it, never replaced silently.
     *
     * <p>I/O: positional {@link java.nio.channels.FileChannel} reads and writes run on a pool of at most
     * {@code ioThreads} daemon threads named {@code iscsi4j-file-io-N} owned by the backstore (started on demand,
     * stopped when idle for 30 seconds), so callers never block; stages complete on those threads and the buffers'
     * positions are left unchanged. Writes go to the operating system's page cache
     * ({@link Backstore#hasVolatileCache()} is {@code true}); a FUA write and {@link Backstore#flush()} force the
     * file's data to the device before completing. A failed read or write completes with
     * {@link MediumErrorException} at the LBA where the transfer stopped; a failed flush with an
     * {@link IOException}.
     *
     * <p>Durability after a failed force: the operating system reports a failed write-back of cached data once and
     * then forgets it (Linux), so a later force could succeed although data written before it was lost. The backstore
     * therefore remembers the first failed force: from then on every {@link Backstore#flush()} completes
     * exceptionally with an {@link IOException}, and every FUA write with {@link MediumErrorException} at its LBA,
     * until the backstore is closed and the file opened again. Reads and writes without FUA are not affected.
     *
     * <p>{@code close()} is idempotent: it refuses new I/O ({@link NotReadyException}), waits for in-flight I/O,
     * stops the threads and closes the file.
     *
     * <p>Optional operations: write same runs as a loop of positional writes on one I/O thread; compare and write and
     * provisioning status use the {@link Backstore} defaults (every block reports as mapped). No capabilities are
     * reported: pure Java cannot punch holes in a file, and zero-filling would neither free space nor be faster than
     * a write, so the LUN is presented as fully provisioned (no UNMAP).
     *
     * @param path the file, created when missing
     * @param sizeBytes capacity in bytes, a positive multiple of {@code blockSize}; 0 uses the existing file's size
     * @param blockSize block size in bytes, a power of two from 512 to 65536
     * @param ioThreads number of I/O threads, at least 1; bounds the concurrent I/O on the file
     * @return a new backstore that owns the open file
     * @throws IOException when the file cannot be created, opened or grown, the directory of a file this method
     *         created cannot be forced, or its identity file exists but cannot be read or is damaged
     * @throws IllegalArgumentException when a size or the thread count is invalid, or the file is larger than
     *         {@code sizeBytes}
     */
    public static Backstore file(Path path, long sizeBytes, int blockSize, int ioThreads) throws IOException {
        return FileBackstore.open(path, sizeBytes, blockSize, ioThreads);
    }

    /**
     * A read-only view: {@link Backstore#isReadOnly()} is {@code true} and writes complete exceptionally with
     * {@link WriteProtectedException}; reads, flushes and the other queries go to {@code backstore}. The view owns
     * {@code backstore}: closing the view closes it. A view of a view is the view itself.
     *
     * @param backstore the backstore to protect
     * @return the read-only view
     */
    public static Backstore readOnly(Backstore backstore) {
        return backstore instanceof ReadOnlyBackstore ? backstore : new ReadOnlyBackstore(backstore);
    }

    /**
     * Opens a backstore named by a spec string {@code kind[:key=value[,key=value]...]}, for example
     * {@code memory:size=1G,blockSize=4096} or {@code file:path=/var/lib/lun0.img,size=10G}. The kind names a
     * {@link BackstoreProvider} found with {@link ServiceLoader} (through the thread's context class loader);
     * the options go to it. Built in: {@link MemoryBackstoreProvider "memory"} and
     * {@link FileBackstoreProvider "file"}. Keys and values are trimmed; values cannot contain commas.
     *
     * @param spec the spec string
     * @return a new backstore, owned by the caller
     * @throws IllegalArgumentException when the spec is malformed, the kind is unknown (the message lists the known
     *         kinds) or an option is missing, unknown or invalid
     * @throws IOException when the provider cannot open the storage
     */
    public static Backstore open(String spec) throws IOException {
        BackstoreSpec parsed = BackstoreSpec.parse(spec);
        return provider(parsed.kind()).open(parsed.options());
    }

    /**
     * Parses a size in bytes: a whole number with an optional binary unit {@code K} (2<sup>10</sup>), {@code M},
     * {@code G}, {@code T} or {@code P} (2<sup>50</sup>), optionally followed by {@code B} or {@code iB};
     * case-insensitive, surrounding blanks ignored. {@code "512"} is 512, {@code "64K"} and {@code "64KiB"} are
     * 65536, {@code "1g"} is 1073741824. Units are always binary ({@code "1KB"} is 1024).
     *
     * @param text the size
     * @return the size in bytes, {@code >= 0}
     * @throws IllegalArgumentException when the text is not a size or does not fit in a {@code long}
     */
    public static long parseSize(String text) {
        return Sizes.parse(text);
    }

    private static BackstoreProvider provider(String kind) {
        TreeSet<String> known = new TreeSet<>();
        for (BackstoreProvider provider : ServiceLoader.load(BackstoreProvider.class)) {
            if (provider.name().equals(kind)) {
                return provider;
            }
            known.add(provider.name());
        }
        throw new IllegalArgumentException("unknown backstore kind '" + kind + "'; known kinds: "
                + (known.isEmpty() ? "(none found)" : String.join(", ", known)));
    }
}
