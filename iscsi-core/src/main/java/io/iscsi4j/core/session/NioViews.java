package io.iscsi4j.core.session;

import io.netty.buffer.ByteBuf;

import java.nio.ByteBuffer;

/**
 * The {@link ByteBuffer}s the SCSI layer gets over the transport's Netty buffers: the Data-In buffer of a read and the
 * Data-Out of a write, each a view the backstore may move the position and limit of without affecting anyone else.
 */
final class NioViews {

    private NioViews() {
    }

    /**
     * A view of bytes {@code [index, index + length)} of a buffer the caller allocated (not a slice of another one):
     * position 0, limit and capacity {@code length}, sharing the bytes. One new object, a slice of the buffer's cached
     * internal view ({@link ByteBuf#internalNioBuffer}), where {@link ByteBuf#nioBuffer(int, int)} makes two (a
     * duplicate of the pooled chunk's memory, then its slice).
     *
     * <p>The internal view is shared by every user of the buffer, so call this on the thread that owns the buffer
     * (the one that just allocated it, or its event loop): the internal view's position and limit are moved here and
     * sliced at once, and the slice returned is independent of it. A slice of another buffer, such as the immediate
     * data the frame decoder cut from its receive buffer, caches no internal view in Netty (its
     * {@code internalNioBuffer} makes a new one, so this would make three objects): give it {@code nioBuffer}.
     *
     * @param buf a buffer the caller allocated, holding a reference the caller keeps while the view is in use
     * @param index the first byte
     * @param length the number of bytes
     * @return a new view of those bytes
     */
    static ByteBuffer ofOwn(ByteBuf buf, int index, int length) {
        return buf.nioBufferCount() == 1 ? buf.internalNioBuffer(index, length).slice() : buf.nioBuffer(index, length);
    }
}
