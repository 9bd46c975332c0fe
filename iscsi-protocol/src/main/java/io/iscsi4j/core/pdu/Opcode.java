package io.iscsi4j.core.pdu;

/**
 * iSCSI PDU opcodes (RFC 7143 §11.2.1.2): the low six bits of BHS byte 0.
 *
 * <p>Initiator opcodes are {@code 0x00..0x1f}, target opcodes {@code 0x20..0x3f}.
 */
public enum Opcode {
    /** NOP-Out (RFC 7143 §11.18). */
    NOP_OUT(0x00),
    /** SCSI Command (RFC 7143 §11.3). */
    SCSI_COMMAND(0x01),
    /** SCSI Task Management Function Request (RFC 7143 §11.5). */
    TASK_MANAGEMENT_REQUEST(0x02),
    /** Login Request (RFC 7143 §11.12). */
    LOGIN_REQUEST(0x03),
    /** Text Request (RFC 7143 §11.10). */
    TEXT_REQUEST(0x04),
    /** SCSI Data-Out (RFC 7143 §11.7). */
    DATA_OUT(0x05),
    /** Logout Request (RFC 7143 §11.14). */
    LOGOUT_REQUEST(0x06),
    /** SNACK Request (RFC 7143 §11.16). */
    SNACK(0x10),
    /** NOP-In (RFC 7143 §11.19). */
    NOP_IN(0x20),
    /** SCSI Response (RFC 7143 §11.4). */
    SCSI_RESPONSE(0x21),
    /** SCSI Task Management Function Response (RFC 7143 §11.6). */
    TASK_MANAGEMENT_RESPONSE(0x22),
    /** Login Response (RFC 7143 §11.13). */
    LOGIN_RESPONSE(0x23),
    /** Text Response (RFC 7143 §11.11). */
    TEXT_RESPONSE(0x24),
    /** SCSI Data-In (RFC 7143 §11.7). */
    DATA_IN(0x25),
    /** Logout Response (RFC 7143 §11.15). */
    LOGOUT_RESPONSE(0x26),
    /** Ready To Transfer (RFC 7143 §11.8). */
    R2T(0x31),
    /** Asynchronous Message (RFC 7143 §11.9). */
    ASYNC_MESSAGE(0x32),
    /** Reject (RFC 7143 §11.17). */
    REJECT(0x3F);

    private static final Opcode[] BY_CODE = new Opcode[64];

    static {
        for (Opcode op : values()) {
            BY_CODE[op.code] = op;
        }
    }

    private final int code;

    Opcode(int code) {
        this.code = code;
    }

    /**
     * Returns the six-bit wire code.
     *
     * @return the opcode value, {@code 0x00..0x3f}
     */
    public int code() {
        return code;
    }

    /**
     * Tells whether initiators send this opcode (codes {@code 0x00..0x1f}).
     *
     * @return {@code true} for initiator opcodes, {@code false} for target opcodes
     */
    public boolean fromInitiator() {
        return code < 0x20;
    }

    /**
     * Looks an opcode up by its wire code.
     *
     * @param code the six-bit code (the I bit and the reserved bit must already be masked off)
     * @return the opcode
     * @throws PduException with {@link RejectReason#COMMAND_NOT_SUPPORTED} if the code is unknown
     */
    public static Opcode fromCode(int code) throws PduException {
        Opcode op = lookup(code);
        if (op == null) {
            throw new PduException(RejectReason.COMMAND_NOT_SUPPORTED,
                    String.format("unknown opcode 0x%02x", code));
        }
        return op;
    }

    /** Returns the opcode for {@code code}, or {@code null} if unknown. */
    static Opcode lookup(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
