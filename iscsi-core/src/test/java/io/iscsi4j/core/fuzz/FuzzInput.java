package io.iscsi4j.core.fuzz;

import java.util.Arrays;

/**
 * A cursor over a fuzz input read front to back, so that a seed file can be written by hand (or by
 * {@link SeedCorpus}) in the order the fuzz target consumes it. Past the end every read returns zeros.
 */
final class FuzzInput {

    private final byte[] bytes;
    private int position;

    FuzzInput(byte[] bytes) {
        this.bytes = bytes;
    }

    boolean hasMore() {
        return position < bytes.length;
    }

    int remaining() {
        return bytes.length - position;
    }

    /** The next byte, unsigned; 0 past the end. */
    int u8() {
        return position < bytes.length ? bytes[position++] & 0xFF : 0;
    }

    /** The next two bytes, big-endian, unsigned. */
    int u16() {
        return (u8() << 8) | u8();
    }

    /** The next four bytes, big-endian. */
    int i32() {
        return (u16() << 16) | u16();
    }

    /** Up to {@code length} bytes (fewer at the end of the input). */
    byte[] take(int length) {
        int end = (int) Math.min((long) position + Math.max(length, 0), bytes.length);
        byte[] out = Arrays.copyOfRange(bytes, position, end);
        position = end;
        return out;
    }

    /** Everything not yet read. */
    byte[] rest() {
        return take(remaining());
    }
}
