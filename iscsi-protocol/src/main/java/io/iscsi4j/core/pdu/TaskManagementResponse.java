package io.iscsi4j.core.pdu;

import io.netty.buffer.ByteBuf;

/**
 * SCSI Task Management Function Response (RFC 7143 §11.6, RFC 7144 §4), opcode 0x22. Bytes 8 to 10 (reserved in
 * RFC 7143, defined by RFC 7144) carry the ADDITIONAL RESPONSE INFORMATION of SAM-5 (QUERY ASYNCHRONOUS EVENT), 0
 * otherwise.
 *
 * <p>Immutable; create with {@link #builder()}. See {@link Pdu} for buffer ownership.
 */
public final class TaskManagementResponse extends TargetPdu {

    private final int response;
    private final int additionalResponseInformation;

    private TaskManagementResponse(Builder builder) {
        super(Opcode.TASK_MANAGEMENT_RESPONSE, builder);
        this.response = builder.response;
        this.additionalResponseInformation = builder.additionalResponseInformation;
    }

    /**
     * Returns a new builder for a {@code TaskManagementResponse}.
     *
     * @return a builder with all fields zero
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns the response code (0 function complete, 1 task does not exist, ...) (BHS byte 2).
     *
     * @return the response code (0 function complete, 1 task does not exist, ...)
     */
    public int response() {
        return response;
    }

    /**
     * Returns the SAM-5 ADDITIONAL RESPONSE INFORMATION (BHS bytes 8 to 10): for QUERY ASYNCHRONOUS EVENT the UADE
     * DEPTH and SENSE KEY (byte 8), ASC (9) and ASCQ (10) of the pending condition.
     *
     * @return the 24-bit value
     */
    public int additionalResponseInformation() {
        return additionalResponseInformation;
    }

    @Override
    void encodeOpcodeFields(ByteBuf out, int base) {
        out.setByte(base + 1, 0x80);
        out.setByte(base + 2, response);
        out.setMedium(base + 8, additionalResponseInformation);
    }

    static TaskManagementResponse decode(Wire w) throws PduException {
        w.noAhs();
        w.noData();
        return builder()
                .initiatorTaskTag(w.i32(16))
                .response(w.u8(2))
                .additionalResponseInformation((w.u8(8) << 16) | (w.u8(9) << 8) | w.u8(10))
                .decodeTargetFields(w)
                .build();
    }

    @Override
    void appendFields(StringBuilder sb) {
        sb.append(", response=").append(response);
        if (additionalResponseInformation != 0) {
            sb.append(", additionalResponseInformation=0x").append(Integer.toHexString(additionalResponseInformation));
        }
        appendTargetFields(sb);
    }

    /**
     * Builder for {@link TaskManagementResponse}; setters are named like the accessors.
     */
    public static final class Builder extends TargetPdu.Builder<Builder> {

        private int response;
        private int additionalResponseInformation;

        private Builder() {
        }

        /**
         * Sets the ADDITIONAL RESPONSE INFORMATION (BHS bytes 8 to 10).
         *
         * @param value the 24-bit value, 0..0xFFFFFF
         * @return this builder
         */
        public Builder additionalResponseInformation(int value) {
            this.additionalResponseInformation = value;
            return this;
        }

        /**
         * Sets the response code (0 function complete, 1 task does not exist, ...).
         *
         * @param response the response code (0 function complete, 1 task does not exist, ...), 0..0xFF
         * @return this builder
         */
        public Builder response(int response) {
            this.response = response;
            return this;
        }

        @Override
        public TaskManagementResponse build() {
            Wire.checkRange("response", response, 0, 0xFF);
            Wire.checkRange("additionalResponseInformation", additionalResponseInformation, 0, 0xFFFFFF);
            checkData();
            return new TaskManagementResponse(this);
        }
    }
}
