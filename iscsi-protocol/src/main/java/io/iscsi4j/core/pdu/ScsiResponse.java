package io.iscsi4j.core.pdu;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;

/**
 * SCSI Response: the status of a completed command (RFC 7143 §11.4), opcode 0x21.
 *
 * <p>Immutable; create with {@link #builder()}. See {@link Pdu} for buffer ownership.
 */
public final class ScsiResponse extends TargetPdu {

    private final boolean bidiOverflow;
    private final boolean bidiUnderflow;
    private final boolean residualOverflow;
    private final boolean residualUnderflow;
    private final int response;
    private final int status;
    private final int snackTag;
    private final int expDataSN;
    private final long bidiReadResidualCount;
    private final long residualCount;

    private ScsiResponse(Builder builder) {
        super(Opcode.SCSI_RESPONSE, builder);
        this.bidiOverflow = builder.bidiOverflow;
        this.bidiUnderflow = builder.bidiUnderflow;
        this.residualOverflow = builder.residualOverflow;
        this.residualUnderflow = builder.residualUnderflow;
        this.response = builder.response;
        this.status = builder.status;
        this.snackTag = builder.snackTag;
        this.expDataSN = builder.expDataSN;
        this.bidiReadResidualCount = builder.bidiReadResidualCount;
        this.residualCount = builder.residualCount;
    }

    /**
     * Encodes the BHS of a SCSI Response without sense data, without building the PDU (the data path sends one per
     * write): response "command completed at target", ExpDataSN 0, no bidirectional residual, no data segment. The
     * bytes are those of the {@code ScsiResponse} with these fields; {@link PduEncoder#writeEncoded} frames them.
     *
     * @param alloc where the header buffer comes from
     * @param initiatorTaskTag the command's tag
     * @param status the SCSI status, 0..255
     * @param residualOverflow the O bit
     * @param residualUnderflow the U bit
     * @param residualCount the residual count, unsigned 32-bit
     * @param statSN StatSN
     * @param expCmdSN ExpCmdSN
     * @param maxCmdSN MaxCmdSN
     * @return a new buffer of {@code alloc} holding the 48-byte BHS (with room for a header digest), owned by the
     *     caller
     * @throws IllegalArgumentException if a field is out of range (then nothing was allocated)
     */
    public static ByteBuf encodeStatusHeader(ByteBufAllocator alloc, int initiatorTaskTag, int status,
                                             boolean residualOverflow, boolean residualUnderflow, long residualCount,
                                             int statSN, int expCmdSN, int maxCmdSN) {
        Wire.checkRange("status", status, 0, 0xFF);
        Wire.checkRange("residualCount", residualCount, 0, 0xFFFF_FFFFL);
        ByteBuf out = headerBuffer(alloc);
        int base = encodeCommonFields(out, false, Opcode.SCSI_RESPONSE, 0, 0, initiatorTaskTag);
        encodeSequenceNumbers(out, base, statSN, expCmdSN, maxCmdSN);
        encodeResponseFields(out, base, false, false, residualOverflow, residualUnderflow, 0, status, 0, 0, 0,
                residualCount);
        return out;
    }

    /**
     * Returns a new builder for a {@code ScsiResponse}.
     *
     * @return a builder with all fields zero
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns the o bit; bidirectional read residual overflow (BHS byte 1, mask 0x10).
     *
     * @return the o bit
     */
    public boolean bidiOverflow() {
        return bidiOverflow;
    }

    /**
     * Returns the u bit; bidirectional read residual underflow (BHS byte 1, mask 0x08).
     *
     * @return the u bit
     */
    public boolean bidiUnderflow() {
        return bidiUnderflow;
    }

    /**
     * Returns the O bit; residual overflow (BHS byte 1, mask 0x04).
     *
     * @return the O bit
     */
    public boolean residualOverflow() {
        return residualOverflow;
    }

    /**
     * Returns the U bit; residual underflow (BHS byte 1, mask 0x02).
     *
     * @return the U bit
     */
    public boolean residualUnderflow() {
        return residualUnderflow;
    }

    /**
     * Returns the iSCSI service response (0 command completed at target, 1 target failure) (BHS byte 2).
     *
     * @return the iSCSI service response (0 command completed at target, 1 target failure)
     */
    public int response() {
        return response;
    }

    /**
     * Returns the SCSI status; valid only if the response is 0 (BHS byte 3).
     *
     * @return the SCSI status
     */
    public int status() {
        return status;
    }

