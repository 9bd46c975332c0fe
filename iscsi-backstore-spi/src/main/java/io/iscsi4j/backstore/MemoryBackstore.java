package io.iscsi4j.backstore;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A thin-provisioned backstore in heap memory. Storage is a two-level table: pages of {@value #CHUNKS_PER_PAGE}
 * chunk references, each chunk a {@value #CHUNK_SIZE}-byte array; pages and chunks are allocated on first write
 * (a compare-and-set, so concurrent first writes to one chunk share the winner's array), and unallocated chunks
 * read as zeros. An empty 1 TiB backstore costs a table of 4096 page references.
 *
 * <p>Identity: {@link #unitSerialNumber()} is random, picked at creation, so two memory backstores (in this JVM or
 * on two machines) never present the same device; it lives as long as the data, the object.
 *
 * <p>I/O completes inline (it is a memory copy, hence {@link BackstoreCapability#NON_BLOCKING}) and leaves the
 * callers' buffer positions unchanged. Bytes are
 * copied without locks: ordering of conflicting commands is the target's job, as the {@link Backstore} contract
 * says.
 *
 * <p>Optional operations, all native: {@link #unmap} drops the chunks the range covers entirely (their memory is
 * reclaimed) and zero-fills the covered part of partially covered chunks (which stay allocated);
 * {@link #writeSame} copies the block straight into the chunks; {@link #provisioningStatus} reports at chunk
 * granularity (an allocated chunk is mapped, even where partly zero-filled by an unmap). A write allocates every
 * chunk it needs before copying a byte, so it either fails unchanged or stores everything
 * ({@link BackstoreCapability#WRITE_ATOMIC}).
 */
final class MemoryBackstore implements Backstore {

    /**
     * 256 KiB chunks: an array of half a G1 region or more is "humongous" and takes whole regions of its own, so 1 MiB
     * arrays (the former size) took two 1 MiB regions each on heaps under 2 GiB, and a RAM LUN twice its size.
     */
    static final int CHUNK_SHIFT = 18;
    static final int CHUNK_SIZE = 1 << CHUNK_SHIFT;
    private static final int PAGE_SHIFT = 10;
    private static final int CHUNKS_PER_PAGE = 1 << PAGE_SHIFT;
    /** Capacity limit: a chunk index must fit an {@code int}-sized table (512 TiB). */
    static final long MAX_CAPACITY_BYTES = 1L << (31 + CHUNK_SHIFT);

    private static final Set<BackstoreCapability> CAPABILITIES = Set.of(BackstoreCapability.THIN_PROVISIONING,
            BackstoreCapability.UNMAP, BackstoreCapability.WRITE_ATOMIC, BackstoreCapability.NON_BLOCKING);
    /** Most extents one {@link #provisioningStatus} answer holds. */
    static final int MAX_EXTENTS = 1024;

    private final Geometry geometry;
    /** A random identity, picked at creation: this storage is new and unlike any other. */
    private final String serial = Identity.random();
    private final AtomicLong allocatedChunks = new AtomicLong();
    /** Null once closed. */
    private volatile AtomicReferenceArray<AtomicReferenceArray<byte[]>> pages;

    MemoryBackstore(Geometry geometry) {
        long capacity = geometry.capacityBytes();
        if (capacity > MAX_CAPACITY_BYTES) {
            throw new IllegalArgumentException(
                    "a memory backstore holds at most " + MAX_CAPACITY_BYTES + " bytes (512 TiB), got " + capacity);
        }
        long chunks = (capacity + CHUNK_SIZE - 1) >>> CHUNK_SHIFT;
        this.geometry = geometry;
        this.pages = new AtomicReferenceArray<>((int) ((chunks + CHUNKS_PER_PAGE - 1) >>> PAGE_SHIFT));
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
    public boolean hasVolatileCache() {
        return false;
    }

    /** The chunks written and not unmapped since, in bytes. */
    @Override
    public long allocatedBytes() {
        return allocatedChunks.get() * CHUNK_SIZE;
    }

    /** A random serial (32 hex digits) picked when the backstore was created: its contents live no longer. */
    @Override
    public String unitSerialNumber() {
        return serial;
    }

    @Override
    public Set<BackstoreCapability> capabilities() {
        return CAPABILITIES;
    }

    @Override
    public CompletionStage<Void> read(long lba, ByteBuffer dst) {
        try {
            var table = openTable();
            int length = dst.remaining();
            long offset = geometry.byteOffset(lba, length);
            int base = dst.position();
            int done = 0;
            while (done < length) {
                long position = offset + done;
                int inChunk = (int) (position & (CHUNK_SIZE - 1));
                int n = Math.min(length - done, CHUNK_SIZE - inChunk);
                byte[] chunk = existingChunk(table, position >>> CHUNK_SHIFT);
                if (chunk == null) {
                    Buffers.fillZeros(dst, base + done, n);
                } else {
                    dst.put(base + done, chunk, inChunk, n);
                }
                done += n;
            }
            return Buffers.DONE;
        } catch (BackstoreException | RuntimeException e) {
            return CompletableFuture.failedStage(e);
        }
    }

    @Override
    public CompletionStage<Void> write(long lba, ByteBuffer src, boolean fua) {
        try {
            var table = openTable();
            int length = src.remaining();
            long offset = geometry.byteOffset(lba, length);
            if (length == 0) {
                return Buffers.DONE;
            }
            // Allocate first, so that running out of memory leaves the range unchanged (WRITE_ATOMIC).
            long lastChunk = (offset + length - 1) >>> CHUNK_SHIFT;
            for (long c = offset >>> CHUNK_SHIFT; c <= lastChunk; c++) {
                chunkForWrite(table, c);
            }
            int base = src.position();
            int done = 0;
            while (done < length) {
                long position = offset + done;
                int inChunk = (int) (position & (CHUNK_SIZE - 1));
                int n = Math.min(length - done, CHUNK_SIZE - inChunk);
                src.get(base + done, chunkForWrite(table, position >>> CHUNK_SHIFT), inChunk, n);
                done += n;
            }
            return Buffers.DONE;
        } catch (BackstoreException | RuntimeException e) {
            return CompletableFuture.failedStage(e);
        }
    }

    @Override
    public CompletionStage<Void> unmap(long lba, long blocks) {
        try {
            var table = openTable();
            Geometry.checkRange(lba, blocks, geometry.blockCount());
            long position = lba * geometry.blockSize();
            long end = position + blocks * geometry.blockSize();
            while (position < end) {
                long chunkIndex = position >>> CHUNK_SHIFT;
                int inChunk = (int) (position & (CHUNK_SIZE - 1));
                int n = (int) Math.min(end - position, CHUNK_SIZE - inChunk);
                if (n == CHUNK_SIZE) {
                    dropChunk(table, chunkIndex);
                } else {
                    byte[] chunk = existingChunk(table, chunkIndex);
                    if (chunk != null) {
                        Arrays.fill(chunk, inChunk, inChunk + n, (byte) 0);
                    }
                }
                position += n;
            }
            return Buffers.DONE;
        } catch (BackstoreException | RuntimeException e) {
            return CompletableFuture.failedStage(e);
        }
    }

    @Override
    public CompletionStage<Void> writeSame(long lba, long blocks, ByteBuffer block, boolean fua) {
        try {
            var table = openTable();
            int blockSize = geometry.blockSize();
            DefaultOperations.checkBlock(block, blockSize);
            Geometry.checkRange(lba, blocks, geometry.blockCount());
            long position = lba * blockSize;
            long end = position + blocks * blockSize;
            while (position < end) {
                // Chunks hold whole blocks (the chunk size is a multiple of every block size).
                int inChunk = (int) (position & (CHUNK_SIZE - 1));
                int n = (int) Math.min(end - position, CHUNK_SIZE - inChunk);
                byte[] chunk = chunkForWrite(table, position >>> CHUNK_SHIFT);
                block.get(block.position(), chunk, inChunk, blockSize);
                for (int filled = blockSize; filled < n; filled *= 2) {
                    System.arraycopy(chunk, inChunk, chunk, inChunk + filled, Math.min(filled, n - filled));
                }
                position += n;
            }
            return Buffers.DONE;
        } catch (BackstoreException | RuntimeException e) {
            return CompletableFuture.failedStage(e);
        }
    }

    /**
     * Chunk-granular status: extents break at chunk boundaries where allocation changes; at most
     * {@value #MAX_EXTENTS} extents per answer.
     */
    @Override
    public CompletionStage<List<ProvisioningExtent>> provisioningStatus(long lba, long maxBlocks) {
        try {
            var table = openTable();
            long count = geometry.blockCount();
            if (lba < 0 || lba >= count) {
                throw new LbaOutOfRangeException("LBA " + lba + " is outside the capacity of " + count + " blocks");
            }
            if (maxBlocks < 1) {
                throw new IllegalArgumentException("maxBlocks must be positive: " + maxBlocks);
            }
            int blockSize = geometry.blockSize();
            long endBlock = lba + Math.min(maxBlocks, count - lba);
            List<ProvisioningExtent> extents = new ArrayList<>();
            long start = lba;
            boolean deallocated = existingChunk(table, (lba * blockSize) >>> CHUNK_SHIFT) == null;
            long block = lba;
            while (block < endBlock) {
                long chunkIndex = (block * blockSize) >>> CHUNK_SHIFT;
                boolean unallocated = existingChunk(table, chunkIndex) == null;
                if (unallocated != deallocated) {
                    extents.add(new ProvisioningExtent(start, block - start, deallocated));
                    if (extents.size() == MAX_EXTENTS) {
                        return CompletableFuture.completedStage(List.copyOf(extents));
                    }
                    start = block;
                    deallocated = unallocated;
                }
                block = Math.min(endBlock, ((chunkIndex + 1) << CHUNK_SHIFT) / blockSize);
            }
            extents.add(new ProvisioningExtent(start, endBlock - start, deallocated));
            return CompletableFuture.completedStage(List.copyOf(extents));
        } catch (BackstoreException | RuntimeException e) {
            return CompletableFuture.failedStage(e);
        }
    }

    /** Nothing to do: memory has no cache to write back ({@link #hasVolatileCache()} is {@code false}). */
    @Override
    public CompletionStage<Void> flush() {
        return pages == null ? CompletableFuture.failedStage(closed()) : Buffers.DONE;
    }

    /** Drops the data so the memory can be reclaimed; later I/O fails with {@link NotReadyException}. */
    @Override
    public void close() {
        pages = null;
    }

    /** Number of chunks allocated so far (for tests). */
    long allocatedChunks() {
        return allocatedChunks.get();
    }

    @Override
    public String toString() {
        return "memory[blocks=" + blockCount() + ", blockSize=" + blockSize() + "]";
    }

    private AtomicReferenceArray<AtomicReferenceArray<byte[]>> openTable() throws NotReadyException {
        var table = pages;
        if (table == null) {
            throw closed();
        }
        return table;
    }

    private static byte[] existingChunk(AtomicReferenceArray<AtomicReferenceArray<byte[]>> table, long chunkIndex) {
        var page = table.get((int) (chunkIndex >>> PAGE_SHIFT));
        return page == null ? null : page.get((int) (chunkIndex & (CHUNKS_PER_PAGE - 1)));
    }

    private byte[] chunkForWrite(AtomicReferenceArray<AtomicReferenceArray<byte[]>> table, long chunkIndex) {
        int pageIndex = (int) (chunkIndex >>> PAGE_SHIFT);
        var page = table.get(pageIndex);
        if (page == null) {
            table.compareAndSet(pageIndex, null, new AtomicReferenceArray<>(CHUNKS_PER_PAGE));
            page = table.get(pageIndex);
        }
        int slot = (int) (chunkIndex & (CHUNKS_PER_PAGE - 1));
        byte[] chunk = page.get(slot);
        if (chunk == null) {
            if (page.compareAndSet(slot, null, new byte[CHUNK_SIZE])) {
                allocatedChunks.incrementAndGet();
            }
            chunk = page.get(slot);
        }
        return chunk;
    }

    private void dropChunk(AtomicReferenceArray<AtomicReferenceArray<byte[]>> table, long chunkIndex) {
        var page = table.get((int) (chunkIndex >>> PAGE_SHIFT));
        if (page != null && page.getAndSet((int) (chunkIndex & (CHUNKS_PER_PAGE - 1)), null) != null) {
            allocatedChunks.decrementAndGet();
        }
    }

    private static NotReadyException closed() {
        return new NotReadyException("memory backstore is closed");
    }
}
