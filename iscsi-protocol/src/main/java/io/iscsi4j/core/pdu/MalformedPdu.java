package io.iscsi4j.core.pdu;

import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCounted;
import java.util.Objects;

/**
 * A well-delimited PDU that {@link PduFrameDecoder} could not turn into a {@link Pdu}: unknown opcode,
 * invalid field, or data digest mismatch. Framing continues after it; its data segment has been
 * discarded. The session normally answers with a Reject PDU carrying {@link #reason()} and
 * {@link #header()}.
 *
 * <p><b>Ownership:</b> the message owns one reference to {@link #header()}; its
 * {@link ReferenceCounted} methods delegate to it, so the receiver must release the message.
 */
public final class MalformedPdu implements ReferenceCounted {

    private final ByteBuf header;
    private final RejectReason reason;
    private final String description;

    /**
     * Creates a message; takes ownership of {@code header}.
     *
     * @param header the 48-byte BHS of the bad PDU (ownership passes to this message)
     * @param reason the Reject reason
     * @param description a human-readable description for logs
     */
    public MalformedPdu(ByteBuf header, RejectReason reason, String description) {
        this.header = Objects.requireNonNull(header, "header");
        this.reason = Objects.requireNonNull(reason, "reason");
        this.description = Objects.requireNonNull(description, "description");
    }

    /**
     * Returns the bad PDU's 48-byte BHS, as received. Owned by this message; do not move its reader
     * index if the message is passed on (use {@link ByteBuf#duplicate()}).
     *
     * @return the BHS buffer
     */
    public ByteBuf header() {
        return header;
    }

    /**
     * Returns the reason to report in a Reject PDU.
     *
     * @return the reason
     */
    public RejectReason reason() {
        return reason;
    }

    /**
     * Returns a human-readable description of the problem.
     *
     * @return the description
     */
    public String description() {
        return description;
    }

    /**
     * Returns the Initiator Task Tag from BHS bytes 16..19.
     *
     * @return the tag (unsigned 32-bit)
     */
    public int initiatorTaskTag() {
        return header.getInt(header.readerIndex() + 16);
    }

    /**
     * Returns the opcode from BHS byte 0.
     *
     * @return the opcode, or {@code null} if it is unknown
     */
    public Opcode opcode() {
        return Opcode.lookup(header.getByte(header.readerIndex()) & 0x3F);
    }

    /**
     * Returns the I bit from BHS byte 0.
     *
     * @return {@code true} if the bad PDU was marked for immediate delivery
     */
    public boolean immediate() {
        return (header.getByte(header.readerIndex()) & 0x40) != 0;
    }

    @Override
    public int refCnt() {
        return header.refCnt();
    }

    @Override
    public MalformedPdu retain() {
        header.retain();
        return this;
    }

    @Override
    public MalformedPdu retain(int increment) {
        header.retain(increment);
        return this;
    }

    @Override
    public MalformedPdu touch() {
        header.touch(this);
        return this;
    }

    @Override
    public MalformedPdu touch(Object hint) {
        header.touch(hint);
        return this;
    }

    @Override
    public boolean release() {
        return header.release();
    }

    @Override
    public boolean release(int decrement) {
        return header.release(decrement);
    }

    @Override
    public String toString() {
        Opcode opcode = opcode();
        return "MalformedPdu{" + reason + ", opcode="
                + (opcode != null ? opcode : String.format("0x%02x", header.getByte(header.readerIndex()) & 0x3F))
                + ", itt=0x" + Integer.toHexString(initiatorTaskTag()) + ", " + description + '}';
    }
}
