package io.iscsi4j.core.pdu;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
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
 *       when it arrived in one read (no copy), else a buffer of its own into which its bytes were copied
 *       once, read by read;</li>
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
        /**
         * Copying a data segment that did not arrive in one read into a buffer of its exact size (the decoder's
         * own, or one a {@link SegmentPlacement} chose), as its bytes come; each read is consumed at once, so
         * nothing is copied twice, and bytes read straight into that buffer (see {@link #readTarget(int)}) are
         * not copied at all.
         */
        DATA_GATHER,
        /** Waiting for the padding after a gathered data segment. */
        DATA_PADDING,
        /** Waiting for the 4-byte data digest (skipped if data digests are off or there is no data). */
        DATA_DIGEST,
        /** A framing error occurred; all input is discarded. */
        BAD_FRAME
    }

    /**
     * Chooses the buffer into which a data segment that arrives over several reads is gathered, so that the bytes
     * can land where their reader wants them (an initiator: in the caller's read buffer) instead of being copied
     * there later. Called on the event loop, after the header (and its digest) was checked.
     */
    @FunctionalInterface
    public interface SegmentPlacement {
        /**
         * Returns the buffer for the data segment of the PDU whose header is {@code bhs}.
         *
         * @param bhs the Basic Header Segment (absolute gets only; valid during the call)
         * @param length the DataSegmentLength, at least 1
         * @return a buffer with a writer index of 0 and exactly {@code length} writable bytes, whose one reference
         *     passes to the decoder (it becomes the PDU's data segment, or is released); or {@code null} for a
         *     buffer of the decoder's
         */
        ByteBuf place(ByteBuf bhs, int length);
    }

    /** MaxRecvDataSegmentLength in force until the session negotiates another (RFC 7143 §13.12). */
    public static final int DEFAULT_MAX_DATA_SEGMENT_LENGTH = 8192;

    /**
     * Largest accepted AHS in bytes: an Extended CDB AHS for the largest SCSI CDB (260 bytes) plus a
     * Bidirectional Read Data Length AHS fits in 64 words.
     */
    public static final int MAX_AHS_LENGTH = 256;

    /** Bytes still missing from a segment from which on the connection counts as busy (see channelReadComplete). */
    static final int LARGE_REST = 64 * 1024;

    private DecoderState state = DecoderState.BHS;
    /** Whether this connection is counted in its thread's {@link EventLoopWork} as in the middle of a segment. */
    private boolean countedInSegment;
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
    private SegmentPlacement placement;
    /** Whether {@link #data} came from {@link #placement} (reads may then go straight into it). */
    private boolean placed;
    /** From the end of a placed segment to the next header: the next read asks for no more than that header. */
    private boolean afterPlaced;

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
     * Sets (or with {@code null} removes) the placement of data segments that arrive over several reads.
     *
     * @param placement the placement
     */
    public void setSegmentPlacement(SegmentPlacement placement) {
        this.placement = placement;
    }

    /**
     * For a channel's receive buffer allocator, the buffer the next socket read should fill, when the decoder knows
     * better than a guess:
     * <ul>
     *   <li>while a segment is being gathered into a direct buffer its {@link SegmentPlacement} chose: a buffer over
     *       the segment's missing bytes, so that the read puts them in place (the decoder recognises such a read
     *       and does not copy it);</li>
     *   <li>right after such a segment: a buffer for exactly what is left of it (padding, digest) and the next
     *       Basic Header Segment (with its digest), so that the next segment's bytes are not read into a buffer
     *       of their own and copied.</li>
     * </ul>
     *
     * @param alloc the channel's allocator
     * @param minBytes the fewest missing bytes of a segment worth a read of their own
     * @return a buffer with a writer index of 0 (one reference, for the caller), or {@code null} for the
     *     allocator's own choice
     */
    public ByteBuf readTarget(ByteBufAllocator alloc, int minBytes) {
        if (state == DecoderState.DATA_GATHER) {
            if (!placed || !data.hasMemoryAddress() || data.writableBytes() < minBytes) {
                return null;
            }
            return data.retainedSlice(data.writerIndex(), data.writableBytes()).clear();
        }
        if (!afterPlaced) {
            return null;
        }
        int wanted = switch (state) {
            case DATA_PADDING -> Digests.padding(dataLength) + (dataDigest ? Digests.DIGEST_LENGTH : 0);
            case DATA_DIGEST -> dataDigest ? Digests.DIGEST_LENGTH : 0;
            case BHS -> 0;
            default -> -1;
        };
        if (wanted < 0) {
            return null;
        }
        ByteBuf held = internalBuffer();
        wanted += Pdu.BHS_LENGTH + (headerDigest ? Digests.DIGEST_LENGTH : 0) - (held == null ? 0 : held.readableBytes());
        return wanted > 0 ? alloc.ioBuffer(wanted, wanted) : null;
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
                    afterPlaced = false;
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
                        // Leaving the bytes to the cumulator would copy them again on every read that adds to
                        // them (it grows its buffer and moves what it holds); gather them once instead.
                        startGathering(ctx);
                        continue;
                    }
                    if (dataDigest && dataLength > 0) {
                        dataCrc = Digests.crc32c(crc, in, in.readerIndex(), dataLength + padding);
                    }
                    data = dataLength == 0 ? Unpooled.EMPTY_BUFFER : in.readRetainedSlice(dataLength);
                    in.skipBytes(padding);
                    state = DecoderState.DATA_DIGEST;
                }
                case DATA_GATHER -> {
                    int count = Math.min(data.writableBytes(), in.readableBytes());
                    if (dataDigest) {
                        Digests.update(crc, in, in.readerIndex(), count);
                    }
                    if (inPlace(in, data)) {
                        in.skipBytes(count);
                        data.writerIndex(data.writerIndex() + count);
                    } else {
                        data.writeBytes(in, count);
                    }
                    if (data.isWritable()) {
                        return;
                    }
                    afterPlaced = placed;
                    placed = false;
                    state = DecoderState.DATA_PADDING;
                }
                case DATA_PADDING -> {
                    int padding = Digests.padding(dataLength);
                    if (in.readableBytes() < padding) {
                        return;
                    }
                    if (dataDigest) {
                        Digests.update(crc, in, in.readerIndex(), padding);
                        dataCrc = (int) crc.getValue();
                    }
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

    private void startGathering(ChannelHandlerContext ctx) {
        ByteBuf chosen = placement == null ? null : placement.place(header, dataLength);
        if (chosen != null && (chosen.writerIndex() != 0 || chosen.writableBytes() != dataLength)) {
            chosen.release();
            state = DecoderState.BAD_FRAME; // a bug of the placement's; nothing after this can be trusted
            throw new IllegalStateException("placement gave " + chosen.writableBytes() + " writable bytes for a "
                    + dataLength + "-byte segment");
        }
        placed = chosen != null;
        data = placed ? chosen : ctx.alloc().buffer(dataLength, dataLength);
        crc.reset();
        state = DecoderState.DATA_GATHER;
    }

    /** Whether {@code in}'s readable bytes are {@code data}'s next writable ones (a read went straight there). */
    private static boolean inPlace(ByteBuf in, ByteBuf data) {
        return in.hasMemoryAddress() && data.hasMemoryAddress()
                && in.memoryAddress() + in.readerIndex() == data.memoryAddress() + data.writerIndex();
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

    /**
     * After each batch of reads: whether this connection is left in the middle of a large segment, at least
     * {@link #LARGE_REST} bytes short, counted in the thread's {@link EventLoopWork}. (An initiator that writes a
     * header and its data in two calls leaves a few KiB short for a moment: not worth a sleep.)
     */
    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
        boolean inSegment = state == DecoderState.DATA_GATHER && data.writableBytes() >= LARGE_REST;
        if (inSegment != countedInSegment) {
            countedInSegment = inSegment;
            if (inSegment) {
                EventLoopWork.current().begin();
            } else {
                EventLoopWork.current().end();
            }
        }
        super.channelReadComplete(ctx);
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        if (countedInSegment) {
            countedInSegment = false;
            EventLoopWork.current().end();
        }
        if (data != null) {
            data.release();
            data = null;
            placed = false;
        }
    }
}