    /**
     * Returns the SNACK Tag (BHS bytes 20..23).
     *
     * @return the SNACK Tag
     */
    public int snackTag() {
        return snackTag;
    }

    /**
     * Returns the ExpDataSN (BHS bytes 36..39).
     *
     * @return the ExpDataSN
     */
    public int expDataSN() {
        return expDataSN;
    }

    /**
     * Returns the Bidirectional Read Residual Count in bytes; unsigned 32-bit (BHS bytes 40..43).
     *
     * @return the Bidirectional Read Residual Count in bytes
     */
    public long bidiReadResidualCount() {
        return bidiReadResidualCount;
    }

    /**
     * Returns the Residual Count in bytes; unsigned 32-bit (BHS bytes 44..47).
     *
     * @return the Residual Count in bytes
     */
    public long residualCount() {
        return residualCount;
    }

    /**
     * Returns the sense data carried in the data segment (RFC 7143 §11.4.7): the bytes after the
     * 2-byte SenseLength, SenseLength bytes long.
     *
     * @return a new array with the sense data, empty if there is none
     */
    public byte[] sense() {
        ByteBuf data = data();
        if (data.readableBytes() < 2) {
            return new byte[0];
        }
        int senseLength = Math.min(data.getUnsignedShort(data.readerIndex()), data.readableBytes() - 2);
        byte[] sense = new byte[senseLength];
        data.getBytes(data.readerIndex() + 2, sense);
        return sense;
    }

    @Override
    void encodeOpcodeFields(ByteBuf out, int base) {
        encodeResponseFields(out, base, bidiOverflow, bidiUnderflow, residualOverflow, residualUnderflow, response,
                status, snackTag, expDataSN, bidiReadResidualCount, residualCount);
    }

    /** Writes the SCSI Response specific BHS fields at {@code base} (RFC 7143 §11.4). */
    private static void encodeResponseFields(ByteBuf out, int base, boolean bidiOverflow, boolean bidiUnderflow,
                                             boolean residualOverflow, boolean residualUnderflow, int response,
                                             int status, int snackTag, int expDataSN, long bidiReadResidualCount,
                                             long residualCount) {
        out.setByte(base + 1, 0x80
                | (bidiOverflow ? 0x10 : 0)
                | (bidiUnderflow ? 0x08 : 0)
                | (residualOverflow ? 0x04 : 0)
                | (residualUnderflow ? 0x02 : 0));
        out.setByte(base + 2, response);
        out.setByte(base + 3, status);
        out.setInt(base + 20, snackTag);
        out.setInt(base + 36, expDataSN);
        out.setInt(base + 40, (int) bidiReadResidualCount);
        out.setInt(base + 44, (int) residualCount);
    }

    static ScsiResponse decode(Wire w) throws PduException {
        w.noAhs();
        return builder()
                .initiatorTaskTag(w.i32(16))
                .bidiOverflow(w.bit(1, 0x10))
                .bidiUnderflow(w.bit(1, 0x08))
                .residualOverflow(w.bit(1, 0x04))
                .residualUnderflow(w.bit(1, 0x02))
                .response(w.u8(2))
                .status(w.u8(3))
                .snackTag(w.i32(20))
                .decodeTargetFields(w)
                .expDataSN(w.i32(36))
                .bidiReadResidualCount(w.u32(40))
                .residualCount(w.u32(44))
                .data(w.data)
                .build();
    }

    @Override
    void appendFields(StringBuilder sb) {
        sb.append(", bidiOverflow=").append(bidiOverflow);
        sb.append(", bidiUnderflow=").append(bidiUnderflow);
        sb.append(", residualOverflow=").append(residualOverflow);
        sb.append(", residualUnderflow=").append(residualUnderflow);
        sb.append(", response=").append(response);
        sb.append(", status=").append(status);
        sb.append(", snackTag=").append(Integer.toUnsignedString(snackTag));
        appendTargetFields(sb);
        sb.append(", expDataSN=").append(Integer.toUnsignedString(expDataSN));
        sb.append(", bidiReadResidualCount=").append(bidiReadResidualCount);
        sb.append(", residualCount=").append(residualCount);
    }

    /**
     * Builder for {@link ScsiResponse}; setters are named like the accessors.
     */
    public static final class Builder extends TargetPdu.Builder<Builder> {

