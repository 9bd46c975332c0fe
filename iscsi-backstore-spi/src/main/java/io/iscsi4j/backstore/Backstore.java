package io.iscsi4j.backstore;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * Block storage behind one SCSI logical unit.
 *
 * <p>A backstore is an array of {@link #blockCount()} blocks of {@link #blockSize()} bytes. The iSCSI target
 * calls it asynchronously: every I/O method returns a {@link CompletionStage} and must not block the calling
 * thread for long. An implementation that does blocking I/O (files, sockets, databases) runs it on its own
 * executor; {@link BlockingBackstore} adapts a synchronous implementation that way. The target itself never
 * calls a backstore from a network event-loop thread, so a backstore that only copies memory may complete
 * inline.
 *
 * <h2>Buffers</h2>
 * <ul>
 *   <li>{@link #read}: the backstore fills {@code dst} from its position to its limit
 *       ({@code dst.remaining()} bytes, always a multiple of the block size) and completes the stage. The buffer
 *       belongs to the target: the backstore must not touch it after completing the stage, and must not keep a
 *       reference to it. The buffer may be direct or heap; its position after completion does not matter.</li>
 *   <li>{@link #write}: the backstore stores {@code src.remaining()} bytes from {@code src}'s position. The same
 *       ownership rule applies: the buffer is only valid until the stage completes (the target reuses the
 *       memory afterwards), so a backstore that writes later must copy first.</li>
 * </ul>
 *
 * <h2>Durability</h2>
 * A completed write may sit in a volatile cache unless {@code fua} (force unit access) was set, in which case it
 * must be durable when the stage completes. {@link #flush()} makes every write completed before the call durable.
 *
 * <h2>Optional operations</h2>
 * {@link #writeSame}, {@link #compareAndWrite} and {@link #provisioningStatus} have default implementations built on
 * {@link #read} and {@link #write}, correct for every backstore; override them when the storage can do better.
 * {@link #unmap} has no sensible default: the target calls it only when {@link #capabilities()} reports
 * {@link BackstoreCapability#UNMAP}. The target validates every request against {@link #blockCount()} and the
 * block size before calling, and calls no writing method of a read-only backstore.
 *
 * <h2>Errors</h2>
 * A stage completes exceptionally with a {@link BackstoreException} subtype to report a condition the initiator
 * should see as CHECK CONDITION with specific sense data (see each subtype). Any other throwable is reported
 * as HARDWARE ERROR and logged.
 *
 * <h2>Threads</h2>
 * Methods may be called concurrently from several threads, for overlapping or distinct ranges; completions
 * may happen on any thread. The target orders conflicting commands itself when SCSI requires it: while a
 * {@link #compareAndWrite}, or a write the initiator asked to be atomic, runs on a range, the target sends no other
 * call for overlapping blocks. A backstore whose storage other writers share (a cluster, another target) must make
 * {@link #compareAndWrite} atomic itself.
 *
 * @since 0.1
 */
public interface Backstore extends AutoCloseable {

    /** Logical block size in bytes: 512 or 4096 (any power of two from 512 to 65536 is accepted). */
    int blockSize();

    /** Number of logical blocks; the capacity in bytes is {@code blockSize() * blockCount()}. */
    long blockCount();

    /** Whether every write must be refused (the target answers DATA PROTECT / WRITE PROTECTED). */
    default boolean isReadOnly() {
        return false;
    }

    /**
     * Whether completed writes may be held in a volatile cache; {@code true} makes the target report a
     * write-back cache (WCE=1) so initiators send SYNCHRONIZE CACHE. The default is {@code true}.
     */
    default boolean hasVolatileCache() {
        return true;
    }

    /** The optional operations this backstore implements; the default is none. */
    default Set<BackstoreCapability> capabilities() {
        return Set.of();
    }

    /**
     * Reads {@code dst.remaining()} bytes starting at logical block {@code lba}.
     *
     * @param lba first logical block, {@code 0 <= lba} and the range lies within the capacity
     * @param dst where to put the data; owned by the caller, valid until the stage completes
     * @return a stage completing when {@code dst} is filled
     */
    CompletionStage<Void> read(long lba, ByteBuffer dst);

    /**
     * Writes {@code src.remaining()} bytes starting at logical block {@code lba}.
     *
     * @param lba first logical block; the range lies within the capacity
     * @param src the data; owned by the caller, valid only until the stage completes
     * @param fua force unit access: when set, the data must be durable when the stage completes
     * @return a stage completing when the data is stored
     */
    CompletionStage<Void> write(long lba, ByteBuffer src, boolean fua);

    /** Makes every write completed before this call durable (SYNCHRONIZE CACHE). */
    CompletionStage<Void> flush();

    /**
     * Deallocates blocks (UNMAP, WRITE SAME with the UNMAP bit, SANITIZE BLOCK ERASE): their storage may be released,
     * and afterwards they read as zeros until written again. The target calls this only when {@link #capabilities()}
     * contains {@link BackstoreCapability#UNMAP}; the default completes exceptionally with
     * {@link UnsupportedOperationException} (reported as HARDWARE ERROR if it were ever called).
     *
     * @param lba first logical block; the range lies within the capacity
     * @param blocks number of blocks, {@code >= 1}
     * @return a stage completing when the blocks read as zeros
     */
    default CompletionStage<Void> unmap(long lba, long blocks) {
        return DefaultOperations.unsupported(this, "unmap");
    }

    /**
     * Writes the same block to {@code blocks} consecutive blocks (WRITE SAME). The default fills a buffer of up to
     * 1 MiB with copies of {@code block} and calls {@link #write} with it repeatedly, one write in flight at a time,
     * so it works for every backstore; override it when the storage can repeat a pattern natively.
     *
     * @param lba first logical block; the range lies within the capacity
     * @param blocks number of blocks, {@code >= 0} (may exceed the largest single transfer)
     * @param block exactly one block of data ({@code block.remaining() == blockSize()}); owned by the caller, valid
     *        until the stage completes; its position is not changed
     * @param fua force unit access, as for {@link #write}
     * @return a stage completing when every block is written; on failure some blocks may have been written
     */
    default CompletionStage<Void> writeSame(long lba, long blocks, ByteBuffer block, boolean fua) {
        return DefaultOperations.writeSame(this, lba, blocks, block, fua);
    }

    /**
     * Compares the blocks at {@code lba} with {@code expected} and, only if every byte is equal, writes {@code data}
     * there (COMPARE AND WRITE). On a difference the stage completes exceptionally with {@link MiscompareException}
     * giving the offset of the first differing byte, and nothing is written.
     *
     * <p>The default reads the range into a temporary buffer, compares, then calls {@link #write}. It is atomic as
     * far as this target is concerned, because the target issues no other call for overlapping blocks until the
     * stage completes; storage shared with other writers must override it with a natively atomic operation.
     *
     * @param lba first logical block; the range lies within the capacity
     * @param expected the data the blocks must hold; a whole number of blocks; owned by the caller, valid until the
     *        stage completes; its position is not changed
     * @param data the data to write; as long as {@code expected}; same ownership rule
     * @param fua force unit access, as for {@link #write}
     * @return a stage completing when the data is written, or exceptionally with {@link MiscompareException}
     */
    default CompletionStage<Void> compareAndWrite(long lba, ByteBuffer expected, ByteBuffer data, boolean fua) {
        return DefaultOperations.compareAndWrite(this, lba, expected, data, fua);
    }

    /**
     * Reports which blocks from {@code lba} on are mapped and which are deallocated (GET LBA STATUS): one or more
     * extents, in order, the first starting at {@code lba}, each starting where the previous one ended, together
     * covering at most {@code maxBlocks} blocks and never passing the last block. A backstore may stop early (after
     * a few thousand extents, say); the initiator asks again from where the answer ended.
     *
     * <p>The default reports one extent up to {@code maxBlocks} blocks as mapped, which SBC-4 defines as "mapped or
     * unknown": correct for fully provisioned storage and harmless for any other. A backstore reporting
     * {@link BackstoreCapability#UNMAP} should override it so initiators can see what was deallocated.
     *
     * @param lba the first block to report, {@code 0 <= lba < blockCount()}
     * @param maxBlocks the most blocks to cover, {@code >= 1}
     * @return a stage completing with an immutable, non-empty list of extents
     */
    default CompletionStage<List<ProvisioningExtent>> provisioningStatus(long lba, long maxBlocks) {
        return DefaultOperations.provisioningStatus(this, lba, maxBlocks);
    }

    /**
     * Releases resources (files, executors). Called once when the target no longer serves the backstore, after
     * in-flight I/O completed. Implementations should make it idempotent.
     */
    @Override
    void close() throws IOException;
}
