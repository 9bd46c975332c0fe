package io.iscsi4j.scsi;

import io.iscsi4j.backstore.Backstore;
import java.nio.ByteBuffer;

/**
 * The read-modify-write and atomic commands: COMPARE AND WRITE (SBC-4 §5.3), ORWRITE (16) (§5.9) and WRITE ATOMIC
 * (16) (§5.48). Each runs its backstore calls under an exclusive {@link LbaLocks} claim on its blocks, taken once the
 * Data-Out has arrived, so no other command of this target reads or writes those blocks in between: the compare and
 * the write of COMPARE AND WRITE, the read and the write of ORWRITE, and the single write of WRITE ATOMIC are one
 * indivisible operation as far as any initiator can tell.
 */
final class AtomicCommands {

    private AtomicCommands() {
    }

    /** The most blocks one WRITE ATOMIC (16) may write (VPD B0h MAXIMUM ATOMIC TRANSFER LENGTH). */
    static int maxAtomicTransferBlocks(LogicalUnit lu) {
        return Math.min(0xFFFF, lu.maxTransferBlocks());
    }

    /**
     * COMPARE AND WRITE: the Data-Out holds the verify data then the write data, each NUMBER OF LOGICAL BLOCKS
     * long. Checks, in order: WRPROTECT 0; NUMBER OF LOGICAL BLOCKS at most
     * {@link LogicalUnit#maxCompareAndWriteBlocks()}; the range; write protection; an expected transfer length of
     * exactly twice the blocks (anything else is INVALID FIELD IN CDB: the two halves could not be told apart; so is
     * Data-Out with a NUMBER OF LOGICAL BLOCKS of 0, which otherwise ends GOOD without any I/O).
     * A difference ends with MISCOMPARE / MISCOMPARE DURING VERIFY OPERATION and the offset of the first differing
     * byte in INFORMATION; nothing is written then. FUA (or write-through mode) forces the write to the medium.
     */
    static void compareAndWrite(ScsiTask task, LogicalUnit lu) {
        ByteBuffer cdb = task.cdb();
        int flags = Cdb.u8(cdb, 1);
        if ((flags & 0xE0) != 0) { // WRPROTECT
            Sense.fail(task, Sense.invalidField(1, 7));
            return;
        }
        long lba = Cdb.u64(cdb, 2);
        int blocks = Cdb.u8(cdb, 13);
        if (blocks > lu.maxCompareAndWriteBlocks()) {
            Sense.fail(task, Sense.invalidField(13, -1));
            return;
        }
        if (!SbcCommands.inRange(lba, blocks, lu.blockCount())) {
            Sense.fail(task, Sense.LBA_OUT_OF_RANGE);
            return;
        }
        if (!SbcCommands.checkWritable(task, lu)) {
            return;
        }
        int half = blocks * lu.blockSize();
        if (task.expectedTransferLength() != 2L * half) {
            Sense.fail(task, Sense.invalidField(13, -1));
            return;
        }
        if (blocks == 0) {
            Responses.good(task);
            return;
        }
        boolean fua = (flags & 0x08) != 0 || !lu.isWriteBack();
        Backstore backstore = lu.backstore();
        task.receiveDataOut(2 * half, (data, dataOutFailure) -> {
            if (dataOutFailure != null) {
                return; // the transport completed the task
            }
            ByteBuffer verify = data.duplicate().position(0).limit(half).slice();
            ByteBuffer write = data.duplicate().position(half).limit(2 * half).slice();
            AsyncIo.locked(lu, lba, blocks, true,
                            () -> AsyncIo.submit(task, lu, () -> backstore.compareAndWrite(lba, verify, write, fua)))
                    .whenComplete((v, failure) -> AsyncIo.finish(task, failure, true, 2 * half));
        });
    }

