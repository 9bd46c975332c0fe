package io.iscsi4j.core.pdu;

import io.netty.buffer.ByteBuf;

/**
 * SCSI Task Management Function Response (RFC 7143 §11.6), opcode 0x22.
 *
 * <p>Immutable; create with {@link #builder()}. See {@link Pdu} for buffer ownership.
 */
public final class TaskManagementResponse extends TargetPdu {

    private final int response;

    private TaskManagementResponse(Builder builder) {
        super(Opcode.TASK_MANAGEMENT_RESPONSE, builder);
        this.response = builder.response;
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

    @Override
    void encodeOpcodeFields(ByteBuf out, int base) {
        out.setByte(base + 1, 0x80);
        out.setByte(base + 2, response);
    }

    static TaskManagementResponse decode(Wire w) throws PduException {
        w.noAhs();
        w.noData();
        return builder()
                .initiatorTaskTag(w.i32(16))
                .response(w.u8(2))
                .decodeTargetFields(w)
                .build();
    }

    @Override
    void appendFields(StringBuilder sb) {
        sb.append(", response=").append(response);
        appendTargetFields(sb);
    }

    /**
     * Builder for {@link TaskManagementResponse}; setters are named like the accessors.
     */
    public static final class Builder extends TargetPdu.Builder<Builder> {

        private int response;

        private Builder() {
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
            checkData();
            return new TaskManagementResponse(this);
        }
    }
}
