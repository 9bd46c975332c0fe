package io.iscsi4j.it;

import java.util.zip.CRC32C;

/**
 * The iSCSI digest (RFC 7143 §13.1 "HeaderDigest and DataDigest", CRC32C) as the test initiator computes it,
 * independently of the target's codec.
 *
 * <p>{@link CRC32C} yields the Castagnoli CRC as a number; iSCSI transmits that number least significant byte
 * first. RFC 3720 Appendix B.4 gives the vectors as wire bytes: 32 zero bytes give {@code aa 36 91 8a}
 * (value {@code 0x8a9136aa}); {@link Crc32cVectorsTest} pins that down.
 */
final class Crc32c {

    /** Length of a digest on the wire. */
    static final int LENGTH = 4;

    private Crc32c() {
    }

    /** The CRC32C of {@code length} bytes of {@code bytes} from {@code offset}, as a 32-bit value. */
    static int value(byte[] bytes, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, offset, length);
        return (int) crc.getValue();
    }

    /** The four bytes iSCSI puts on the wire for {@code value}: least significant byte first. */
    static byte[] wireBytes(int value) {
        return new byte[] {(byte) value, (byte) (value >>> 8), (byte) (value >>> 16), (byte) (value >>> 24)};
    }

    /** The digest of {@code length} bytes as it appears on the wire. */
    static byte[] wireDigest(byte[] bytes, int offset, int length) {
        return wireBytes(value(bytes, offset, length));
    }

    /** Writes the wire form of {@code value} into {@code out} at {@code offset}. */
    static void put(byte[] out, int offset, int value) {
        out[offset] = (byte) value;
        out[offset + 1] = (byte) (value >>> 8);
        out[offset + 2] = (byte) (value >>> 16);
        out[offset + 3] = (byte) (value >>> 24);
    }

    /** Reads a digest from its wire form at {@code offset}. */
    static int get(byte[] in, int offset) {
        return (in[offset] & 0xFF) | (in[offset + 1] & 0xFF) << 8 | (in[offset + 2] & 0xFF) << 16
                | (in[offset + 3] & 0xFF) << 24;
    }
}
