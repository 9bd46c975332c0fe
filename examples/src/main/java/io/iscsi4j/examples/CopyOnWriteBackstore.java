package io.iscsi4j.examples;

import io.iscsi4j.backstore.Backstore;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * A copy-on-write overlay over a base image: the initiator sees a writable disk, the base is never written (until
 * {@link #commit()}). Useful for throw-away clones of a golden image, for tests that must not change a fixture, or
 * for "try it, then keep or drop it" changes.
 *
 * <p>The disk is divided into chunks of {@code chunkBlocks} blocks. A chunk lives in the base until the first write
 * touches it; then it is copied into a sparse in-memory overlay (the whole chunk, read from the base first, when the
 * write covers only part of it: copy-up) and every later read and write of the chunk goes to the overlay. A read
 * that spans several chunks merges them: runs of chunks still in the base become one base read each, straight into
 * the caller's buffer; overlay chunks are copied.
 *
 * <p>The base may be any {@link Backstore}, typically read-only ({@code Backstores.readOnly(Backstores.file(...))}):
 * this class only reads it, except in {@link #commit()}. The overlay is in memory: it is lost when the process ends,
 * and it holds up to the whole disk when every chunk is written. {@link #hasVolatileCache()} is {@code false}
 * because there is no cache to flush: a completed write is as durable as the overlay gets.
 *
 * <p>Thread-safe: reads and writes may run concurrently, for any ranges. Concurrent partial writes to a chunk that is
 * still in the base share one copy-up; each write lands once the copy-up is done, under the chunk's lock, so none is
 * lost. Plain overlapping reads and writes are not ordered against each other (SCSI leaves that to the initiator),
 * but a read always sees, per chunk, either the base's data or the overlay's, never a half-copied chunk.
 *
 * <p>Owns the base: {@link #close()} drops the overlay and closes the base.
 */
public final class CopyOnWriteBackstore implements Backstore {

    /** The default chunk size in bytes: 4 KiB, the page size most initiators write in. */
    public static final int DEFAULT_CHUNK_BYTES = 4096;

    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    private final Backstore base;
    private final int blockSize;
    private final long blockCount;
    private final int chunkBlocks;
    private final int chunkBytes;
    /** Chunk index → chunk, for every chunk that has been written (or is being copied up). */
    private final Map<Long, Chunk> overlay = new ConcurrentHashMap<>();

    /**
     * An overlay with chunks of {@link #DEFAULT_CHUNK_BYTES} (or one block, if blocks are larger).
     *
     * @param base the image the overlay starts from; owned by the overlay from now on
     */
    public CopyOnWriteBackstore(Backstore base) {
        this(base, Math.max(1, DEFAULT_CHUNK_BYTES / base.blockSize()));
    }

    /**
     * An overlay with chunks of {@code chunkBlocks} blocks: smaller chunks copy less on a partial write, larger ones
     * keep fewer entries.
     *
     * @param base the image the overlay starts from; owned by the overlay from now on
     * @param chunkBlocks blocks per chunk, from 1 to {@code 1 MiB / blockSize}
     * @throws IllegalArgumentException when {@code chunkBlocks} is out of range
     */
    public CopyOnWriteBackstore(Backstore base, int chunkBlocks) {
        this.base = Objects.requireNonNull(base, "base");
        this.blockSize = base.blockSize();
        this.blockCount = base.blockCount();
        if (chunkBlocks < 1 || (long) chunkBlocks * blockSize > 1 << 20) {
            throw new IllegalArgumentException(
                    "chunkBlocks must be 1 to " + (1 << 20) / blockSize + ": " + chunkBlocks);
        }
        this.chunkBlocks = chunkBlocks;
        this.chunkBytes = chunkBlocks * blockSize;
    }

    @Override
    public int blockSize() {
        return blockSize;
    }

    @Override
    public long blockCount() {
        return blockCount;
    }

    @Override
    public boolean hasVolatileCache() {
        return false;
    }

    /** {@return how many chunks the overlay holds (each {@link #chunkBytes()} bytes at most)} */
    public int overlayChunks() {
        return overlay.size();
    }

    /** {@return the chunk size in bytes} */
    public int chunkBytes() {
        return chunkBytes;
    }

    @Override
    public CompletionStage<Void> read(long lba, ByteBuffer dst) {
        long start = lba * blockSize;
        long end = start + dst.remaining();
        int origin = dst.position();
        List<CompletableFuture<Void>> parts = new ArrayList<>();
        long runStart = -1; // start of a run of chunks still in the base, in bytes; -1 when no run is open
        for (long pos = start; pos < end; ) {
            long index = pos / chunkBytes;
            long next = Math.min(end, (index + 1) * chunkBytes);
            Chunk chunk = overlay.get(index);
            if (chunk == null) {
                if (runStart < 0) {
                    runStart = pos;
                }
            } else {
                if (runStart >= 0) {
                    parts.add(readBase(runStart, pos, dst, origin, start));
                    runStart = -1;
                }
                int from = (int) (pos - index * chunkBytes);
                int length = (int) (next - pos);
                int at = origin + (int) (pos - start);
                parts.add(chunk.ready.thenRun(() -> chunk.copyTo(from, dst, at, length)));
            }
            pos = next;
        }
        if (runStart >= 0) {
            parts.add(readBase(runStart, end, dst, origin, start));
        }
        // allOf completes only when every part has: the base never holds a slice of dst after this stage completes.
        return parts.size() == 1 ? parts.get(0) : CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new));
    }

    /** Reads bytes {@code [from, to)} of the disk from the base into the matching slice of {@code dst}. */
    private CompletableFuture<Void> readBase(long from, long to, ByteBuffer dst, int origin, long start) {
        ByteBuffer slice = dst.slice(origin + (int) (from - start), (int) (to - from));
        return call(() -> base.read(from / blockSize, slice));
    }

    @Override
    public CompletionStage<Void> write(long lba, ByteBuffer src, boolean fua) {
        long start = lba * blockSize;
        long end = start + src.remaining();
        int origin = src.position();
        List<CompletableFuture<Void>> parts = new ArrayList<>();
        for (long pos = start; pos < end; ) {
            long index = pos / chunkBytes;
            long next = Math.min(end, (index + 1) * chunkBytes);
            int from = (int) (pos - index * chunkBytes);
            int length = (int) (next - pos);
            int at = origin + (int) (pos - start);
            CompletableFuture<Void> part = writeChunk(index, from, src, at, length);
            if (part != DONE) {
                parts.add(part);
            }
            pos = next;
        }
        return parts.isEmpty() ? DONE
                : parts.size() == 1 ? parts.get(0) : CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new));
    }

    /** Writes {@code length} bytes of {@code src} at {@code at} to chunk {@code index} from byte {@code from}. */
    private CompletableFuture<Void> writeChunk(long index, int from, ByteBuffer src, int at, int length) {
        Chunk chunk = overlay.get(index);
        if (chunk == null) {
            int size = chunkLength(index);
            if (from == 0 && length == size) {
                // The write covers the whole chunk: no copy-up. Fill it before publishing it, so a concurrent
                // read never sees it half-written.
                Chunk fresh = new Chunk(size, true);
                src.get(at, fresh.data, 0, length);
                chunk = overlay.putIfAbsent(index, fresh);
                if (chunk == null) {
                    return DONE;
                }
            } else {
                Chunk fresh = new Chunk(size, false);
                chunk = overlay.putIfAbsent(index, fresh);
                if (chunk == null) {
                    chunk = fresh;
                    copyUp(index, fresh);
                }
            }
        }
        Chunk target = chunk;
        if (target.ready.isDone() && !target.ready.isCompletedExceptionally()) {
            return target.copyFrom(src, at, from, length) ? DONE : writeChunk(index, from, src, at, length);
        }
        return target.ready.thenCompose(v -> target.copyFrom(src, at, from, length)
                ? DONE
                : writeChunk(index, from, src, at, length));
    }

    /** Fills a new chunk with the base's data; writes waiting for it proceed when done. */
    private void copyUp(long index, Chunk chunk) {
        ByteBuffer into = ByteBuffer.wrap(chunk.data);
        call(() -> base.read(index * chunkBlocks, into)).whenComplete((v, failure) -> {
            if (failure != null) {
                overlay.remove(index, chunk); // the next write tries again
                chunk.ready.completeExceptionally(failure);
            } else {
                chunk.ready.complete(null);
            }
        });
    }

    /** The length in bytes of chunk {@code index}: the last chunk may be short. */
    private int chunkLength(long index) {
        return (int) Math.min(chunkBytes, (blockCount - index * chunkBlocks) * blockSize);
    }

    /** Nothing to do: the overlay is memory, and the base is not written. */
    @Override
    public CompletionStage<Void> flush() {
        return DONE;
    }

    /**
     * Writes every overlay chunk into the base (with FUA), flushes the base, and drops the committed chunks from the
     * overlay. The base must be writable. A chunk written again while the commit runs stays in the overlay (its newer
     * data is not lost; commit again to write it). Reads see the same data throughout.
     *
     * @return a stage completing when the base holds the overlay's data, or exceptionally with the base's failure
     *         (chunks already written to the base are then dropped from the overlay, the others stay)
     */
    public CompletionStage<Void> commit() {
        if (base.isReadOnly()) {
            return CompletableFuture.failedFuture(new IllegalStateException("the base is read-only: " + base));
        }
        List<CompletableFuture<Void>> parts = new ArrayList<>();
        for (Map.Entry<Long, Chunk> e : overlay.entrySet()) {
            long index = e.getKey();
            Chunk chunk = e.getValue();
            parts.add(chunk.ready.thenCompose(v -> {
                long version;
                byte[] snapshot;
                synchronized (chunk) {
                    version = chunk.version;
                    snapshot = chunk.data.clone();
                }
                return call(() -> base.write(index * chunkBlocks, ByteBuffer.wrap(snapshot), true))
                        .thenRun(() -> {
                            synchronized (chunk) {
                                if (chunk.version == version) {
                                    chunk.retired = true; // a write that still finds it starts over from the base
                                    overlay.remove(index, chunk);
                                }
                            }
                        });
            }));
        }
        return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new))
                .thenCompose(v -> call(base::flush));
    }

    /**
     * Drops every change: afterwards the disk reads as the base again. Call it while no write is in flight (the
     * initiator logged out, or quiesced); a write racing with it may be kept or dropped.
     */
    public void discard() {
        for (Map.Entry<Long, Chunk> e : overlay.entrySet()) {
            Chunk chunk = e.getValue();
            synchronized (chunk) {
                chunk.retired = true;
                overlay.remove(e.getKey(), chunk);
            }
        }
    }

    /**
     * Drops the overlay and closes the base.
     *
     * @throws IOException when closing the base fails
     */
    @Override
    public void close() throws IOException {
        overlay.clear();
        base.close();
    }

    @Override
    public String toString() {
        return "CopyOnWriteBackstore[base=" + base + ", chunkBytes=" + chunkBytes + ", overlayChunks="
                + overlay.size() + "]";
    }

    /** Calls the base; a synchronous throw or a {@code null} stage becomes a failed future. */
    private static CompletableFuture<Void> call(Supplier<CompletionStage<Void>> call) {
        try {
            CompletionStage<Void> stage = call.get();
            return stage == null
                    ? CompletableFuture.failedFuture(new IllegalStateException("the base returned a null stage"))
                    : stage.toCompletableFuture();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** One chunk of the overlay. */
    private static final class Chunk {
        /** The chunk's bytes; written by the copy-up before {@link #ready}, afterwards only under this lock. */
        final byte[] data;
        /** Completes when {@link #data} holds the chunk (copied up from the base, or fully written). */
        final CompletableFuture<Void> ready;
        /** Bumped by every write; lets {@link #commit()} tell whether a chunk changed while it was written. */
        long version;
        /** Set, under this lock, when the chunk left the overlay (committed or discarded): writes go elsewhere. */
        boolean retired;

        Chunk(int size, boolean ready) {
            this.data = new byte[size];
            this.ready = ready ? DONE : new CompletableFuture<>();
        }

        /** Applies a write; {@code false} when the chunk was retired and the write must look the chunk up again. */
        synchronized boolean copyFrom(ByteBuffer src, int at, int from, int length) {
            if (retired) {
                return false;
            }
            src.get(at, data, from, length);
            version++;
            return true;
        }

        synchronized void copyTo(int from, ByteBuffer dst, int at, int length) {
            dst.put(at, data, from, length);
        }
    }
}
