package io.iscsi4j.core.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.assertj.core.api.Assertions.assertThat;

/** The reusable Data-In buffers of large reads: sizes, reuse after the last release, and the bound. */
class DataInBuffersTest {

    private final UnpooledByteBufAllocator alloc = new UnpooledByteBufAllocator(true);

    @Test
    void sizeClassesArePowersOfTwo() {
        assertThat(DataInBuffers.sizeClass(64 * 1024)).isZero();
        assertThat(DataInBuffers.sizeClass(64 * 1024 + 1)).isEqualTo(1);
        assertThat(DataInBuffers.sizeClass(1 << 20)).isEqualTo(4);
        assertThat(DataInBuffers.sizeClass(16 << 20)).isEqualTo(8);
    }

    @Test
    void aReleasedBufferServesTheNextReadOfItsSize() {
        DataInBuffers buffers = new DataInBuffers(8L << 20);
        ByteBuf first = buffers.allocate(alloc, 1 << 20);
        assertThat(first.capacity()).isEqualTo(1 << 20);
        assertThat(first.writerIndex()).isZero();
        first.writerIndex(1 << 20);
        ByteBuffer memory = first.nioBuffer(0, 16);
        memory.put(0, (byte) 0x5A);
        ByteBuf slice = first.retainedSlice(0, 4096); // a Data-In PDU still being written
        first.release();
        assertThat(buffers.freeBytes()).as("a slice still holds it").isZero();
        slice.release();
        assertThat(buffers.freeBytes()).isEqualTo(1 << 20);

        ByteBuf second = buffers.allocate(alloc, 1000 * 1024);
        assertThat(second.capacity()).isEqualTo(1000 * 1024);
        assertThat(second.getByte(0)).as("the same memory, reused").isEqualTo((byte) 0x5A);
        assertThat(buffers.freeBytes()).isZero();
        assertThat(buffers.madeBytes()).isEqualTo(1 << 20);
        second.release();
    }

    @Test
    void smallAndOversizedReadsAndReadsBeyondTheBoundUseTheAllocator() {
        DataInBuffers buffers = new DataInBuffers(2L << 20);
        PooledByteBufAllocator pooled = PooledByteBufAllocator.DEFAULT;
        ByteBuf small = buffers.allocate(pooled, 4096);
        ByteBuf huge = buffers.allocate(pooled, 32 << 20);
        assertThat(buffers.madeBytes()).isZero();
        ByteBuf a = buffers.allocate(pooled, 1 << 20);
        ByteBuf b = buffers.allocate(pooled, 1 << 20);
        ByteBuf c = buffers.allocate(pooled, 1 << 20);
        assertThat(buffers.madeBytes()).as("never more than the bound").isEqualTo(2L << 20);
        assertThat(c.alloc()).isSameAs(pooled);
        for (ByteBuf buf : new ByteBuf[] {small, huge, a, b, c}) {
            assertThat(buf.release()).isTrue();
        }
        assertThat(buffers.freeBytes()).isEqualTo(2L << 20);
        assertThat(buffers.madeBytes()).isEqualTo(2L << 20);
    }
}
