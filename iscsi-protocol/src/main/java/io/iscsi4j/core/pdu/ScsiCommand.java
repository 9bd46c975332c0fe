package io.iscsi4j.core.pdu;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * SCSI Command: a SCSI CDB with optional immediate data (RFC 7143 §11.3), opcode 0x01.
 *
 * <p>Immutable; create with {@link #builder()}. See {@link Pdu} for buffer ownership.
 */
public final class ScsiCommand extends InitiatorPdu {

    private final boolean finalFlag;
    private final boolean read;
    private final boolean write;
    private final int attribute;
    private final long lun;
    private final long expectedDataTransferLength;
    /** Number of CDB bytes carried in the BHS (bytes 32..47). */
    static final int CDB_IN_BHS = 16;
    /** AHSType of the Extended CDB AHS (RFC 7143 §11.2.2.3). */
    static final int AHS_EXTENDED_CDB = 1;
    /** AHSType of the Bidirectional Read Expected Data Transfer Length AHS (RFC 7143 §11.2.2.4). */
    static final int AHS_BIDIRECTIONAL_READ_LENGTH = 2;
    /** First AHSType reserved for non-iSCSI extensions. */
    static final int AHS_VENDOR_FIRST = 60;
    /** Largest CDB the Extended CDB AHS can carry within TotalAHSLength (255 words). */
    static final int MAX_CDB_LENGTH = CDB_IN_BHS + 255 * 4 - 4 - 8;

    private final byte[] cdb;
    private final long bidirectionalReadDataLength;

    private ScsiCommand(Builder builder) {
        super(Opcode.SCSI_COMMAND, builder);
        this.finalFlag = builder.finalFlag;
        this.read = builder.read;
        this.write = builder.write;
        this.attribute = builder.attribute;
        this.lun = builder.lun;
        this.expectedDataTransferLength = builder.expectedDataTransferLength;
        this.cdb = builder.cdb != null ? builder.cdb : new byte[CDB_IN_BHS];
        this.bidirectionalReadDataLength = builder.bidirectionalReadDataLength;
    }

    /** A command decoded without an AHS, without a builder (the hot path). */
    private ScsiCommand(Wire w, byte[] cdb) {
        super(Opcode.SCSI_COMMAND, w.immediate(), w.i32(16), w.data, w.i32(24), w.i32(28));
        this.finalFlag = w.bit(1, 0x80);
        this.read = w.bit(1, 0x40);
        this.write = w.bit(1, 0x20);
        this.attribute = w.bits(1, 0x07, 0);
        this.lun = w.i64(8);
        this.expectedDataTransferLength = w.u32(20);
        this.cdb = cdb;
        this.bidirectionalReadDataLength = -1;
    }

    /**
     * Returns a new builder for a {@code ScsiCommand}.
     *
     * @return a builder with all fields zero
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns the F (final) bit; no unsolicited Data-Out PDUs follow (BHS byte 1, mask 0x80).
     *
     * @return the F (final) bit
     */
    public boolean finalFlag() {
        return finalFlag;
    }

    /**
     * Returns the R bit; the command expects input data (BHS byte 1, mask 0x40).
     *
     * @return the R bit
     */
    public boolean read() {
        return read;
    }

    /**
     * Returns the W bit; the command expects output data (BHS byte 1, mask 0x20).
     *
     * @return the W bit
     */
    public boolean write() {
        return write;
    }

    /**
     * Returns the task attribute (ATTR; 0 untagged, 1 simple, 2 ordered, 3 head of queue, 4 ACA) (BHS byte 1,
     * mask 0x07).
     *
     * @return the task attribute (ATTR
     */
    public int attribute() {
        return attribute;
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
     * Returns the Expected Data Transfer Length in bytes; unsigned 32-bit (BHS bytes 20..23).
     *
     * @return the Expected Data Transfer Length in bytes
     */
    public long expectedDataTransferLength() {
        return expectedDataTransferLength;
    }

    /**
     * Returns the Bidirectional Read Data Length from the AHS of type 2 (RFC 7143 §11.3.1.2 and
     * §11.2.2.4), or -1 if the command carries no such AHS.
     *
     * @return the bidirectional read data length in bytes (unsigned 32-bit) or -1
     */
    public long bidirectionalReadDataLength() {
        return bidirectionalReadDataLength;
    }

    /**
     * Returns a copy of the CDB: the 16 bytes of BHS bytes 32..47 followed by the Extended CDB AHS
     * (type 1) bytes, if any. CDBs shorter than 16 bytes keep their zero padding.
     *
     * @return a new array holding the CDB (16 bytes or more)
     */
    public byte[] cdb() {
        return cdb.clone();
    }

    /**
     * The CDB without a copy of its bytes, for the hot path.
     *
     * @return a read-only buffer over the CDB: position 0, limit = CDB length
     */
    public ByteBuffer cdbView() {
        return ByteBuffer.wrap(cdb).asReadOnlyBuffer();
    }

    /**
     * Returns the CDB length in bytes without copying: 16 or the length including the Extended CDB.
     *
     * @return the CDB length
     */
    public int cdbLength() {
        return cdb.length;
    }

    /**
     * Returns one CDB byte without copying the CDB.
     *
     * @param index the byte index, {@code 0 <= index < cdbLength()}
     * @return the byte at {@code index}
     */
    public byte cdbByte(int index) {
        return cdb[index];
    }

    @Override
    int ahsLength() {
        int length = 0;
        if (cdb.length > CDB_IN_BHS) {
            length += align4(4 + cdb.length - CDB_IN_BHS);
        }
        if (bidirectionalReadDataLength >= 0) {
            length += 8;
        }
        return length;
    }

    @Override
    void encodeAhs(ByteBuf out) {
        if (cdb.length > CDB_IN_BHS) {
            // RFC 7143 §11.2.2.3 Extended CDB AHS: AHSLength = CDB length - 15 (the reserved byte 3 plus
            // the CDB bytes beyond 16), AHSType 1, reserved byte, extended CDB bytes, zero padding
            int extra = cdb.length - CDB_IN_BHS;
            out.writeShort(extra + 1);
            out.writeByte(AHS_EXTENDED_CDB);
            out.writeByte(0);
            out.writeBytes(cdb, CDB_IN_BHS, extra);
            out.writeZero(align4(4 + extra) - (4 + extra));
        }
        if (bidirectionalReadDataLength >= 0) {
            // RFC 7143 §11.2.2.4 Bidirectional Read Expected Data Transfer Length AHS: AHSLength 5,
            // AHSType 2, reserved byte, 4-byte length
            out.writeShort(5);
            out.writeByte(AHS_BIDIRECTIONAL_READ_LENGTH);
            out.writeByte(0);
            out.writeInt((int) bidirectionalReadDataLength);
        }
    }

    private static int align4(int length) {
        return (length + 3) & ~3;
    }

    /** Parses the AHS of a received SCSI Command into the builder (RFC 7143 §11.2.2). */
    private static void decodeAhs(Wire w, byte[] bhsCdb, Builder builder) throws PduException {
        ByteBuf ahs = w.ahs;
        int index = ahs.readerIndex();
        int end = ahs.writerIndex();
        byte[] cdb = bhsCdb;
        boolean seenCdb = false;
        boolean seenBidi = false;
        while (index < end) {
            if (end - index < 4) {
                throw w.invalid("truncated AHS header");
            }
            int ahsLength = ahs.getUnsignedShort(index);
            int typeByte = ahs.getUnsignedByte(index + 2);
            int total = align4(3 + ahsLength);
            if (ahsLength == 0 || total > end - index) {
                throw w.invalid("AHSLength " + ahsLength + " does not fit TotalAHSLength");
            }
            int type = typeByte & 0x3F; // bits 0xc0 are reserved and ignored
            if (type == AHS_EXTENDED_CDB) {
                if (seenCdb) {
                    throw w.invalid("duplicate Extended CDB AHS");
                }
                seenCdb = true;
                int extra = ahsLength - 1;
                cdb = new byte[CDB_IN_BHS + extra];
                System.arraycopy(bhsCdb, 0, cdb, 0, CDB_IN_BHS);
                ahs.getBytes(index + 4, cdb, CDB_IN_BHS, extra);
            } else if (type == AHS_BIDIRECTIONAL_READ_LENGTH) {
                if (seenBidi || ahsLength != 5) {
                    throw w.invalid("bad Bidirectional Read Expected Data Transfer Length AHS");
                }
                seenBidi = true;
                builder.bidirectionalReadDataLength(ahs.getUnsignedInt(index + 4));
            } else if (type < AHS_VENDOR_FIRST) {
                // types 0 and 3..59 are reserved; 60..63 are non-iSCSI extensions and are skipped
                throw w.protocolError("reserved AHSType " + type);
            }
            index += total;
        }
        builder.decodedCdb(cdb);
    }

    @Override
    void encodeOpcodeFields(ByteBuf out, int base) {
        out.setByte(base + 1, (finalFlag ? 0x80 : 0) | (read ? 0x40 : 0) | (write ? 0x20 : 0) | attribute);
        out.setLong(base + 8, lun);
        out.setInt(base + 20, (int) expectedDataTransferLength);
        // bytes 32..47: CDB (the first 16 bytes; the rest goes into the Extended CDB AHS)
        out.setBytes(base + 32, cdb, 0, CDB_IN_BHS);
    }

    static ScsiCommand decode(Wire w) throws PduException {
        // reserved, ignored on receipt (RFC 7143 §11.2): byte 1 bits 0x18, bytes 2..3
        if (w.bits(1, 0x07, 0) > 4) {
            throw w.protocolError("reserved ATTR value " + w.bits(1, 0x07, 0));
        }
        byte[] bhsCdb = new byte[CDB_IN_BHS];
        w.bhs.getBytes(w.base + 32, bhsCdb);
        if (!w.ahs.isReadable()) {
            return new ScsiCommand(w, bhsCdb); // no Extended CDB, no bidirectional length: every field is in the BHS
        }
        Builder builder = builder();
        decodeAhs(w, bhsCdb, builder);
        return builder
                .initiatorTaskTag(w.i32(16))
                .finalFlag(w.bit(1, 0x80))
                .read(w.bit(1, 0x40))
                .write(w.bit(1, 0x20))
                .attribute(w.bits(1, 0x07, 0))
                .lun(w.i64(8))
                .expectedDataTransferLength(w.u32(20))
                .decodeInitiatorFields(w)
                .data(w.data)
                .build();
    }

    @Override
    void appendFields(StringBuilder sb) {
        sb.append(", finalFlag=").append(finalFlag);
        sb.append(", read=").append(read);
        sb.append(", write=").append(write);
        sb.append(", attribute=").append(attribute);
        sb.append(", lun=0x").append(Long.toHexString(lun));
        sb.append(", expectedDataTransferLength=").append(expectedDataTransferLength);
        appendInitiatorFields(sb);
        sb.append(", cdb=").append(ByteBufUtil.hexDump(cdb));
        if (bidirectionalReadDataLength >= 0) {
            sb.append(", bidirectionalReadDataLength=").append(bidirectionalReadDataLength);
        }
    }

    /**
     * Builder for {@link ScsiCommand}; setters are named like the accessors.
     */
    public static final class Builder extends InitiatorPdu.Builder<Builder> {

        private boolean finalFlag;
        private boolean read;
        private boolean write;
        private int attribute;
        private long lun;
        private long expectedDataTransferLength;
        private byte[] cdb;
        private long bidirectionalReadDataLength = -1;

        private Builder() {
        }

        /**
         * Sets the F (final) bit; no unsolicited Data-Out PDUs follow.
         *
         * @param finalFlag the F (final) bit
         * @return this builder
         */
        public Builder finalFlag(boolean finalFlag) {
            this.finalFlag = finalFlag;
            return this;
        }

        /**
         * Sets the R bit; the command expects input data.
         *
         * @param read the R bit
         * @return this builder
         */
        public Builder read(boolean read) {
            this.read = read;
            return this;
        }

        /**
         * Sets the W bit; the command expects output data.
         *
         * @param write the W bit
         * @return this builder
         */
        public Builder write(boolean write) {
            this.write = write;
            return this;
        }

        /**
         * Sets the task attribute (ATTR; 0 untagged, 1 simple, 2 ordered, 3 head of queue, 4 ACA).
         *
         * @param attribute the task attribute (ATTR, 0..7
         * @return this builder
         */
        public Builder attribute(int attribute) {
            this.attribute = attribute;
            return this;
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
         * Sets the Expected Data Transfer Length in bytes; unsigned 32-bit.
         *
         * @param expectedDataTransferLength the Expected Data Transfer Length in bytes, 0..0xFFFF_FFFFL
         * @return this builder
         */
        public Builder expectedDataTransferLength(long expectedDataTransferLength) {
            this.expectedDataTransferLength = expectedDataTransferLength;
            return this;
        }

        /**
         * Sets the immediate data; the built PDU takes ownership of the buffer's reference.
         *
         * @param data the data segment, at most 16 MiB - 1 bytes; not {@code null}
         * @return this builder
         */
        public Builder data(ByteBuf data) {
            setData(data);
            return this;
        }

        /**
         * Sets the CDB. Shorter CDBs are zero-padded to 16 bytes; longer ones are split between the BHS
         * and an Extended CDB AHS. The array is copied.
         *
         * @param cdb the CDB, 1 to {@value ScsiCommand#MAX_CDB_LENGTH} bytes
         * @return this builder
         */
        public Builder cdb(byte[] cdb) {
            if (cdb.length == 0 || cdb.length > MAX_CDB_LENGTH) {
                throw new IllegalArgumentException("CDB length " + cdb.length + " out of range");
            }
            this.cdb = Arrays.copyOf(cdb, Math.max(CDB_IN_BHS, cdb.length));
            return this;
        }

        /** Takes a decoded CDB (at least 16 bytes, not shared) without copying it. */
        Builder decodedCdb(byte[] cdb) {
            this.cdb = cdb;
            return this;
        }

        /**
         * Sets the Bidirectional Read Data Length, encoded as an AHS of type 2; -1 (the default) for none.
         *
         * @param bidirectionalReadDataLength the length in bytes (unsigned 32-bit) or -1
         * @return this builder
         */
        public Builder bidirectionalReadDataLength(long bidirectionalReadDataLength) {
            this.bidirectionalReadDataLength = bidirectionalReadDataLength;
            return this;
        }

        @Override
        public ScsiCommand build() {
            Wire.checkRange("attribute", attribute, 0, 7);
            Wire.checkRange("expectedDataTransferLength", expectedDataTransferLength, 0, 0xFFFF_FFFFL);
            Wire.checkRange("bidirectionalReadDataLength", bidirectionalReadDataLength, -1, 0xFFFF_FFFFL);
            checkData();
            return new ScsiCommand(this);
        }
    }
}
