package io.iscsi4j.core.pdu;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.ChannelConfig;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.util.UncheckedBooleanSupplier;

/**
 * Netty's adaptive receive buffers, except while the decoder gathers a data segment into a buffer its
 * {@link PduFrameDecoder.SegmentPlacement} chose (an initiator: a Data-In into the caller's read buffer; a target: a
 * Data-Out into the command's write buffer): then the socket is read straight into the segment's missing bytes, so
 * the data crosses from the kernel into that buffer with no copy in between. Such a read asks for exactly the
 * missing bytes, never the next PDU's, and the read after it for exactly the next header (see
 * {@link PduFrameDecoder#readTarget}).
 */
public final class PlacingRecvAllocator implements RecvByteBufAllocator {

    /** Fewer missing bytes than this are read the usual way (with whatever follows them). */
    static final int MIN_PLACED_READ = 16 * 1024;

    /** Reads per wake-up: a socket channel's default (a new allocator's own default is 1). */
    private static final int MAX_READS_PER_WAKEUP = 16;

    private final RecvByteBufAllocator delegate =
            new AdaptiveRecvByteBufAllocator().maxMessagesPerRead(MAX_READS_PER_WAKEUP);
    private final PduFrameDecoder decoder;

    /**
     * An allocator for one channel.
     *
     * @param decoder the channel's frame decoder
     */
    public PlacingRecvAllocator(PduFrameDecoder decoder) {
        this.decoder = decoder;
    }

    @Override
    @SuppressWarnings("deprecation") // the interface's return type; the handle is an ExtendedHandle
    public Handle newHandle() {
        return new PlacingHandle((ExtendedHandle) delegate.newHandle());
    }

    private final class PlacingHandle implements ExtendedHandle {
        private final ExtendedHandle handle;

        PlacingHandle(ExtendedHandle handle) {
            this.handle = handle;
        }

        @Override
        public ByteBuf allocate(ByteBufAllocator alloc) {
            ByteBuf target = decoder.readTarget(alloc, MIN_PLACED_READ);
            return target != null ? target : handle.allocate(alloc);
        }

        @Override
        public int guess() {
            return handle.guess();
        }

        @Override
        public void reset(ChannelConfig config) {
            handle.reset(config);
        }

        @Override
        public void incMessagesRead(int numMessages) {
            handle.incMessagesRead(numMessages);
        }

        @Override
        public void lastBytesRead(int bytes) {
            handle.lastBytesRead(bytes);
        }

        @Override
        public int lastBytesRead() {
            return handle.lastBytesRead();
        }

        @Override
        public void attemptedBytesRead(int bytes) {
            handle.attemptedBytesRead(bytes);
        }

        @Override
        public int attemptedBytesRead() {
            return handle.attemptedBytesRead();
        }

        @Override
        public boolean continueReading() {
            return handle.continueReading();
        }

        @Override
        public boolean continueReading(UncheckedBooleanSupplier maybeMoreDataSupplier) {
            return handle.continueReading(maybeMoreDataSupplier);
        }

        @Override
        public void readComplete() {
            handle.readComplete();
        }
    }
}
