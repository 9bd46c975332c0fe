package io.iscsi4j.core.pdu;

import static io.iscsi4j.core.pdu.PduTestSupport.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

/**
 * The CRC32C examples of RFC 7143 Appendix B.4 (first published in RFC 3720 B.4). The RFC lists the
 * digest bytes in wire order; they are the {@link CRC32C} value least significant byte first.
 */
class DigestsTest {

    @Test
    void rfcExamplesAreLittleEndianOnTheWire() {
        byte[] zeros = new byte[32];
        byte[] ones = new byte[32];
        byte[] incrementing = new byte[32];
        byte[] decrementing = new byte[32];
        for (int i = 0; i < 32; i++) {
            ones[i] = (byte) 0xFF;
            incrementing[i] = (byte) i;
            decrementing[i] = (byte) (31 - i);
        }
        assertThat(wireDigest(zeros)).isEqualTo(bytes(0xAA, 0x36, 0x91, 0x8A));
        assertThat(wireDigest(ones)).isEqualTo(bytes(0x43, 0xAB, 0xA8, 0x62));
        assertThat(wireDigest(incrementing)).isEqualTo(bytes(0x4E, 0x79, 0xDD, 0x46));
        assertThat(wireDigest(decrementing)).isEqualTo(bytes(0x5C, 0xDB, 0x3F, 0x11));
    }

    @Test
    void paddingIsToFourBytes() {
        assertThat(Digests.padding(0)).isZero();
        assertThat(Digests.padding(1)).isEqualTo(3);
        assertThat(Digests.padding(2)).isEqualTo(2);
        assertThat(Digests.padding(3)).isEqualTo(1);
        assertThat(Digests.padding(4)).isZero();
        assertThat(Digests.padding(0xFF_FFFF)).isEqualTo(1);
    }

    @Test
    void compositeAndDirectBuffersGiveTheSameCrc() {
        byte[] data = new byte[100];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 7);
        }
        CRC32C crc = new CRC32C();
        int heap = Digests.crc32c(crc, Unpooled.wrappedBuffer(data), 0, data.length);
        ByteBuf direct = Unpooled.directBuffer(data.length).writeBytes(data);
        ByteBuf composite = Unpooled.wrappedBuffer(Unpooled.wrappedBuffer(data, 0, 33),
                Unpooled.directBuffer(67).writeBytes(data, 33, 67));
        try {
            assertThat(Digests.crc32c(crc, direct, 0, data.length)).isEqualTo(heap);
            assertThat(Digests.crc32c(crc, composite, 0, data.length)).isEqualTo(heap);
        } finally {
            direct.release();
            composite.release();
        }
    }

    private static byte[] wireDigest(byte[] data) {
        ByteBuf out = Unpooled.buffer(4);
        out.writeIntLE(Digests.crc32c(new CRC32C(), Unpooled.wrappedBuffer(data), 0, data.length));
        return PduTestSupport.toArray(out);
    }
}
