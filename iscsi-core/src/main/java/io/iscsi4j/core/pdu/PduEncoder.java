package io.iscsi4j.core.pdu;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.util.AttributeKey;
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
        DigestSettings digests = ctx.channel().attr(DIGESTS).get();
        if (digests == null) {
            digests = DigestSettings.NONE;
        }
        ByteBuf data = pdu.data();
        int dataLength = data.readableBytes();
        ByteBuf header;
        ByteBuf trailer;
        try {
            header = encodeHeader(ctx, pdu, digests);
            try {
                trailer = dataLength == 0 ? null : encodeTrailer(ctx, data, digests);
            } catch (RuntimeException | Error e) {
                header.release();
                throw e;
            }
        } catch (RuntimeException | Error e) {
            pdu.release();
            promise.setFailure(e);
            return;
        }
        if (dataLength == 0) {
            pdu.release();
            ctx.write(header, promise);
            return;
        }
        // The PDU's reference to its data goes to the channel.
        if (promise.isVoid()) {
            ctx.write(header, promise);
            ctx.write(data, promise);
            if (trailer != null) {
                ctx.write(trailer, promise);
            }
            return;
        }
        PromiseCombiner combiner = new PromiseCombiner(ctx.executor());
        combiner.add(ctx.write(header));
        combiner.add(ctx.write(data));
        if (trailer != null) {
            combiner.add(ctx.write(trailer));
        }
        combiner.finish(promise);
    }

    /** The BHS and AHS, then the header digest if enabled, in a new buffer of the context's allocator. */
    private static ByteBuf encodeHeader(ChannelHandlerContext ctx, Pdu pdu, DigestSettings digests) {
        int headerLength = pdu.headerLength();
        boolean headerDigest = digests.headerDigest();
        ByteBuf buf = ctx.alloc().buffer(headerLength + (headerDigest ? Digests.DIGEST_LENGTH : 0));
        boolean success = false;
        try {
            pdu.encodeHeader(buf);
            if (headerDigest) {
                buf.writeIntLE(Digests.crc32c(CRC.get(), buf, buf.readerIndex(), headerLength));
            }
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
    private static ByteBuf encodeTrailer(ChannelHandlerContext ctx, ByteBuf data, DigestSettings digests) {
        int dataLength = data.readableBytes();
        int padding = Digests.padding(dataLength);
        boolean dataDigest = digests.dataDigest();
        int trailerLength = padding + (dataDigest ? Digests.DIGEST_LENGTH : 0);
        if (trailerLength == 0) {
            return null;
        }
        ByteBuf buf = ctx.alloc().buffer(trailerLength);
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
