package io.iscsi4j.scsi;

import java.nio.ByteBuffer;

/**
 * Block commands (SBC-4 §5): READ CAPACITY (10) and (16), READ and WRITE (6), (10), (12), (16), SYNCHRONIZE CACHE
 * (10) and (16). CDB validation happens here on the caller's thread; the I/O runs in {@link BlockIo}.
 */
final class SbcCommands {

    private SbcCommands() {
    }

    /** READ CAPACITY (10) (SBC-4 §5.20). */
    static void readCapacity10(ScsiTask task, LogicalUnit lu) {
        ByteBuffer cdb = task.cdb();
        long lba = Cdb.u32(cdb, 2);
        boolean pmi = Cdb.bit(cdb, 8, 0);
        if (!pmi && lba != 0) { // the LBA field is only meaningful with PMI (obsolete)
            Sense.fail(task, Sense.invalidField(2, -1));
            return;
        }
        byte[] d = new byte[8];
        // RETURNED LOGICAL BLOCK ADDRESS: the last LBA, or FFFFFFFFh when it does not fit (use READ CAPACITY (16)).
        Bytes.putU32(d, 0, Math.min(lu.blockCount() - 1, 0xFFFF_FFFFL));
        Bytes.putU32(d, 4, lu.blockSize());
        Responses.data(task, d, d.length);
    }

    /** SERVICE ACTION IN (16): only READ CAPACITY (16) (SBC-4 §5.21). */
    static void serviceActionIn16(ScsiTask task, LogicalUnit lu) {
        ByteBuffer cdb = task.cdb();
        if ((Cdb.u8(cdb, 1) & 0x1F) != Opcode.SA_READ_CAPACITY_16) {
            Sense.fail(task, Sense.invalidField(1, 4));
            return;
        }
        long allocationLength = Cdb.u32(cdb, 10);
        byte[] d = new byte[32];
        Bytes.putU64(d, 0, lu.blockCount() - 1); // RETURNED LOGICAL BLOCK ADDRESS
        Bytes.putU32(d, 8, lu.blockSize());       // LOGICAL BLOCK LENGTH IN BYTES
        // byte 12: P_TYPE 0, PROT_EN 0; byte 13: P_I_EXPONENT 0, LOGICAL BLOCKS PER PHYSICAL BLOCK EXPONENT 0;
        // bytes 14-15: LBPME 0 (no UNMAP), LBPRZ 0, LOWEST ALIGNED LOGICAL BLOCK ADDRESS 0.
        Responses.data(task, d, allocationLength);
    }

    /**
     * READ and WRITE (6), (10), (12) and (16) (SBC-4 §5.13 to §5.16, §5.40 to §5.43).
     *
     * <p>Checks, in order: protection fields (RDPROTECT/WRPROTECT must be 0, no protection information),
     * transfer length against {@link LogicalUnit#maxTransferBlocks()}, the range against the capacity, then
     * write protection; all before any data moves. DPO is ignored; FUA reaches the backstore on writes (and every
     * write is FUA in write-through mode); FUA on reads needs nothing since the backstore is the medium.
     */
    static void readWrite(ScsiTask task, LogicalUnit lu, int opcode, boolean write) {
        ByteBuffer cdb = task.cdb();
        long lba;
        long blocks;
        int lengthOffset;
        switch (opcode) {
            case Opcode.READ_6, Opcode.WRITE_6 -> {
                lba = Cdb.u24(cdb, 1) & 0x1F_FFFF;
                blocks = Cdb.u8(cdb, 4);
                if (blocks == 0) {
                    blocks = 256; // SBC-4 §5.14: 0 means 256 blocks
                }
                lengthOffset = 4;
            }
            case Opcode.READ_10, Opcode.WRITE_10 -> {
                lba = Cdb.u32(cdb, 2);
                blocks = Cdb.u16(cdb, 7);
                lengthOffset = 7;
            }
            case Opcode.READ_12, Opcode.WRITE_12 -> {
                lba = Cdb.u32(cdb, 2);
                blocks = Cdb.u32(cdb, 6);
                lengthOffset = 6;
            }
            default -> { // READ (16), WRITE (16)
                lba = Cdb.u64(cdb, 2);
                blocks = Cdb.u32(cdb, 10);
                lengthOffset = 10;
            }
        }
        boolean fua = false;
        if (lengthOffset != 4) {
            int flags = Cdb.u8(cdb, 1);
            if ((flags & 0xE0) != 0) { // RDPROTECT / WRPROTECT
                Sense.fail(task, Sense.invalidField(1, 7));
                return;
            }
            fua = (flags & 0x08) != 0;
        }
        if (blocks > lu.maxTransferBlocks()) {
            Sense.fail(task, Sense.invalidField(lengthOffset, -1));
            return;
        }
        if (!inRange(lba, blocks, lu.blockCount())) {
            Sense.fail(task, Sense.LBA_OUT_OF_RANGE);
            return;
        }
        if (write && lu.isReadOnly()) {
            Sense.fail(task, Sense.WRITE_PROTECTED);
            return;
        }
        if (blocks == 0) {
            Responses.good(task);
            return;
        }
        int bytes = (int) blocks * lu.blockSize();
        if (write) {
            BlockIo.write(task, lu, lba, bytes, fua || !lu.isWriteBack());
        } else {
            BlockIo.read(task, lu, lba, bytes);
        }
    }

    /** SYNCHRONIZE CACHE (10) and (16) (SBC-4 §5.24, §5.25): flushes the whole backstore. */
    static void synchronizeCache(ScsiTask task, LogicalUnit lu, boolean sixteen) {
        ByteBuffer cdb = task.cdb();
        boolean immediate = Cdb.bit(cdb, 1, 1);
        long lba = sixteen ? Cdb.u64(cdb, 2) : Cdb.u32(cdb, 2);
        long blocks = sixteen ? Cdb.u32(cdb, 10) : Cdb.u16(cdb, 7); // 0: through the last block
        if (!inRange(lba, blocks, lu.blockCount())) {
            Sense.fail(task, Sense.LBA_OUT_OF_RANGE);
            return;
        }
        BlockIo.flush(task, lu, immediate);
    }

    /**
     * Whether {@code blocks} blocks from {@code lba} lie within {@code capacity} blocks, without overflow: an
     * unsigned 64-bit LBA of 2^63 or more arrives negative and is out of range.
     */
    static boolean inRange(long lba, long blocks, long capacity) {
        return lba >= 0 && blocks <= capacity && lba <= capacity - blocks;
    }
}
