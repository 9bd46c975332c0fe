package io.iscsi4j.core.pdu;

import io.netty.buffer.ByteBuf;

/**
 * A PDU with which the initiator issues a command to the target: it may be an immediate delivery (the I
 * bit) and carries CmdSN and ExpStatSN in BHS bytes 24..27 and 28..31 (RFC 7143 §11.3, §11.5, §11.10,
 * §11.12, §11.14, §11.18). Data-Out and SNACK, which have neither the I bit nor a CmdSN, are not among
 * them.
 *
 * <p>Package-private: its public accessors and builder setters are part of each concrete PDU's API.
 */
abstract sealed class InitiatorPdu extends Pdu
        permits ScsiCommand, TaskManagementRequest, LoginRequest, TextRequest, LogoutRequest, NopOut {

    private final int cmdSN;
    private final int expStatSN;

    InitiatorPdu(Opcode opcode, Builder<?> builder) {
        super(opcode, builder);
        this.cmdSN = builder.cmdSN;
        this.expStatSN = builder.expStatSN;
    }

    /** For decoding without a builder on the hot path. */
    InitiatorPdu(Opcode opcode, boolean immediate, int initiatorTaskTag, ByteBuf data, int cmdSN, int expStatSN) {
        super(opcode, immediate, initiatorTaskTag, data);
        this.cmdSN = cmdSN;
        this.expStatSN = expStatSN;
    }

    // The accessors and setters below are not final so that javac gives every public subclass a public
    // bridge, which keeps them callable by reflection from outside this package.

    /**
     * Returns the I bit (BHS byte 0, mask 0x40): the PDU is an immediate delivery.
     *
     * @return {@code true} if immediate
     */
    public boolean immediate() {
        return immediateBit();
    }

    /**
     * Returns the CmdSN (BHS bytes 24..27).
     *
     * @return the CmdSN
     */
    public int cmdSN() {
        return cmdSN;
    }

    /**
     * Returns the ExpStatSN (BHS bytes 28..31).
     *
     * @return the ExpStatSN
     */
    public int expStatSN() {
        return expStatSN;
    }

    @Override
    final void encodeFields(ByteBuf out, int base) {
        out.setInt(base + 24, cmdSN);
        out.setInt(base + 28, expStatSN);
        encodeOpcodeFields(out, base);
    }

    /** Writes the remaining opcode-specific BHS fields, as {@link #encodeFields} does for other PDUs. */
    abstract void encodeOpcodeFields(ByteBuf out, int base);

    /** Appends CmdSN and ExpStatSN for {@link #toString()}; the I bit is shown by {@link Pdu}. */
    final void appendInitiatorFields(StringBuilder sb) {
        sb.append(", cmdSN=").append(Integer.toUnsignedString(cmdSN));
        sb.append(", expStatSN=").append(Integer.toUnsignedString(expStatSN));
    }

    /**
     * Builder base of the initiator command PDUs, with the I bit, CmdSN and ExpStatSN setters.
     *
     * @param <B> the concrete builder type
     */
    abstract static class Builder<B extends Builder<B>> extends Pdu.Builder<B> {
        private int cmdSN;
        private int expStatSN;

        Builder() {
        }

        /**
         * Sets the I bit (immediate delivery).
         *
         * @param immediate the I bit
         * @return this builder
         */
        public B immediate(boolean immediate) {
            setImmediate(immediate);
            return self();
        }

        /**
         * Sets the CmdSN.
         *
         * @param cmdSN the CmdSN
         * @return this builder
         */
        public B cmdSN(int cmdSN) {
            this.cmdSN = cmdSN;
            return self();
        }

        /**
         * Sets the ExpStatSN.
         *
         * @param expStatSN the ExpStatSN
         * @return this builder
         */
        public B expStatSN(int expStatSN) {
            this.expStatSN = expStatSN;
            return self();
        }

        /** Reads the I bit, CmdSN and ExpStatSN from a received BHS. */
        final B decodeInitiatorFields(Wire w) {
            return immediate(w.immediate()).cmdSN(w.i32(24)).expStatSN(w.i32(28));
        }
    }
}
