package io.iscsi4j.backstore;

import static io.iscsi4j.backstore.TestIo.failure;
import static io.iscsi4j.backstore.TestIo.pattern;
import static io.iscsi4j.backstore.TestIo.read;
import static io.iscsi4j.backstore.TestIo.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MemoryBackstoreTest {

    private static final int BLOCK = 512;
    private static final long BLOCKS_PER_CHUNK = MemoryBackstore.CHUNK_SIZE / BLOCK;

    private static MemoryBackstore memory(long sizeBytes) {
        return (MemoryBackstore) Backstores.memory(sizeBytes);
    }

    @Test
    void reportsGeometryAndThinProvisioning() {
        Backstore backstore = Backstores.memory(1 << 20, 4096);

        assertThat(backstore.blockSize()).isEqualTo(4096);
        assertThat(backstore.blockCount()).isEqualTo(256);
        assertThat(backstore.capabilities()).containsExactlyInAnyOrder(BackstoreCapability.THIN_PROVISIONING,
                BackstoreCapability.UNMAP, BackstoreCapability.WRITE_ATOMIC, BackstoreCapability.NON_BLOCKING);
        assertThat(backstore.hasVolatileCache()).isFalse();
        assertThat(backstore.isReadOnly()).isFalse();
    }

    @Test
    void unwrittenBlocksReadAsZerosWithoutAllocating() throws Exception {
        MemoryBackstore backstore = memory(4L << 20);

        ByteBuffer data = read(backstore, 0, (int) backstore.blockCount() * BLOCK);

        assertThat(data.array()).containsOnly(0);
        assertThat(backstore.allocatedChunks()).isZero();
    }

    @ParameterizedTest
    @ValueSource(longs = {0, BLOCKS_PER_CHUNK - 1, BLOCKS_PER_CHUNK - 3, 2 * BLOCKS_PER_CHUNK - 1})
    void roundTripsAcrossChunkBoundaries(long lba) throws Exception {
        MemoryBackstore backstore = memory(4L << 20);
        ByteBuffer data = pattern(6 * BLOCK, (int) lba);

        write(backstore, lba, data);

        assertThat(read(backstore, lba, 6 * BLOCK)).isEqualTo(data);
        assertThat(read(backstore, lba + 6, BLOCK).array()).containsOnly(0);
        if (lba > 0) {
            assertThat(read(backstore, lba - 1, BLOCK).array()).containsOnly(0);
        }
    }

    @Test
    void transferSpanningThreeChunksRoundTrips() throws Exception {
        MemoryBackstore backstore = memory(4L << 20);
        int length = MemoryBackstore.CHUNK_SIZE + 2 * BLOCK;
        ByteBuffer data = pattern(length, 9);

        write(backstore, BLOCKS_PER_CHUNK - 1, data);

        assertThat(backstore.allocatedChunks()).isEqualTo(3);
        assertThat(read(backstore, BLOCKS_PER_CHUNK - 1, length)).isEqualTo(data);
    }

    @Test
    void leavesBufferPositionsUnchangedAndHonoursThem() throws Exception {
        Backstore backstore = Backstores.memory(1 << 20);
        ByteBuffer src = ByteBuffer.allocate(100 + 2 * BLOCK);
        src.put(100, pattern(2 * BLOCK, 4), 0, 2 * BLOCK).position(100);

        TestIo.await(backstore.write(3, src, true));

        assertThat(src.position()).isEqualTo(100);
        ByteBuffer dst = ByteBuffer.allocateDirect(7 + 2 * BLOCK).position(7);
        TestIo.await(backstore.read(3, dst));
        assertThat(dst.position()).isEqualTo(7);
        assertThat(dst).isEqualTo(src);
    }

    @Test
    void terabyteBackstoreAllocatesOnlyWhatIsWritten() throws Exception {
        MemoryBackstore backstore = memory(1L << 40);
        long lastLba = backstore.blockCount() - 1;
        ByteBuffer data = pattern(BLOCK, 42);

        write(backstore, lastLba, data);

        assertThat(read(backstore, lastLba, BLOCK)).isEqualTo(data);
        assertThat(read(backstore, 0, BLOCK).array()).containsOnly(0);
        assertThat(backstore.allocatedChunks()).isEqualTo(1);
    }

    @Test
    void concurrentFirstWritesToOneChunkLoseNothing() throws Exception {
        int threads = 8;
        int blocksPerThread = 16;
        int rounds = 20;
        MemoryBackstore backstore = memory((long) rounds * MemoryBackstore.CHUNK_SIZE);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (int round = 0; round < rounds; round++) {
                long chunkStart = round * BLOCKS_PER_CHUNK;
                CyclicBarrier start = new CyclicBarrier(threads);
                List<Future<?>> writers = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int thread = t;
                    writers.add(pool.submit(() -> {
                        start.await(10, TimeUnit.SECONDS);
                        for (int i = 0; i < blocksPerThread; i++) {
                            long lba = chunkStart + (long) i * threads + thread;
                            write(backstore, lba, pattern(BLOCK, (int) lba));
                        }
                        return null;
                    }));
                }
                for (Future<?> writer : writers) {
                    writer.get(10, TimeUnit.SECONDS);
                }
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(backstore.allocatedChunks()).isEqualTo(rounds);
        for (int round = 0; round < rounds; round++) {
            for (int block = 0; block < threads * blocksPerThread; block++) {
                long lba = round * BLOCKS_PER_CHUNK + block;
                assertThat(read(backstore, lba, BLOCK)).as("LBA %d", lba).isEqualTo(pattern(BLOCK, (int) lba));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {-1, 2048, 4096, Long.MAX_VALUE, Long.MIN_VALUE})
    void accessOutsideCapacityFailsWithLbaOutOfRange(long lba) {
        Backstore backstore = Backstores.memory(1 << 20);

        failure(backstore.read(lba, ByteBuffer.allocate(BLOCK)), LbaOutOfRangeException.class);
        failure(backstore.write(lba, ByteBuffer.allocate(BLOCK), false), LbaOutOfRangeException.class);
    }

    @Test
    void transferRunningPastTheLastBlockFails() {
        Backstore backstore = Backstores.memory(1 << 20);

        LbaOutOfRangeException e = failure(backstore.read(2047, ByteBuffer.allocate(2 * BLOCK)),
                LbaOutOfRangeException.class);

        assertThat(e).hasMessageContaining("LBA 2047 + 2 blocks").hasMessageContaining("2048 blocks");
    }

    @Test
    void partialBlockTransferFailsWithIllegalArgument() {
        Backstore backstore = Backstores.memory(1 << 20);

        assertThat(failure(backstore.read(0, ByteBuffer.allocate(100)), IllegalArgumentException.class))
                .hasMessageContaining("not a multiple of the block size 512");
        failure(backstore.write(0, ByteBuffer.allocate(BLOCK + 1), false), IllegalArgumentException.class);
    }

    @Test
    void successfulStagesCannotBeChangedByCallers() throws Exception {
        Backstore backstore = Backstores.memory(1 << 20);
        CompletionStage<Void> first = backstore.write(0, ByteBuffer.allocate(BLOCK), false);

        first.toCompletableFuture().obtrudeException(new IllegalStateException("tampered"));
        first.toCompletableFuture().completeExceptionally(new IllegalStateException("tampered"));

        TestIo.await(first);
        TestIo.await(backstore.read(0, ByteBuffer.allocate(BLOCK)));
        TestIo.await(backstore.flush());
    }

    @Test
    void closedBackstoreRefusesIo() throws Exception {
        Backstore backstore = Backstores.memory(1 << 20);

        backstore.close();

        failure(backstore.read(0, ByteBuffer.allocate(BLOCK)), NotReadyException.class);
        failure(backstore.write(0, ByteBuffer.allocate(BLOCK), false), NotReadyException.class);
        failure(backstore.flush(), NotReadyException.class);
    }

    @Test
    void rejectsCapacityBeyondTwoPebibytes() {
        assertThatThrownBy(() -> Backstores.memory(MemoryBackstore.MAX_CAPACITY_BYTES + 512))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at most");
    }

    @Test
    void everyMemoryBackstoreHasARandomSerialOfItsOwn() throws Exception {
        try (Backstore a = Backstores.memory(1 << 20); Backstore b = Backstores.memory(1 << 20);
             Backstore c = Backstores.open("memory:size=1M")) {
            assertThat(a.unitSerialNumber()).matches("[0-9a-f]{32}").isEqualTo(a.unitSerialNumber());
            assertThat(b.unitSerialNumber()).matches("[0-9a-f]{32}").isNotEqualTo(a.unitSerialNumber());
            assertThat(c.unitSerialNumber()).matches("[0-9a-f]{32}").isNotIn(a.unitSerialNumber(), b.unitSerialNumber());
        }
    }
}
