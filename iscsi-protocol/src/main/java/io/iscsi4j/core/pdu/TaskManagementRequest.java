package io.iscsi4j.core.pdu;

import io.netty.buffer.ByteBuf;

/**
 * SCSI Task Management Function Request (RFC 7143 §11.5), opcode 0x02.
 *
 * <p>Immutable; create with {@link #builder()}. See {@link Pdu} for buffer ownership.
 */
public final class TaskManagementRequest extends InitiatorPdu {

    private final int function;
    private final long lun;
    private final int referencedTaskTag;
    private final int refCmdSN;
    private final int expDataSN;

    private TaskManagementRequest(Builder builder) {
        super(Opcode.TASK_MANAGEMENT_REQUEST, builder);
        this.function = builder.function;
        this.lun = builder.lun;
        this.referencedTaskTag = builder.referencedTaskTag;
        this.refCmdSN = builder.refCmdSN;
        this.expDataSN = builder.expDataSN;
    }

    /**
     * Returns a new builder for a {@code TaskManagementRequest}.
     *
     * @return a builder with all fields zero
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns the task management function code (1 ABORT TASK .. 8 TASK REASSIGN) (BHS byte 1, mask 0x7f).
     *
     * @return the task management function code (1 ABORT TASK .. 8 TASK REASSIGN)
     */
    public int function() {
        return function;
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
     * Returns the Referenced Task Tag (0xffffffff if unused) (BHS bytes 20..23).
     *
     * @return the Referenced Task Tag (0xffffffff if unused)
     */
    public int referencedTaskTag() {
        return referencedTaskTag;
    }

    /**
     * Returns the RefCmdSN (BHS bytes 32..35).
     *
     * @return the RefCmdSN
     */
    public int refCmdSN() {
        return refCmdSN;
    }

    /**
     * Returns the ExpDataSN (BHS bytes 36..39).
     *
     * @return the ExpDataSN
     */
    public int expDataSN() {
        return expDataSN;
    }

    @Override
    void encodeOpcodeFields(ByteBuf out, int base) {
        out.setByte(base + 1, 0x80 | function);
        out.setLong(base + 8, lun);
        out.setInt(base + 20, referencedTaskTag);
        out.setInt(base + 32, refCmdSN);
        out.setInt(base + 36, expDataSN);
    }

    static TaskManagementRequest decode(Wire w) throws PduException {
        // reserved, ignored on receipt (RFC 7143 §11.2): bytes 2..3, bytes 40..47
        w.noAhs();
        w.noData();
        return builder()
                .initiatorTaskTag(w.i32(16))
                .function(w.bits(1, 0x7f, 0))
                .lun(w.i64(8))
                .referencedTaskTag(w.i32(20))
                .decodeInitiatorFields(w)
                .refCmdSN(w.i32(32))
                .expDataSN(w.i32(36))
                .build();
    }

    @Override
    void appendFields(StringBuilder sb) {
        sb.append(", function=").append(function);
        sb.append(", lun=0x").append(Long.toHexString(lun));
        sb.append(", referencedTaskTag=").append(Integer.toUnsignedString(referencedTaskTag));
        appendInitiatorFields(sb);
        sb.append(", refCmdSN=").append(Integer.toUnsignedString(refCmdSN));
        sb.append(", expDataSN=").append(Integer.toUnsignedString(expDataSN));
    }

    /**
     * Builder for {@link TaskManagementRequest}; setters are named like the accessors.
     */
    public static final class Builder extends InitiatorPdu.Builder<Builder> {

        private int function;
        private long lun;
        private int referencedTaskTag;
        private int refCmdSN;
        private int expDataSN;

        private Builder() {
        }

        /**
         * Sets the task management function code (1 ABORT TASK .. 8 TASK REASSIGN).
         *
         * @param function the task management function code (1 ABORT TASK .. 8 TASK REASSIGN), 0..127
         * @return this builder
         */
        public Builder function(int function) {
            this.function = function;
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
         * Sets the Referenced Task Tag (0xffffffff if unused).
         *
         * @param referencedTaskTag the Referenced Task Tag (0xffffffff if unused)
         * @return this builder
         */
        public Builder referencedTaskTag(int referencedTaskTag) {
            this.referencedTaskTag = referencedTaskTag;
            return this;
        }

        /**
         * Sets the RefCmdSN.
         *
         * @param refCmdSN the RefCmdSN
         * @return this builder
         */
        public Builder refCmdSN(int refCmdSN) {
            this.refCmdSN = refCmdSN;
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

        @Override
        public TaskManagementRequest build() {
            Wire.checkRange("function", function, 0, 127);
            checkData();
            return new TaskManagementRequest(this);
        }
    }
}
