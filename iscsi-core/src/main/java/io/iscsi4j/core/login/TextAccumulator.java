package io.iscsi4j.core.login;

import java.io.ByteArrayOutputStream;

/**
 * Joins the text of requests linked by the C bit, up to a limit. Not thread-safe.
 */
final class TextAccumulator {

    private final int maxLength;
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();

    TextAccumulator(int maxLength) {
        this.maxLength = maxLength;
    }

    /**
     * Appends one request's text.
     *
     * @param part the text
     * @return {@code false} when the joined text would exceed the limit; nothing is appended then
     */
    boolean append(byte[] part) {
        if ((long) buffer.size() + part.length > maxLength) {
            return false;
        }
        buffer.write(part, 0, part.length);
        return true;
    }

    /**
     * Whether a part is waiting for its continuation.
     *
     * @return {@code true} when text has been appended since the last {@link #take()}
     */
    boolean isPending() {
        return buffer.size() > 0;
    }

    /**
     * The joined text; empties the accumulator.
     *
     * @return the text
     */
    byte[] take() {
        byte[] text = buffer.toByteArray();
        buffer.reset();
        return text;
    }

    /** Drops any joined text. */
    void clear() {
        buffer.reset();
    }
}
