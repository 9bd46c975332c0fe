package io.iscsi4j.core.pdu;

import io.netty.buffer.ByteBuf;

/**
 * Login Request (RFC 7143 §11.12), opcode 0x03.
 *
 * <p>The I bit of a Login Request is always 1 (RFC 7143 §11.12); the builder defaults {@code immediate} to
 * {@code true}.
 *
 * <p>Immutable; create with {@link #builder()}. See {@link Pdu} for buffer ownership.
 */
public final class LoginRequest extends InitiatorPdu {

    private final boolean transit;
    private final boolean continueFlag;
    private final int csg;
    private final int nsg;
    private final int versionMax;
    private final int versionMin;
    private final long isid;
    private final int tsih;
    private final int cid;

    private LoginRequest(Builder builder) {
        super(Opcode.LOGIN_REQUEST, builder);
        this.transit = builder.transit;
        this.continueFlag = builder.continueFlag;
        this.csg = builder.csg;
        this.nsg = builder.nsg;
        this.versionMax = builder.versionMax;
        this.versionMin = builder.versionMin;
        this.isid = builder.isid;
        this.tsih = builder.tsih;
        this.cid = builder.cid;
    }

    /**
     * Returns a new builder for a {@code LoginRequest}.
     *
     * @return a builder with all fields zero
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns the T (transit) bit (BHS byte 1, mask 0x80).
     *
     * @return the T (transit) bit
     */
    public boolean transit() {
        return transit;
    }

    /**
     * Returns the C (continue) bit (BHS byte 1, mask 0x40).
     *
     * @return the C (continue) bit
     */
    public boolean continueFlag() {
        return continueFlag;
    }

    /**
     * Returns the current stage (CSG: 0 security negotiation, 1 operational negotiation, 3 full feature
     * phase) (BHS byte 1, mask 0x0c).
     *
     * @return the current stage (CSG: 0 security negotiation, 1 operational negotiation, 3 full feature
     * phase)
     */
    public int csg() {
        return csg;
    }

    /**
     * Returns the next stage (NSG), meaningful only when the T bit is set (BHS byte 1, mask 0x03).
     *
     * @return the next stage (NSG), meaningful only when the T bit is set
     */
    public int nsg() {
        return nsg;
    }

    /**
     * Returns the Version-max (BHS byte 2).
     *
     * @return the Version-max
     */
    public int versionMax() {
        return versionMax;
    }

    /**
     * Returns the Version-min (BHS byte 3).
     *
     * @return the Version-min
     */
    public int versionMin() {
        return versionMin;
    }

    /**
     * Returns the ISID (initiator part of the session identifier, 48 bits) (BHS bytes 8..13).
     *
     * @return the ISID (initiator part of the session identifier, 48 bits)
     */
    public long isid() {
        return isid;
    }

    /**
     * Returns the TSIH (target-assigned session identifying handle; 0 for a new session) (BHS bytes 14..15).
     *
     * @return the TSIH (target-assigned session identifying handle
     */
    public int tsih() {
        return tsih;
    }

    /**
     * Returns the CID (connection ID) (BHS bytes 20..21).
     *
     * @return the CID (connection ID)
     */
    public int cid() {
        return cid;
    }

    @Override
    void encodeOpcodeFields(ByteBuf out, int base) {
        out.setByte(base + 1, (transit ? 0x80 : 0) | (continueFlag ? 0x40 : 0) | (csg << 2) | nsg);
        out.setByte(base + 2, versionMax);
        out.setByte(base + 3, versionMin);
        out.setShort(base + 8, (int) (isid >>> 32));
        out.setInt(base + 10, (int) isid);
        out.setShort(base + 14, tsih);
        out.setShort(base + 20, cid);
    }

    static LoginRequest decode(Wire w) throws PduException {
        // reserved, ignored on receipt (RFC 7143 §11.2): byte 1 bits 0x30, bytes 22..23, bytes 32..47
        w.noAhs();
        return builder()
                .initiatorTaskTag(w.i32(16))
                .transit(w.bit(1, 0x80))
                .continueFlag(w.bit(1, 0x40))
                .csg(w.bits(1, 0x0c, 2))
                .nsg(w.bits(1, 0x03, 0))
                .versionMax(w.u8(2))
                .versionMin(w.u8(3))
                .isid(w.u48(8))
                .tsih(w.u16(14))
                .cid(w.u16(20))
                .decodeInitiatorFields(w)
                .data(w.data)
                .build();
    }

