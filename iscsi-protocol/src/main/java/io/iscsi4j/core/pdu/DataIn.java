package io.iscsi4j.core.pdu;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * SCSI Data-In: read data for a SCSI command, optionally with status (RFC 7143 §11.7), opcode 0x25.
 *
 * <p>Immutable; create with {@link #builder()}. See {@link Pdu} for buffer ownership.
 */
public final class DataIn extends TargetPdu {

    private final boolean finalFlag;
    private final boolean acknowledge;
    private final boolean residualOverflow;
    private final boolean residualUnderflow;
    private final boolean statusPresent;
    private final int status;
    private final long lun;
    private final int targetTransferTag;
    private final int dataSN;
    private final int bufferOffset;
    private final long residualCount;

    private DataIn(Builder builder) {
        super(Opcode.DATA_IN, builder);
        this.finalFlag = builder.finalFlag;
        this.acknowledge = builder.acknowledge;
        this.residualOverflow = builder.residualOverflow;
        this.residualUnderflow = builder.residualUnderflow;
        this.statusPresent = builder.statusPresent;
        this.status = builder.status;
        this.lun = builder.lun;
        this.targetTransferTag = builder.targetTransferTag;
        this.dataSN = builder.dataSN;
        this.bufferOffset = builder.bufferOffset;
        this.residualCount = builder.residualCount;
    }

    /**
     * Encodes the BHS of a read's Data-In PDU without building the PDU (the data path sends one per segment): LUN 0,
     * Target Transfer Tag 0xFFFFFFFF, A bit clear; the status fields count only when {@code statusPresent} (the last
     * PDU of the read), and then StatSN is the response's. The bytes are those of the {@code DataIn} with these
     * fields; {@link PduEncoder#writeEncoded} frames them with the data segment.
     *
     * @param alloc where the header buffer comes from
     * @param finalFlag the F bit: the last PDU of a sequence
     * @param statusPresent the S bit: the PDU carries the command's status
     * @param status the SCSI status, 0..255, when {@code statusPresent}
     * @param residualOverflow the O bit
     * @param residualUnderflow the U bit
     * @param residualCount the residual count, unsigned 32-bit
     * @param initiatorTaskTag the command's tag
     * @param dataSN the PDU's number within the command
     * @param bufferOffset the data segment's offset within the command's data
     * @param statSN StatSN
     * @param expCmdSN ExpCmdSN
     * @param maxCmdSN MaxCmdSN
     * @param dataSegmentLength the length of the data segment that goes with the header
     * @return a new buffer of {@code alloc} holding the 48-byte BHS (with room for a header digest), owned by the
     *     caller
     * @throws IllegalArgumentException if a field is out of range (then nothing was allocated)
     */
    public static ByteBuf encodeReadHeader(ByteBufAllocator alloc, boolean finalFlag, boolean statusPresent,
                                           int status, boolean residualOverflow, boolean residualUnderflow,
                                           long residualCount, int initiatorTaskTag, int dataSN, int bufferOffset,
                                           int statSN, int expCmdSN, int maxCmdSN, int dataSegmentLength) {
        Wire.checkRange("status", status, 0, 0xFF);
        Wire.checkRange("residualCount", residualCount, 0, 0xFFFF_FFFFL);
        Wire.checkRange("DataSegmentLength", dataSegmentLength, 0, MAX_DATA_SEGMENT_LENGTH);
        ByteBuf out = headerBuffer(alloc);
        int base = encodeCommonFields(out, false, Opcode.DATA_IN, 0, dataSegmentLength, initiatorTaskTag);
        encodeSequenceNumbers(out, base, statSN, expCmdSN, maxCmdSN);
        encodeDataInFields(out, base, finalFlag, false, residualOverflow, residualUnderflow, statusPresent, status,
                0, RESERVED_TAG, dataSN, bufferOffset, residualCount);
        return out;
    }

    /**
     * Returns a new builder for a {@code DataIn}.
     *
     * @return a builder with all fields zero (tags noted otherwise)
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
     * Returns the A (acknowledge) bit; requests a DataACK SNACK (BHS byte 1, mask 0x40).
     *
     * @return the A (acknowledge) bit
     */
    public boolean acknowledge() {
        return acknowledge;
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
     * Returns the S bit; the PDU carries status, StatSN and residual count (BHS byte 1, mask 0x01).
     *
     * @return the S bit
     */
    public boolean statusPresent() {
        return statusPresent;
    }

    /**
     * Returns the SCSI status; valid only with the S bit (BHS byte 3).
     *
     * @return the SCSI status
     */
    public int status() {
        return status;
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
     * Returns the Target Transfer Tag (0xffffffff unless the A bit is set) (BHS bytes 20..23).
     *
     * @return the Target Transfer Tag (0xffffffff unless the A bit is set)
     */
    public int targetTransferTag() {
        return targetTransferTag;
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

    /**
     * Returns the Residual Count in bytes; unsigned 32-bit (BHS bytes 44..47).
     *
     * @return the Residual Count in bytes
     */
    public long residualCount() {
        return residualCount;
    }

    @Override
    void encodeOpcodeFields(ByteBuf out, int base) {
        encodeDataInFields(out, base, finalFlag, acknowledge, residualOverflow, residualUnderflow, statusPresent,
                status, lun, targetTransferTag, dataSN, bufferOffset, residualCount);
    }

    /** Writes the Data-In specific BHS fields at {@code base} (RFC 7143 §11.7). */
    private static void encodeDataInFields(ByteBuf out, int base, boolean finalFlag, boolean acknowledge,
                                           boolean residualOverflow, boolean residualUnderflow, boolean statusPresent,
                                           int status, long lun, int targetTransferTag, int dataSN, int bufferOffset,
                                           long residualCount) {
        out.setByte(base + 1, (finalFlag ? 0x80 : 0)
                | (acknowledge ? 0x40 : 0)
                | (residualOverflow ? 0x04 : 0)
                | (residualUnderflow ? 0x02 : 0)
                | (statusPresent ? 0x01 : 0));
        out.setByte(base + 3, status);
        out.setLong(base + 8, lun);
        out.setInt(base + 20, targetTransferTag);
        out.setInt(base + 36, dataSN);
        out.setInt(base + 40, bufferOffset);
        out.setInt(base + 44, (int) residualCount);
    }

    static DataIn decode(Wire w) throws PduException {
        w.noAhs();
        return builder()
                .initiatorTaskTag(w.i32(16))
                .finalFlag(w.bit(1, 0x80))
                .acknowledge(w.bit(1, 0x40))
                .residualOverflow(w.bit(1, 0x04))
                .residualUnderflow(w.bit(1, 0x02))
                .statusPresent(w.bit(1, 0x01))
                .status(w.u8(3))
                .lun(w.i64(8))
                .targetTransferTag(w.i32(20))
                .decodeTargetFields(w)
                .dataSN(w.i32(36))
                .bufferOffset(w.i32(40))
                .residualCount(w.u32(44))
                .data(w.data)
                .build();
    }

    @Override
    void appendFields(StringBuilder sb) {
        sb.append(", finalFlag=").append(finalFlag);
        sb.append(", acknowledge=").append(acknowledge);
        sb.append(", residualOverflow=").append(residualOverflow);
        sb.append(", residualUnderflow=").append(residualUnderflow);
        sb.append(", statusPresent=").append(statusPresent);
        sb.append(", status=").append(status);
        sb.append(", lun=0x").append(Long.toHexString(lun));
        sb.append(", targetTransferTag=").append(Integer.toUnsignedString(targetTransferTag));
        appendTargetFields(sb);
        sb.append(", dataSN=").append(Integer.toUnsignedString(dataSN));
        sb.append(", bufferOffset=").append(Integer.toUnsignedString(bufferOffset));
        sb.append(", residualCount=").append(residualCount);
    }

    /**
     * Builder for {@link DataIn}; setters are named like the accessors.
     */
    public static final class Builder extends TargetPdu.Builder<Builder> {

        private boolean finalFlag;
        private boolean acknowledge;
        private boolean residualOverflow;
        private boolean residualUnderflow;
        private boolean statusPresent;
        private int status;
        private long lun;
        private int targetTransferTag = RESERVED_TAG;
        private int dataSN;
        private int bufferOffset;
        private long residualCount;

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
         * Sets the A (acknowledge) bit; requests a DataACK SNACK.
         *
         * @param acknowledge the A (acknowledge) bit
         * @return this builder
         */
        public Builder acknowledge(boolean acknowledge) {
            this.acknowledge = acknowledge;
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
         * Sets the S bit; the PDU carries status, StatSN and residual count.
         *
         * @param statusPresent the S bit
         * @return this builder
         */
        public Builder statusPresent(boolean statusPresent) {
            this.statusPresent = statusPresent;
            return this;
        }

        /**
         * Sets the SCSI status; valid only with the S bit.
         *
         * @param status the SCSI status, 0..0xFF
         * @return this builder
         */
        public Builder status(int status) {
            this.status = status;
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
         * Sets the Target Transfer Tag (0xffffffff unless the A bit is set).
         *
         * @param targetTransferTag the Target Transfer Tag (0xffffffff unless the A bit is set)
         * @return this builder
         */
        public Builder targetTransferTag(int targetTransferTag) {
            this.targetTransferTag = targetTransferTag;
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
         * Sets the read data; the built PDU takes ownership of the buffer's reference.
         *
         * @param data the data segment, at most 16 MiB - 1 bytes; not {@code null}
         * @return this builder
         */
        public Builder data(ByteBuf data) {
            setData(data);
            return this;
        }

        @Override
        public DataIn build() {
            Wire.checkRange("status", status, 0, 0xFF);
            Wire.checkRange("residualCount", residualCount, 0, 0xFFFF_FFFFL);
            checkData();
            return new DataIn(this);
        }
    }
}
