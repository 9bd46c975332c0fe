package io.iscsi4j.core.pdu;

import io.netty.buffer.ByteBuf;

/**
 * Login Response (RFC 7143 §11.13), opcode 0x23.
 *
 * <p>Immutable; create with {@link #builder()}. See {@link Pdu} for buffer ownership.
 */
public final class LoginResponse extends TargetPdu {

    private final boolean transit;
    private final boolean continueFlag;
    private final int csg;
    private final int nsg;
    private final int versionMax;
    private final int versionActive;
    private final long isid;
    private final int tsih;
    private final int statusClass;
    private final int statusDetail;

    private LoginResponse(Builder builder) {
        super(Opcode.LOGIN_RESPONSE, builder);
        this.transit = builder.transit;
        this.continueFlag = builder.continueFlag;
        this.csg = builder.csg;
        this.nsg = builder.nsg;
        this.versionMax = builder.versionMax;
        this.versionActive = builder.versionActive;
        this.isid = builder.isid;
        this.tsih = builder.tsih;
        this.statusClass = builder.statusClass;
        this.statusDetail = builder.statusDetail;
    }

    /**
     * Returns a new builder for a {@code LoginResponse}.
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
     * Returns the current stage (CSG) (BHS byte 1, mask 0x0c).
     *
     * @return the current stage (CSG)
     */
    public int csg() {
        return csg;
    }

    /**
     * Returns the next stage (NSG) (BHS byte 1, mask 0x03).
     *
     * @return the next stage (NSG)
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
     * Returns the Version-active (BHS byte 3).
     *
     * @return the Version-active
     */
    public int versionActive() {
        return versionActive;
    }

    /**
     * Returns the ISID (48 bits) (BHS bytes 8..13).
     *
     * @return the ISID (48 bits)
     */
    public long isid() {
        return isid;
    }

    /**
     * Returns the TSIH (BHS bytes 14..15).
     *
     * @return the TSIH
     */
    public int tsih() {
        return tsih;
    }

    /**
     * Returns the Status-Class (0 success, 1 redirection, 2 initiator error, 3 target error) (BHS byte 36).
     *
     * @return the Status-Class (0 success, 1 redirection, 2 initiator error, 3 target error)
     */
    public int statusClass() {
        return statusClass;
    }

    /**
     * Returns the Status-Detail (BHS byte 37).
     *
     * @return the Status-Detail
     */
    public int statusDetail() {
        return statusDetail;
    }

    @Override
    void encodeOpcodeFields(ByteBuf out, int base) {
        out.setByte(base + 1, (transit ? 0x80 : 0) | (continueFlag ? 0x40 : 0) | (csg << 2) | nsg);
        out.setByte(base + 2, versionMax);
        out.setByte(base + 3, versionActive);
        out.setShort(base + 8, (int) (isid >>> 32));
        out.setInt(base + 10, (int) isid);
        out.setShort(base + 14, tsih);
        out.setByte(base + 36, statusClass);
        out.setByte(base + 37, statusDetail);
    }

    static LoginResponse decode(Wire w) throws PduException {
        w.noAhs();
        return builder()
                .initiatorTaskTag(w.i32(16))
                .transit(w.bit(1, 0x80))
                .continueFlag(w.bit(1, 0x40))
                .csg(w.bits(1, 0x0c, 2))
                .nsg(w.bits(1, 0x03, 0))
                .versionMax(w.u8(2))
                .versionActive(w.u8(3))
                .isid(w.u48(8))
                .tsih(w.u16(14))
                .decodeTargetFields(w)
                .statusClass(w.u8(36))
                .statusDetail(w.u8(37))
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
        sb.append(", versionActive=").append(versionActive);
        sb.append(", isid=0x").append(Long.toHexString(isid));
        sb.append(", tsih=").append(tsih);
        appendTargetFields(sb);
        sb.append(", statusClass=").append(statusClass);
        sb.append(", statusDetail=").append(statusDetail);
    }

    /**
     * Builder for {@link LoginResponse}; setters are named like the accessors.
     */
    public static final class Builder extends TargetPdu.Builder<Builder> {

        private boolean transit;
        private boolean continueFlag;
        private int csg;
        private int nsg;
        private int versionMax;
        private int versionActive;
        private long isid;
        private int tsih;
        private int statusClass;
        private int statusDetail;

        private Builder() {
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
         * Sets the current stage (CSG).
         *
         * @param csg the current stage (CSG), 0..3
         * @return this builder
         */
        public Builder csg(int csg) {
            this.csg = csg;
            return this;
        }

        /**
         * Sets the next stage (NSG).
         *
         * @param nsg the next stage (NSG), 0..3
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
         * Sets the Version-active.
         *
         * @param versionActive the Version-active, 0..0xFF
         * @return this builder
         */
        public Builder versionActive(int versionActive) {
            this.versionActive = versionActive;
            return this;
        }

        /**
         * Sets the ISID (48 bits).
         *
         * @param isid the ISID (48 bits), 0..0xFFFF_FFFF_FFFFL
         * @return this builder
         */
        public Builder isid(long isid) {
            this.isid = isid;
            return this;
        }

        /**
         * Sets the TSIH.
         *
         * @param tsih the TSIH, 0..0xFFFF
         * @return this builder
         */
        public Builder tsih(int tsih) {
            this.tsih = tsih;
            return this;
        }

        /**
         * Sets the Status-Class (0 success, 1 redirection, 2 initiator error, 3 target error).
         *
         * @param statusClass the Status-Class (0 success, 1 redirection, 2 initiator error, 3 target error),
         * 0..0xFF
         * @return this builder
         */
        public Builder statusClass(int statusClass) {
            this.statusClass = statusClass;
            return this;
        }

        /**
         * Sets the Status-Detail.
         *
         * @param statusDetail the Status-Detail, 0..0xFF
         * @return this builder
         */
        public Builder statusDetail(int statusDetail) {
            this.statusDetail = statusDetail;
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
        public LoginResponse build() {
            Wire.checkRange("csg", csg, 0, 3);
            Wire.checkRange("nsg", nsg, 0, 3);
            Wire.checkRange("versionMax", versionMax, 0, 0xFF);
            Wire.checkRange("versionActive", versionActive, 0, 0xFF);
            Wire.checkRange("isid", isid, 0, 0xFFFF_FFFF_FFFFL);
            Wire.checkRange("tsih", tsih, 0, 0xFFFF);
            Wire.checkRange("statusClass", statusClass, 0, 0xFF);
            Wire.checkRange("statusDetail", statusDetail, 0, 0xFF);
            checkData();
            return new LoginResponse(this);
        }
    }
}
