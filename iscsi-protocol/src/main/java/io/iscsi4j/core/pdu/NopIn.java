package io.iscsi4j.core.pdu;

import io.netty.buffer.ByteBuf;

/**
 * NOP-In: a target ping, or the answer to an initiator NOP-Out (RFC 7143 §11.19), opcode 0x20.
 *
 * <p>Immutable; create with {@link #builder()}. See {@link Pdu} for buffer ownership.
 */
public final class NopIn extends TargetPdu {

    private final long lun;
    private final int targetTransferTag;

    private NopIn(Builder builder) {
        super(Opcode.NOP_IN, builder);
        this.lun = builder.lun;
        this.targetTransferTag = builder.targetTransferTag;
    }

    /**
     * Returns a new builder for a {@code NopIn}.
     *
     * @return a builder with all fields zero
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
     * Returns the Target Transfer Tag (BHS bytes 20..23).
     *
     * @return the Target Transfer Tag
     */
    public int targetTransferTag() {
        return targetTransferTag;
    }

    @Override
    void encodeOpcodeFields(ByteBuf out, int base) {
        out.setByte(base + 1, 0x80);
        out.setLong(base + 8, lun);
        out.setInt(base + 20, targetTransferTag);
    }

    static NopIn decode(Wire w) throws PduException {
        w.noAhs();
        return builder()
                .initiatorTaskTag(w.i32(16))
                .lun(w.i64(8))
                .targetTransferTag(w.i32(20))
                .decodeTargetFields(w)
                .data(w.data)
                .build();
    }

    @Override
    void appendFields(StringBuilder sb) {
        sb.append(", lun=0x").append(Long.toHexString(lun));
        sb.append(", targetTransferTag=").append(Integer.toUnsignedString(targetTransferTag));
        appendTargetFields(sb);
    }

    /**
     * Builder for {@link NopIn}; setters are named like the accessors.
     */
    public static final class Builder extends TargetPdu.Builder<Builder> {

        private long lun;
        private int targetTransferTag;

        private Builder() {
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
         * Sets the Target Transfer Tag.
         *
         * @param targetTransferTag the Target Transfer Tag
         * @return this builder
         */
        public Builder targetTransferTag(int targetTransferTag) {
            this.targetTransferTag = targetTransferTag;
            return this;
        }

        /**
         * Sets the ping data; the built PDU takes ownership of the buffer's reference.
         *
         * @param data the data segment, at most 16 MiB - 1 bytes; not {@code null}
         * @return this builder
         */
        public Builder data(ByteBuf data) {
            setData(data);
            return this;
        }

        @Override
        public NopIn build() {
            checkData();
            return new NopIn(this);
        }
    }
}
