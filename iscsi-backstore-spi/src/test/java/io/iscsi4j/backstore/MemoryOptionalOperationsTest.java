package io.iscsi4j.backstore;

import static io.iscsi4j.backstore.TestIo.await;
import static io.iscsi4j.backstore.TestIo.failure;
import static io.iscsi4j.backstore.TestIo.pattern;
import static io.iscsi4j.backstore.TestIo.read;
import static io.iscsi4j.backstore.TestIo.write;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** UNMAP, WRITE SAME, provisioning status and compare-and-write on the memory backstore. */
class MemoryOptionalOperationsTest {

    private static final int BLOCK = 512;
    private static final int PER_CHUNK = MemoryBackstore.CHUNK_SIZE / BLOCK;

    private final MemoryBackstore backstore = (MemoryBackstore) Backstores.memory(4L * MemoryBackstore.CHUNK_SIZE);

    private static ByteBuffer filled(int length, int value) {
        byte[] b = new byte[length];
        Arrays.fill(b, (byte) value);
        return ByteBuffer.wrap(b);
    }

    @Test
    void unmapOfWholeChunksReleasesThemAndReadsZeros() throws Exception {
        write(backstore, 0, filled(3 * MemoryBackstore.CHUNK_SIZE, 0xAB));
        assertThat(backstore.allocatedChunks()).isEqualTo(3);

        await(backstore.unmap(0, 2L * PER_CHUNK));

        assertThat(backstore.allocatedChunks()).isEqualTo(1);
        assertThat(read(backstore, 0, 2 * MemoryBackstore.CHUNK_SIZE).array()).containsOnly(0);
        assertThat(read(backstore, 2L * PER_CHUNK, BLOCK).array()).containsOnly(0xAB);
    }

    @Test
    void unmapOfPartOfAChunkZeroFillsExactlyTheRange() throws Exception {
        write(backstore, 0, filled(8 * BLOCK, 0x11));

        await(backstore.unmap(2, 3));

        ByteBuffer data = read(backstore, 0, 8 * BLOCK);
        for (int block = 0; block < 8; block++) {
            byte[] b = Arrays.copyOfRange(data.array(), block * BLOCK, (block + 1) * BLOCK);
            assertThat(b).as("block %d", block).containsOnly(block >= 2 && block < 5 ? 0 : 0x11);
        }
        assertThat(backstore.allocatedChunks()).isEqualTo(1);
    }

    @Test
    void unmapOfUnallocatedBlocksAllocatesNothing() throws Exception {
        await(backstore.unmap(PER_CHUNK - 1, 2));

        assertThat(backstore.allocatedChunks()).isZero();
    }

    @Test
    void unmapOutsideTheCapacityFails() {
        failure(backstore.unmap(backstore.blockCount() - 1, 2), LbaOutOfRangeException.class);
    }

    @Test
    void writeSameRepeatsTheBlockAcrossChunks() throws Exception {
        ByteBuffer block = pattern(BLOCK, 3);
        long lba = PER_CHUNK - 2;

        await(backstore.writeSame(lba, 5, block, false));

        ByteBuffer data = read(backstore, lba - 1, 7 * BLOCK);
        assertThat(Arrays.copyOfRange(data.array(), 0, BLOCK)).containsOnly(0);
        for (int i = 1; i <= 5; i++) {
            assertThat(ByteBuffer.wrap(data.array(), i * BLOCK, BLOCK)).isEqualTo(block);
        }
        assertThat(Arrays.copyOfRange(data.array(), 6 * BLOCK, 7 * BLOCK)).containsOnly(0);
        assertThat(block.position()).isZero();
    }

    @Test
    void writeSameOfZeroBlocksDoesNothing() throws Exception {
        await(backstore.writeSame(0, 0, pattern(BLOCK, 1), false));

        assertThat(backstore.allocatedChunks()).isZero();
    }

    @Test
    void writeSameNeedsExactlyOneBlock() {
        failure(backstore.writeSame(0, 1, ByteBuffer.allocate(BLOCK + 1), false), IllegalArgumentException.class);
    }

    @Test
    void provisioningStatusFollowsChunkAllocation() throws Exception {
        write(backstore, PER_CHUNK + 5, pattern(BLOCK, 1)); // chunk 1 allocated, chunks 0, 2, 3 not

        List<ProvisioningExtent> extents = backstore.provisioningStatus(3, Long.MAX_VALUE)
                .toCompletableFuture().get();

        assertThat(extents).containsExactly(
                new ProvisioningExtent(3, PER_CHUNK - 3, true),
                new ProvisioningExtent(PER_CHUNK, PER_CHUNK, false),
                new ProvisioningExtent(2L * PER_CHUNK, 2L * PER_CHUNK, true));
    }

    @Test
    void provisioningStatusStopsAtMaxBlocks() throws Exception {
        List<ProvisioningExtent> extents = backstore.provisioningStatus(10, 7).toCompletableFuture().get();

        assertThat(extents).containsExactly(new ProvisioningExtent(10, 7, true));
    }

    @Test
    void unmappedChunksReportDeallocated() throws Exception {
        write(backstore, 0, filled(MemoryBackstore.CHUNK_SIZE, 1));
        await(backstore.unmap(0, PER_CHUNK));

        assertThat(backstore.provisioningStatus(0, 1).toCompletableFuture().get())
                .containsExactly(new ProvisioningExtent(0, 1, true));
    }

    @Test
    void provisioningStatusBeyondTheEndFails() {
        failure(backstore.provisioningStatus(backstore.blockCount(), 1), LbaOutOfRangeException.class);
    }

    @Test
    void compareAndWriteWritesOnlyWhenEqual() throws Exception {
        ByteBuffer old = pattern(2 * BLOCK, 1);
        ByteBuffer replacement = pattern(2 * BLOCK, 2);
        write(backstore, 7, old);

        await(backstore.compareAndWrite(7, old.duplicate(), replacement.duplicate(), false));

        assertThat(read(backstore, 7, 2 * BLOCK)).isEqualTo(replacement);
    }

    @Test
    void compareAndWriteReportsTheFirstDifferenceAndWritesNothing() throws Exception {
        ByteBuffer old = pattern(2 * BLOCK, 1);
        write(backstore, 7, old);
        ByteBuffer expected = pattern(2 * BLOCK, 1);
        expected.put(BLOCK + 27, (byte) ~expected.get(BLOCK + 27));

        MiscompareException e = failure(
                backstore.compareAndWrite(7, expected, pattern(2 * BLOCK, 2), false), MiscompareException.class);

        assertThat(e.offset()).isEqualTo(BLOCK + 27);
        assertThat(read(backstore, 7, 2 * BLOCK)).isEqualTo(old);
    }
}
