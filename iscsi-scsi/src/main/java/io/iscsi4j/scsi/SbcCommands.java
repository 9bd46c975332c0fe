package io.iscsi4j.scsi;

import java.nio.ByteBuffer;

/**
 * Block commands (SBC-4 §5): READ CAPACITY (10) and (16), READ and WRITE (6), (10), (12), (16), SYNCHRONIZE CACHE
 * (10) and (16), PRE-FETCH (10) and (16), READ DEFECT DATA (10) and (12); and the CDB checks the other block command
 * classes ({@link VerifyCommands}, {@link AtomicCommands}, {@link ProvisioningCommands}, {@link Sanitize}) share.
 * CDB validation happens here on the caller's thread; the I/O runs in {@link BlockIo}.
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

    /** READ CAPACITY (16) (SBC-4 §5.21). */
    static void readCapacity16(ScsiTask task, LogicalUnit lu) {
        ByteBuffer cdb = task.cdb();
        long allocationLength = Cdb.u32(cdb, 10);
        byte[] d = new byte[32];
        Bytes.putU64(d, 0, lu.blockCount() - 1); // RETURNED LOGICAL BLOCK ADDRESS
        Bytes.putU32(d, 8, lu.blockSize());       // LOGICAL BLOCK LENGTH IN BYTES
        // byte 12: P_TYPE 0, PROT_EN 0; byte 13: P_I_EXPONENT 0, LOGICAL BLOCKS PER PHYSICAL BLOCK EXPONENT;
        // bytes 14-15: LBPME and LBPRZ where the backstore can unmap (unmapped blocks read as zeros),
        // LOWEST ALIGNED LOGICAL BLOCK ADDRESS 0 (LBA 0 starts a physical block).
        d[13] = (byte) lu.logicalBlocksPerPhysicalBlockExponent();
        if (lu.supportsUnmap()) {
            d[14] = (byte) 0xC0;
        }
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
        if (write && !checkWritable(task, lu)) {
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

    /**
     * PRE-FETCH (10) and (16) (SBC-4 §5.10, §5.11): checks the range and completes with GOOD. There is no cache to
     * load (the backstore is the medium), which SBC-4 reports as GOOD rather than CONDITION MET ("the cache does not
     * have sufficient capacity"), with or without IMMED.
     */
    static void preFetch(ScsiTask task, LogicalUnit lu, boolean sixteen) {
        ByteBuffer cdb = task.cdb();
        long lba = sixteen ? Cdb.u64(cdb, 2) : Cdb.u32(cdb, 2);
        long blocks = sixteen ? Cdb.u32(cdb, 10) : Cdb.u16(cdb, 7);
        if (!inRange(lba, blocks, lu.blockCount())) {
            Sense.fail(task, Sense.LBA_OUT_OF_RANGE);
            return;
        }
        Responses.good(task);
    }

    /**
     * READ DEFECT DATA (10) and (12) (SBC-4 §5.17, §5.18): a virtual medium has no defects, so the answer is the
     * header of an empty list in the requested format (PLISTV and GLISTV echo REQ_PLIST and REQ_GLIST: the lists
     * requested are complete, and empty). The reserved format 111b is INVALID FIELD IN CDB.
     */
    static void readDefectData(ScsiTask task, boolean twelve) {
        ByteBuffer cdb = task.cdb();
        int request = Cdb.u8(cdb, twelve ? 1 : 2) & 0x1F; // REQ_PLIST, REQ_GLIST, DEFECT LIST FORMAT
        if ((request & 0x07) == 0x07) {
            Sense.fail(task, Sense.invalidField(twelve ? 1 : 2, 2));
            return;
        }
        byte[] d = new byte[twelve ? 8 : 4]; // DEFECT LIST LENGTH 0
        d[1] = (byte) request;
        Responses.data(task, d, twelve ? Cdb.u32(cdb, 6) : Cdb.u16(cdb, 7));
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
     * The LBA and length fields of a 10-, 12- or 16-byte block command (READ, WRITE, VERIFY, WRITE AND VERIFY, ...).
     *
     * @param lba the LOGICAL BLOCK ADDRESS (a 64-bit value of 2^63 or more is negative)
     * @param blocks the TRANSFER / VERIFICATION LENGTH in blocks
     * @param lengthOffset the CDB byte where the length field starts (for the INVALID FIELD IN CDB pointer)
     */
    record Extent(long lba, long blocks, int lengthOffset) {
    }

    /** Decodes the LBA and length by CDB length: (10) 2-5 / 7-8; (12) 2-5 / 6-9; (16) 2-9 / 10-13. */
    static Extent extent(ByteBuffer cdb) {
        return switch (Commands.TABLE.cdbLength(Cdb.u8(cdb, 0))) {
            case 10 -> new Extent(Cdb.u32(cdb, 2), Cdb.u16(cdb, 7), 7);
            case 12 -> new Extent(Cdb.u32(cdb, 2), Cdb.u32(cdb, 6), 6);
            default -> new Extent(Cdb.u64(cdb, 2), Cdb.u32(cdb, 10), 10);
        };
    }

    /**
     * Checks the length against {@link LogicalUnit#maxTransferBlocks()} (INVALID FIELD IN CDB) and the range
     * against the capacity (LOGICAL BLOCK ADDRESS OUT OF RANGE); fails the task and returns {@code false} if not.
     */
    static boolean checkExtent(ScsiTask task, LogicalUnit lu, Extent extent) {
        if (extent.blocks() > lu.maxTransferBlocks()) {
            Sense.fail(task, Sense.invalidField(extent.lengthOffset(), -1));
            return false;
        }
        if (!inRange(extent.lba(), extent.blocks(), lu.blockCount())) {
            Sense.fail(task, Sense.LBA_OUT_OF_RANGE);
            return false;
        }
        return true;
    }

    /**
     * Fails the task with DATA PROTECT / WRITE PROTECTED and returns {@code false} when the logical unit is
     * write-protected (read-only, or SWP set): every command that changes the medium calls this after validating
     * its CDB and before asking for Data-Out.
     */
    static boolean checkWritable(ScsiTask task, LogicalUnit lu) {
        if (lu.isWriteProtected()) {
            Sense.fail(task, Sense.WRITE_PROTECTED);
            return false;
        }
        return true;
    }

    /**
     * Whether {@code blocks} blocks from {@code lba} lie within {@code capacity} blocks, without overflow: an
     * unsigned 64-bit LBA of 2^63 or more arrives negative and is out of range.
     */
    static boolean inRange(long lba, long blocks, long capacity) {
        return lba >= 0 && blocks <= capacity && lba <= capacity - blocks;
    }
}
