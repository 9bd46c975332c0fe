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
public final class Reject extends Pdu {

    private final int statSN;
    private final int expCmdSN;
    private final int maxCmdSN;
    private final int dataSN;
    private final RejectReason reason;

    private Reject(Builder builder) {
        super(Opcode.REJECT, builder);
        this.statSN = builder.statSN;
        this.expCmdSN = builder.expCmdSN;
        this.maxCmdSN = builder.maxCmdSN;
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
     * Returns the StatSN (BHS bytes 24..27).
     *
     * @return the StatSN
     */
    public int statSN() {
        return statSN;
    }

    /**
     * Returns the ExpCmdSN (BHS bytes 28..31).
     *
     * @return the ExpCmdSN
     */
    public int expCmdSN() {
        return expCmdSN;
    }

    /**
     * Returns the MaxCmdSN (BHS bytes 32..35).
     *
     * @return the MaxCmdSN
     */
    public int maxCmdSN() {
        return maxCmdSN;
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
    void encodeFields(ByteBuf out, int base) {
        out.setByte(base + 1, 0x80);
        out.setInt(base + 24, statSN);
        out.setInt(base + 28, expCmdSN);
        out.setInt(base + 32, maxCmdSN);
        out.setInt(base + 36, dataSN);
        out.setByte(base + 2, reason.code());
    }

    static Reject decode(Wire w) throws PduException {
        w.noAhs();
        return builder()
                .statSN(w.i32(24))
                .expCmdSN(w.i32(28))
                .maxCmdSN(w.i32(32))
                .dataSN(w.i32(36))
                .reason(RejectReason.fromCode(w.u8(2)))
                .data(w.data)
                .build();
    }

    @Override
    void appendFields(StringBuilder sb) {
        sb.append(", statSN=").append(Integer.toUnsignedString(statSN));
        sb.append(", expCmdSN=").append(Integer.toUnsignedString(expCmdSN));
        sb.append(", maxCmdSN=").append(Integer.toUnsignedString(maxCmdSN));
        sb.append(", dataSN=").append(Integer.toUnsignedString(dataSN));
        sb.append(", reason=").append(reason);
    }

    /**
     * Builder for {@link Reject}; setters are named like the accessors.
     */
    public static final class Builder extends Pdu.Builder<Builder> {

        private int statSN;
        private int expCmdSN;
        private int maxCmdSN;
        private int dataSN;
        private RejectReason reason = RejectReason.PROTOCOL_ERROR;

        private Builder() {
            initiatorTaskTag(RESERVED_TAG);
        }

        /**
         * Sets the StatSN.
         *
         * @param statSN the StatSN
         * @return this builder
         */
        public Builder statSN(int statSN) {
            this.statSN = statSN;
            return this;
        }

        /**
         * Sets the ExpCmdSN.
         *
         * @param expCmdSN the ExpCmdSN
         * @return this builder
         */
        public Builder expCmdSN(int expCmdSN) {
            this.expCmdSN = expCmdSN;
            return this;
        }

        /**
         * Sets the MaxCmdSN.
         *
         * @param maxCmdSN the MaxCmdSN
         * @return this builder
         */
        public Builder maxCmdSN(int maxCmdSN) {
            this.maxCmdSN = maxCmdSN;
            return this;
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
