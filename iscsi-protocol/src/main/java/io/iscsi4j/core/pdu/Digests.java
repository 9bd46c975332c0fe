package io.iscsi4j.core.pdu;

import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * CRC32C digests as iSCSI puts them on the wire (RFC 7143 §13.1, test vectors in RFC 7143 Appendix
 * B.4 / RFC 3720 Appendix B.4).
 *
 * <p>The iSCSI CRC32C is the Castagnoli CRC (reflected, initial value and final XOR 0xffffffff), which
 * is exactly what {@link CRC32C} computes. On the wire its 32-bit value is sent <b>least significant
 * byte first</b>: the RFC's example "32 bytes of zeroes" has CRC {@code 0x8a9136aa}, transmitted as
 * the bytes {@code aa 36 91 8a}. Hence {@link ByteBuf#writeIntLE(int)} / {@link ByteBuf#getIntLE(int)}.
 */
final class Digests {

    /** Length of a digest on the wire. */
    static final int DIGEST_LENGTH = 4;

    private static final byte[] ZEROS = new byte[3];

    private Digests() {
    }

    /** Adds {@code length} bytes of {@code buf} at absolute {@code index} to {@code crc}. */
    static void update(CRC32C crc, ByteBuf buf, int index, int length) {
        if (length == 0) {
            return;
        }
        if (buf.hasArray()) {
            crc.update(buf.array(), buf.arrayOffset() + index, length);
        } else if (buf.nioBufferCount() == 1) {
            crc.update(buf.internalNioBuffer(index, length));
        } else {
            for (ByteBuffer part : buf.nioBuffers(index, length)) {
                crc.update(part);
            }
        }
    }

    /** Adds {@code count} (0..3) zero padding bytes to {@code crc}. */
    static void updatePadding(CRC32C crc, int count) {
        crc.update(ZEROS, 0, count);
    }

    /** The CRC32C of {@code length} bytes at {@code index}, as a 32-bit value. */
    static int crc32c(CRC32C crc, ByteBuf buf, int index, int length) {
        crc.reset();
        update(crc, buf, index, length);
        return (int) crc.getValue();
    }

    /** Number of padding bytes after a segment of {@code length} bytes (RFC 7143 §11.2.3). */
    static int padding(int length) {
        return -length & 3;
    }
}
