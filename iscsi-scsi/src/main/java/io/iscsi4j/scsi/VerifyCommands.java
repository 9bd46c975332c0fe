package io.iscsi4j.scsi;

import io.iscsi4j.backstore.Backstore;
import java.nio.ByteBuffer;

/**
 * VERIFY (10), (12), (16) and WRITE AND VERIFY (10), (12), (16) (SBC-4 §5.33 to §5.35, §5.45 to §5.47).
 *
 * <p>The backstore is the medium, so "verifying the medium" means reading the blocks back: a read that fails is
 * reported as for READ. A byte-by-byte comparison that finds a difference ends with MISCOMPARE / MISCOMPARE DURING
 * VERIFY OPERATION, the INFORMATION field holding the offset of the first differing byte from the start of the
 * compared range (for VERIFY with BYTCHK 11b, where one block of Data-Out is compared with every block, the offset
 * is counted over the range as if the block had been sent once per block).
 *
 * <p>Limits as for READ and WRITE: at most {@link LogicalUnit#maxTransferBlocks()} blocks per command, all within
 * the capacity; protection information is not supported (VRPROTECT / WRPROTECT must be 0); DPO is ignored. With an
 * expected transfer length below what the CDB needs, only the whole blocks of Data-Out the initiator sends are
 * compared (or written and verified) and the overflow is reported as a residual, as for WRITE. WRITE AND VERIFY
 * writes with force unit access, then reads back under an exclusive {@link LbaLocks} claim so no other command can
 * change the blocks between the write and the verification.
 */
final class VerifyCommands {

    private VerifyCommands() {
    }

    /** VERIFY (10), (12) or (16). */
    static void verify(ScsiTask task, LogicalUnit lu) {
        ByteBuffer cdb = task.cdb();
        SbcCommands.Extent extent = SbcCommands.extent(cdb);
        int flags = Cdb.u8(cdb, 1);
        if ((flags & 0xE0) != 0) { // VRPROTECT
            Sense.fail(task, Sense.invalidField(1, 7));
            return;
        }
        int byteCheck = (flags >>> 1) & 0x03;
        if (byteCheck == 0b10) {
            Sense.fail(task, Sense.invalidField(1, 2));
            return;
        }
        if (!SbcCommands.checkExtent(task, lu, extent)) {
            return;
        }
        long lba = extent.lba();
        int blocks = (int) extent.blocks();
        if (blocks == 0) {
            Responses.good(task);
            return;
        }
        int blockSize = lu.blockSize();
        Backstore backstore = lu.backstore();
        if (byteCheck == 0) {
            ByteBuffer medium = ByteBuffer.allocate(blocks * blockSize);
            AsyncIo.locked(lu, lba, blocks, false, () -> AsyncIo.submit(task, lu, () -> backstore.read(lba, medium)))
                    .whenComplete((v, failure) -> AsyncIo.finish(task, failure, false, 0));
            return;
        }
        boolean oneBlock = byteCheck == 0b11;
        int needed = oneBlock ? blockSize : blocks * blockSize;
        int length = wholeBlocks(needed, task.expectedTransferLength(), blockSize);
        if (length == 0) {
            task.complete(ScsiStatus.GOOD, null, needed);
            return;
        }
        int verified = oneBlock ? blocks : length / blockSize;
        task.receiveDataOut(length, (data, dataOutFailure) -> {
            if (dataOutFailure != null) {
                return; // the transport completed the task
            }
            ByteBuffer medium = ByteBuffer.allocate(verified * blockSize);
            AsyncIo.locked(lu, lba, verified, false, () -> AsyncIo.submit(task, lu, () -> backstore.read(lba, medium))
                            .thenRun(() -> compare(medium, data, oneBlock, blockSize)))
                    .whenComplete((v, failure) -> AsyncIo.finish(task, failure, false, needed));
        });
    }

    /** WRITE AND VERIFY (10), (12) or (16). */
    static void writeAndVerify(ScsiTask task, LogicalUnit lu) {
        ByteBuffer cdb = task.cdb();
        SbcCommands.Extent extent = SbcCommands.extent(cdb);
        int flags = Cdb.u8(cdb, 1);
        if ((flags & 0xE0) != 0) { // WRPROTECT
            Sense.fail(task, Sense.invalidField(1, 7));
            return;
        }
        int byteCheck = (flags >>> 1) & 0x03;
        if (byteCheck > 1) { // 10b and 11b are reserved for WRITE AND VERIFY
            Sense.fail(task, Sense.invalidField(1, 2));
            return;
        }
        if (!SbcCommands.checkExtent(task, lu, extent) || !SbcCommands.checkWritable(task, lu)) {
            return;
        }
        long lba = extent.lba();
        int blockSize = lu.blockSize();
        int needed = (int) extent.blocks() * blockSize;
        int length = wholeBlocks(needed, task.expectedTransferLength(), blockSize);
        if (length == 0) {
            task.complete(ScsiStatus.GOOD, null, needed);
            return;
        }
        Backstore backstore = lu.backstore();
        task.receiveDataOut(length, (data, dataOutFailure) -> {
            if (dataOutFailure != null) {
                return;
            }
            ByteBuffer medium = ByteBuffer.allocate(length);
            AsyncIo.locked(lu, lba, length / blockSize, true,
                            () -> AsyncIo.submit(task, lu, () -> backstore.write(lba, data.duplicate(), true))
                                    .thenCompose(v -> AsyncIo.submit(task, lu, () -> backstore.read(lba, medium)))
                                    .thenRun(() -> {
                                        if (byteCheck == 1) {
                                            compare(medium, data, false, blockSize);
                                        }
                                    }))
                    .whenComplete((v, failure) -> AsyncIo.finish(task, failure, true, needed));
        });
    }

    /** {@code min(needed, expected)} rounded down to whole blocks. */
    static int wholeBlocks(int needed, long expected, int blockSize) {
        int length = (int) Math.min(needed, expected);
        return length - length % blockSize;
    }

    /**
     * Compares what the medium holds with the Data-Out (both from position 0).
     *
     * @param oneBlock whether {@code data} holds one block to compare with every block of {@code medium}
     * @throws AsyncIo.CheckCondition MISCOMPARE with the offset of the first difference
     */
    static void compare(ByteBuffer medium, ByteBuffer data, boolean oneBlock, int blockSize) {
        medium.clear();
        if (!oneBlock) {
            int mismatch = medium.mismatch(data.duplicate().position(0).limit(medium.limit()));
            if (mismatch >= 0) {
                throw new AsyncIo.CheckCondition(Sense.MISCOMPARE.withInformation(mismatch));
            }
            return;
        }
        ByteBuffer block = data.duplicate().position(0).limit(blockSize);
        for (int offset = 0; offset < medium.limit(); offset += blockSize) {
            int mismatch = medium.duplicate().position(offset).limit(offset + blockSize).mismatch(block);
            if (mismatch >= 0) {
                throw new AsyncIo.CheckCondition(Sense.MISCOMPARE.withInformation((long) offset + mismatch));
            }
        }
    }
}
