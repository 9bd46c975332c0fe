package io.iscsi4j.core.pdu;

import io.netty.buffer.ByteBuf;

/**
 * SCSI Task Management Function Response (RFC 7143 §11.6), opcode 0x22.
 *
 * <p>Immutable; create with {@link #builder()}. See {@link Pdu} for buffer ownership.
 */
public final class TaskManagementResponse extends Pdu {

    private final int response;
    private final int statSN;
    private final int expCmdSN;
    private final int maxCmdSN;

    private TaskManagementResponse(Builder builder) {
        super(Opcode.TASK_MANAGEMENT_RESPONSE, builder);
        this.response = builder.response;
        this.statSN = builder.statSN;
        this.expCmdSN = builder.expCmdSN;
        this.maxCmdSN = builder.maxCmdSN;
    }

    /**
     * Returns a new builder for a {@code TaskManagementResponse}.
     *
     * @return a builder with all fields zero
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns the response code (0 function complete, 1 task does not exist, ...) (BHS byte 2).
     *
     * @return the response code (0 function complete, 1 task does not exist, ...)
     */
    public int response() {
        return response;
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

    @Override
    void encodeFields(ByteBuf out, int base) {
        out.setByte(base + 1, 0x80);
        out.setByte(base + 2, response);
        out.setInt(base + 24, statSN);
        out.setInt(base + 28, expCmdSN);
        out.setInt(base + 32, maxCmdSN);
    }

    static TaskManagementResponse decode(Wire w) throws PduException {
        w.noAhs();
        w.noData();
        return builder()
                .initiatorTaskTag(w.i32(16))
                .response(w.u8(2))
                .statSN(w.i32(24))
                .expCmdSN(w.i32(28))
                .maxCmdSN(w.i32(32))
                .build();
    }

    @Override
    void appendFields(StringBuilder sb) {
        sb.append(", response=").append(response);
        sb.append(", statSN=").append(Integer.toUnsignedString(statSN));
        sb.append(", expCmdSN=").append(Integer.toUnsignedString(expCmdSN));
        sb.append(", maxCmdSN=").append(Integer.toUnsignedString(maxCmdSN));
    }

    /**
     * Builder for {@link TaskManagementResponse}; setters are named like the accessors.
     */
    public static final class Builder extends Pdu.Builder<Builder> {

        private int response;
        private int statSN;
        private int expCmdSN;
        private int maxCmdSN;

        private Builder() {
        }

        /**
         * Sets the response code (0 function complete, 1 task does not exist, ...).
         *
         * @param response the response code (0 function complete, 1 task does not exist, ...), 0..0xFF
         * @return this builder
         */
        public Builder response(int response) {
            this.response = response;
            return this;
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

        @Override
        public TaskManagementResponse build() {
            Wire.checkRange("response", response, 0, 0xFF);
            checkData();
            return new TaskManagementResponse(this);
        }
    }
}
