package io.iscsi4j.core.pdu;

import io.netty.buffer.ByteBuf;

/**
 * A PDU sent by the target: every one of them carries StatSN, ExpCmdSN and MaxCmdSN in BHS bytes
 * 24..27, 28..31 and 32..35 (RFC 7143 §11.4, §11.6, §11.7, §11.8, §11.9, §11.11, §11.13, §11.15, §11.17,
 * §11.19). Data-In writes its StatSN field whether or not the S bit is set.
 *
 * <p>Package-private: its public accessors and builder setters are part of each concrete PDU's API.
 */
abstract sealed class TargetPdu extends Pdu
        permits ScsiResponse, TaskManagementResponse, LoginResponse, TextResponse, DataIn, LogoutResponse,
        ReadyToTransfer, NopIn, AsyncMessage, Reject {

    private final int statSN;
    private final int expCmdSN;
    private final int maxCmdSN;

    TargetPdu(Opcode opcode, Builder<?> builder) {
        super(opcode, builder);
        this.statSN = builder.statSN;
        this.expCmdSN = builder.expCmdSN;
        this.maxCmdSN = builder.maxCmdSN;
    }

    // The accessors and setters below are not final so that javac gives every public subclass a public
    // bridge, which keeps them callable by reflection from outside this package.

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
    final void encodeFields(ByteBuf out, int base) {
        encodeSequenceNumbers(out, base, statSN, expCmdSN, maxCmdSN);
        encodeOpcodeFields(out, base);
    }

    /** Writes StatSN, ExpCmdSN and MaxCmdSN into the BHS at {@code base}. */
    static void encodeSequenceNumbers(ByteBuf out, int base, int statSN, int expCmdSN, int maxCmdSN) {
        out.setInt(base + 24, statSN);
        out.setInt(base + 28, expCmdSN);
        out.setInt(base + 32, maxCmdSN);
    }

    /** Writes the remaining opcode-specific BHS fields, as {@link #encodeFields} does for other PDUs. */
    abstract void encodeOpcodeFields(ByteBuf out, int base);

    /** Appends StatSN, ExpCmdSN and MaxCmdSN for {@link #toString()}. */
    final void appendTargetFields(StringBuilder sb) {
        sb.append(", statSN=").append(Integer.toUnsignedString(statSN));
        sb.append(", expCmdSN=").append(Integer.toUnsignedString(expCmdSN));
        sb.append(", maxCmdSN=").append(Integer.toUnsignedString(maxCmdSN));
    }

    /**
     * Builder base of the target PDUs, with the StatSN, ExpCmdSN and MaxCmdSN setters.
     *
     * @param <B> the concrete builder type
     */
    abstract static class Builder<B extends Builder<B>> extends Pdu.Builder<B> {
        private int statSN;
        private int expCmdSN;
        private int maxCmdSN;

        Builder() {
        }

        /**
         * Sets the StatSN.
         *
         * @param statSN the StatSN
         * @return this builder
         */
        public B statSN(int statSN) {
            this.statSN = statSN;
            return self();
        }

        /**
         * Sets the ExpCmdSN.
         *
         * @param expCmdSN the ExpCmdSN
         * @return this builder
         */
        public B expCmdSN(int expCmdSN) {
            this.expCmdSN = expCmdSN;
            return self();
        }

        /**
         * Sets the MaxCmdSN.
         *
         * @param maxCmdSN the MaxCmdSN
         * @return this builder
         */
        public B maxCmdSN(int maxCmdSN) {
            this.maxCmdSN = maxCmdSN;
            return self();
        }

        /** Reads StatSN, ExpCmdSN and MaxCmdSN from a received BHS. */
        final B decodeTargetFields(Wire w) {
            return statSN(w.i32(24)).expCmdSN(w.i32(28)).maxCmdSN(w.i32(32));
        }
    }
}
