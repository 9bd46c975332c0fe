package io.iscsi4j.backstore;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;

/**
 * The default implementations of {@link Backstore}'s optional operations, built on {@link Backstore#read} and
 * {@link Backstore#write} only.
 */
final class DefaultOperations {

    /** Largest buffer the default WRITE SAME fills with copies of the block (1 MiB). */
    static final int WRITE_SAME_BUFFER_BYTES = 1 << 20;

    private DefaultOperations() {
    }

    static CompletionStage<Void> unsupported(Backstore backstore, String operation) {
        return CompletableFuture.failedStage(new UnsupportedOperationException(
                operation + " is not implemented by " + backstore + " (see Backstore#capabilities())"));
    }

    /** See {@link Backstore#writeSame}: writes a buffer of copies of the block, one write at a time. */
    static CompletionStage<Void> writeSame(Backstore backstore, long lba, long blocks, ByteBuffer block,
                                           boolean fua) {
        int blockSize = backstore.blockSize();
        try {
            checkBlock(block, blockSize);
            Geometry.checkRange(lba, blocks, backstore.blockCount());
        } catch (LbaOutOfRangeException | RuntimeException e) {
            return CompletableFuture.failedStage(e);
        }
        if (blocks == 0) {
            return Buffers.DONE;
        }
        int perWrite = (int) Math.min(blocks, Math.max(1, WRITE_SAME_BUFFER_BYTES / blockSize));
        ByteBuffer copies = repeat(block, blockSize, perWrite * blockSize);
        WriteLoop loop = new WriteLoop(backstore, lba, blocks, perWrite, copies, fua);
        loop.next();
        return loop.result;
    }

    /** See {@link Backstore#compareAndWrite}: reads, compares, and writes when equal. */
    static CompletionStage<Void> compareAndWrite(Backstore backstore, long lba, ByteBuffer expected,
                                                 ByteBuffer data, boolean fua) {
        if (expected.remaining() != data.remaining()) {
            return CompletableFuture.failedStage(new IllegalArgumentException("compare length "
                    + expected.remaining() + " differs from write length " + data.remaining()));
        }
        ByteBuffer current = ByteBuffer.allocate(expected.remaining());
        return backstore.read(lba, current).thenCompose(ignored -> {
            current.clear();
            int mismatch = current.mismatch(expected);
            if (mismatch >= 0) {
                return CompletableFuture.failedStage(new MiscompareException(mismatch,
                        "miscompare at byte " + mismatch + " of the range at LBA " + lba));
            }
            return backstore.write(lba, data, fua);
        });
    }

    /** See {@link Backstore#provisioningStatus}: one extent, mapped or unknown. */
    static CompletionStage<List<ProvisioningExtent>> provisioningStatus(Backstore backstore, long lba,
                                                                       long maxBlocks) {
        long count = backstore.blockCount();
        if (lba < 0 || lba >= count) {
            return CompletableFuture.failedStage(new LbaOutOfRangeException(
                    "LBA " + lba + " is outside the capacity of " + count + " blocks"));
        }
        if (maxBlocks < 1) {
            return CompletableFuture.failedStage(
                    new IllegalArgumentException("maxBlocks must be positive: " + maxBlocks));
        }
        return CompletableFuture.completedStage(
                List.of(new ProvisioningExtent(lba, Math.min(maxBlocks, count - lba), false)));
    }

    static void checkBlock(ByteBuffer block, int blockSize) {
        if (block.remaining() != blockSize) {
            throw new IllegalArgumentException(
                    "WRITE SAME takes exactly one block of " + blockSize + " bytes, got " + block.remaining());
        }
    }

    /** A heap buffer of {@code length} bytes (a multiple of the block size) holding copies of {@code block}. */
    static ByteBuffer repeat(ByteBuffer block, int blockSize, int length) {
        byte[] b = new byte[length];
        block.get(block.position(), b, 0, blockSize);
        for (int filled = blockSize; filled < length; filled *= 2) {
            System.arraycopy(b, 0, b, filled, Math.min(filled, length - filled));
        }
        return ByteBuffer.wrap(b);
    }

    /**
     * Writes a range with repeated writes of one buffer, one write in flight at a time. A trampoline: when writes
     * complete inline (memory), the loop iterates instead of recursing, so the stack does not grow with the range.
     */
    private static final class WriteLoop implements BiConsumer<Void, Throwable> {

        final CompletableFuture<Void> result = new CompletableFuture<>();
        private final Backstore backstore;
        private final long end;
        private final int perWrite;
        private final ByteBuffer copies;
        private final boolean fua;
        private final int blockSize;
        private long next;
        /** Set by whichever of the loop and the callback finishes a step second; that one continues. */
        private final AtomicBoolean stepHandedOff = new AtomicBoolean();
        private volatile Throwable failure;

        WriteLoop(Backstore backstore, long lba, long blocks, int perWrite, ByteBuffer copies, boolean fua) {
            this.backstore = backstore;
            this.end = lba + blocks;
            this.perWrite = perWrite;
            this.copies = copies;
            this.fua = fua;
            this.blockSize = backstore.blockSize();
            this.next = lba;
        }

        void next() {
            while (true) {
                if (failure != null) {
                    result.completeExceptionally(failure);
                    return;
                }
                if (next >= end) {
                    result.complete(null);
                    return;
                }
                int n = (int) Math.min(perWrite, end - next);
                ByteBuffer src = copies.duplicate().limit(n * blockSize);
                long lba = next;
                next += n;
                stepHandedOff.set(false);
                CompletionStage<Void> stage;
                try {
                    stage = backstore.write(lba, src, fua);
                } catch (RuntimeException e) {
                    stage = CompletableFuture.failedStage(e);
                }
                stage.whenComplete(this);
                if (stepHandedOff.compareAndSet(false, true)) {
                    return; // the callback has not run yet: it continues the loop
                }
            }
        }

        @Override
        public void accept(Void ignored, Throwable t) {
            if (t != null) {
                failure = t;
            }
            if (!stepHandedOff.compareAndSet(false, true)) {
                next(); // the loop already returned: continue here
            }
        }
    }
}
