package io.iscsi4j.backstore;

import static io.iscsi4j.backstore.TestIo.await;
import static io.iscsi4j.backstore.TestIo.failure;
import static io.iscsi4j.backstore.TestIo.pattern;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The default implementations of the optional {@link Backstore} methods, on a backstore that has only the basics. */
class DefaultOperationsTest {

    private final ExecutorService executor = Executors.newSingleThreadExecutor();

    @TempDir
    Path dir;

    @AfterEach
    void stop() {
        executor.shutdownNow();
    }

    /** Stores nothing; records writes; completes inline or on the executor; can fail the n-th write. */
    private final class Minimal implements Backstore {
        final int blockSize;
        final long blockCount;
        final boolean async;
        final List<String> writes = new CopyOnWriteArrayList<>();
        final AtomicInteger writesUntilFailure = new AtomicInteger(Integer.MAX_VALUE);
        byte[] data;

        Minimal(int blockSize, long blockCount, boolean async, boolean storage) {
            this.blockSize = blockSize;
            this.blockCount = blockCount;
            this.async = async;
            this.data = storage ? new byte[Math.toIntExact(blockSize * blockCount)] : null;
        }

        @Override
        public int blockSize() {
            return blockSize;
        }

        @Override
        public long blockCount() {
            return blockCount;
        }

        @Override
        public CompletionStage<Void> read(long lba, ByteBuffer dst) {
            if (data != null) {
                dst.put(dst.position(), data, (int) lba * blockSize, dst.remaining());
            }
            return complete(null);
        }

        @Override
        public CompletionStage<Void> write(long lba, ByteBuffer src, boolean fua) {
            writes.add(lba + "+" + src.remaining() / blockSize + (fua ? " fua" : ""));
            if (writesUntilFailure.decrementAndGet() < 0) {
                return complete(new MediumErrorException(lba, "injected"));
            }
            if (data != null) {
                src.get(src.position(), data, (int) lba * blockSize, src.remaining());
            }
            return complete(null);
        }

        @Override
        public CompletionStage<Void> flush() {
            return complete(null);
        }

        @Override
        public void close() {
        }

        private CompletionStage<Void> complete(Throwable failure) {
            CompletableFuture<Void> f = new CompletableFuture<>();
            Runnable r = () -> {
                if (failure == null) {
                    f.complete(null);
                } else {
                    f.completeExceptionally(failure);
                }
            };
            if (async) {
                executor.execute(r);
            } else {
                r.run();
            }
            return f;
        }
    }

    @Test
    void writeSameWritesOneMebibyteBuffersOfCopies() throws Exception {
        Minimal backstore = new Minimal(512, 8192, true, true);
        ByteBuffer block = pattern(512, 4);

        await(backstore.writeSame(100, 5000, block, true));

        assertThat(backstore.writes).containsExactly("100+2048 fua", "2148+2048 fua", "4196+904 fua");
        for (int lba : new int[] {100, 2147, 2148, 5099}) {
            assertThat(ByteBuffer.wrap(backstore.data, lba * 512, 512)).as("LBA %d", lba).isEqualTo(block);
        }
        assertThat(backstore.data[99 * 512]).isZero();
        assertThat(backstore.data[5100 * 512]).isZero();
    }

    @Test
    void writeSameDoesNotGrowTheStackWhenWritesCompleteInline() throws Exception {
        // 64 KiB blocks: 16 per write, so a 2^20-block range is 65536 writes completing inline.
        Minimal backstore = new Minimal(65536, 1 << 20, false, false);

        await(backstore.writeSame(0, 1 << 20, ByteBuffer.allocate(65536), false));

        assertThat(backstore.writes).hasSize(65536);
    }

    @Test
    void writeSameStopsAtTheFirstFailure() {
        Minimal backstore = new Minimal(512, 8192, true, false);
        backstore.writesUntilFailure.set(1);

        MediumErrorException e = failure(backstore.writeSame(0, 8192, ByteBuffer.allocate(512), false),
                MediumErrorException.class);

        assertThat(e.lba()).isEqualTo(2048);
        assertThat(backstore.writes).hasSize(2);
    }

    @Test
    void writeSameChecksTheRange() {
        Minimal backstore = new Minimal(512, 16, false, false);

        failure(backstore.writeSame(10, 7, ByteBuffer.allocate(512), false), LbaOutOfRangeException.class);
        assertThat(backstore.writes).isEmpty();
    }

    @Test
    void compareAndWriteReadsComparesAndWrites() throws Exception {
        Minimal backstore = new Minimal(512, 16, true, true);
        await(backstore.write(2, pattern(1024, 1), false));

        await(backstore.compareAndWrite(2, pattern(1024, 1), pattern(1024, 2), true));
        MiscompareException e = failure(backstore.compareAndWrite(2, pattern(1024, 1), pattern(1024, 3), false),
                MiscompareException.class);

        assertThat(ByteBuffer.wrap(backstore.data, 1024, 1024)).isEqualTo(pattern(1024, 2));
        assertThat(e.offset()).isZero();
        assertThat(backstore.writes).containsExactly("2+2", "2+2 fua");
    }

    @Test
    void provisioningStatusReportsOneMappedOrUnknownExtent() throws Exception {
        Minimal backstore = new Minimal(512, 100, false, false);

        assertThat(backstore.provisioningStatus(90, 1000).toCompletableFuture().get())
                .containsExactly(new ProvisioningExtent(90, 10, false));
        assertThat(backstore.provisioningStatus(0, 5).toCompletableFuture().get())
                .containsExactly(new ProvisioningExtent(0, 5, false));
        failure(backstore.provisioningStatus(100, 1), LbaOutOfRangeException.class);
    }

    @Test
    void unmapIsUnsupportedByDefault() {
        failure(new Minimal(512, 16, false, false).unmap(0, 1), UnsupportedOperationException.class);
    }

    @Test
    void readOnlyViewRefusesEveryWritingOperation() {
        Backstore view = Backstores.readOnly(Backstores.memory(1 << 20));

        failure(view.unmap(0, 1), WriteProtectedException.class);
        failure(view.writeSame(0, 1, ByteBuffer.allocate(512), false), WriteProtectedException.class);
        failure(view.compareAndWrite(0, ByteBuffer.allocate(512), ByteBuffer.allocate(512), false),
                WriteProtectedException.class);
    }

    @Test
    void fileBackstoreWritesSameOnItsIoThread() throws IOException, Exception {
        try (Backstore file = Backstores.file(dir.resolve("lun.img"), 4L << 20, 512)) {
            ByteBuffer block = pattern(512, 9);

            await(file.writeSame(3, 4000, block, false));

            assertThat(TestIo.read(file, 3, 512)).isEqualTo(block);
            assertThat(TestIo.read(file, 4002, 512)).isEqualTo(block);
            assertThat(TestIo.read(file, 4003, 512).array()).containsOnly(0);
            failure(file.writeSame(8190, 3, block, false), LbaOutOfRangeException.class);
            failure(file.unmap(0, 1), UnsupportedOperationException.class);
        }
    }
}
