package io.iscsi4j.scsi;

import java.nio.ByteBuffer;

/**
 * Reads big-endian fields of a CDB (SPC-5 §4.2.5) by absolute index, independent of the buffer's byte order and
 * position.
 */
final class Cdb {

    private Cdb() {
    }

    static int u8(ByteBuffer cdb, int index) {
        return cdb.get(index) & 0xFF;
    }

    static int u16(ByteBuffer cdb, int index) {
        return (u8(cdb, index) << 8) | u8(cdb, index + 1);
    }

    static int u24(ByteBuffer cdb, int index) {
        return (u8(cdb, index) << 16) | u16(cdb, index + 1);
    }

    /** An unsigned 32-bit field. */
    static long u32(ByteBuffer cdb, int index) {
        return ((long) u16(cdb, index) << 16) | u16(cdb, index + 2);
    }

    /** A 64-bit field; values of 2^63 and above come back negative. */
    static long u64(ByteBuffer cdb, int index) {
        return (u32(cdb, index) << 32) | u32(cdb, index + 4);
    }

    /** Whether bit {@code bit} (0 = least significant) of byte {@code index} is set. */
    static boolean bit(ByteBuffer cdb, int index, int bit) {
        return (cdb.get(index) & (1 << bit)) != 0;
    }
}
