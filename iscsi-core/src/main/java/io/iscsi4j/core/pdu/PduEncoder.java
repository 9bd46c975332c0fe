package io.iscsi4j.core.pdu;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;
import io.netty.util.AttributeKey;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Writes {@link Pdu}s to the wire (RFC 7143 §11.2): BHS and AHS into a small pooled buffer, the header
 * digest if enabled, then the data segment as a retained slice (never copied), its zero padding to a
 * multiple of 4 and the data digest if enabled and the segment is not empty. The parts go out as one
 * {@link CompositeByteBuf}.
 *
 * <p>Digests are read per PDU from the channel attribute {@link #DIGESTS}; a missing attribute means
 * no digests. The session sets it once login negotiated HeaderDigest/DataDigest, after the final Login
 * Response has been written. Digests are CRC32C, sent least significant byte first.
 *
 * <p>Stateless and {@link Sharable}: use {@link #INSTANCE}. Like every {@link MessageToMessageEncoder}
 * it releases each PDU it encodes (the output holds its own reference to the data).
 */
@Sharable
public final class PduEncoder extends MessageToMessageEncoder<Pdu> {

    /** The shared instance. */
    public static final PduEncoder INSTANCE = new PduEncoder();

    /** Per-channel digest settings for outbound PDUs; absent means {@link DigestSettings#NONE}. */
    public static final AttributeKey<DigestSettings> DIGESTS =
            AttributeKey.valueOf(PduEncoder.class, "DIGESTS");

    private PduEncoder() {
        super(Pdu.class);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Pdu pdu, List<Object> out) {
        DigestSettings digests = ctx.channel().attr(DIGESTS).get();
        if (digests == null) {
            digests = DigestSettings.NONE;
        }
        out.add(encode(ctx, pdu, digests));
    }

    /**
     * Encodes one PDU; the PDU is not released.
     *
     * @param ctx the context whose allocator is used
     * @param pdu the PDU
     * @param digests the digests to add
     * @return a buffer (composite if the PDU has data) holding the complete wire form
     */
    static ByteBuf encode(ChannelHandlerContext ctx, Pdu pdu, DigestSettings digests) {
        int headerLength = pdu.headerLength();
        int headerDigestLength = digests.headerDigest() ? Digests.DIGEST_LENGTH : 0;
        ByteBuf data = pdu.data();
        int dataLength = data.readableBytes();
        int padding = Digests.padding(dataLength);
        boolean dataDigest = digests.dataDigest() && dataLength > 0;
        int trailerLength = padding + (dataDigest ? Digests.DIGEST_LENGTH : 0);

        ByteBuf buf = ctx.alloc().buffer(headerLength + headerDigestLength + trailerLength);
        boolean success = false;
        try {
            pdu.encodeHeader(buf);
            CRC32C crc = headerDigestLength > 0 || dataDigest ? new CRC32C() : null;
            if (headerDigestLength > 0) {
                buf.writeIntLE(Digests.crc32c(crc, buf, buf.readerIndex(), headerLength));
            }
            if (dataLength == 0) {
                success = true;
                return buf;
            }
            int headerEnd = buf.writerIndex();
            buf.writeZero(padding);
            if (dataDigest) {
                crc.reset();
                Digests.update(crc, data, data.readerIndex(), dataLength);
                Digests.updatePadding(crc, padding);
                buf.writeIntLE((int) crc.getValue());
            }
            CompositeByteBuf composite = ctx.alloc().compositeBuffer(3);
            composite.addComponent(true, buf.retainedSlice(0, headerEnd));
            composite.addComponent(true, data.retainedSlice());
            if (trailerLength > 0) {
                composite.addComponent(true, buf.retainedSlice(headerEnd, trailerLength));
            }
            return composite;
        } finally {
            if (!success) {
                buf.release();
            }
        }
    }
}
