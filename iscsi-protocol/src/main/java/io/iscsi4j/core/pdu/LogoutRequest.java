package io.iscsi4j.core.pdu;

import io.netty.buffer.ByteBuf;

/**
 * Logout Request (RFC 7143 §11.14), opcode 0x06.
 *
 * <p>Immutable; create with {@link #builder()}. See {@link Pdu} for buffer ownership.
 */
public final class LogoutRequest extends InitiatorPdu {

    private final int reasonCode;
    private final int cid;

    private LogoutRequest(Builder builder) {
        super(Opcode.LOGOUT_REQUEST, builder);
        this.reasonCode = builder.reasonCode;
        this.cid = builder.cid;
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

    @Override
    void encodeOpcodeFields(ByteBuf out, int base) {
        out.setByte(base + 1, 0x80 | reasonCode);
        out.setShort(base + 20, cid);
    }

    static LogoutRequest decode(Wire w) throws PduException {
        // reserved, ignored on receipt (RFC 7143 §11.2): bytes 2..3, bytes 8..15, bytes 22..23, bytes 32..47
        w.noAhs();
        w.noData();
        if (w.bits(1, 0x7F, 0) > 2) {
            throw w.protocolError("reserved logout reason code " + w.bits(1, 0x7F, 0));
        }
        return builder()
                .initiatorTaskTag(w.i32(16))
                .reasonCode(w.bits(1, 0x7f, 0))
                .cid(w.u16(20))
                .decodeInitiatorFields(w)
                .build();
    }

    @Override
    void appendFields(StringBuilder sb) {
        sb.append(", reasonCode=").append(reasonCode);
        sb.append(", cid=").append(cid);
        appendInitiatorFields(sb);
    }

    /**
     * Builder for {@link LogoutRequest}; setters are named like the accessors.
     */
    public static final class Builder extends InitiatorPdu.Builder<Builder> {

        private int reasonCode;
        private int cid;

        private Builder() {
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

        @Override
        public LogoutRequest build() {
            Wire.checkRange("reasonCode", reasonCode, 0, 127);
            Wire.checkRange("cid", cid, 0, 0xFFFF);
            checkData();
            return new LogoutRequest(this);
        }
    }
}
