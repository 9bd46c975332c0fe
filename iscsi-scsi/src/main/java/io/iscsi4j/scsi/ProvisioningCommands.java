package io.iscsi4j.scsi;

import io.iscsi4j.backstore.Backstore;
import io.iscsi4j.backstore.ProvisioningExtent;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * WRITE SAME (10) and (16) (SBC-4 §5.49, §5.50), UNMAP (§5.32) and GET LBA STATUS (§5.7): the logical block
 * provisioning commands.
 *
 * <p>Deallocation needs a backstore with {@link io.iscsi4j.backstore.BackstoreCapability#UNMAP}: UNMAP is only
 * implemented there, and WRITE SAME with the UNMAP bit set is refused elsewhere (INVALID FIELD IN CDB, consistent
 * with LBPWS = LBPWS10 = 0 in VPD page B2h). WRITE SAME with the UNMAP bit (and ANCHOR 0) deallocates its range,
 * as SBC-4 recommends for a thin provisioned logical unit, whatever its block holds: the blocks then read as zeros
 * (LBPRZ = 1), so initiators that need zeros send a block of zeros (as Linux does). Anchored LBAs are not supported
 * (ANC_SUP = 0): ANCHOR = 1 is INVALID FIELD IN CDB. GET LBA STATUS is implemented everywhere; a fully provisioned
 * logical unit reports every block as mapped.
 */
final class ProvisioningCommands {

    /** MAXIMUM UNMAP BLOCK DESCRIPTOR COUNT: all a 16-bit PARAMETER LIST LENGTH can hold. */
    static final int MAX_UNMAP_DESCRIPTORS = (0xFFFF - 8) / 16;
    /**
     * MAXIMUM WRITE SAME LENGTH in bytes (divided by the block size for VPD page B0h): 16 MiB, twice the maximum
     * transfer length, so that one WRITE SAME on a backstore that writes the blocks one by one stays as short as a
     * couple of WRITEs (initiators split larger zeroing into several commands).
     */
    static final long MAX_WRITE_SAME_BYTES = 16L << 20;

    private ProvisioningCommands() {
    }

    /** The most blocks one WRITE SAME may write (VPD B0h MAXIMUM WRITE SAME LENGTH). */
    static long maxWriteSameBlocks(LogicalUnit lu) {
        return MAX_WRITE_SAME_BYTES / lu.blockSize();
    }

    /**
     * WRITE SAME (10) or (16). Checks, in order: WRPROTECT 0, ANCHOR 0, the obsolete PBDATA / LBDATA bits 0, UNMAP
     * only where unmapping is supported; the range (LOGICAL BLOCK ADDRESS OUT OF RANGE); a number of blocks of at most
     * {@link #maxWriteSameBlocks} (INVALID FIELD IN CDB otherwise, nothing written); write protection; then an expected
     * transfer length of exactly one block, or none with NDOB (WRITE SAME (16) only), which writes zeros.
     *
     * <p>A NUMBER OF LOGICAL BLOCKS of 0 means from the LBA through the last LBA (WSNZ = 0 in VPD page B0h): the LBA
     * must then be an LBA of the medium, and the blocks up to the end count against the maximum write same length
     * like any other number, so on a medium larger than that limit only its last blocks can be written that way.
     * Unaligned ranges (with respect to the physical block) are served like aligned ones.
     */
    static void writeSame(ScsiTask task, LogicalUnit lu, boolean sixteen) {
        ByteBuffer cdb = task.cdb();
        int flags = Cdb.u8(cdb, 1);
        long lba = sixteen ? Cdb.u64(cdb, 2) : Cdb.u32(cdb, 2);
        long numberOfBlocks = sixteen ? Cdb.u32(cdb, 10) : Cdb.u16(cdb, 7);
        int lengthOffset = sixteen ? 10 : 7;
        boolean unmap = (flags & 0x08) != 0;
        boolean noDataOut = sixteen && (flags & 0x01) != 0; // NDOB
        if ((flags & 0xE0) != 0) { // WRPROTECT
            Sense.fail(task, Sense.invalidField(1, 7));
            return;
        }
        if ((flags & 0x10) != 0) { // ANCHOR
            Sense.fail(task, Sense.invalidField(1, 4));
            return;
        }
        if ((flags & 0x06) != 0 || !sixteen && (flags & 0x01) != 0) { // PBDATA, LBDATA (obsolete); reserved
            Sense.fail(task, Sense.invalidField(1, (flags & 0x06) != 0 ? 2 : 0));
            return;
        }
        if (unmap && !lu.supportsUnmap()) {
            Sense.fail(task, Sense.invalidField(1, 3));
            return;
        }
        long capacity = lu.blockCount();
        boolean toTheEnd = numberOfBlocks == 0;
        if (toTheEnd ? lba < 0 || lba >= capacity : !SbcCommands.inRange(lba, numberOfBlocks, capacity)) {
            Sense.fail(task, Sense.LBA_OUT_OF_RANGE);
            return;
        }
        long blocks = toTheEnd ? capacity - lba : numberOfBlocks;
        if (blocks > maxWriteSameBlocks(lu)) {
            Sense.fail(task, Sense.invalidField(lengthOffset, -1));
            return;
        }
        if (!SbcCommands.checkWritable(task, lu)) {
            return;
        }
        int blockSize = lu.blockSize();
        if (noDataOut) {
            execute(task, lu, lba, blocks, ByteBuffer.allocate(blockSize), unmap, 0);
            return;
        }
        if (task.expectedTransferLength() != blockSize) {
            Sense.fail(task, Sense.INVALID_FIELD_IN_CDB);
            return;
        }
        task.receiveDataOut(blockSize, (block, dataOutFailure) -> {
            if (dataOutFailure == null) {
                execute(task, lu, lba, blocks, block, unmap, blockSize);
            }
        });
    }

    private static void execute(ScsiTask task, LogicalUnit lu, long lba, long blocks, ByteBuffer block,
                                boolean unmap, int dataLength) {
        Backstore backstore = lu.backstore();
        boolean fua = !lu.isWriteBack();
        AsyncIo.locked(lu, lba, blocks, false, () -> AsyncIo.submit(task, lu, () -> unmap
                        ? backstore.unmap(lba, blocks)
                        : backstore.writeSame(lba, blocks, block.duplicate(), fua)))
                .whenComplete((v, failure) -> AsyncIo.finish(task, failure, true, dataLength));
    }

    static boolean isZero(ByteBuffer block) {
        for (int i = block.position(); i < block.limit(); i++) {
            if (block.get(i) != 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * UNMAP (only where the backstore can unmap). Checks: ANCHOR 0; write protection; PARAMETER LIST LENGTH 0 is
     * GOOD, 1 to 7 is PARAMETER LIST LENGTH ERROR. The parameter list's lengths may disagree with each other and
     * with the transfer; the shortest one decides how many whole descriptors there are (an incomplete last one is
     * ignored). More than {@link #MAX_UNMAP_DESCRIPTORS} descriptors is INVALID FIELD IN PARAMETER LIST; a
     * descriptor that runs past the capacity is LOGICAL BLOCK ADDRESS OUT OF RANGE; either way nothing is unmapped.
     * Descriptors of zero blocks are ignored; the others are unmapped in order.
     */
    static void unmap(ScsiTask task, LogicalUnit lu) {
        ByteBuffer cdb = task.cdb();
        if (Cdb.bit(cdb, 1, 0)) { // ANCHOR
            Sense.fail(task, Sense.invalidField(1, 0));
            return;
        }
        if (!SbcCommands.checkWritable(task, lu)) {
            return;
        }
        int parameterListLength = Cdb.u16(cdb, 7);
        if (parameterListLength == 0) {
            Responses.good(task);
            return;
        }
        int length = (int) Math.min(parameterListLength, task.expectedTransferLength());
        if (length < 8) {
            Sense.fail(task, Sense.PARAMETER_LIST_LENGTH_ERROR);
            return;
        }
        task.receiveDataOut(length, (list, dataOutFailure) -> {
            if (dataOutFailure == null) {
                unmap(task, lu, list.duplicate().order(ByteOrder.BIG_ENDIAN), length, parameterListLength);
            }
        });
    }

    private static void unmap(ScsiTask task, LogicalUnit lu, ByteBuffer list, int length, int parameterListLength) {
        int dataLength = u16(list, 0) + 2;       // UNMAP DATA LENGTH (n - 1)
        int descriptorBytes = u16(list, 2);      // UNMAP BLOCK DESCRIPTOR DATA LENGTH (n - 7)
        int usable = Math.min(Math.min(length, dataLength) - 8, descriptorBytes);
        int count = Math.max(0, usable) / 16;
        if (count > MAX_UNMAP_DESCRIPTORS) {
            Sense.fail(task, Sense.invalidParameter(2, -1));
            return;
        }
        long capacity = lu.blockCount();
        long[] lbas = new long[count];
        long[] lengths = new long[count];
        long first = Long.MAX_VALUE;
        long end = 0;
        long total = 0;
        for (int i = 0; i < count; i++) {
            int p = 8 + 16 * i;
            lbas[i] = list.getLong(p);
            lengths[i] = Integer.toUnsignedLong(list.getInt(p + 8));
            total += lengths[i];
            if (lu.maxUnmapBlocks() != 0xFFFF_FFFFL && total > lu.maxUnmapBlocks()) {
                // SBC-4 §5.32.2: more blocks in all than MAXIMUM UNMAP LBA COUNT; this descriptor's NUMBER OF
                // LOGICAL BLOCKS is the field in error.
                Sense.fail(task, Sense.invalidParameter(p + 8, -1));
                return;
            }
            if (!SbcCommands.inRange(lbas[i], lengths[i], capacity)) {
                Sense.fail(task, Sense.LBA_OUT_OF_RANGE);
                return;
            }
            if (lengths[i] > 0) {
                first = Math.min(first, lbas[i]);
                end = Math.max(end, lbas[i] + lengths[i]);
            }
        }
        if (end == 0) {
            task.complete(ScsiStatus.GOOD, null, parameterListLength);
            return;
        }
        Backstore backstore = lu.backstore();
        AsyncIo.locked(lu, first, end - first, false, () -> {
            CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
            for (int i = 0; i < count; i++) {
                long lba = lbas[i];
                long blocks = lengths[i];
                if (blocks > 0) {
                    chain = chain.thenCompose(v -> AsyncIo.submit(task, lu, () -> backstore.unmap(lba, blocks)));
                }
            }
            return chain;
        }).whenComplete((v, failure) -> AsyncIo.finish(task, failure, true, parameterListLength));
    }

    private static int u16(ByteBuffer b, int index) {
        return ((b.get(index) & 0xFF) << 8) | (b.get(index + 1) & 0xFF);
    }

    /**
     * GET LBA STATUS. The STARTING LOGICAL BLOCK ADDRESS must be a block of the logical unit (else LOGICAL BLOCK
     * ADDRESS OUT OF RANGE). The answer holds the descriptors the backstore reports from there (extents longer than
     * the 32-bit NUMBER OF LOGICAL BLOCKS field are split), as many as the allocation length holds and at least
     * one; the initiator asks again from where it ended. The REPORT TYPE field is ignored: every descriptor is
     * returned, mapped or not.
     */
    static void getLbaStatus(ScsiTask task, LogicalUnit lu) {
        ByteBuffer cdb = task.cdb();
        long lba = Cdb.u64(cdb, 2);
        long allocationLength = Cdb.u32(cdb, 10);
        long capacity = lu.blockCount();
        if (lba < 0 || lba >= capacity) {
            Sense.fail(task, Sense.LBA_OUT_OF_RANGE);
            return;
        }
        if (allocationLength == 0) {
            Responses.good(task);
            return;
        }
        int maxDescriptors = (int) Math.max(1, Math.min(1024, (allocationLength - 8) / 16));
        long maxBlocks = Math.min(capacity - lba, maxDescriptors * 0xFFFF_FFFFL);
        AsyncIo.submit(task, lu, () -> lu.backstore().provisioningStatus(lba, maxBlocks))
                .whenComplete((extents, failure) -> {
                    if (failure != null) {
                        AsyncIo.finish(task, failure, false, 0);
                        return;
                    }
                    byte[] data;
                    try {
                        data = lbaStatus(extents, lba, maxDescriptors, capacity);
                    } catch (IllegalStateException e) {
                        AsyncIo.finish(task, e, false, 0);
                        return;
                    }
                    Responses.data(task, data, allocationLength);
                });
    }

    /** GET LBA STATUS parameter data (SBC-4 §5.7.2) from the backstore's extents. */
    static byte[] lbaStatus(List<ProvisioningExtent> extents, long lba, int maxDescriptors, long capacity) {
        if (extents == null || extents.isEmpty() || extents.get(0).lba() != lba) {
            throw new IllegalStateException("backstore's provisioning status does not start at LBA " + lba);
        }
        ByteBuffer d = ByteBuffer.allocate(8 + 16 * maxDescriptors);
        d.position(8);
        long next = lba;
        int count = 0;
        for (ProvisioningExtent extent : extents) {
            if (extent.lba() != next || extent.end() > capacity) {
                throw new IllegalStateException("backstore's provisioning extents are not contiguous: " + extents);
            }
            long remaining = extent.blocks();
            while (remaining > 0 && count < maxDescriptors) {
                long n = Math.min(remaining, 0xFFFF_FFFFL);
                d.putLong(next).putInt((int) n).put((byte) (extent.deallocated() ? 1 : 0)).put(new byte[3]);
                next += n;
                remaining -= n;
                count++;
            }
            if (count == maxDescriptors) {
                break;
            }
        }
        d.putInt(0, 4 + 16 * count); // PARAMETER DATA LENGTH (n - 3)
        byte[] b = new byte[8 + 16 * count];
        d.get(0, b);
        return b;
    }
}
