package io.iscsi4j.core.pdu;

import io.netty.buffer.ByteBuf;

/**
 * Logout Request (RFC 7143 §11.14), opcode 0x06.
 *
 * <p>Immutable; create with {@link #builder()}. See {@link Pdu} for buffer ownership.
 */
public final class LogoutRequest extends Pdu {

    private final int reasonCode;
    private final int cid;
    private final int cmdSN;
    private final int expStatSN;

    private LogoutRequest(Builder builder) {
        super(Opcode.LOGOUT_REQUEST, builder);
        this.reasonCode = builder.reasonCode;
        this.cid = builder.cid;
        this.cmdSN = builder.cmdSN;
        this.expStatSN = builder.expStatSN;
    }

    /**
     * Returns a new builder for a {@code LogoutRequest}.
     *
     * @return a builder with all fields zero
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns the I bit (BHS byte 0, mask 0x40): the PDU is an immediate delivery.
     *
     * @return {@code true} if immediate
     */
    public boolean immediate() {
        return immediateBit();
    }

    /**
     * Returns the reason code (0 close session, 1 close connection, 2 remove connection for recovery) (BHS
     * byte 1, mask 0x7f).
     *
     * @return the reason code (0 close session, 1 close connection, 2 remove connection for recovery)
     */
    public int reasonCode() {
        return reasonCode;
    }

    /**
     * Returns the CID of the connection to close (BHS bytes 20..21).
     *
     * @return the CID of the connection to close
     */
    public int cid() {
        return cid;
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
    void encodeFields(ByteBuf out, int base) {
        out.setByte(base + 1, 0x80 | reasonCode);
        out.setShort(base + 20, cid);
        out.setInt(base + 24, cmdSN);
        out.setInt(base + 28, expStatSN);
    }

    static LogoutRequest decode(Wire w) throws PduException {
        // reserved, ignored on receipt (RFC 7143 §11.2): bytes 2..3, bytes 8..15, bytes 22..23, bytes 32..47
        w.noAhs();
        w.noData();
        if (w.bits(1, 0x7F, 0) > 2) {
            throw w.protocolError("reserved logout reason code " + w.bits(1, 0x7F, 0));
        }
        return builder()
                .immediate(w.immediate())
                .initiatorTaskTag(w.i32(16))
                .reasonCode(w.bits(1, 0x7f, 0))
                .cid(w.u16(20))
                .cmdSN(w.i32(24))
                .expStatSN(w.i32(28))
                .build();
    }

    @Override
    void appendFields(StringBuilder sb) {
        sb.append(", reasonCode=").append(reasonCode);
        sb.append(", cid=").append(cid);
        sb.append(", cmdSN=").append(Integer.toUnsignedString(cmdSN));
        sb.append(", expStatSN=").append(Integer.toUnsignedString(expStatSN));
    }

    /**
     * Builder for {@link LogoutRequest}; setters are named like the accessors.
     */
    public static final class Builder extends Pdu.Builder<Builder> {

        private int reasonCode;
        private int cid;
        private int cmdSN;
        private int expStatSN;

        private Builder() {
        }

        /**
         * Sets the I bit (immediate delivery).
         *
         * @param immediate the I bit
         * @return this builder
         */
        public Builder immediate(boolean immediate) {
            setImmediate(immediate);
            return this;
        }

        /**
         * Sets the reason code (0 close session, 1 close connection, 2 remove connection for recovery).
         *
         * @param reasonCode the reason code (0 close session, 1 close connection, 2 remove connection for
         * recovery), 0..127
         * @return this builder
         */
        public Builder reasonCode(int reasonCode) {
            this.reasonCode = reasonCode;
            return this;
        }

        /**
         * Sets the CID of the connection to close.
         *
         * @param cid the CID of the connection to close, 0..0xFFFF
         * @return this builder
         */
        public Builder cid(int cid) {
            this.cid = cid;
            return this;
        }

        /**
         * Sets the CmdSN.
         *
         * @param cmdSN the CmdSN
         * @return this builder
         */
        public Builder cmdSN(int cmdSN) {
            this.cmdSN = cmdSN;
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

        @Override
        public LogoutRequest build() {
            Wire.checkRange("reasonCode", reasonCode, 0, 127);
            Wire.checkRange("cid", cid, 0, 0xFFFF);
            checkData();
            return new LogoutRequest(this);
        }
    }
}
