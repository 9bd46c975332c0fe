package io.iscsi4j.backstore;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Base class for a backstore whose storage API is synchronous (a JDBC database, a blocking client library, plain
 * {@code java.io}): implement {@link #readBlocking}, {@link #writeBlocking} and {@link #flushBlocking}, and this
 * class runs each call on the {@link Executor} given to the constructor, so the caller's thread never waits.
 *
 * <p>Use it when the storage blocks. Storage that is already asynchronous should implement {@link Backstore}
 * directly and return its own stages; storage that only copies memory may implement {@link Backstore} and
 * complete inline.
 *
 * <p>Before submitting, this class checks each request: a transfer that is not a whole number of blocks
 * completes exceptionally with {@link IllegalArgumentException}, one outside {@link #blockCount()} with
 * {@link LbaOutOfRangeException}, and a write while {@link #isReadOnly()} with {@link WriteProtectedException};
 * the blocking methods see valid requests only. A stage completes on the executor's thread, normally when the
 * blocking method returns and exceptionally with whatever it throws (throw a {@link BackstoreException} subtype,
 * such as {@link MediumErrorException}, to choose the sense data). When the executor rejects a task the stage
 * completes exceptionally with {@link NotReadyException}.
 *
 * <p>Optional operations: {@link #writeSame} runs {@link #writeSameBlocking} (by default a loop of
 * {@link #writeBlocking} calls) on one executor task; {@link #compareAndWrite} and {@link #provisioningStatus} keep
 * {@link Backstore}'s defaults; a subclass that can deallocate storage overrides {@link #unmap} and
 * {@link #capabilities()}.
 *
 * <p>Threads: the blocking methods are called concurrently when the executor has several threads; the
 * executor's size bounds the storage's concurrency. The executor belongs to the caller: {@link #close()} does
 * not shut it down unless a subclass does.
 *
 * @since 0.1
 */
public abstract class BlockingBackstore implements Backstore {

    private final Executor executor;

    /**
     * @param executor runs every blocking call; must not be a network event loop
     */
    protected BlockingBackstore(Executor executor) {
        this.executor = Objects.requireNonNull(executor, "executor");
    }

    /**
     * Fills {@code dst} from its position to its limit with the blocks starting at {@code lba}.
     *
     * @param lba first logical block; the whole transfer lies within the capacity
     * @param dst the caller's buffer, {@code dst.remaining()} a multiple of the block size; its position and
     *        limit after return do not matter; do not keep a reference to it
     * @throws IOException when the data cannot be read
     */
    protected abstract void readBlocking(long lba, ByteBuffer dst) throws IOException;

    /**
     * Stores {@code src.remaining()} bytes from {@code src}'s position at the blocks starting at {@code lba}.
     *
     * @param lba first logical block; the whole transfer lies within the capacity
     * @param src the caller's data, valid only until this method returns; do not keep a reference to it
     * @param fua force unit access: when set, the data must be durable when this method returns
     * @throws IOException when the data cannot be written
     */
    protected abstract void writeBlocking(long lba, ByteBuffer src, boolean fua) throws IOException;

    /**
     * Makes every write that completed before the corresponding {@link #flush()} call durable.
     *
     * @throws IOException when the data cannot be made durable
     */
    protected abstract void flushBlocking() throws IOException;

    /**
     * Writes {@code block} to each of {@code blocks} blocks from {@code lba}. The default fills a buffer of up to
     * 1 MiB with copies of the block and calls {@link #writeBlocking} repeatedly, all on one executor task; override
     * it when the storage can repeat a pattern natively.
     *
     * @param lba first logical block; the whole range lies within the capacity
     * @param blocks number of blocks, {@code >= 1}
     * @param block exactly one block, valid only until this method returns; do not keep a reference to it
     * @param fua force unit access, as for {@link #writeBlocking}
     * @throws IOException when the data cannot be written
     */
    protected void writeSameBlocking(long lba, long blocks, ByteBuffer block, boolean fua) throws IOException {
        int blockSize = blockSize();
        int perWrite = (int) Math.min(blocks, Math.max(1, DefaultOperations.WRITE_SAME_BUFFER_BYTES / blockSize));
        ByteBuffer copies = DefaultOperations.repeat(block, blockSize, perWrite * blockSize);
        for (long done = 0; done < blocks; done += perWrite) {
            int n = (int) Math.min(perWrite, blocks - done);
            writeBlocking(lba + done, copies.duplicate().limit(n * blockSize), fua);
        }
    }

    @Override
    public final CompletionStage<Void> read(long lba, ByteBuffer dst) {
        try {
            Geometry.byteOffset(lba, dst.remaining(), blockSize(), blockCount());
        } catch (LbaOutOfRangeException | IllegalArgumentException e) {
            return CompletableFuture.failedStage(e);
        }
        return submit(() -> readBlocking(lba, dst));
    }

    @Override
    public final CompletionStage<Void> write(long lba, ByteBuffer src, boolean fua) {
        if (isReadOnly()) {
            return CompletableFuture.failedStage(new WriteProtectedException("backstore is read-only"));
        }
        try {
            Geometry.byteOffset(lba, src.remaining(), blockSize(), blockCount());
        } catch (LbaOutOfRangeException | IllegalArgumentException e) {
            return CompletableFuture.failedStage(e);
        }
        return submit(() -> writeBlocking(lba, src, fua));
    }

    /**
     * Checks the request as {@link #write} does and runs {@link #writeSameBlocking} on the executor.
     */
    @Override
    public final CompletionStage<Void> writeSame(long lba, long blocks, ByteBuffer block, boolean fua) {
        if (isReadOnly()) {
            return CompletableFuture.failedStage(new WriteProtectedException("backstore is read-only"));
        }
        try {
            DefaultOperations.checkBlock(block, blockSize());
            Geometry.checkRange(lba, blocks, blockCount());
        } catch (LbaOutOfRangeException | IllegalArgumentException e) {
            return CompletableFuture.failedStage(e);
        }
        if (blocks == 0) {
            return Buffers.DONE;
        }
        return submit(() -> writeSameBlocking(lba, blocks, block, fua));
    }

    @Override
    public final CompletionStage<Void> flush() {
        return submit(this::flushBlocking);
    }

    private CompletionStage<Void> submit(BlockingCall call) {
        CompletableFuture<Void> result = new CompletableFuture<>();
        try {
            executor.execute(() -> {
                try {
                    call.run();
                    result.complete(null);
                } catch (Throwable t) {
                    result.completeExceptionally(t);
                }
            });
        } catch (RejectedExecutionException e) {
            NotReadyException notReady = new NotReadyException("backstore executor rejected the request (closed?)");
            notReady.initCause(e);
            result.completeExceptionally(notReady);
        }
        return result;
    }

    @FunctionalInterface
    private interface BlockingCall {
        void run() throws IOException;
    }
}
