package io.iscsi4j.core.pdu;

import io.netty.buffer.ByteBuf;

/**
 * SCSI Data-Out: write data for a SCSI command (RFC 7143 §11.7), opcode 0x05.
 *
 * <p>Immutable; create with {@link #builder()}. See {@link Pdu} for buffer ownership.
 */
public final class DataOut extends Pdu {

    private final boolean finalFlag;
    private final long lun;
    private final int targetTransferTag;
    private final int expStatSN;
    private final int dataSN;
    private final int bufferOffset;

    private DataOut(Builder builder) {
        super(Opcode.DATA_OUT, builder);
        this.finalFlag = builder.finalFlag;
        this.lun = builder.lun;
        this.targetTransferTag = builder.targetTransferTag;
        this.expStatSN = builder.expStatSN;
        this.dataSN = builder.dataSN;
        this.bufferOffset = builder.bufferOffset;
    }

    /**
     * Returns a new builder for a {@code DataOut}.
     *
     * @return a builder with all fields zero
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns the F (final) bit; last PDU of the sequence (BHS byte 1, mask 0x80).
     *
     * @return the F (final) bit
     */
    public boolean finalFlag() {
        return finalFlag;
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
     * Returns the ExpStatSN (BHS bytes 28..31).
     *
     * @return the ExpStatSN
     */
    public int expStatSN() {
        return expStatSN;
    }

    /**
     * Returns the DataSN (BHS bytes 36..39).
     *
     * @return the DataSN
     */
    public int dataSN() {
        return dataSN;
    }

    /**
     * Returns the Buffer Offset in bytes; unsigned 32-bit (BHS bytes 40..43).
     *
     * @return the Buffer Offset in bytes
     */
    public int bufferOffset() {
        return bufferOffset;
    }

    @Override
    void encodeFields(ByteBuf out, int base) {
        out.setByte(base + 1, (finalFlag ? 0x80 : 0));
        out.setLong(base + 8, lun);
        out.setInt(base + 20, targetTransferTag);
        out.setInt(base + 28, expStatSN);
        out.setInt(base + 36, dataSN);
        out.setInt(base + 40, bufferOffset);
    }

    static DataOut decode(Wire w) throws PduException {
        // reserved, ignored on receipt (RFC 7143 §11.2): byte 0 bit 0x40, byte 1 bits 0x7f, bytes 2..3, bytes
        // 24..27, bytes 32..35, bytes 44..47
        w.noAhs();
        return builder()
                .initiatorTaskTag(w.i32(16))
                .finalFlag(w.bit(1, 0x80))
                .lun(w.i64(8))
                .targetTransferTag(w.i32(20))
                .expStatSN(w.i32(28))
                .dataSN(w.i32(36))
                .bufferOffset(w.i32(40))
                .data(w.data)
                .build();
    }

    @Override
    void appendFields(StringBuilder sb) {
        sb.append(", finalFlag=").append(finalFlag);
        sb.append(", lun=0x").append(Long.toHexString(lun));
        sb.append(", targetTransferTag=").append(Integer.toUnsignedString(targetTransferTag));
        sb.append(", expStatSN=").append(Integer.toUnsignedString(expStatSN));
        sb.append(", dataSN=").append(Integer.toUnsignedString(dataSN));
        sb.append(", bufferOffset=").append(Integer.toUnsignedString(bufferOffset));
    }

    /**
     * Builder for {@link DataOut}; setters are named like the accessors.
     */
    public static final class Builder extends Pdu.Builder<Builder> {

        private boolean finalFlag;
        private long lun;
        private int targetTransferTag;
        private int expStatSN;
        private int dataSN;
        private int bufferOffset;

        private Builder() {
        }

        /**
         * Sets the F (final) bit; last PDU of the sequence.
         *
         * @param finalFlag the F (final) bit
         * @return this builder
         */
        public Builder finalFlag(boolean finalFlag) {
            this.finalFlag = finalFlag;
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
         * Sets the ExpStatSN.
         *
         * @param expStatSN the ExpStatSN
         * @return this builder
         */
        public Builder expStatSN(int expStatSN) {
            this.expStatSN = expStatSN;
            return this;
        }

        /**
         * Sets the DataSN.
         *
         * @param dataSN the DataSN
         * @return this builder
         */
        public Builder dataSN(int dataSN) {
            this.dataSN = dataSN;
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
         * Sets the write data; the built PDU takes ownership of the buffer's reference.
         *
         * @param data the data segment, at most 16 MiB - 1 bytes; not {@code null}
         * @return this builder
         */
        public Builder data(ByteBuf data) {
            setData(data);
            return this;
        }

        @Override
        public DataOut build() {
            checkData();
            return new DataOut(this);
        }
    }
}
