package io.iscsi4j.core.pdu;

import io.netty.buffer.ByteBuf;

/**
 * Ready To Transfer (R2T): asks for a burst of write data (RFC 7143 §11.8), opcode 0x31.
 *
 * <p>Immutable; create with {@link #builder()}. See {@link Pdu} for buffer ownership.
 */
public final class ReadyToTransfer extends TargetPdu {

    private final long lun;
    private final int targetTransferTag;
    private final int r2tSN;
    private final int bufferOffset;
    private final long desiredDataTransferLength;

    private ReadyToTransfer(Builder builder) {
        super(Opcode.R2T, builder);
        this.lun = builder.lun;
        this.targetTransferTag = builder.targetTransferTag;
        this.r2tSN = builder.r2tSN;
        this.bufferOffset = builder.bufferOffset;
        this.desiredDataTransferLength = builder.desiredDataTransferLength;
    }

    /**
     * Returns a new builder for a {@code ReadyToTransfer}.
     *
     * @return a builder with all fields zero
     */
    public static Builder builder() {
        return new Builder();
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

    /**
     * Returns the R2TSN (BHS bytes 36..39).
     *
     * @return the R2TSN
     */
    public int r2tSN() {
        return r2tSN;
    }

    /**
     * Returns the Buffer Offset in bytes; unsigned 32-bit (BHS bytes 40..43).
     *
     * @return the Buffer Offset in bytes
     */
    public int bufferOffset() {
        return bufferOffset;
    }

    /**
     * Returns the Desired Data Transfer Length in bytes; unsigned 32-bit (BHS bytes 44..47).
     *
     * @return the Desired Data Transfer Length in bytes
     */
    public long desiredDataTransferLength() {
        return desiredDataTransferLength;
    }

    @Override
    void encodeOpcodeFields(ByteBuf out, int base) {
        out.setByte(base + 1, 0x80);
        out.setLong(base + 8, lun);
        out.setInt(base + 20, targetTransferTag);
        out.setInt(base + 36, r2tSN);
        out.setInt(base + 40, bufferOffset);
        out.setInt(base + 44, (int) desiredDataTransferLength);
    }

    static ReadyToTransfer decode(Wire w) throws PduException {
        w.noAhs();
        w.noData();
        return builder()
                .initiatorTaskTag(w.i32(16))
                .lun(w.i64(8))
                .targetTransferTag(w.i32(20))
                .decodeTargetFields(w)
                .r2tSN(w.i32(36))
                .bufferOffset(w.i32(40))
                .desiredDataTransferLength(w.u32(44))
                .build();
    }

    @Override
    void appendFields(StringBuilder sb) {
        sb.append(", lun=0x").append(Long.toHexString(lun));
        sb.append(", targetTransferTag=").append(Integer.toUnsignedString(targetTransferTag));
        appendTargetFields(sb);
        sb.append(", r2tSN=").append(Integer.toUnsignedString(r2tSN));
        sb.append(", bufferOffset=").append(Integer.toUnsignedString(bufferOffset));
        sb.append(", desiredDataTransferLength=").append(desiredDataTransferLength);
    }

    /**
     * Builder for {@link ReadyToTransfer}; setters are named like the accessors.
     */
    public static final class Builder extends TargetPdu.Builder<Builder> {

        private long lun;
        private int targetTransferTag;
        private int r2tSN;
        private int bufferOffset;
        private long desiredDataTransferLength;

        private Builder() {
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
         * Sets the R2TSN.
         *
         * @param r2tSN the R2TSN
         * @return this builder
         */
        public Builder r2tSN(int r2tSN) {
            this.r2tSN = r2tSN;
            return this;
        }

        /**
         * Sets the Buffer Offset in bytes; unsigned 32-bit.
         *
         * @param bufferOffset the Buffer Offset in bytes
         * @return this builder
         */
        public Builder bufferOffset(int bufferOffset) {
            this.bufferOffset = bufferOffset;
            return this;
        }

        /**
         * Sets the Desired Data Transfer Length in bytes; unsigned 32-bit.
         *
         * @param desiredDataTransferLength the Desired Data Transfer Length in bytes, 0..0xFFFF_FFFFL
         * @return this builder
         */
        public Builder desiredDataTransferLength(long desiredDataTransferLength) {
            this.desiredDataTransferLength = desiredDataTransferLength;
            return this;
        }

        @Override
        public ReadyToTransfer build() {
            Wire.checkRange("desiredDataTransferLength", desiredDataTransferLength, 0, 0xFFFF_FFFFL);
            checkData();
            return new ReadyToTransfer(this);
        }
    }
}
