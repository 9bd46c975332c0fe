package io.iscsi4j.core.pdu;

import io.netty.buffer.ByteBuf;

/**
 * A received PDU's parts during decoding, with absolute getters relative to the BHS start and checks
 * that report {@link PduException}s. Package-private helper.
 *
 * <p>RFC 7143 §11.2: "Any compliant receiver MUST ignore any bit not defined and all reserved fields
 * unless specified otherwise. Receipt of reserved code values in defined fields MUST be reported as a
 * protocol error." So reserved bytes and bits are not checked; reserved <em>code values</em> (ATTR,
 * AHSType, logout reason, SNACK type) are rejected with {@link RejectReason#PROTOCOL_ERROR}.
 */
final class Wire {

    final Opcode opcode;
    final ByteBuf bhs;
    final int base;
    final ByteBuf ahs;
    final ByteBuf data;

    Wire(Opcode opcode, ByteBuf bhs, int base, ByteBuf ahs, ByteBuf data) {
        this.opcode = opcode;
        this.bhs = bhs;
        this.base = base;
        this.ahs = ahs;
        this.data = data;
    }

    /** The I bit of byte 0. */
    boolean immediate() {
        return (bhs.getByte(base) & 0x40) != 0;
    }

    int u8(int offset) {
        return bhs.getUnsignedByte(base + offset);
    }

    boolean bit(int offset, int mask) {
        return (bhs.getByte(base + offset) & mask) != 0;
    }

    int bits(int offset, int mask, int shift) {
        return (bhs.getUnsignedByte(base + offset) & mask) >>> shift;
    }

    int u16(int offset) {
        return bhs.getUnsignedShort(base + offset);
    }

    int i32(int offset) {
        return bhs.getInt(base + offset);
    }

    long u32(int offset) {
        return bhs.getUnsignedInt(base + offset);
    }

    long i64(int offset) {
        return bhs.getLong(base + offset);
    }

    long u48(int offset) {
        return ((long) bhs.getUnsignedShort(base + offset) << 32) | bhs.getUnsignedInt(base + offset + 2);
    }

    /**
     * Whether this is a PDU only initiators send. Only those are validated beyond what decoding needs;
     * target PDUs are decoded leniently (they reach a target only in tests).
     */
    private boolean strict() {
        return opcode.fromInitiator();
    }

    /** Checks that the PDU has no AHS; only the SCSI Command defines any (RFC 7143 §11.2.2). */
    void noAhs() throws PduException {
        if (strict() && ahs.isReadable()) {
            throw invalid(opcode + " must not carry an AHS (TotalAHSLength="
                    + ahs.readableBytes() / 4 + ")");
        }
    }

    /** Checks that the PDU has no data segment, for PDUs that carry none. */
    void noData() throws PduException {
        if (strict() && data.isReadable()) {
            throw invalid(opcode + " must not carry a data segment (DataSegmentLength="
                    + data.readableBytes() + ")");
        }
    }

    /** A reserved code value in a defined field (RFC 7143 §11.2: report as a protocol error). */
    PduException protocolError(String message) {
        return new PduException(RejectReason.PROTOCOL_ERROR, opcode + ": " + message);
    }

    PduException invalid(String message) {
        return new PduException(RejectReason.INVALID_PDU_FIELD, opcode + ": " + message);
    }

    /** Builder-side range check. */
    static void checkRange(String name, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " " + value + " out of range [" + min + ", " + max + "]");
        }
    }
}
