package io.iscsi4j.backstore;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * Block storage behind one SCSI logical unit: the one interface a host application implements to serve its own
 * storage (a file, a database, an object store, a remote service) over iSCSI. The package documentation
 * ({@link io.iscsi4j.backstore}) has a complete example.
 *
 * <h2>Geometry</h2>
 * A backstore is an array of {@link #blockCount()} logical blocks of {@link #blockSize()} bytes, addressed by a
 * logical block address (LBA) from 0. The block size must be a power of two from 512 to 65536 (initiators expect 512
 * or 4096) and must never change; the block count must be at least 1. Building a logical unit over a backstore that
 * breaks either rule fails with {@link IllegalArgumentException}. The target reads {@link #blockCount()} on each
 * command, so a backstore may grow while served (initiators see the new capacity at their next READ CAPACITY). It
 * reads {@link #isReadOnly()} and {@link #hasVolatileCache()} once, when the logical unit is built, and
 * {@link #capabilities()} on each command that depends on it (keep it constant).
 *
 * <h2>Who calls, on which thread</h2>
 * The target calls every I/O method ({@link #read}, {@link #write}, {@link #flush} and the optional ones) on the
 * logical unit's executor (a pool shared by all logical units unless the application configures its own), never on
 * a network event-loop thread. Three exceptions: the default {@link #writeSame} and {@link #compareAndWrite} make
 * their follow-up {@link #write} calls on the thread that completed the previous stage, the last
 * {@link #flush()} before {@link #close()} runs on the thread closing the target, and a backstore that declares
 * {@link BackstoreCapability#NON_BLOCKING} gets the {@link #read} and {@link #write} calls of small plain READ and
 * WRITE commands on the network thread that received them.
 *
 * <p>A method should start the I/O and return its {@link CompletionStage} promptly: blocking inside it works but
 * holds a pool thread, so the pool's size then bounds the I/O concurrency of every logical unit sharing it. Storage
 * with a synchronous API should extend {@link BlockingBackstore}, which runs each call on an executor of the
 * backstore's own. Storage that only copies memory may do the work inline and return a completed stage.
 *
 * <p>Methods are called concurrently from several threads, for distinct or overlapping ranges; a backstore must be
 * thread-safe. The target orders conflicting commands itself where SCSI requires it: while a
 * {@link #compareAndWrite}, or a command the initiator asked to be atomic (ORWRITE, WRITE AND VERIFY, WRITE ATOMIC,
 * SANITIZE), runs on a range, the target sends no other call for overlapping blocks. Plain overlapping READs and
 * WRITEs are not ordered (SCSI leaves their order to the initiator), but once a write's stage has completed every
 * later read must return the written data, durable or not.
 *
 * <h2>Completing a stage</h2>
 * <ul>
 *   <li>Complete every stage exactly once, on any thread: inline before returning, on an I/O thread of the
 *       storage, or on an executor. By default there is no timeout: a stage that never completes pins its command,
 *       its buffer and its claim on the blocks, and an ABORT TASK or LOGICAL UNIT RESET for the command waits for
 *       it. Storage that can hang (a remote service) should apply its own timeout and complete exceptionally. A
 *       logical unit built with a backstore timeout (iscsi-scsi's {@code LogicalUnit.Builder.backstoreTimeout})
 *       ends the command NOT READY when a stage exceeds it, and keeps the logical unit NOT READY until the stage
 *       completes; the buffer and the claim stay the backstore's until then, so the rules below hold all the
 *       same.</li>
 *   <li>The target's continuation runs synchronously on the completing thread. It is short and never blocks: it
 *       hands the response to the connection's event loop, may start commands that waited for the blocks, and (in
 *       the default {@link #writeSame} and {@link #compareAndWrite}) may call this backstore again directly. So do
 *       not complete a stage while holding a lock your own methods take, and do not complete it on a thread whose
 *       delay would stall other I/O (a single selector thread of a storage client, say) without expecting the
 *       next call to start there.</li>
 *   <li>Throwing from an I/O method counts as completing its stage exceptionally with what was thrown; returning
 *       {@code null} counts as a failure (HARDWARE ERROR).</li>
 * </ul>
 *
 * <h2>Buffers</h2>
 * <ul>
 *   <li>Every buffer passed in belongs to the target and is lent to the backstore from the call until the stage
 *       completes, not a moment longer: afterwards the memory goes back to a pool and carries other commands'
 *       data. Never touch a buffer after completing its stage, never keep a reference to it (nor to a slice or
 *       duplicate of it), and never complete a read before the last byte is in place. A backstore that writes
 *       later (a write-behind cache) copies the data first.</li>
 *   <li>The transfer is always {@code remaining()} bytes from the buffer's current position, which may be non-zero,
 *       and {@code remaining()} is always a whole number of blocks, at least one. Use {@link ByteBuffer}'s relative
 *       or absolute bulk methods; do not assume {@code array()} exists: a READ's buffer is usually direct (a slice
 *       of the network buffer the Data-In PDUs are sent from), a WRITE's is usually direct (where the Data-Out
 *       arrived), buffers of internal commands (VERIFY, COMPARE AND WRITE, EXTENDED COPY) are heap buffers.</li>
 *   <li>A backstore may move the position (and even the limit) of any buffer it is given; the target ignores both
 *       after the stage completes. It must not change the contents of a buffer it only reads from (the data of
 *       {@link #write}, {@link #writeSame} and {@link #compareAndWrite}).</li>
 *   <li>When a read fails, the buffer's contents are ignored; when a write fails, the blocks may hold old data,
 *       new data or a mix, unless the backstore reports {@link BackstoreCapability#WRITE_ATOMIC}.</li>
 * </ul>
 *
 * <h2>Caching and durability</h2>
 * <ul>
 *   <li>{@link #write} with {@code fua = false}: the data may still sit in a volatile cache when the stage
 *       completes (it is visible to reads, not necessarily durable).</li>
 *   <li>{@link #write} with {@code fua = true} (force unit access): the data of this write is durable (it survives
 *       a crash of the process and of the machine, as after {@code FileChannel.force}) when the stage completes.
 *       Other cached writes need not be.</li>
 *   <li>{@link #flush()} (SYNCHRONIZE CACHE): every write whose stage completed before {@code flush()} was called
 *       is durable when the flush's stage completes. Writes still in flight may or may not be covered.</li>
 *   <li>{@link #hasVolatileCache()}: {@code true} makes the logical unit write-back by default (WCE=1): initiators
 *       then send SYNCHRONIZE CACHE and FUA writes where they need durability. {@code false} makes it
 *       write-through (WCE=0): the target passes {@code fua = true} with every write, so every write is durable
 *       before its GOOD status. The application may override the mode per LUN, and an initiator may turn the write
 *       cache of a write-back LUN off (and on again) with MODE SELECT, so a backstore must honour {@code fua} and
 *       {@link #flush()} either way. A write-through LUN stays write-through: initiators cannot enable its write
 *       cache.</li>
 * </ul>
 *
 * <h2>Errors: what the initiator sees</h2>
 * A stage that completes exceptionally ends the command with CHECK CONDITION status; one mapper chooses the sense
 * data from the failure, after unwrapping {@link java.util.concurrent.CompletionException} and
 * {@link java.util.concurrent.ExecutionException}:
 * <table>
 *   <caption>Failure to sense data (sense key / additional sense code, ASC/ASCQ in hex)</caption>
 *   <tr><th>failure</th><th>sense key</th><th>additional sense</th></tr>
 *   <tr><td>{@link MediumErrorException} on a read (READ, VERIFY, GET LBA STATUS)</td><td>MEDIUM ERROR (3h)</td>
 *       <td>UNRECOVERED READ ERROR (11h/00h); INFORMATION = {@link MediumErrorException#lba()}</td></tr>
 *   <tr><td>{@link MediumErrorException} on anything else (WRITE, WRITE SAME, UNMAP, COMPARE AND WRITE, ORWRITE,
 *       WRITE AND VERIFY, SANITIZE, SYNCHRONIZE CACHE)</td><td>MEDIUM ERROR (3h)</td>
 *       <td>WRITE ERROR (0Ch/00h); INFORMATION = {@link MediumErrorException#lba()}</td></tr>
 *   <tr><td>{@link LbaOutOfRangeException}</td><td>ILLEGAL REQUEST (5h)</td>
 *       <td>LOGICAL BLOCK ADDRESS OUT OF RANGE (21h/00h)</td></tr>
 *   <tr><td>{@link WriteProtectedException}</td><td>DATA PROTECT (7h)</td><td>WRITE PROTECTED (27h/00h)</td></tr>
 *   <tr><td>{@link OutOfSpaceException}</td><td>DATA PROTECT (7h)</td><td>SPACE ALLOCATION FAILED WRITE PROTECT
 *       (27h/07h)</td></tr>
 *   <tr><td>{@link NotReadyException}</td><td>NOT READY (2h)</td>
 *       <td>LOGICAL UNIT NOT READY, CAUSE NOT REPORTABLE (04h/00h)</td></tr>
 *   <tr><td>{@link MiscompareException}</td><td>MISCOMPARE (Eh)</td>
 *       <td>MISCOMPARE DURING VERIFY OPERATION (1Dh/00h); INFORMATION = {@link MiscompareException#offset()}</td></tr>
 *   <tr><td>any other throwable (an {@link IOException}, a {@link RuntimeException} thrown by the method, the
 *       default {@link #unmap}'s {@link UnsupportedOperationException}, a {@code null} stage)</td>
 *       <td>HARDWARE ERROR (4h)</td><td>INTERNAL TARGET FAILURE (44h/00h); logged at ERROR with the stack
 *       trace</td></tr>
 * </table>
 * The typed conditions are expected outcomes and are logged at DEBUG only; their messages may be logged, so keep
 * secrets out of them. The sense data is in fixed or descriptor format as the initiator chose (D_SENSE); where
 * INFORMATION is given its VALID bit is set (in fixed format only when the value fits in its 4 bytes). Within
 * EXTENDED COPY the sense key is COPY ABORTED (Ah) with the same additional sense code. A SYNCHRONIZE CACHE sent
 * with IMMED has had GOOD status already, so a failure of its {@link #flush()} is reported as a deferred error: the
 * same sense data, with response code 71h (fixed format) or 73h (descriptor format), ends the next command the same
 * I_T nexus sends to the LUN (after any unit attention pending for it). (BUSY status is not the backstore's to
 * report: the target answers BUSY when the logical unit's executor rejects a call.)
 *
 * <h2>Optional operations</h2>
 * {@link #writeSame}, {@link #compareAndWrite} and {@link #provisioningStatus} have default implementations built on
 * {@link #read} and {@link #write}, correct for every backstore; override them when the storage can do better.
 * {@link #unmap} has no sensible default: the target calls it only when {@link #capabilities()} contains
 * {@link BackstoreCapability#UNMAP}, and only then serves UNMAP, WRITE SAME with the UNMAP bit and SANITIZE BLOCK
 * ERASE and reports thin provisioning. {@link BackstoreCapability#WRITE_ATOMIC} promises all-or-nothing writes and
 * enables WRITE ATOMIC (16). A backstore that reports no capability still serves every mandatory command.
 *
 * <h2>What the target checks first</h2>
 * The target validates every request against {@link #blockCount()} and the block size before calling (an
 * out-of-range request is answered without calling the backstore), and calls no writing method ({@link #write},
 * {@link #writeSame}, {@link #compareAndWrite}, {@link #unmap}) of a backstore that reported {@link #isReadOnly()}
 * when its logical unit was built. {@link LbaOutOfRangeException} and {@link WriteProtectedException} are for
 * storage whose limits changed underneath (it shrank, or became read-only).
 *
 * @since 0.1
 */
public interface Backstore extends AutoCloseable {

    /**
     * The logical block size: every transfer is a whole number of such blocks. Must not change.
     *
     * @return the block size in bytes, a power of two from 512 to 65536 (initiators expect 512 or 4096)
     */
    int blockSize();

    /**
     * The number of logical blocks; the capacity in bytes is {@code blockSize() * blockCount()}. Read on each
     * command: it may grow while the backstore is served.
     *
     * @return the number of blocks, at least 1
     */
    long blockCount();

    /**
     * Whether every write must be refused. Read once when the logical unit is built: the target then answers every
     * medium-changing command with DATA PROTECT / WRITE PROTECTED without calling a writing method. The default is
     * {@code false}.
     *
     * @return {@code true} for read-only storage
     */
    default boolean isReadOnly() {
        return false;
    }

    /**
     * Whether a completed write may sit in a volatile cache until {@link #flush()} or a later FUA write (see
     * "Caching and durability" above). Read once when the logical unit is built, it chooses the logical unit's
     * default mode: write-back (WCE=1, initiators send SYNCHRONIZE CACHE) for {@code true}, write-through (every
     * write passed with {@code fua = true}) for {@code false}. The default is {@code true}, the safe answer for
     * storage that buffers.
     *
     * @return whether completed writes may be volatile
     */
    default boolean hasVolatileCache() {
        return true;
    }

    /**
     * The optional operations this backstore implements; read on each command that depends on one, so return the
     * same set every time. The default is none.
     *
     * @return an immutable set of capabilities
     */
    default Set<BackstoreCapability> capabilities() {
        return Set.of();
    }

    /**
     * How many bytes of the storage are allocated now, for thin-provisioned storage that can tell: the logical unit
     * compares it with its soft threshold ({@code LunBuilder.softThreshold}) and, when it crosses it, tells every
     * initiator with a THIN PROVISIONING SOFT THRESHOLD REACHED unit attention (38h/07h), so that an administrator
     * can add space before writes fail with {@link OutOfSpaceException}. Called on a command's path at most once a
     * second per logical unit that has a threshold: it must be cheap and must not block (return a counter the
     * backstore keeps). The memory backstore counts its allocated chunks.
     *
     * @return the allocated bytes, or -1 (the default) when the storage does not know
     * @since 0.2
     */
    default long allocatedBytes() {
        return -1;
    }

    /**
     * A serial number that identifies the storage itself rather than the place it is served at: the same for the
     * same storage across restarts, and different for different storage, even when two deployments serve their own
     * storage under the same target name and LUN (multipath initiators merge devices with the same identity into
     * one). Storage that several processes serve (a distributed block device) returns the same value in each, so
     * initiators see one device through every gateway. The target uses it as the logical unit's serial number (VPD
     * page 80h), from which the NAA designator derives, unless the application sets one; without either the logical
     * unit gets a random serial, new on every start. Read once, when the logical unit is built. The stock backstores
     * have one: random for memory (the data lives no longer than the object), kept next to the image for a file
     * (see {@link Backstores#file(java.nio.file.Path, long, int, int)}).
     *
     * @return 1 to 64 printable ASCII characters, or {@code null} (the default) when the storage has no identity
     * @since 0.1
     */
    default String unitSerialNumber() {
        return null;
    }

    /**
     * Registers what to call when the capacity changed underneath the target (storage resized by another process,
     * say): the backstore calls {@code listener}, on any thread, after {@link #blockCount()} returns the new value.
     * The target registers one listener per logical unit when it builds the unit, and reports CAPACITY DATA HAS
     * CHANGED to every initiator of the unit when it is called. Storage whose capacity changes only through the
     * application (which calls the target's {@code resizeLun}) need not implement this; the default ignores the
     * listener.
     *
     * @param listener short and non-blocking
     * @since 0.1
     */
    default void onCapacityChange(Runnable listener) {
        // the capacity changes only when the application says so
    }

    /**
     * Reads {@code dst.remaining()} bytes, a whole number of blocks, starting at logical block {@code lba}, into
     * {@code dst} from its position.
     *
     * @param lba first logical block; {@code 0 <= lba} and the whole range lies within the capacity
     * @param dst where to put the data: lent by the target until the stage completes (direct or heap, position
     *        possibly non-zero); fill all of {@code dst.remaining()} bytes before completing, and never touch it
     *        afterwards
     * @return a stage completing normally once every byte is in {@code dst}, or exceptionally with the failure
     *         (see "Errors" above)
     */
    CompletionStage<Void> read(long lba, ByteBuffer dst);

    /**
     * Writes {@code src.remaining()} bytes, a whole number of blocks, from {@code src}'s position to the blocks
     * starting at {@code lba}.
     *
     * @param lba first logical block; {@code 0 <= lba} and the whole range lies within the capacity
     * @param src the data: lent by the target until the stage completes and read-only for the backstore; a
     *        backstore that stores it later copies it first
     * @param fua force unit access: when {@code true}, this write's data is durable when the stage completes;
     *        when {@code false} it may still be in a volatile cache (but visible to every later read)
     * @return a stage completing normally once the data is stored (durable if {@code fua}), or exceptionally
     *         with the failure
     */
    CompletionStage<Void> write(long lba, ByteBuffer src, boolean fua);

    /**
     * Makes durable every write whose stage completed before this call (SYNCHRONIZE CACHE). Writes still in flight
     * may or may not be covered. Storage without a volatile cache returns a completed stage.
     *
     * @return a stage completing normally once those writes are durable, or exceptionally (reported as MEDIUM
     *         ERROR / WRITE ERROR for {@link MediumErrorException}, otherwise as in "Errors" above)
     */
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
     * Writes the same block to {@code blocks} consecutive blocks (WRITE SAME). The default fills a heap buffer of up
     * to 1 MiB with copies of {@code block} and calls {@link #write} with it repeatedly, one write in flight at a
     * time (each next write is called from the thread that completed the previous one), so it works for every
     * backstore; override it when the storage can repeat a pattern natively.
     *
     * @param lba first logical block; the range lies within the capacity
     * @param blocks number of blocks, {@code >= 0} (may exceed the largest single transfer, up to the whole medium)
     * @param block exactly one block of data ({@code block.remaining() == blockSize()}); lent by the target until the
     *        stage completes, read-only for the backstore
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
     * <p>The default reads the range into a temporary heap buffer, compares, then calls {@link #write} (from the
     * thread that completed the read). It is atomic as far as this target is concerned, because the target issues no
     * other call for overlapping blocks until the stage completes; storage shared with other writers must override
     * it with a natively atomic operation.
     *
     * @param lba first logical block; the range lies within the capacity
     * @param expected the data the blocks must hold; a whole number of blocks; lent by the target until the stage
     *        completes, read-only for the backstore
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
     * Releases resources (files, executors, connections). The target owns the backstores it is given: when it
     * closes it waits for in-flight I/O (up to 30 seconds), calls {@link #flush()}, then this method, once.
     * Implementations should make it idempotent.
     *
     * @throws IOException when releasing fails (logged by the target)
     */
    @Override
    void close() throws IOException;
}
