package io.iscsi4j.core.pdu;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.util.ReferenceCounted;
import java.util.Objects;

/**
 * An iSCSI protocol data unit (RFC 7143 §11): the 48-byte Basic Header Segment (BHS), optional
 * Additional Header Segments (AHS) and an optional data segment.
 *
 * <p>PDUs are immutable and created by a builder ({@code DataIn.builder()...build()}) or by
 * {@link #decode(ByteBuf, ByteBuf, ByteBuf)}. Digests and padding are framing concerns handled by
 * {@link PduFrameDecoder} and {@link PduEncoder}, not part of the PDU.
 *
 * <p><b>Buffer ownership:</b> a PDU owns exactly one reference to its data segment; the
 * {@link ReferenceCounted} methods of the PDU delegate to {@link #data()}. Whoever holds a PDU must
 * release it once (or pass it on, for example by writing it to a channel whose {@link PduEncoder}
 * releases it). The data segment is never {@code null}: PDUs without data use
 * {@link Unpooled#EMPTY_BUFFER}.
 *
 * <p><b>Thread-safety:</b> PDUs are immutable and may be handed between threads; their data buffer's
 * reader index must not be moved by readers (use {@link ByteBuf#duplicate()} or absolute getters).
 *
 * <p>Sequence numbers and tags are {@code int}s holding unsigned 32-bit values.
 */
