package io.iscsi4j.core.pdu;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelOutboundInvoker;
import io.netty.channel.ChannelPromise;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.PromiseCombiner;
import java.util.zip.CRC32C;

/**
 * Writes {@link Pdu}s to the wire (RFC 7143 §11.2): BHS and AHS into a small pooled buffer, the header
 * digest if enabled, then the data segment's own buffer (never copied, never wrapped), then its zero padding to a
 * multiple of 4 and the data digest if enabled and the segment is not empty in a second small buffer. The parts are
 * written to the channel one after the other, so that a header, a pooled data buffer and a trailer go out in one
 * gathering write without a composite buffer, a slice or a {@link java.nio.ByteBuffer} made for them: nothing is
 * allocated per PDU on the heap beyond what the channel's allocator pools.
 *
 * <p>Ownership: the encoder takes the PDU's reference to its data segment and hands it to the channel, which moves
 * the buffer's reader index as it writes it: a PDU written to a channel must own its data buffer's indices (a
 * {@code retainedSlice} or a buffer nobody else reads). The PDU is consumed either way.
 *
 * <p>The data path builds no PDU object for its Data-In and SCSI Response PDUs: it encodes their headers itself
 * ({@link DataIn#encodeReadHeader}, {@link ScsiResponse#encodeStatusHeader}) and hands them to {@link #writeEncoded},
 * which frames them exactly as {@link #write} frames a {@link Pdu}.
 *
 * <p>Digests are read per PDU from the channel attribute {@link #DIGESTS}; a missing attribute means
 * no digests. The session sets it once login negotiated HeaderDigest/DataDigest, after the final Login
 * Response has been written. Digests are CRC32C, sent least significant byte first.
 *
 * <p>Stateless and {@link Sharable}: use {@link #INSTANCE}. Messages that are not PDUs pass through unchanged.
 */
@Sharable
public final class PduEncoder extends ChannelOutboundHandlerAdapter {

    /** The shared instance. */
    public static final PduEncoder INSTANCE = new PduEncoder();

    /** Per-channel digest settings for outbound PDUs; absent means {@link DigestSettings#NONE}. */
    public static final AttributeKey<DigestSettings> DIGESTS =
            AttributeKey.valueOf(PduEncoder.class, "DIGESTS");

    /** One CRC32C per thread: the encoder runs on event loops, and a digest is computed in one call. */
    private static final FastThreadLocal<CRC32C> CRC = new FastThreadLocal<>() {
        @Override
        protected CRC32C initialValue() {
            return new CRC32C();
        }
    };

