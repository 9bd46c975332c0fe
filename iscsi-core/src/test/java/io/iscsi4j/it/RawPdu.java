package io.iscsi4j.it;

import java.util.HexFormat;

/**
 * One PDU as received by the test initiator: BHS, AHS and data segment (without padding and digests, which
 * {@link PduChannel} has checked and removed). Field getters read at RFC 7143 §11 offsets, big-endian.
 *
 * @param bhs the 48-byte Basic Header Segment
 * @param ahs the Additional Header Segments (often empty)
 * @param data the data segment, DataSegmentLength bytes
 */
record RawPdu(byte[] bhs, byte[] ahs, byte[] data) {

    /** Opcode, byte 0 bits 2..7. */
    int opcode() {
        return bhs[0] & 0x3F;
    }

    /** The I bit. */
    boolean immediate() {
        return (bhs[0] & 0x40) != 0;
    }

    /** Byte 1: F bit and opcode-specific flags. */
    int flags() {
        return bhs[1] & 0xFF;
    }

    /** The F (final) bit, byte 1 bit 0 (0x80). */
    boolean finalBit() {
        return (bhs[1] & 0x80) != 0;
    }

    /** An unsigned byte. */
    int u8(int offset) {
        return bhs[offset] & 0xFF;
    }

    /** An unsigned 16-bit field. */
    int u16(int offset) {
        return (bhs[offset] & 0xFF) << 8 | bhs[offset + 1] & 0xFF;
    }

    /** A 32-bit field (unsigned values in an int). */
    int i32(int offset) {
        return (bhs[offset] & 0xFF) << 24 | (bhs[offset + 1] & 0xFF) << 16 | (bhs[offset + 2] & 0xFF) << 8
                | bhs[offset + 3] & 0xFF;
    }

    /** A 64-bit field. */
    long i64(int offset) {
        return (long) i32(offset) << 32 | i32(offset + 4) & 0xFFFF_FFFFL;
    }

    /** TotalAHSLength in 4-byte words, byte 4. */
    int totalAhsLength() {
        return u8(4);
    }

    /** DataSegmentLength, bytes 5..7. */
    int dataSegmentLength() {
        return (bhs[5] & 0xFF) << 16 | (bhs[6] & 0xFF) << 8 | bhs[7] & 0xFF;
    }

    /** LUN or opcode-specific, bytes 8..15. */
    long lun() {
        return i64(8);
    }

    /** Initiator Task Tag, bytes 16..19. */
    int itt() {
        return i32(16);
    }

    /** Target Transfer Tag (Data-In, R2T, NOP-In, Text Response), bytes 20..23. */
    int ttt() {
        return i32(20);
    }

    /** StatSN (most target PDUs), bytes 24..27. */
    int statSN() {
        return i32(24);
    }

    /** ExpCmdSN (target PDUs), bytes 28..31. */
    int expCmdSN() {
        return i32(28);
    }

    /** MaxCmdSN (target PDUs), bytes 32..35. */
    int maxCmdSN() {
        return i32(32);
    }

    /** Opcode name and the header in hex, for failure messages. */
    @Override
    public String toString() {
        return Bhs.opcodeName(opcode()) + " [flags=0x" + Integer.toHexString(flags()) + ", itt=0x"
                + Integer.toHexString(itt()) + ", dsl=" + dataSegmentLength() + ", bhs="
                + HexFormat.of().formatHex(bhs) + "]";
    }
}
