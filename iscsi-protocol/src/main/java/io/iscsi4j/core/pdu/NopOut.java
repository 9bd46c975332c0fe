package io.iscsi4j.core.pdu;

import io.netty.buffer.ByteBuf;

/**
 * NOP-Out: an initiator ping, or the answer to a target NOP-In (RFC 7143 §11.18), opcode 0x00.
 *
 * <p>A NOP-Out answering a NOP-In echoes its Target Transfer Tag and LUN; an initiator-originated
 * ping uses Target Transfer Tag 0xffffffff and an Initiator Task Tag other than 0xffffffff.
 *
 * <p>Immutable; create with {@link #builder()}. See {@link Pdu} for buffer ownership.
 */
public final class NopOut extends InitiatorPdu {

    private final long lun;
    private final int targetTransferTag;

    private NopOut(Builder builder) {
        super(Opcode.NOP_OUT, builder);
        this.lun = builder.lun;
        this.targetTransferTag = builder.targetTransferTag;
    }

    /**
     * Returns a new builder for a {@code NopOut}.
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

    static NopOut decode(Wire w) throws PduException {
        // reserved, ignored on receipt (RFC 7143 §11.2): byte 1 bits 0x7f, bytes 2..3, bytes 32..47
        w.noAhs();
        return builder()
                .initiatorTaskTag(w.i32(16))
                .lun(w.i64(8))
                .targetTransferTag(w.i32(20))
                .decodeInitiatorFields(w)
                .data(w.data)
                .build();
    }

    @Override
    void appendFields(StringBuilder sb) {
        sb.append(", lun=0x").append(Long.toHexString(lun));
        sb.append(", targetTransferTag=").append(Integer.toUnsignedString(targetTransferTag));
        appendInitiatorFields(sb);
    }

    /**
     * Builder for {@link NopOut}; setters are named like the accessors.
     */
    public static final class Builder extends InitiatorPdu.Builder<Builder> {

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
        public NopOut build() {
            checkData();
            return new NopOut(this);
        }
    }
}
