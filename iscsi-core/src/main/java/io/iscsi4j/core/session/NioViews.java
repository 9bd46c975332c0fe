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
     * A view of bytes {@code [index, index + length)} of {@code buf} of its own: position 0, limit and capacity
     * {@code length}, sharing the bytes.
     *
     * <p>For a buffer of its own memory (the Data-In buffer, the assembled Data-Out) the view is one new object, a
     * slice of the buffer's cached internal view ({@link ByteBuf#internalNioBuffer}), where
     * {@link ByteBuf#nioBuffer(int, int)} makes two (a duplicate of the pooled chunk's memory, then its slice). That
     * internal view is shared by every user of the buffer, so call this on the thread that owns the buffer (the one
     * that just allocated it, or its event loop): the view's position and limit are moved here and sliced at once,
     * and the slice returned is independent of it. A derived buffer (a slice, such as the immediate data the frame
     * decoder cut from its receive buffer, or a leak detector's wrapper) caches no internal view: it gets
     * {@code nioBuffer}'s two objects.
     *
     * @param buf a buffer holding a reference the caller keeps while the view is in use
     * @param index the first byte
     * @param length the number of bytes
     * @return a new view of those bytes
     */
    static ByteBuffer of(ByteBuf buf, int index, int length) {
        if (buf.unwrap() == null && buf.nioBufferCount() == 1) {
            return buf.internalNioBuffer(index, length).slice();
        }
        return buf.nioBuffer(index, length);
    }
}
