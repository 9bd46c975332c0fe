package io.iscsi4j.core.pdu;

import io.netty.buffer.ByteBuf;

/**
 * Logout Response (RFC 7143 §11.15), opcode 0x26.
 *
 * <p>Immutable; create with {@link #builder()}. See {@link Pdu} for buffer ownership.
 */
public final class LogoutResponse extends TargetPdu {

    private final int response;
    private final int time2Wait;
    private final int time2Retain;

    private LogoutResponse(Builder builder) {
        super(Opcode.LOGOUT_RESPONSE, builder);
        this.response = builder.response;
        this.time2Wait = builder.time2Wait;
        this.time2Retain = builder.time2Retain;
    }

    /**
     * Returns a new builder for a {@code LogoutResponse}.
     *
     * @return a builder with all fields zero
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns the response (0 closed successfully, 1 CID not found, 2 recovery not supported, 3 cleanup
     * failed) (BHS byte 2).
     *
     * @return the response (0 closed successfully, 1 CID not found, 2 recovery not supported, 3 cleanup
     * failed)
     */
    public int response() {
        return response;
    }

    /**
     * Returns the Time2Wait in seconds (BHS bytes 40..41).
     *
     * @return the Time2Wait in seconds
     */
    public int time2Wait() {
        return time2Wait;
    }

    /**
     * Returns the Time2Retain in seconds (BHS bytes 42..43).
     *
     * @return the Time2Retain in seconds
     */
    public int time2Retain() {
        return time2Retain;
    }

    @Override
    void encodeOpcodeFields(ByteBuf out, int base) {
        out.setByte(base + 1, 0x80);
        out.setByte(base + 2, response);
        out.setShort(base + 40, time2Wait);
        out.setShort(base + 42, time2Retain);
    }

    static LogoutResponse decode(Wire w) throws PduException {
        w.noAhs();
        w.noData();
        return builder()
                .initiatorTaskTag(w.i32(16))
                .response(w.u8(2))
                .decodeTargetFields(w)
                .time2Wait(w.u16(40))
                .time2Retain(w.u16(42))
                .build();
    }

    @Override
    void appendFields(StringBuilder sb) {
        sb.append(", response=").append(response);
        appendTargetFields(sb);
        sb.append(", time2Wait=").append(time2Wait);
        sb.append(", time2Retain=").append(time2Retain);
    }

    /**
     * Builder for {@link LogoutResponse}; setters are named like the accessors.
     */
    public static final class Builder extends TargetPdu.Builder<Builder> {

        private int response;
        private int time2Wait;
        private int time2Retain;

        private Builder() {
        }

        /**
         * Sets the response (0 closed successfully, 1 CID not found, 2 recovery not supported, 3 cleanup
         * failed).
         *
         * @param response the response (0 closed successfully, 1 CID not found, 2 recovery not supported, 3
         * cleanup failed), 0..0xFF
         * @return this builder
         */
        public Builder response(int response) {
            this.response = response;
            return this;
        }

        /**
         * Sets the Time2Wait in seconds.
         *
         * @param time2Wait the Time2Wait in seconds, 0..0xFFFF
         * @return this builder
         */
        public Builder time2Wait(int time2Wait) {
            this.time2Wait = time2Wait;
            return this;
        }

        /**
         * Sets the Time2Retain in seconds.
         *
         * @param time2Retain the Time2Retain in seconds, 0..0xFFFF
         * @return this builder
         */
        public Builder time2Retain(int time2Retain) {
            this.time2Retain = time2Retain;
            return this;
        }

        @Override
        public LogoutResponse build() {
            Wire.checkRange("response", response, 0, 0xFF);
            Wire.checkRange("time2Wait", time2Wait, 0, 0xFFFF);
            Wire.checkRange("time2Retain", time2Retain, 0, 0xFFFF);
            checkData();
            return new LogoutResponse(this);
        }
    }
}