    @Override
    void appendFields(StringBuilder sb) {
        sb.append(", transit=").append(transit);
        sb.append(", continueFlag=").append(continueFlag);
        sb.append(", csg=").append(csg);
        sb.append(", nsg=").append(nsg);
        sb.append(", versionMax=").append(versionMax);
        sb.append(", versionMin=").append(versionMin);
        sb.append(", isid=0x").append(Long.toHexString(isid));
        sb.append(", tsih=").append(tsih);
        sb.append(", cid=").append(cid);
        appendInitiatorFields(sb);
    }

    /**
     * Builder for {@link LoginRequest}; setters are named like the accessors.
     */
    public static final class Builder extends InitiatorPdu.Builder<Builder> {

        private boolean transit;
        private boolean continueFlag;
        private int csg;
        private int nsg;
        private int versionMax;
        private int versionMin;
        private long isid;
        private int tsih;
        private int cid;

        private Builder() {
            setImmediate(true);
        }

        /**
         * Sets the T (transit) bit.
         *
         * @param transit the T (transit) bit
         * @return this builder
         */
        public Builder transit(boolean transit) {
            this.transit = transit;
            return this;
        }

        /**
         * Sets the C (continue) bit.
         *
         * @param continueFlag the C (continue) bit
         * @return this builder
         */
        public Builder continueFlag(boolean continueFlag) {
            this.continueFlag = continueFlag;
            return this;
        }

        /**
         * Sets the current stage (CSG: 0 security negotiation, 1 operational negotiation, 3 full feature
         * phase).
         *
         * @param csg the current stage (CSG: 0 security negotiation, 1 operational negotiation, 3 full
         * feature phase), 0..3
         * @return this builder
         */
        public Builder csg(int csg) {
            this.csg = csg;
            return this;
        }

        /**
         * Sets the next stage (NSG), meaningful only when the T bit is set.
         *
         * @param nsg the next stage (NSG), meaningful only when the T bit is set, 0..3
         * @return this builder
         */
        public Builder nsg(int nsg) {
            this.nsg = nsg;
            return this;
        }

        /**
         * Sets the Version-max.
         *
         * @param versionMax the Version-max, 0..0xFF
         * @return this builder
         */
        public Builder versionMax(int versionMax) {
            this.versionMax = versionMax;
            return this;
        }

        /**
         * Sets the Version-min.
         *
         * @param versionMin the Version-min, 0..0xFF
         * @return this builder
         */
        public Builder versionMin(int versionMin) {
            this.versionMin = versionMin;
            return this;
        }

        /**
         * Sets the ISID (initiator part of the session identifier, 48 bits).
         *
         * @param isid the ISID (initiator part of the session identifier, 48 bits), 0..0xFFFF_FFFF_FFFFL
         * @return this builder
         */
        public Builder isid(long isid) {
            this.isid = isid;
            return this;
        }

        /**
         * Sets the TSIH (target-assigned session identifying handle; 0 for a new session).
         *
         * @param tsih the TSIH (target-assigned session identifying handle, 0..0xFFFF
         * @return this builder
         */
        public Builder tsih(int tsih) {
            this.tsih = tsih;
            return this;
        }

        /**
         * Sets the CID (connection ID).
         *
         * @param cid the CID (connection ID), 0..0xFFFF
         * @return this builder
         */
        public Builder cid(int cid) {
            this.cid = cid;
            return this;
        }

        /**
         * Sets the text key=value pairs (UTF-8, NUL-separated); the built PDU takes ownership of the buffer's
         * reference.
         *
         * @param data the data segment, at most 16 MiB - 1 bytes; not {@code null}
         * @return this builder
         */
        public Builder data(ByteBuf data) {
            setData(data);
            return this;
        }

        @Override
        public LoginRequest build() {
            Wire.checkRange("csg", csg, 0, 3);
            Wire.checkRange("nsg", nsg, 0, 3);
            Wire.checkRange("versionMax", versionMax, 0, 0xFF);
            Wire.checkRange("versionMin", versionMin, 0, 0xFF);
            Wire.checkRange("isid", isid, 0, 0xFFFF_FFFF_FFFFL);
            Wire.checkRange("tsih", tsih, 0, 0xFFFF);
            Wire.checkRange("cid", cid, 0, 0xFFFF);
            checkData();
            return new LoginRequest(this);
        }
    }
}
