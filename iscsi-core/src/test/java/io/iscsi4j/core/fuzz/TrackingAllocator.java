package io.iscsi4j.core.fuzz;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;

/**
 * An allocator that remembers every buffer it hands out, so a fuzz target can check after each input that
 * every one of them was released exactly once (refCnt 0), without waiting for the garbage collector as
 * Netty's leak detector must. Buffers are unpooled heap buffers; one instance per fuzz input.
 */
final class TrackingAllocator extends AbstractByteBufAllocator {

    /** Makes the raw buffers; its own leak detection is off, this allocator's {@code buffer()} adds it. */
    private static final UnpooledByteBufAllocator RAW = new UnpooledByteBufAllocator(false, true);

    private final List<ByteBuf> allocated = new ArrayList<>();

    TrackingAllocator() {
        super(false);
    }

    @Override
    protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
        ByteBuf buf = RAW.heapBuffer(initialCapacity, maxCapacity);
        allocated.add(buf);
        return buf;
    }

    @Override
    protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
        return newHeapBuffer(initialCapacity, maxCapacity);
    }

    @Override
    public boolean isDirectBufferPooled() {
        return false;
    }

    /** Fails unless every buffer allocated so far has been released. */
    void assertAllReleased() {
        for (int i = 0; i < allocated.size(); i++) {
            ByteBuf buf = allocated.get(i);
            if (buf.refCnt() != 0) {
                throw new AssertionError("buffer " + i + " of " + allocated.size() + " not released: refCnt "
                        + buf.refCnt() + ", " + buf);
            }
        }
    }

    int allocations() {
        return allocated.size();
    }
}