        private boolean bidiOverflow;
        private boolean bidiUnderflow;
        private boolean residualOverflow;
        private boolean residualUnderflow;
        private int response;
        private int status;
        private int snackTag;
        private int expDataSN;
        private long bidiReadResidualCount;
        private long residualCount;

        private Builder() {
        }

        /**
         * Sets the o bit; bidirectional read residual overflow.
         *
         * @param bidiOverflow the o bit
         * @return this builder
         */
        public Builder bidiOverflow(boolean bidiOverflow) {
            this.bidiOverflow = bidiOverflow;
            return this;
        }

        /**
         * Sets the u bit; bidirectional read residual underflow.
         *
         * @param bidiUnderflow the u bit
         * @return this builder
         */
        public Builder bidiUnderflow(boolean bidiUnderflow) {
            this.bidiUnderflow = bidiUnderflow;
            return this;
        }

        /**
         * Sets the O bit; residual overflow.
         *
         * @param residualOverflow the O bit
         * @return this builder
         */
        public Builder residualOverflow(boolean residualOverflow) {
            this.residualOverflow = residualOverflow;
            return this;
        }

        /**
         * Sets the U bit; residual underflow.
         *
         * @param residualUnderflow the U bit
         * @return this builder
         */
        public Builder residualUnderflow(boolean residualUnderflow) {
            this.residualUnderflow = residualUnderflow;
            return this;
        }

        /**
         * Sets the iSCSI service response (0 command completed at target, 1 target failure).
         *
         * @param response the iSCSI service response (0 command completed at target, 1 target failure),
         * 0..0xFF
         * @return this builder
         */
        public Builder response(int response) {
            this.response = response;
            return this;
        }

        /**
         * Sets the SCSI status; valid only if the response is 0.
         *
         * @param status the SCSI status, 0..0xFF
         * @return this builder
         */
        public Builder status(int status) {
            this.status = status;
            return this;
        }

        /**
         * Sets the SNACK Tag.
         *
         * @param snackTag the SNACK Tag
         * @return this builder
         */
        public Builder snackTag(int snackTag) {
            this.snackTag = snackTag;
            return this;
        }

        /**
         * Sets the ExpDataSN.
         *
         * @param expDataSN the ExpDataSN
         * @return this builder
         */
        public Builder expDataSN(int expDataSN) {
            this.expDataSN = expDataSN;
            return this;
        }

        /**
         * Sets the Bidirectional Read Residual Count in bytes; unsigned 32-bit.
         *
         * @param bidiReadResidualCount the Bidirectional Read Residual Count in bytes, 0..0xFFFF_FFFFL
         * @return this builder
         */
        public Builder bidiReadResidualCount(long bidiReadResidualCount) {
            this.bidiReadResidualCount = bidiReadResidualCount;
            return this;
        }

        /**
         * Sets the Residual Count in bytes; unsigned 32-bit.
         *
         * @param residualCount the Residual Count in bytes, 0..0xFFFF_FFFFL
         * @return this builder
         */
        public Builder residualCount(long residualCount) {
            this.residualCount = residualCount;
            return this;
        }

        /**
         * Sets the data segment: 2-byte SenseLength, sense data and response data; the built PDU takes
         * ownership of the buffer's reference.
         *
         * @param data the data segment, at most 16 MiB - 1 bytes; not {@code null}
         * @return this builder
         */
        public Builder data(ByteBuf data) {
            setData(data);
            return this;
        }

        /**
         * Sets the data segment to a SenseLength field followed by {@code senseBytes} (RFC 7143
         * §11.4.7), replacing any data set before. The array is wrapped, not copied.
         *
         * @param senseBytes the SCSI sense data, at most 65535 bytes
         * @return this builder
         */
        public Builder sense(byte[] senseBytes) {
            Wire.checkRange("sense length", senseBytes.length, 0, 0xFFFF);
            byte[] length = {(byte) (senseBytes.length >>> 8), (byte) senseBytes.length};
            data(Unpooled.wrappedBuffer(length, senseBytes));
            return this;
        }

        @Override
        public ScsiResponse build() {
            Wire.checkRange("response", response, 0, 0xFF);
            Wire.checkRange("status", status, 0, 0xFF);
            Wire.checkRange("bidiReadResidualCount", bidiReadResidualCount, 0, 0xFFFF_FFFFL);
            Wire.checkRange("residualCount", residualCount, 0, 0xFFFF_FFFFL);
            checkData();
            return new ScsiResponse(this);
        }
    }
}
