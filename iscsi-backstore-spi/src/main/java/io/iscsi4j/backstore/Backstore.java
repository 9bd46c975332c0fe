package io.iscsi4j.backstore;

import java.io.IOException;
import java.nio.ByteBuffer;
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
 * <h2>Errors</h2>
 * A stage completes exceptionally with a {@link BackstoreException} subtype to report a condition the initiator
 * should see as CHECK CONDITION with specific sense data (see each subtype). Any other throwable is reported
 * as HARDWARE ERROR and logged.
 *
 * <h2>Threads</h2>
 * Methods may be called concurrently from several threads, for overlapping or distinct ranges; completions
 * may happen on any thread. The target orders conflicting commands itself when SCSI requires it.
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
     * Releases resources (files, executors). Called once when the target no longer serves the backstore, after
     * in-flight I/O completed. Implementations should make it idempotent.
     */
    @Override
    void close() throws IOException;
}
