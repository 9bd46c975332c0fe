package io.iscsi4j.core.pdu;

import io.netty.buffer.ByteBuf;
import java.util.Objects;

/**
 * Reject: the target rejects a PDU it received (RFC 7143 §11.17), opcode 0x3f.
 *
 * <p>The F bit is always 1 and the Initiator Task Tag always 0xffffffff; the data segment holds the
 * complete header of the rejected PDU.
 *
 * <p>Immutable; create with {@link #builder()}. See {@link Pdu} for buffer ownership.
 */
public final class Reject extends TargetPdu {

    private final int dataSN;
    private final RejectReason reason;

    private Reject(Builder builder) {
        super(Opcode.REJECT, builder);
        this.dataSN = builder.dataSN;
        this.reason = builder.reason;
    }

    /**
     * Returns a new builder for a {@code Reject}.
     *
     * @return a builder with all fields zero (tags noted otherwise)
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns the DataSN/R2TSN (for a rejected SNACK) or reserved (BHS bytes 36..39).
     *
     * @return the DataSN/R2TSN (for a rejected SNACK) or reserved
     */
    public int dataSN() {
        return dataSN;
    }

    /**
     * Returns the reason (BHS byte 2).
     *
     * @return the reject reason
     */
    public RejectReason reason() {
        return reason;
    }

    @Override
    void encodeOpcodeFields(ByteBuf out, int base) {
        out.setByte(base + 1, 0x80);
        out.setInt(base + 36, dataSN);
        out.setByte(base + 2, reason.code());
    }

    static Reject decode(Wire w) throws PduException {
        w.noAhs();
        return builder()
                .decodeTargetFields(w)
                .dataSN(w.i32(36))
                .reason(RejectReason.fromCode(w.u8(2)))
                .data(w.data)
                .build();
    }

    @Override
    void appendFields(StringBuilder sb) {
        appendTargetFields(sb);
        sb.append(", dataSN=").append(Integer.toUnsignedString(dataSN));
        sb.append(", reason=").append(reason);
    }

    /**
     * Builder for {@link Reject}; setters are named like the accessors.
     */
    public static final class Builder extends TargetPdu.Builder<Builder> {

        private int dataSN;
        private RejectReason reason = RejectReason.PROTOCOL_ERROR;

        private Builder() {
            initiatorTaskTag(RESERVED_TAG);
        }

        /**
         * Sets the DataSN/R2TSN (for a rejected SNACK) or reserved.
         *
         * @param dataSN the DataSN/R2TSN (for a rejected SNACK) or reserved
         * @return this builder
         */
        public Builder dataSN(int dataSN) {
            this.dataSN = dataSN;
            return this;
        }

        /**
         * Sets the data segment (the rejected PDU's header); the built PDU takes ownership of the buffer's
         * reference.
         *
         * @param data the data segment, at most 16 MiB - 1 bytes; not {@code null}
         * @return this builder
         */
        public Builder data(ByteBuf data) {
            setData(data);
            return this;
        }

        /**
         * Sets the reason.
         *
         * @param reason the reject reason
         * @return this builder
         */
        public Builder reason(RejectReason reason) {
            this.reason = Objects.requireNonNull(reason, "reason");
            return this;
        }

        /**
         * Sets the data segment to the rejected PDU's header (the 48-byte BHS; RFC 7143 §11.17.2).
         * Like {@link #data(ByteBuf)}, the built PDU takes ownership of the buffer's reference: pass a
         * retained slice or copy of a buffer you keep (for example
         * {@code m.header().retainedDuplicate()} for a {@link MalformedPdu} {@code m}).
         *
         * @param header the rejected header, at least 48 readable bytes
         * @return this builder
         */
        public Builder rejectedHeader(ByteBuf header) {
            if (header.readableBytes() < BHS_LENGTH) {
                throw new IllegalArgumentException("rejected header has only " + header.readableBytes() + " bytes");
            }
            return data(header);
        }

        @Override
        public Reject build() {
            if (initiatorTaskTag != RESERVED_TAG) {
                throw new IllegalArgumentException("Reject Initiator Task Tag must be 0xffffffff");
            }
            checkData();
            return new Reject(this);
        }
    }
}
