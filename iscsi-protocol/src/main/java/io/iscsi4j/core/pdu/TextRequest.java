package io.iscsi4j.core.pdu;

import io.netty.buffer.ByteBuf;

/**
 * Text Request (RFC 7143 §11.10), opcode 0x04.
 *
 * <p>Immutable; create with {@link #builder()}. See {@link Pdu} for buffer ownership.
 */
public final class TextRequest extends InitiatorPdu {

    private final boolean finalFlag;
    private final boolean continueFlag;
    private final long lun;
    private final int targetTransferTag;

    private TextRequest(Builder builder) {
        super(Opcode.TEXT_REQUEST, builder);
        this.finalFlag = builder.finalFlag;
        this.continueFlag = builder.continueFlag;
        this.lun = builder.lun;
        this.targetTransferTag = builder.targetTransferTag;
    }

    /**
     * Returns a new builder for a {@code TextRequest}.
     *
     * @return a builder with all fields zero
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns the F (final) bit (BHS byte 1, mask 0x80).
     *
     * @return the F (final) bit
     */
    public boolean finalFlag() {
        return finalFlag;
    }

    /**
     * Returns the C (continue) bit (BHS byte 1, mask 0x40).
     *
     * @return the C (continue) bit
     */
    public boolean continueFlag() {
        return continueFlag;
    }

    /**
     * Returns the Logical Unit Number (BHS bytes 8..15).
     *
     * @return the Logical Unit Number
     */
    public long lun() {
        return lun;
    }

    /**
     * Returns the Target Transfer Tag (BHS bytes 20..23).
     *
     * @return the Target Transfer Tag
     */
    public int targetTransferTag() {
        return targetTransferTag;
    }

    @Override
    void encodeOpcodeFields(ByteBuf out, int base) {
        out.setByte(base + 1, (finalFlag ? 0x80 : 0) | (continueFlag ? 0x40 : 0));
        out.setLong(base + 8, lun);
        out.setInt(base + 20, targetTransferTag);
    }

    static TextRequest decode(Wire w) throws PduException {
        // reserved, ignored on receipt (RFC 7143 §11.2): byte 1 bits 0x3f, bytes 2..3, bytes 32..47
        w.noAhs();
        return builder()
                .initiatorTaskTag(w.i32(16))
                .finalFlag(w.bit(1, 0x80))
                .continueFlag(w.bit(1, 0x40))
                .lun(w.i64(8))
                .targetTransferTag(w.i32(20))
                .decodeInitiatorFields(w)
                .data(w.data)
                .build();
    }

    @Override
    void appendFields(StringBuilder sb) {
        sb.append(", finalFlag=").append(finalFlag);
        sb.append(", continueFlag=").append(continueFlag);
        sb.append(", lun=0x").append(Long.toHexString(lun));
        sb.append(", targetTransferTag=").append(Integer.toUnsignedString(targetTransferTag));
        appendInitiatorFields(sb);
    }

    /**
     * Builder for {@link TextRequest}; setters are named like the accessors.
     */
    public static final class Builder extends InitiatorPdu.Builder<Builder> {

        private boolean finalFlag;
        private boolean continueFlag;
        private long lun;
        private int targetTransferTag;

        private Builder() {
        }

        /**
         * Sets the F (final) bit.
         *
         * @param finalFlag the F (final) bit
         * @return this builder
         */
        public Builder finalFlag(boolean finalFlag) {
            this.finalFlag = finalFlag;
            return this;
        }

        /**
         * Sets the C (continue) bit.
         *
         * @param continueFlag the C (continue) bit
         * @return this builder
         */
        public Builder continueFlag(boolean continueFlag) {
            this.continueFlag = continueFlag;
            return this;
        }

        /**
         * Sets the Logical Unit Number.
         *
         * @param lun the Logical Unit Number
         * @return this builder
         */
        public Builder lun(long lun) {
            this.lun = lun;
            return this;
        }

        /**
         * Sets the Target Transfer Tag.
         *
         * @param targetTransferTag the Target Transfer Tag
         * @return this builder
         */
        public Builder targetTransferTag(int targetTransferTag) {
            this.targetTransferTag = targetTransferTag;
            return this;
        }

        /**
         * Sets the text key=value pairs (UTF-8, NUL-separated); the built PDU takes ownership of the buffer's
         * reference.
         *
         * @param data the data segment, at most 16 MiB - 1 bytes; not {@code null}
         * @return this builder
         */
        public Builder data(ByteBuf data) {
            setData(data);
            return this;
        }

        @Override
        public TextRequest build() {
            checkData();
            return new TextRequest(this);
        }
    }
}
