package io.iscsi4j.core.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledDirectByteBuf;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The Data-In buffers of large reads, kept for the next read instead of being freed.
 *
 * <p>Why: Netty's pooled allocator caches buffers per thread only up to 32 KiB (a JVM-wide system property), so every
 * 1 MiB Data-In buffer goes back to its arena, and a 4 MiB chunk whose last buffer comes back is destroyed. At a
 * queue depth where the bytes in flight swing between a few chunks' worth and none, chunks were created and destroyed
 * over and over: every new chunk is fresh memory from the C allocator, each of its pages faults in on first touch, and
 * 1 MiB reads at queue depth 32 ran at a third to a half of their speed at queue depth 8 (about 700,000 minor page
 * faults in 3 s, against about 10,000 with reuse).
 *
 * <p>What: a read of at least {@link #MIN_LENGTH} bytes gets a direct buffer of the next power of two (up to
 * {@link #MAX_LENGTH}) from a free list of that size, or a new one; when its last reference is released (the last
 * Data-In PDU written, or the task's own reference dropped) the buffer goes back to its free list. The buffers made
 * here, in use or free, never exceed {@code maxBytes} in all: beyond that, and for smaller and larger reads, the
 * channel's allocator serves as before. So the memory kept is the most that large reads ever held at once, at most
 * {@code maxBytes}. Thread-safe; the free lists take a short lock.
 */
final class DataInBuffers {

    /** The smallest read served from the free lists. */
    static final int MIN_LENGTH = 64 * 1024;
    /** The largest read served from the free lists. */
    static final int MAX_LENGTH = 16 * 1024 * 1024;
    private static final int MIN_SHIFT = Integer.numberOfTrailingZeros(MIN_LENGTH);
    private static final int CLASSES = Integer.numberOfTrailingZeros(MAX_LENGTH) - MIN_SHIFT + 1;

    private final long maxBytes;
    private final List<ArrayDeque<ByteBuffer>> free;
    private long freeBytes;
    /** Bytes of the buffers made here, in use or free. */
    private long madeBytes;

    /** @param maxBytes the most bytes of buffers made here, in use or free */
    DataInBuffers(long maxBytes) {
        this.maxBytes = maxBytes;
        List<ArrayDeque<ByteBuffer>> lists = new ArrayList<>(CLASSES);
        for (int i = 0; i < CLASSES; i++) {
            lists.add(new ArrayDeque<>());
        }
        this.free = List.copyOf(lists);
    }

    /**
     * A direct buffer of exactly {@code length} bytes (reader index 0, writer index 0, capacity {@code length}).
     *
     * @param alloc the allocator for lengths outside [{@link #MIN_LENGTH}, {@link #MAX_LENGTH}]
     */
    ByteBuf allocate(ByteBufAllocator alloc, int length) {
        if (length < MIN_LENGTH || length > MAX_LENGTH) {
            return alloc.directBuffer(length, length);
        }
        int c = sizeClass(length);
        int size = 1 << (c + MIN_SHIFT);
        ByteBuffer whole;
        synchronized (this) {
            whole = free.get(c).poll();
            if (whole != null) {
                freeBytes -= size;
            } else if (madeBytes + size > maxBytes) {
                return alloc.directBuffer(length, length);
            } else {
                madeBytes += size;
            }
        }
        if (whole == null) {
            try {
                whole = ByteBuffer.allocateDirect(size);
            } catch (OutOfMemoryError e) {
                // The JVM's direct memory limit (-XX:MaxDirectMemorySize) is reached; Netty counts its own.
                synchronized (this) {
                    madeBytes -= size;
                }
                return alloc.directBuffer(length, length);
            }
        }
        return new Recycled(alloc, this, whole, length);
    }

    /** The size class of a length in [{@link #MIN_LENGTH}, {@link #MAX_LENGTH}]: log2 of the next power of two. */
    static int sizeClass(int length) {
        return 32 - Integer.numberOfLeadingZeros(length - 1) - MIN_SHIFT;
    }

    private synchronized void recycle(ByteBuffer whole) {
        whole.clear();
        free.get(sizeClass(whole.capacity())).push(whole);
        freeBytes += whole.capacity();
    }

    /** Bytes the free lists hold now. */
    synchronized long freeBytes() {
        return freeBytes;
    }

    /** Bytes of the buffers made here, in use or free. */
    synchronized long madeBytes() {
        return madeBytes;
    }

    /** A buffer over the head of a free-list buffer, which goes back to its list when released. */
    private static final class Recycled extends UnpooledDirectByteBuf {

        private final DataInBuffers owner;
        private final ByteBuffer whole;

        Recycled(ByteBufAllocator alloc, DataInBuffers owner, ByteBuffer whole, int length) {
            super(alloc, whole.duplicate().clear().limit(length), length);
            this.owner = owner;
            this.whole = whole;
            writerIndex(0);
        }

        @Override
        protected void deallocate() {
            super.deallocate(); // forgets the buffer; a buffer handed in is never freed by the superclass
            owner.recycle(whole);
        }
    }
}
