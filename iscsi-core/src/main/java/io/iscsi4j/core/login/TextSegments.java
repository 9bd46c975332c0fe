package io.iscsi4j.core.login;

import java.util.Arrays;

/**
 * Encoded response text handed out in parts no longer than a PDU's data segment limit (RFC 7143 §6.1: a
 * key=value pair may span PDUs when the C bit is set). Not thread-safe.
 */
final class TextSegments {

    private final byte[] text;
    private int offset;

    TextSegments(byte[] text) {
        this.text = text;
    }

    /**
     * The next part.
     *
     * @param maxLength the largest part in bytes
     * @return at most {@code maxLength} bytes; empty once everything was handed out
     */
    byte[] next(int maxLength) {
        int end = (int) Math.min((long) offset + maxLength, text.length);
        byte[] part = Arrays.copyOfRange(text, offset, end);
        offset = end;
        return part;
    }

    /**
     * Whether parts remain.
     *
     * @return {@code true} when {@link #next} has more to give
     */
    boolean hasMore() {
        return offset < text.length;
    }
}
