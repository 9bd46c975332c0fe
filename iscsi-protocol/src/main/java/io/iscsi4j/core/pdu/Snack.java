package io.iscsi4j.core.pdu;

import io.netty.buffer.ByteBuf;

/**
 * SNACK Request (RFC 7143 §11.16), opcode 0x10.
 *
 * <p>Immutable; create with {@link #builder()}. See {@link Pdu} for buffer ownership.
 */
public final class Snack extends Pdu {

    private final int type;
    private final long lun;
    private final int targetTransferTag;
    private final int expStatSN;
    private final int begRun;
    private final int runLength;

    private Snack(Builder builder) {
        super(Opcode.SNACK, builder);
        this.type = builder.type;
        this.lun = builder.lun;
        this.targetTransferTag = builder.targetTransferTag;
        this.expStatSN = builder.expStatSN;
        this.begRun = builder.begRun;
        this.runLength = builder.runLength;
    }

    /**
     * Returns a new builder for a {@code Snack}.
     *
     * @return a builder with all fields zero
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns the SNACK type (0 Data/R2T, 1 Status, 2 DataACK, 3 R-Data) (BHS byte 1, mask 0x0f).
     *
     * @return the SNACK type (0 Data/R2T, 1 Status, 2 DataACK, 3 R-Data)
     */
    public int type() {
        return type;
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
     * Returns the Target Transfer Tag or SNACK Tag (BHS bytes 20..23).
     *
     * @return the Target Transfer Tag or SNACK Tag
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
     * Returns the BegRun (BHS bytes 40..43).
     *
     * @return the BegRun
     */
    public int begRun() {
        return begRun;
    }

    /**
     * Returns the RunLength (BHS bytes 44..47).
     *
     * @return the RunLength
     */
    public int runLength() {
        return runLength;
    }

    @Override
    void encodeFields(ByteBuf out, int base) {
        out.setByte(base + 1, 0x80 | type);
        out.setLong(base + 8, lun);
        out.setInt(base + 20, targetTransferTag);
        out.setInt(base + 28, expStatSN);
        out.setInt(base + 40, begRun);
        out.setInt(base + 44, runLength);
    }

    static Snack decode(Wire w) throws PduException {
        // reserved, ignored on receipt (RFC 7143 §11.2): byte 0 bit 0x40, byte 1 bits 0x70, bytes 2..3, bytes
        // 24..27, bytes 32..39
        w.noAhs();
        w.noData();
        if (w.bits(1, 0x0F, 0) > 3) {
            throw w.protocolError("reserved SNACK type " + w.bits(1, 0x0F, 0));
        }
        return builder()
                .initiatorTaskTag(w.i32(16))
                .type(w.bits(1, 0x0f, 0))
                .lun(w.i64(8))
                .targetTransferTag(w.i32(20))
                .expStatSN(w.i32(28))
                .begRun(w.i32(40))
                .runLength(w.i32(44))
                .build();
    }

    @Override
    void appendFields(StringBuilder sb) {
        sb.append(", type=").append(type);
        sb.append(", lun=0x").append(Long.toHexString(lun));
        sb.append(", targetTransferTag=").append(Integer.toUnsignedString(targetTransferTag));
        sb.append(", expStatSN=").append(Integer.toUnsignedString(expStatSN));
        sb.append(", begRun=").append(Integer.toUnsignedString(begRun));
        sb.append(", runLength=").append(Integer.toUnsignedString(runLength));
    }

    /**
     * Builder for {@link Snack}; setters are named like the accessors.
     */
    public static final class Builder extends Pdu.Builder<Builder> {

        private int type;
        private long lun;
        private int targetTransferTag;
        private int expStatSN;
        private int begRun;
        private int runLength;

        private Builder() {
        }

        /**
         * Sets the SNACK type (0 Data/R2T, 1 Status, 2 DataACK, 3 R-Data).
         *
         * @param type the SNACK type (0 Data/R2T, 1 Status, 2 DataACK, 3 R-Data), 0..15
         * @return this builder
         */
        public Builder type(int type) {
            this.type = type;
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
         * Sets the Target Transfer Tag or SNACK Tag.
         *
         * @param targetTransferTag the Target Transfer Tag or SNACK Tag
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
         * Sets the BegRun.
         *
         * @param begRun the BegRun
         * @return this builder
         */
        public Builder begRun(int begRun) {
            this.begRun = begRun;
            return this;
        }

        /**
         * Sets the RunLength.
         *
         * @param runLength the RunLength
         * @return this builder
         */
        public Builder runLength(int runLength) {
            this.runLength = runLength;
            return this;
        }

        @Override
        public Snack build() {
            Wire.checkRange("type", type, 0, 15);
            checkData();
            return new Snack(this);
        }
    }
}
