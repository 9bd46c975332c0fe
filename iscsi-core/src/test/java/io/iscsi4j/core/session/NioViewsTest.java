package io.iscsi4j.core.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.assertj.core.api.Assertions.assertThat;

class NioViewsTest {

    @Test
    void aViewOfAPooledBufferIsItsOwnAndSharesTheBytes() {
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(8192);
        try {
            buf.writeZero(8192);
            ByteBuffer view = NioViews.ofOwn(buf, 1000, 512);
            ByteBuffer other = NioViews.ofOwn(buf, 4000, 16);

            assertThat(view.position()).isZero();
            assertThat(view.limit()).isEqualTo(512);
            assertThat(view.capacity()).isEqualTo(512);
            assertThat(other.capacity()).as("the second view did not move the first").isEqualTo(16);
            assertThat(view.capacity()).isEqualTo(512);
            view.put(0, (byte) 7);
            view.position(100).limit(200); // what a backstore may do with its buffer
            assertThat(buf.getByte(1000)).isEqualTo((byte) 7);
            assertThat(NioViews.ofOwn(buf, 1000, 512).position()).isZero();
        } finally {
            buf.release();
        }
    }

    @Test
    void aViewOfABufferInSeveralPartsHoldsItsBytes() {
        CompositeByteBuf buf = Unpooled.compositeBuffer();
        buf.addComponents(true, Unpooled.wrappedBuffer(new byte[] {1, 2, 3}),
                Unpooled.wrappedBuffer(new byte[] {4, 5}));
        try {
            ByteBuffer view = NioViews.ofOwn(buf, 1, 3);

            assertThat(view.remaining()).isEqualTo(3);
            assertThat(new byte[] {view.get(0), view.get(1), view.get(2)}).containsExactly(2, 3, 4);
        } finally {
            buf.release();
        }
    }
}
