package io.iscsi4j.core.pdu;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Splits the inbound byte stream of one iSCSI connection into PDUs (RFC 7143 §11.2): BHS (48 bytes),
 * AHS (TotalAHSLength * 4 bytes), optional header digest, data segment padded to a multiple of 4,
 * optional data digest. Digests are CRC32C, least significant byte first on the wire (see
 * {@link DigestSettings}); there is no data digest (and no padding) when DataSegmentLength is 0.
 *
 * <p>Emits, in order of arrival:
 * <ul>
 *   <li>a {@link Pdu} for every valid PDU; its data segment is a retained slice of the received bytes
 *       (no copy);</li>
 *   <li>a {@link MalformedPdu} for a well-delimited but invalid PDU (unknown opcode:
 *       {@link RejectReason#COMMAND_NOT_SUPPORTED}; bad field; data digest mismatch:
 *       {@link RejectReason#DATA_DIGEST_ERROR}). Its data segment is discarded; decoding continues with
 *       the next PDU;</li>
 *   <li>a {@link FramingError}, at most once, when PDU boundaries can no longer be trusted
 *       (DataSegmentLength above {@link #setMaxDataSegmentLength(int)}, TotalAHSLength above
 *       {@value #MAX_AHS_LENGTH} bytes, header digest mismatch). The decoder then enters
 *       {@link DecoderState#BAD_FRAME} and discards all further input; the session must close the
 *       connection.</li>
 * </ul>
 *
 * <p>At most one PDU is held at a time: the decoder never waits for more than a BHS, an AHS, one data
 * segment (bounded by the limit) plus padding and digests. It emits one message per
 * {@code decode} call, so a handler reacting to a PDU (for example the final Login Request) can change
 * the digest settings or the limit before the next PDU is decoded.
 *
 * <p>Not sharable; the setters must be called from the channel's event loop.
 */
public final class PduFrameDecoder extends ByteToMessageDecoder {

    /** The decoder's position within the current PDU. */
    public enum DecoderState {
        /** Waiting for the 48-byte Basic Header Segment. */
        BHS,
        /** Waiting for TotalAHSLength * 4 bytes of Additional Header Segments. */
        AHS,
        /** Waiting for the 4-byte header digest (skipped if header digests are off). */
        HEADER_DIGEST,
        /** Waiting for the data segment and its padding. */
        DATA,
        /** Waiting for the 4-byte data digest (skipped if data digests are off or there is no data). */
        DATA_DIGEST,
        /** A framing error occurred; all input is discarded. */
        BAD_FRAME
    }

    /** MaxRecvDataSegmentLength in force until the session negotiates another (RFC 7143 §13.12). */
    public static final int DEFAULT_MAX_DATA_SEGMENT_LENGTH = 8192;

    /**
     * Largest accepted AHS in bytes: an Extended CDB AHS for the largest SCSI CDB (260 bytes) plus a
     * Bidirectional Read Data Length AHS fits in 64 words.
     */
    public static final int MAX_AHS_LENGTH = 256;

    private DecoderState state = DecoderState.BHS;
    private boolean headerDigest;
    private boolean dataDigest;
    private int maxDataSegmentLength = DEFAULT_MAX_DATA_SEGMENT_LENGTH;

    /** Reused per-connection buffer holding the current BHS and AHS (a 48..304 byte header copy). */
    private final ByteBuf header = Unpooled.buffer(Pdu.BHS_LENGTH + MAX_AHS_LENGTH);
    private final CRC32C crc = new CRC32C();
    private int ahsLength;
    private int dataLength;
    /** The current data segment (a retained slice) between DATA and the end of DATA_DIGEST. */
    private ByteBuf data;
    private int dataCrc;

    /** Creates a decoder without digests and with the default limit. */
    public PduFrameDecoder() {
    }

    /**
     * Enables or disables the header digest for PDUs not yet started.
     *
     * @param enabled whether each BHS+AHS is followed by a CRC32C
     */
    public void setHeaderDigest(boolean enabled) {
        this.headerDigest = enabled;
    }

    /**
     * Enables or disables the data digest for PDUs not yet started.
     *
     * @param enabled whether each non-empty data segment is followed by a CRC32C
     */
    public void setDataDigest(boolean enabled) {
        this.dataDigest = enabled;
    }

    /**
     * Sets the largest acceptable DataSegmentLength (this side's declared MaxRecvDataSegmentLength);
     * a PDU announcing more is a framing error.
     *
     * @param maxDataSegmentLength the limit in bytes, 512..16777215
     */
    public void setMaxDataSegmentLength(int maxDataSegmentLength) {
        Wire.checkRange("maxDataSegmentLength", maxDataSegmentLength, 512, Pdu.MAX_DATA_SEGMENT_LENGTH);
        this.maxDataSegmentLength = maxDataSegmentLength;
    }

    /**
     * Returns the current state (for tests and diagnostics).
     *
     * @return the state
     */
    public DecoderState state() {
        return state;
    }

    /**
     * Returns whether header digests are expected.
     *
     * @return {@code true} if enabled
     */
    public boolean headerDigest() {
        return headerDigest;
    }

    /**
     * Returns whether data digests are expected.
     *
     * @return {@code true} if enabled
     */
    public boolean dataDigest() {
        return dataDigest;
    }

    /**
     * Returns the DataSegmentLength limit.
     *
     * @return the limit in bytes
     */
    public int maxDataSegmentLength() {
        return maxDataSegmentLength;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        for (;;) {
            switch (state) {
                case BHS -> {
                    if (in.readableBytes() < Pdu.BHS_LENGTH) {
                        return;
                    }
                    header.clear();
                    in.readBytes(header, Pdu.BHS_LENGTH);
                    // RFC 7143 §11.2.1.4/5: byte 4 TotalAHSLength (4-byte words), bytes 5..7 DataSegmentLength
                    ahsLength = header.getUnsignedByte(4) * 4;
                    dataLength = header.getUnsignedMedium(5);
                    if (ahsLength > MAX_AHS_LENGTH) {
                        framingError(in, out, "TotalAHSLength " + ahsLength / 4 + " words exceeds "
                                + MAX_AHS_LENGTH / 4);
                        return;
                    }
                    if (dataLength > maxDataSegmentLength) {
                        framingError(in, out, "DataSegmentLength " + dataLength
                                + " exceeds MaxRecvDataSegmentLength " + maxDataSegmentLength);
                        return;
                    }
                    state = DecoderState.AHS;
                }
                case AHS -> {
                    if (in.readableBytes() < ahsLength) {
                        return;
                    }
                    in.readBytes(header, ahsLength);
                    state = DecoderState.HEADER_DIGEST;
                }
                case HEADER_DIGEST -> {
                    if (headerDigest) {
                        if (in.readableBytes() < Digests.DIGEST_LENGTH) {
                            return;
                        }
                        int received = in.readIntLE();
                        int computed = Digests.crc32c(crc, header, 0, header.writerIndex());
                        if (received != computed) {
                            framingError(in, out, String.format(
                                    "header digest mismatch: received 0x%08x, computed 0x%08x", received, computed));
                            return;
                        }
                    }
                    state = DecoderState.DATA;
                }
                case DATA -> {
                    int padding = Digests.padding(dataLength);
                    if (in.readableBytes() < dataLength + padding) {
                        return;
                    }
                    if (dataDigest && dataLength > 0) {
                        dataCrc = Digests.crc32c(crc, in, in.readerIndex(), dataLength + padding);
                    }
                    data = dataLength == 0 ? Unpooled.EMPTY_BUFFER : in.readRetainedSlice(dataLength);
                    in.skipBytes(padding);
                    state = DecoderState.DATA_DIGEST;
                }
                case DATA_DIGEST -> {
                    ByteBuf segment = data;
                    if (dataDigest && dataLength > 0) {
                        if (in.readableBytes() < Digests.DIGEST_LENGTH) {
                            return;
                        }
                        int received = in.readIntLE();
                        if (received != dataCrc) {
                            data = null;
                            segment.release();
                            state = DecoderState.BHS;
                            out.add(malformed(ctx, RejectReason.DATA_DIGEST_ERROR, String.format(
                                    "data digest mismatch: received 0x%08x, computed 0x%08x", received, dataCrc)));
                            return;
                        }
                    }
                    data = null;
                    state = DecoderState.BHS;
                    out.add(decodePdu(ctx, segment));
                    return;
                }
                case BAD_FRAME -> {
                    in.skipBytes(in.readableBytes());
                    return;
                }
                default -> throw new IllegalStateException(state.toString());
            }
        }
    }

    /** Decodes the current header and {@code segment} (ownership passes to this method). */
    private Object decodePdu(ChannelHandlerContext ctx, ByteBuf segment) {
        // The header buffer itself (reader index 0) serves as the BHS: decoding reads it with absolute gets, and
        // no PDU keeps it. The AHS, when there is one, is a slice; none (the usual case) is the empty buffer.
        ByteBuf bhs = header;
        ByteBuf ahs = ahsLength == 0 ? Unpooled.EMPTY_BUFFER : header.slice(Pdu.BHS_LENGTH, ahsLength);
        try {
            return Pdu.decode(bhs, ahs, segment);
        } catch (PduException e) {
            // Pdu.decode released the segment
            return malformed(ctx, e.reason(), e.getMessage());
        }
    }

    private MalformedPdu malformed(ChannelHandlerContext ctx, RejectReason reason, String description) {
        ByteBuf copy = ctx.alloc().buffer(Pdu.BHS_LENGTH);
        copy.writeBytes(header, 0, Pdu.BHS_LENGTH);
        return new MalformedPdu(copy, reason, description);
    }

    private void framingError(ByteBuf in, List<Object> out, String description) {
        state = DecoderState.BAD_FRAME;
        in.skipBytes(in.readableBytes());
        out.add(new FramingError(description, header.slice(0, Pdu.BHS_LENGTH)));
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        if (data != null) {
            data.release();
            data = null;
        }
    }
}
