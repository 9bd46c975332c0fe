package io.iscsi4j.benchmarks;

import io.iscsi4j.core.pdu.DigestSettings;
import io.iscsi4j.core.pdu.Pdu;
import io.iscsi4j.core.pdu.PduEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;

/**
 * Initiator PDUs as wire bytes, built once in a benchmark's setup by the production encoder, and the BHS field
 * offsets (RFC 7143 §11) that the benchmarks read from the target's output or stamp into their prepared PDUs.
 */
final class PduBytes {

    /** Length of the Basic Header Segment. */
    static final int BHS_LENGTH = Pdu.BHS_LENGTH;
    /** BHS byte 0: the opcode in the low six bits. */
    static final int OPCODE_MASK = 0x3f;
    /** Target opcode of a SCSI Response (RFC 7143 §11.4). */
    static final int SCSI_RESPONSE = 0x21;
    /** Target opcode of a SCSI Data-In (RFC 7143 §11.7). */
    static final int DATA_IN = 0x25;
    /** Target opcode of a Ready To Transfer (RFC 7143 §11.8). */
    static final int R2T = 0x31;
    /** Target opcode of a Login Response (RFC 7143 §11.13). */
    static final int LOGIN_RESPONSE = 0x23;

    /** BHS byte 1: the F (final) bit of SCSI Command, Data-Out and Data-In. */
    static final int FINAL_BIT = 0x80;
    /** BHS byte 1 of a Data-In: the S (status) bit. */
    static final int STATUS_BIT = 0x01;

    /** Offset of DataSegmentLength (3 bytes). */
    static final int DATA_SEGMENT_LENGTH = 5;
    /** Offset of the Initiator Task Tag. */
    static final int ITT = 16;
    /** Offset of the Target Transfer Tag (Data-Out, Data-In, R2T). */
    static final int TTT = 20;
    /** Offset of CmdSN in initiator PDUs. */
    static final int CMD_SN = 24;
    /** Offset of StatSN in target PDUs. */
    static final int STAT_SN = 24;
    /** Offset of ExpStatSN (initiator) and ExpCmdSN (target). */
    static final int EXP_STAT_SN = 28;
    /** Offset of MaxCmdSN in target PDUs. */
    static final int MAX_CMD_SN = 32;
    /** Offset of DataSN (Data-Out, Data-In) and R2TSN. */
    static final int DATA_SN = 36;
    /** Offset of the buffer offset (Data-Out, Data-In, R2T). */
    static final int BUFFER_OFFSET = 40;
    /** Offset of an R2T's Desired Data Transfer Length. */
    static final int DESIRED_LENGTH = 44;

    private PduBytes() {
    }

    /**
     * Encodes {@code pdu} (consumed) with the production encoder into a pooled direct buffer of its own.
     *
     * @param pdu the PDU; released
     * @param digests the digests to add
     * @return the wire bytes; the caller releases them
     */
    static ByteBuf encode(Pdu pdu, DigestSettings digests) {
        EmbeddedChannel channel = new EmbeddedChannel(PduEncoder.INSTANCE);
        try {
            channel.attr(PduEncoder.DIGESTS).set(digests);
            channel.writeOutbound(pdu);
            ByteBuf copy = PooledByteBufAllocator.DEFAULT.directBuffer();
            for (ByteBuf part = channel.readOutbound(); part != null; part = channel.readOutbound()) {
                try {
                    copy.writeBytes(part); // the encoder writes a PDU in parts: header, data, trailer
                } finally {
                    part.release();
                }
            }
            return copy;
        } finally {
            channel.finishAndReleaseAll();
        }
    }

    /**
     * A pooled direct buffer of {@code length} bytes of a fixed pattern.
     *
     * @param length the length
     * @param seed varies the pattern
     * @return the buffer; the caller releases it
     */
    static ByteBuf pattern(int length, int seed) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (i * 31 + seed);
        }
        return PooledByteBufAllocator.DEFAULT.directBuffer(length, length).writeBytes(bytes);
    }

    /**
     * A READ(10) or WRITE(10) CDB (SBC-4 §5.16, §5.40).
     *
     * @param write WRITE(10) when set, else READ(10)
     * @param lba the first logical block
     * @param blocks the transfer length in blocks, at most 65535
     * @return the 16-byte CDB field of the BHS
     */
    static byte[] cdb10(boolean write, int lba, int blocks) {
        if (blocks > 0xFFFF) {
            throw new IllegalArgumentException("a 10-byte CDB transfers at most 65535 blocks: " + blocks);
        }
        byte[] cdb = new byte[16];
        cdb[0] = (byte) (write ? 0x2a : 0x28);
        cdb[2] = (byte) (lba >>> 24);
        cdb[3] = (byte) (lba >>> 16);
        cdb[4] = (byte) (lba >>> 8);
        cdb[5] = (byte) lba;
        cdb[7] = (byte) (blocks >>> 8);
        cdb[8] = (byte) blocks;
        return cdb;
    }
}