public abstract sealed class Pdu implements ReferenceCounted
        permits InitiatorPdu, TargetPdu, DataOut, Snack {

    /** Length of the Basic Header Segment in bytes. */
    public static final int BHS_LENGTH = 48;

    /** Largest DataSegmentLength the 24-bit BHS field can express. */
    public static final int MAX_DATA_SEGMENT_LENGTH = 0xFF_FFFF;

    /** The reserved tag value {@code 0xffffffff} (RFC 7143 §11.2.1.8, §11.3.5 and others). */
    public static final int RESERVED_TAG = 0xFFFF_FFFF;

    private final Opcode opcode;
    private final boolean immediate;
    private final int initiatorTaskTag;
    private final ByteBuf data;

    Pdu(Opcode opcode, Builder<?> builder) {
        this.opcode = opcode;
        this.immediate = builder.immediate;
        this.initiatorTaskTag = builder.initiatorTaskTag;
        this.data = builder.data;
    }

    /** For the hot path's factories, which set every field without a builder; {@code data} is checked already. */
    Pdu(Opcode opcode, boolean immediate, int initiatorTaskTag, ByteBuf data) {
        this.opcode = opcode;
        this.immediate = immediate;
        this.initiatorTaskTag = initiatorTaskTag;
        this.data = data;
    }

    /**
     * Returns the opcode of this PDU.
     *
     * @return the opcode, never {@code null}
     */
    public final Opcode opcode() {
        return opcode;
    }

    /** The I bit (BHS byte 0, bit 1); always {@code false} for target PDUs. */
    final boolean immediateBit() {
        return immediate;
    }

    /**
     * Returns the Initiator Task Tag (BHS bytes 16..19), {@link #RESERVED_TAG} where the RFC reserves
     * it.
     *
     * @return the tag, an unsigned 32-bit value
     */
    public final int initiatorTaskTag() {
        return initiatorTaskTag;
    }

    /**
     * Returns the data segment without padding or digest. The PDU owns one reference to it; callers
     * must not release it separately and should not move its reader index.
     *
     * @return the data segment, {@link Unpooled#EMPTY_BUFFER} when there is none
     */
    public final ByteBuf data() {
        return data;
    }

    /**
     * Returns the DataSegmentLength: the number of readable bytes of {@link #data()}.
     *
     * @return the data segment length in bytes, excluding padding
     */
    public final int dataSegmentLength() {
        return data.readableBytes();
    }

    /**
     * Returns the length of the header segments this PDU encodes to: 48 bytes of BHS plus the AHS.
     *
     * @return the header length in bytes (a multiple of 4)
     */
    public final int headerLength() {
        return BHS_LENGTH + ahsLength();
    }

    /** Length in bytes of the encoded AHS (a multiple of 4), 0 if none. */
    int ahsLength() {
        return 0;
    }

    /** Writes the AHS; only called when {@link #ahsLength()} is positive. */
    void encodeAhs(ByteBuf out) {
        // no AHS by default
    }

    /**
     * Writes the 48-byte BHS, with TotalAHSLength and DataSegmentLength filled in, followed by the
     * AHS if this PDU has one ({@link #headerLength()} bytes in all). Neither digests nor the data
     * segment are written. Reserved fields are written as zero.
     *
     * @param out the buffer to append to; its writer index advances by {@link #headerLength()}
     */
    public final void encodeHeader(ByteBuf out) {
        int base = encodeCommonFields(out, immediate, opcode, ahsLength(), dataSegmentLength(), initiatorTaskTag);
        encodeFields(out, base);
        if (ahsLength() > 0) {
            encodeAhs(out);
        }
    }

    /**
     * Appends a 48-byte BHS holding the fields every PDU has, everything else zero: what {@link #encodeHeader} and
     * the data path's header encoders (which build no PDU object) start with.
     *
     * @return the BHS's index in {@code out}, for the opcode-specific fields
     */
    static int encodeCommonFields(ByteBuf out, boolean immediate, Opcode opcode, int ahsLength, int dataSegmentLength,
                                  int initiatorTaskTag) {
        int base = out.writerIndex();
        out.writeZero(BHS_LENGTH);
        // RFC 7143 §11.2.1: byte 0 = reserved bit | I bit | opcode
        out.setByte(base, (immediate ? 0x40 : 0) | opcode.code());
        // byte 4: TotalAHSLength in 4-byte words; bytes 5..7: DataSegmentLength
        out.setByte(base + 4, ahsLength / 4);
        out.setMedium(base + 5, dataSegmentLength);
        // bytes 16..19: Initiator Task Tag
        out.setInt(base + 16, initiatorTaskTag);
        return base;
    }

    /**
     * A buffer for a BHS that a data path header encoder writes, with room for the header digest the encoder may
     * append ({@link PduEncoder#writeEncoded}).
     */
    static ByteBuf headerBuffer(ByteBufAllocator alloc) {
        return alloc.buffer(BHS_LENGTH + Digests.DIGEST_LENGTH);
    }

    /**
     * Writes the opcode-specific BHS fields at absolute indices {@code base + offset}; bytes 0, 4..7
     * and 16..19 are already written, everything else is zero.
     */
    abstract void encodeFields(ByteBuf out, int base);

    /**
     * Decodes a PDU from its parts. The I bit, opcode, TotalAHSLength and DataSegmentLength of the BHS
     * are taken from {@code bhs}; the caller (normally {@link PduFrameDecoder}) has already checked
     * that {@code ahs} and {@code data} have the lengths the BHS announces. Reserved fields that RFC
     * 7143 requires to be zero in PDUs sent by initiators are checked.
     *
     * <p><b>Ownership:</b> {@code bhs} and {@code ahs} are only read (with absolute getters; their
     * indices do not move) and stay owned by the caller. Ownership of {@code data} passes to this
     * method: it becomes the returned PDU's data segment, or is released if decoding fails.
     *
     * @param bhs the 48-byte BHS (at least 48 readable bytes)
     * @param ahs the AHS, TotalAHSLength * 4 bytes, possibly empty
     * @param data the data segment without padding or digest, possibly empty
     * @return the decoded PDU, owning {@code data}
     * @throws PduException if the opcode is unknown or a field is invalid
     */
    public static Pdu decode(ByteBuf bhs, ByteBuf ahs, ByteBuf data) throws PduException {
        Objects.requireNonNull(bhs, "bhs");
        Objects.requireNonNull(ahs, "ahs");
        Objects.requireNonNull(data, "data");
        boolean success = false;
        try {
            Pdu pdu = decodeUnowned(bhs, ahs, data);
            success = true;
            if (pdu.data() != data) {
                // a PDU type without a data segment, decoded leniently (target opcodes), dropped the segment
                data.release();
            }
            return pdu;
        } finally {
            if (!success) {
                data.release();
            }
        }
    }

    private static Pdu decodeUnowned(ByteBuf bhs, ByteBuf ahs, ByteBuf data) throws PduException {
        if (bhs.readableBytes() < BHS_LENGTH) {
            throw new PduException(RejectReason.PROTOCOL_ERROR,
                    "BHS has " + bhs.readableBytes() + " bytes, expected " + BHS_LENGTH);
        }
        int base = bhs.readerIndex();
        Opcode opcode = Opcode.fromCode(bhs.getByte(base) & 0x3F);
        int announcedAhs = (bhs.getByte(base + 4) & 0xFF) * 4;
        if (announcedAhs != ahs.readableBytes()) {
            throw new PduException(RejectReason.PROTOCOL_ERROR, "TotalAHSLength announces "
                    + announcedAhs + " bytes but " + ahs.readableBytes() + " were supplied");
        }
        int announcedData = bhs.getUnsignedMedium(base + 5);
        if (announcedData != data.readableBytes()) {
            throw new PduException(RejectReason.PROTOCOL_ERROR, "DataSegmentLength announces "
                    + announcedData + " bytes but " + data.readableBytes() + " were supplied");
        }
        Wire wire = new Wire(opcode, bhs, base, ahs, data);
        return switch (opcode) {
            case NOP_OUT -> NopOut.decode(wire);
            case SCSI_COMMAND -> ScsiCommand.decode(wire);
            case TASK_MANAGEMENT_REQUEST -> TaskManagementRequest.decode(wire);
            case LOGIN_REQUEST -> LoginRequest.decode(wire);
            case TEXT_REQUEST -> TextRequest.decode(wire);
            case DATA_OUT -> DataOut.decode(wire);
            case LOGOUT_REQUEST -> LogoutRequest.decode(wire);
            case SNACK -> Snack.decode(wire);
            case NOP_IN -> NopIn.decode(wire);
            case SCSI_RESPONSE -> ScsiResponse.decode(wire);
            case TASK_MANAGEMENT_RESPONSE -> TaskManagementResponse.decode(wire);
            case LOGIN_RESPONSE -> LoginResponse.decode(wire);
            case TEXT_RESPONSE -> TextResponse.decode(wire);
            case DATA_IN -> DataIn.decode(wire);
            case LOGOUT_RESPONSE -> LogoutResponse.decode(wire);
            case R2T -> ReadyToTransfer.decode(wire);
            case ASYNC_MESSAGE -> AsyncMessage.decode(wire);
            case REJECT -> Reject.decode(wire);
        };
    }

    // --- ReferenceCounted, delegating to the data segment ---

    @Override
    public final int refCnt() {
        return data.refCnt();
    }

    @Override
    public final Pdu retain() {
        data.retain();
        return this;
    }

    @Override
    public final Pdu retain(int increment) {
        data.retain(increment);
        return this;
    }

    @Override
    public final Pdu touch() {
        data.touch(this);
        return this;
    }

    @Override
    public final Pdu touch(Object hint) {
        data.touch(hint);
        return this;
    }

    @Override
    public final boolean release() {
        return data.release();
    }

    @Override
    public final boolean release(int decrement) {
        return data.release(decrement);
    }

    @Override
    public final String toString() {
        StringBuilder sb = new StringBuilder(getClass().getSimpleName()).append('{');
        if (immediate) {
            sb.append("immediate, ");
        }
        sb.append("itt=0x").append(Integer.toHexString(initiatorTaskTag));
        appendFields(sb);
        sb.append(", dataSegmentLength=").append(data.readableBytes()).append('}');
        return sb.toString();
    }

    /** Appends {@code ", name=value"} pairs of the opcode-specific fields for {@link #toString()}. */
    abstract void appendFields(StringBuilder sb);

    /**
     * Base class of all PDU builders. Setters return the concrete builder; {@code build()} validates
     * and creates the immutable PDU.
     *
     * <p><b>Ownership:</b> a data buffer passed to a builder becomes owned by the PDU that a
     * successful {@code build()} returns; if {@code build()} throws, the caller still owns it.
     * Builders are not thread-safe and may be used for one {@code build()} only.
     *
     * @param <B> the concrete builder type
     */
    public abstract static class Builder<B extends Builder<B>> {
        int initiatorTaskTag;
        boolean immediate;
        ByteBuf data = Unpooled.EMPTY_BUFFER;

        Builder() {
        }

        /**
         * Sets the Initiator Task Tag.
         *
         * @param initiatorTaskTag the tag (unsigned 32-bit)
         * @return this builder
         */
        public final B initiatorTaskTag(int initiatorTaskTag) {
            this.initiatorTaskTag = initiatorTaskTag;
            return self();
        }

        /**
         * Validates the fields and creates the PDU.
         *
         * @return the new PDU, owning the data buffer
         * @throws IllegalArgumentException if a field is out of range
         */
        public abstract Pdu build();

        @SuppressWarnings("unchecked")
        final B self() {
            return (B) this;
        }

        final void setData(ByteBuf newData) {
            this.data = Objects.requireNonNull(newData, "data");
        }

        final void setImmediate(boolean newImmediate) {
            this.immediate = newImmediate;
        }

        /** Checks the data segment length; call from {@code build()}. */
        final void checkData() {
            Wire.checkRange("DataSegmentLength", data.readableBytes(), 0, MAX_DATA_SEGMENT_LENGTH);
        }

        /** Checks that no data segment was set, for PDUs that carry none. */
        final void checkNoData(String pduName) {
            if (data.readableBytes() != 0) {
                throw new IllegalArgumentException(pduName + " carries no data segment");
            }
        }
    }
}
