package io.iscsi4j.core.pdu;

import io.netty.buffer.ByteBuf;

/**
 * Asynchronous Message: an unsolicited event from the target (RFC 7143 §11.9), opcode 0x32.
 *
 * <p>The Initiator Task Tag is always 0xffffffff.
 *
 * <p>Immutable; create with {@link #builder()}. See {@link Pdu} for buffer ownership.
 */
public final class AsyncMessage extends TargetPdu {

    private final long lun;
    private final int asyncEvent;
    private final int asyncVCode;
    private final int parameter1;
    private final int parameter2;
    private final int parameter3;

    private AsyncMessage(Builder builder) {
        super(Opcode.ASYNC_MESSAGE, builder);
        this.lun = builder.lun;
        this.asyncEvent = builder.asyncEvent;
        this.asyncVCode = builder.asyncVCode;
        this.parameter1 = builder.parameter1;
        this.parameter2 = builder.parameter2;
        this.parameter3 = builder.parameter3;
    }

    /**
     * Returns a new builder for a {@code AsyncMessage}.
     *
     * @return a builder with all fields zero (tags noted otherwise)
     */
    public static Builder builder() {
        return new Builder();
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
     * Returns the AsyncEvent code (BHS byte 36).
     *
     * @return the AsyncEvent code
     */
    public int asyncEvent() {
        return asyncEvent;
    }

    /**
     * Returns the AsyncVCode (vendor code) (BHS byte 37).
     *
     * @return the AsyncVCode (vendor code)
     */
    public int asyncVCode() {
        return asyncVCode;
    }

    /**
     * Returns the Parameter1 (BHS bytes 38..39).
     *
     * @return the Parameter1
     */
    public int parameter1() {
        return parameter1;
    }

    /**
     * Returns the Parameter2 (BHS bytes 40..41).
     *
     * @return the Parameter2
     */
    public int parameter2() {
        return parameter2;
    }

    /**
     * Returns the Parameter3 (BHS bytes 42..43).
     *
     * @return the Parameter3
     */
    public int parameter3() {
        return parameter3;
    }

    @Override
    void encodeOpcodeFields(ByteBuf out, int base) {
        out.setByte(base + 1, 0x80);
        out.setLong(base + 8, lun);
        out.setByte(base + 36, asyncEvent);
        out.setByte(base + 37, asyncVCode);
        out.setShort(base + 38, parameter1);
        out.setShort(base + 40, parameter2);
        out.setShort(base + 42, parameter3);
    }

    static AsyncMessage decode(Wire w) throws PduException {
        w.noAhs();
        return builder()
                .lun(w.i64(8))
                .decodeTargetFields(w)
                .asyncEvent(w.u8(36))
                .asyncVCode(w.u8(37))
                .parameter1(w.u16(38))
                .parameter2(w.u16(40))
                .parameter3(w.u16(42))
                .data(w.data)
                .build();
    }

    @Override
    void appendFields(StringBuilder sb) {
        sb.append(", lun=0x").append(Long.toHexString(lun));
        appendTargetFields(sb);
        sb.append(", asyncEvent=").append(asyncEvent);
        sb.append(", asyncVCode=").append(asyncVCode);
        sb.append(", parameter1=").append(parameter1);
        sb.append(", parameter2=").append(parameter2);
        sb.append(", parameter3=").append(parameter3);
    }

    /**
     * Builder for {@link AsyncMessage}; setters are named like the accessors.
     */
    public static final class Builder extends TargetPdu.Builder<Builder> {

        private long lun;
        private int asyncEvent;
        private int asyncVCode;
        private int parameter1;
        private int parameter2;
        private int parameter3;

        private Builder() {
            initiatorTaskTag(RESERVED_TAG);
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
         * Sets the AsyncEvent code.
         *
         * @param asyncEvent the AsyncEvent code, 0..0xFF
         * @return this builder
         */
        public Builder asyncEvent(int asyncEvent) {
            this.asyncEvent = asyncEvent;
            return this;
        }

        /**
         * Sets the AsyncVCode (vendor code).
         *
         * @param asyncVCode the AsyncVCode (vendor code), 0..0xFF
         * @return this builder
         */
        public Builder asyncVCode(int asyncVCode) {
            this.asyncVCode = asyncVCode;
            return this;
        }

        /**
         * Sets the Parameter1.
         *
         * @param parameter1 the Parameter1, 0..0xFFFF
         * @return this builder
         */
        public Builder parameter1(int parameter1) {
            this.parameter1 = parameter1;
            return this;
        }

        /**
         * Sets the Parameter2.
         *
         * @param parameter2 the Parameter2, 0..0xFFFF
         * @return this builder
         */
        public Builder parameter2(int parameter2) {
            this.parameter2 = parameter2;
            return this;
        }

        /**
         * Sets the Parameter3.
         *
         * @param parameter3 the Parameter3, 0..0xFFFF
         * @return this builder
         */
        public Builder parameter3(int parameter3) {
            this.parameter3 = parameter3;
            return this;
        }

        /**
         * Sets the data segment: 2-byte SenseLength, sense data and iSCSI event data; the built PDU takes
         * ownership of the buffer's reference.
         *
         * @param data the data segment, at most 16 MiB - 1 bytes; not {@code null}
         * @return this builder
         */
        public Builder data(ByteBuf data) {
            setData(data);
            return this;
        }

        @Override
        public AsyncMessage build() {
            Wire.checkRange("asyncEvent", asyncEvent, 0, 0xFF);
            Wire.checkRange("asyncVCode", asyncVCode, 0, 0xFF);
            Wire.checkRange("parameter1", parameter1, 0, 0xFFFF);
            Wire.checkRange("parameter2", parameter2, 0, 0xFFFF);
            Wire.checkRange("parameter3", parameter3, 0, 0xFFFF);
            if (initiatorTaskTag != RESERVED_TAG) {
                throw new IllegalArgumentException("AsyncMessage Initiator Task Tag must be 0xffffffff");
            }
            checkData();
            return new AsyncMessage(this);
        }
    }
}
