package io.iscsi4j.it;

import java.util.Arrays;

/**
 * A 48-byte Basic Header Segment under construction (RFC 7143 §11.2.1), written field by field at the offsets
 * of RFC 7143 §11. Independent of the target's codec on purpose: the test initiator must not share the
 * target's understanding of the wire format.
 *
 * <p>Multi-byte fields are big-endian (network order). Mutable, not thread-safe.
 */
final class Bhs {

    /** Length of the BHS. */
    static final int LENGTH = 48;

    // Initiator opcodes (RFC 7143 §11.2.1.2).
    static final int NOP_OUT = 0x00;
    static final int SCSI_COMMAND = 0x01;
    static final int TASK_MANAGEMENT_REQUEST = 0x02;
    static final int LOGIN_REQUEST = 0x03;
    static final int TEXT_REQUEST = 0x04;
    static final int DATA_OUT = 0x05;
    static final int LOGOUT_REQUEST = 0x06;
    static final int SNACK = 0x10;

    // Target opcodes.
    static final int NOP_IN = 0x20;
    static final int SCSI_RESPONSE = 0x21;
    static final int TASK_MANAGEMENT_RESPONSE = 0x22;
    static final int LOGIN_RESPONSE = 0x23;
    static final int TEXT_RESPONSE = 0x24;
    static final int DATA_IN = 0x25;
    static final int LOGOUT_RESPONSE = 0x26;
    static final int R2T = 0x31;
    static final int ASYNC_MESSAGE = 0x32;
    static final int REJECT = 0x3F;

    /** The reserved tag 0xffffffff (RFC 7143 §11.2.1.8). */
    static final int RESERVED_TAG = 0xFFFF_FFFF;

    private final byte[] b = new byte[LENGTH];

    private Bhs(int opcode) {
        b[0] = (byte) (opcode & 0x3F);
    }

    /** A zeroed header with the given opcode (byte 0, bits 2..7). */
    static Bhs of(int opcode) {
        return new Bhs(opcode);
    }

    /** Sets or clears the I (immediate delivery) bit, byte 0 bit 1 (0x40). */
    Bhs immediate(boolean value) {
        b[0] = (byte) (value ? b[0] | 0x40 : b[0] & ~0x40);
        return this;
    }

    /** Sets byte 1: the F bit (0x80) and the opcode-specific flags. */
    Bhs flags(int value) {
        return u8(1, value);
    }

    /** Sets one byte. */
    Bhs u8(int offset, int value) {
        b[offset] = (byte) value;
        return this;
    }

    /** Sets a 16-bit field. */
    Bhs u16(int offset, int value) {
        b[offset] = (byte) (value >>> 8);
        b[offset + 1] = (byte) value;
        return this;
    }

    /** Sets a 32-bit field. */
    Bhs i32(int offset, int value) {
        b[offset] = (byte) (value >>> 24);
        b[offset + 1] = (byte) (value >>> 16);
        b[offset + 2] = (byte) (value >>> 8);
        b[offset + 3] = (byte) value;
        return this;
    }

    /** Sets a 64-bit field. */
    Bhs i64(int offset, long value) {
        i32(offset, (int) (value >>> 32));
        return i32(offset + 4, (int) value);
    }

    /** Copies {@code bytes} to {@code offset}. */
    Bhs bytes(int offset, byte[] bytes) {
        System.arraycopy(bytes, 0, b, offset, bytes.length);
        return this;
    }

    /** TotalAHSLength, byte 4, in 4-byte words. */
    Bhs totalAhsLength(int words) {
        return u8(4, words);
    }

    /** DataSegmentLength, bytes 5..7 (24 bits). */
    Bhs dataSegmentLength(int length) {
        if (length < 0 || length > 0xFF_FFFF) {
            throw new IllegalArgumentException("DataSegmentLength out of range: " + length);
        }
        b[5] = (byte) (length >>> 16);
        b[6] = (byte) (length >>> 8);
        b[7] = (byte) length;
        return this;
    }

    /** LUN, bytes 8..15, already encoded (see {@link #encodeLun(int)}). */
    Bhs lun(long encodedLun) {
        return i64(8, encodedLun);
    }

    /** Initiator Task Tag, bytes 16..19. */
    Bhs itt(int tag) {
        return i32(16, tag);
    }

    /** A copy of the 48 bytes. */
    byte[] toByteArray() {
        return Arrays.copyOf(b, LENGTH);
    }

    /**
     * Encodes a LUN number in the 8-byte LUN field (SAM-5 single level: peripheral device addressing for
     * 0..255, flat space addressing for 256..16383), as LIO and Linux do.
     */
    static long encodeLun(int lun) {
        if (lun < 0 || lun > 0x3FFF) {
            throw new IllegalArgumentException("LUN out of range: " + lun);
        }
        long first16 = lun < 256 ? lun : 0x4000 | lun;
        return first16 << 48;
    }

    /** Name of an opcode, for messages. */
    static String opcodeName(int opcode) {
        return switch (opcode) {
            case NOP_OUT -> "NOP-Out";
            case SCSI_COMMAND -> "SCSI Command";
            case TASK_MANAGEMENT_REQUEST -> "Task Management Request";
            case LOGIN_REQUEST -> "Login Request";
            case TEXT_REQUEST -> "Text Request";
            case DATA_OUT -> "Data-Out";
            case LOGOUT_REQUEST -> "Logout Request";
            case SNACK -> "SNACK";
            case NOP_IN -> "NOP-In";
            case SCSI_RESPONSE -> "SCSI Response";
            case TASK_MANAGEMENT_RESPONSE -> "Task Management Response";
            case LOGIN_RESPONSE -> "Login Response";
            case TEXT_RESPONSE -> "Text Response";
            case DATA_IN -> "Data-In";
            case LOGOUT_RESPONSE -> "Logout Response";
            case R2T -> "R2T";
            case ASYNC_MESSAGE -> "Async Message";
            case REJECT -> "Reject";
            default -> String.format("opcode 0x%02x", opcode);
        };
    }
}