    /**
     * ORWRITE (16): ORs the Data-Out into the blocks (read, OR, write under one exclusive claim). Checks as for
     * WRITE (16): ORPROTECT 0, length, range, write protection; an expected transfer length below the CDB's is
     * handled as for WRITE (the covered whole blocks are processed). FUA (or write-through mode) forces the write.
     */
    static void orWrite(ScsiTask task, LogicalUnit lu) {
        ByteBuffer cdb = task.cdb();
        int flags = Cdb.u8(cdb, 1);
        if ((flags & 0xE0) != 0) { // ORPROTECT
            Sense.fail(task, Sense.invalidField(1, 7));
            return;
        }
        SbcCommands.Extent extent = SbcCommands.extent(cdb);
        if (!SbcCommands.checkExtent(task, lu, extent) || !SbcCommands.checkWritable(task, lu)) {
            return;
        }
        long lba = extent.lba();
        int blockSize = lu.blockSize();
        int needed = (int) extent.blocks() * blockSize;
        int length = VerifyCommands.wholeBlocks(needed, task.expectedTransferLength(), blockSize);
        if (length == 0) {
            task.complete(ScsiStatus.GOOD, null, needed);
            return;
        }
        boolean fua = (flags & 0x08) != 0 || !lu.isWriteBack();
        Backstore backstore = lu.backstore();
        task.receiveDataOut(length, (data, dataOutFailure) -> {
            if (dataOutFailure != null) {
                return;
            }
            ByteBuffer merged = ByteBuffer.allocate(length);
            AsyncIo.locked(lu, lba, length / blockSize, true,
                            () -> AsyncIo.submit(task, lu, () -> backstore.read(lba, merged))
                                    .thenCompose(v -> {
                                        for (int i = 0; i < length; i++) {
                                            merged.put(i, (byte) (merged.get(i) | data.get(i)));
                                        }
                                        return AsyncIo.submit(task, lu,
                                                () -> backstore.write(lba, merged.clear(), fua));
                                    }))
                    .whenComplete((v, failure) -> AsyncIo.finish(task, failure, true, needed));
        });
    }

    /**
     * WRITE ATOMIC (16), served where the backstore reports
     * {@link io.iscsi4j.backstore.BackstoreCapability#WRITE_ATOMIC}: the write is all-or-nothing on failure (the
     * backstore's promise) and no other command sees or changes the blocks half-way (the exclusive claim). Checks:
     * WRPROTECT 0; ATOMIC BOUNDARY 0 (atomic boundaries are not supported); TRANSFER LENGTH at most
     * {@link #maxAtomicTransferBlocks}; the range; write protection. No alignment or granularity constraint.
     */
    static void writeAtomic(ScsiTask task, LogicalUnit lu) {
        ByteBuffer cdb = task.cdb();
        int flags = Cdb.u8(cdb, 1);
        if ((flags & 0xE0) != 0) { // WRPROTECT
            Sense.fail(task, Sense.invalidField(1, 7));
            return;
        }
        if (Cdb.u16(cdb, 10) != 0) { // ATOMIC BOUNDARY
            Sense.fail(task, Sense.invalidField(10, -1));
            return;
        }
        long lba = Cdb.u64(cdb, 2);
        int blocks = Cdb.u16(cdb, 12);
        if (blocks > maxAtomicTransferBlocks(lu)) {
            Sense.fail(task, Sense.invalidField(12, -1));
            return;
        }
        if (!SbcCommands.inRange(lba, blocks, lu.blockCount())) {
            Sense.fail(task, Sense.LBA_OUT_OF_RANGE);
            return;
        }
        if (!SbcCommands.checkWritable(task, lu)) {
            return;
        }
        int blockSize = lu.blockSize();
        int needed = blocks * blockSize;
        int length = VerifyCommands.wholeBlocks(needed, task.expectedTransferLength(), blockSize);
        if (length == 0) {
            task.complete(ScsiStatus.GOOD, null, needed);
            return;
        }
        boolean fua = (flags & 0x08) != 0 || !lu.isWriteBack();
        Backstore backstore = lu.backstore();
        task.receiveDataOut(length, (data, dataOutFailure) -> {
            if (dataOutFailure != null) {
                return;
            }
            AsyncIo.locked(lu, lba, length / blockSize, true,
                            () -> AsyncIo.submit(task, lu, () -> backstore.write(lba, data, fua)))
                    .whenComplete((v, failure) -> AsyncIo.finish(task, failure, true, needed));
        });
    }
}