    private PduEncoder() {
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!(msg instanceof Pdu pdu)) {
            ctx.write(msg, promise);
            return;
        }
        DigestSettings digests = digests(ctx.channel());
        ByteBuf header;
        try {
            header = encodeHeader(ctx, pdu, digests);
        } catch (RuntimeException | Error e) {
            pdu.release();
            promise.setFailure(e);
            return;
        }
        // The PDU's reference to its data goes to the channel.
        frame(ctx, ctx.executor(), ctx.alloc(), header, pdu.data(), digests, promise);
    }

    /**
     * Writes a PDU whose header segments the caller encoded itself, such as {@link DataIn#encodeReadHeader} and
     * {@link ScsiResponse#encodeStatusHeader} do for the data path, which builds no PDU object: framed as
     * {@link #write} frames a {@link Pdu} (the header digest appended to {@code header}, then the data segment, then
     * its padding and data digest), by the digest settings of the channel, and written to the channel, in that order,
     * with its void promise.
     *
     * <p>Ownership: takes {@code header} and {@code data}, each one reference; on failure both are released. The
     * channel moves the data's reader index as it writes it: {@code data} must own its indices (a
     * {@code retainedSlice}, or a buffer nobody else reads).
     *
     * @param channel the channel; the call must run on its event loop, so that the parts of two PDUs never interleave
     * @param header the BHS and AHS, from its reader index to its writer index
     * @param data the data segment without padding or digest, possibly empty
     * @throws IllegalStateException if called outside the channel's event loop (both buffers are released)
     * @throws IllegalArgumentException if the header is shorter than a BHS or its DataSegmentLength is not the
     *     data's length, which would break the framing of everything after it (both buffers are released)
     */
    public static void writeEncoded(Channel channel, ByteBuf header, ByteBuf data) {
        RuntimeException refused = null;
        if (!channel.eventLoop().inEventLoop()) {
            refused = new IllegalStateException("writeEncoded outside the channel's event loop");
        } else if (header.readableBytes() < Pdu.BHS_LENGTH) {
            refused = new IllegalArgumentException("a header of " + header.readableBytes() + " bytes");
        } else if (header.getUnsignedMedium(header.readerIndex() + 5) != data.readableBytes()) {
            refused = new IllegalArgumentException("the header announces "
                    + header.getUnsignedMedium(header.readerIndex() + 5) + " data bytes, the data segment has "
                    + data.readableBytes());
        }
        if (refused != null) {
            header.release();
            data.release();
            throw refused;
        }
        frame(channel, channel.eventLoop(), channel.alloc(), header, data, digests(channel), channel.voidPromise());
    }

    private static DigestSettings digests(Channel channel) {
        DigestSettings digests = channel.attr(DIGESTS).get();
        return digests == null ? DigestSettings.NONE : digests;
    }

    /**
     * Appends the header digest if enabled, makes the trailer, and writes header, data and trailer to {@code out}.
     * Takes both buffers; on failure releases them and fails the promise.
     */
    private static void frame(ChannelOutboundInvoker out, EventExecutor executor, ByteBufAllocator alloc,
                              ByteBuf header, ByteBuf data, DigestSettings digests, ChannelPromise promise) {
        int dataLength = data.readableBytes();
        ByteBuf trailer;
        try {
            if (digests.headerDigest()) {
                header.writeIntLE(Digests.crc32c(CRC.get(), header, header.readerIndex(), header.readableBytes()));
            }
            trailer = dataLength == 0 ? null : encodeTrailer(alloc, data, digests);
        } catch (RuntimeException | Error e) {
            header.release();
            data.release();
            promise.setFailure(e);
            return;
        }
        if (dataLength == 0) {
            data.release();
            out.write(header, promise);
            return;
        }
        if (promise.isVoid()) {
            out.write(header, promise);
            out.write(data, promise);
            if (trailer != null) {
                out.write(trailer, promise);
            }
            return;
        }
        PromiseCombiner combiner = new PromiseCombiner(executor);
        combiner.add(out.write(header));
        combiner.add(out.write(data));
        if (trailer != null) {
            combiner.add(out.write(trailer));
        }
        combiner.finish(promise);
    }

    /** The BHS and AHS, with room for the header digest if enabled, in a new buffer of the context's allocator. */
    private static ByteBuf encodeHeader(ChannelHandlerContext ctx, Pdu pdu, DigestSettings digests) {
        ByteBuf buf = ctx.alloc().buffer(pdu.headerLength() + (digests.headerDigest() ? Digests.DIGEST_LENGTH : 0));
        boolean success = false;
        try {
            pdu.encodeHeader(buf);
            success = true;
            return buf;
        } finally {
            if (!success) {
                buf.release();
            }
        }
    }

    /**
     * The padding of a non-empty data segment and its digest if enabled, in a new buffer, or {@code null} when
     * neither is needed.
     */
    private static ByteBuf encodeTrailer(ByteBufAllocator alloc, ByteBuf data, DigestSettings digests) {
        int dataLength = data.readableBytes();
        int padding = Digests.padding(dataLength);
        boolean dataDigest = digests.dataDigest();
        int trailerLength = padding + (dataDigest ? Digests.DIGEST_LENGTH : 0);
        if (trailerLength == 0) {
            return null;
        }
        ByteBuf buf = alloc.buffer(trailerLength);
        buf.writeZero(padding);
        if (dataDigest) {
            CRC32C crc = CRC.get();
            crc.reset();
            Digests.update(crc, data, data.readerIndex(), dataLength);
            Digests.updatePadding(crc, padding);
            buf.writeIntLE((int) crc.getValue());
        }
        return buf;
    }
}
