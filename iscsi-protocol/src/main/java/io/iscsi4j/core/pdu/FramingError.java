package io.iscsi4j.core.pdu;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.Objects;

/**
 * The byte stream can no longer be split into PDUs (DataSegmentLength over the limit, header digest
 * mismatch, absurd TotalAHSLength). {@link PduFrameDecoder} emits this once and then discards all
 * further input; the session must close the connection (RFC 7143 §7.8, §7.9).
 *
 * <p>Not reference counted: {@link #header()} is an unpooled read-only copy that needs no release.
 */
public final class FramingError {

    private final String description;
    private final ByteBuf header;

    /**
     * Creates a framing error.
     *
     * @param description a human-readable description for logs
     * @param header a copy of the offending BHS, or {@code null} if none is available; it is copied
     *     again, so the caller keeps ownership
     */
    public FramingError(String description, ByteBuf header) {
        this.description = Objects.requireNonNull(description, "description");
        this.header = header == null
                ? Unpooled.EMPTY_BUFFER
                : Unpooled.unreleasableBuffer(Unpooled.copiedBuffer(header).asReadOnly());
    }

    /**
     * Returns a human-readable description of the violation.
     *
     * @return the description
     */
    public String description() {
        return description;
    }

    /**
     * Returns a read-only copy of the offending 48-byte BHS, or an empty buffer if there is none.
     * Needs no release.
     *
     * @return the header
     */
    public ByteBuf header() {
        return header.duplicate();
    }

    /**
     * Tells whether the offending BHS is available.
     *
     * @return {@code true} if {@link #header()} is not empty
     */
    public boolean hasHeader() {
        return header.isReadable();
    }

    @Override
    public String toString() {
        return "FramingError{" + description + '}';
    }
}
