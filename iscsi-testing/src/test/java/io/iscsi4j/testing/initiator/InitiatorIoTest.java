package io.iscsi4j.testing.initiator;

import static io.iscsi4j.testing.initiator.InitiatorLoginTest.join;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.iscsi4j.initiator.BlockDevice;
import io.iscsi4j.initiator.IscsiSession;
import io.iscsi4j.initiator.LoginOptions;
import io.iscsi4j.initiator.ScsiCommandException;
import io.iscsi4j.initiator.ScsiRequest;
import io.iscsi4j.initiator.ScsiResult;
import io.iscsi4j.initiator.SenseData;
import io.iscsi4j.testing.InProcessTarget;
import io.iscsi4j.testing.RecordedCommand;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Reads, writes and raw commands of the iscsi4j initiator against the in-process iscsi4j target. */
@Timeout(120)
class InitiatorIoTest {

    private static final LoginOptions FAST = LoginOptions.builder().commandTimeout(Duration.ofSeconds(60)).build();

    private static long crc(byte[] data) {
        CRC32C crc = new CRC32C();
        crc.update(data);
        return crc.getValue();
    }

    private static long crc(ByteBuffer data) {
        CRC32C crc = new CRC32C();
        crc.update(data.duplicate());
        return crc.getValue();
    }

    /** Block size, LUN size, and the target's and initiator's transfer parameters. */
    static Stream<Arguments> geometries() {
        LoginOptions immediateAndUnsolicited = FAST.toBuilder().immediateData(true).initialR2T(false)
                .maxRecvDataSegmentLength(8192).build();
        LoginOptions r2tOnly = FAST.toBuilder().immediateData(false).initialR2T(true).maxBurstLength(65536)
                .firstBurstLength(8192).build();
        return Stream.of(
                Arguments.of(512, 40L << 20, FAST),
                Arguments.of(4096, 40L << 20, FAST),
                Arguments.of(512, (40L << 20) + 512 * 3, immediateAndUnsolicited),
                Arguments.of(4096, 48L << 20, r2tOnly));
    }

    @ParameterizedTest
    @MethodSource("geometries")
    void readsAndWritesOfEverySizeAtUnalignedLbas(int blockSize, long lunBytes, LoginOptions options)
            throws Exception {
        try (InProcessTarget target = InProcessTarget.builder().lun(lunBytes, blockSize)
                .configure(b -> b.maxRecvDataSegmentLength(16384)).start();
             IscsiSession session = target.connect(options)) {
            BlockDevice disk = session.lun(0);
            assertThat(disk.blockSize()).isEqualTo(blockSize);
            assertThat(disk.capacity()).isEqualTo(lunBytes);
            assertThat(disk.blockCount()).isEqualTo(lunBytes / blockSize);
            Random random = new Random(blockSize ^ lunBytes);
            int maxBlocks = (16 << 20) / blockSize;
            int[] counts = {1, 2, 3, 7, 8, 15, 16, 17, 127, 128, 129, 255, 256, 257, 2047, 2048, 2049, maxBlocks - 1,
                maxBlocks};
            for (int blocks : counts) {
                long lba = 1 + random.nextInt((int) Math.min(Integer.MAX_VALUE, disk.blockCount() - blocks - 1));
                if (lba % 2 == 0) {
                    lba++;
                }
                byte[] data = new byte[blocks * blockSize];
                random.nextBytes(data);
                disk.writeBlocking(lba, ByteBuffer.wrap(data));
                assertThat(crc(target.backstore(0).readBlocks(lba, blocks))).as("backstore after %d blocks at %d",
                        blocks, lba).isEqualTo(crc(data));
                // read into the middle of a larger buffer: the position is honoured and not moved
                ByteBuffer back = ByteBuffer.allocate(data.length + 3);
                back.position(3);
                disk.readBlocking(lba, back);
                assertThat(back.position()).isEqualTo(3);
                assertThat(crc(back.slice())).as("read of %d blocks at %d", blocks, lba).isEqualTo(crc(data));
            }
            // the last block, and a direct buffer
            ByteBuffer last = ByteBuffer.allocateDirect(blockSize);
            disk.readBlocking(disk.blockCount() - 1, last);
            assertThatThrownBy(() -> disk.readBlocking(disk.blockCount(), ByteBuffer.allocate(blockSize)))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> disk.writeBlocking(0, ByteBuffer.allocate(blockSize + 1)))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    /** Digests and the initiator's MaxRecvDataSegmentLength (odd ones give Data-In segments with padding). */
    static Stream<Arguments> dataInSegments() {
        return Stream.of(
                Arguments.of(false, false, 262144),
                Arguments.of(true, true, 262144),
                Arguments.of(true, true, 100_003),
                Arguments.of(false, true, 65_537),
                Arguments.of(true, false, 1 << 20));
    }

    /**
     * Data-In segments larger than one socket read are gathered straight into the caller's buffer (a direct one is
     * even read into by the socket); many such reads in flight into neighbouring parts of one buffer, with and
     * without digests and padding, each get exactly their bytes and nothing outside them changes.
     */
    @ParameterizedTest
    @MethodSource("dataInSegments")
    void largeReadsInFlightLandInTheirOwnPartOfDirectAndHeapBuffers(boolean headerDigest, boolean dataDigest,
                                                                    int maxRecvDataSegmentLength) throws Exception {
        LoginOptions options = FAST.toBuilder().headerDigest(headerDigest).dataDigest(dataDigest)
                .maxRecvDataSegmentLength(maxRecvDataSegmentLength).build();
        try (InProcessTarget target = InProcessTarget.builder().lun(64L << 20, 512).start();
             IscsiSession session = target.connect(options)) {
            BlockDevice disk = session.lun(0);
            byte[] image = new byte[64 << 20];
            new Random(maxRecvDataSegmentLength).nextBytes(image);
            disk.writeBlocking(0, ByteBuffer.wrap(image));
            int[] blocks = {2048, 2049, 4095, 1, 600, 8192, 3, 2047};
            for (boolean direct : new boolean[] {true, false}) {
                int total = 0;
                for (int b : blocks) {
                    total += b * 512 + 5; // a 5-byte gap after each read's part
                }
                ByteBuffer buffer = direct ? ByteBuffer.allocateDirect(total) : ByteBuffer.allocate(total);
                for (int i = 0; i < total; i++) {
                    buffer.put(i, (byte) 0x5A);
                }
                List<CompletableFuture<?>> reads = new ArrayList<>();
                int[] offsets = new int[blocks.length];
                long[] lbas = new long[blocks.length];
                int offset = 0;
                for (int i = 0; i < blocks.length; i++) {
                    offsets[i] = offset;
                    lbas[i] = 7L + 4099L * i;
                    ByteBuffer part = buffer.duplicate().position(offset).limit(offset + blocks[i] * 512).slice();
                    reads.add(disk.read(lbas[i], part).toCompletableFuture());
                    offset += blocks[i] * 512 + 5;
                }
                CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
                for (int i = 0; i < blocks.length; i++) {
                    int length = blocks[i] * 512;
                    ByteBuffer expected = ByteBuffer.wrap(image, (int) lbas[i] * 512, length);
                    ByteBuffer actual = buffer.duplicate().position(offsets[i]).limit(offsets[i] + length);
                    assertThat(actual.equals(expected)).as("%s read %d (%d blocks)", direct ? "direct" : "heap", i,
                            blocks[i]).isTrue();
                    for (int gap = 0; gap < 5; gap++) {
                        assertThat(buffer.get(offsets[i] + length + gap)).as("byte after read %d", i)
                                .isEqualTo((byte) 0x5A);
                    }
                }
            }
        }
    }

    @Test
    void aLunBeyondTwoTebibytesUses64BitLbas() throws Exception {
        long bytes = 3L << 40; // 3 TiB, thin: only written chunks take memory
        try (InProcessTarget target = InProcessTarget.builder().lun(bytes, 512).start();
             IscsiSession session = target.connect(FAST)) {
            BlockDevice disk = session.lun(0);
            assertThat(disk.capacity()).isEqualTo(bytes);
            assertThat(disk.blockCount()).isGreaterThan(0xFFFF_FFFFL);
            for (long lba : new long[] {(1L << 32) + 7, disk.blockCount() - 8}) {
                byte[] data = new byte[8 * 512];
                new Random(lba).nextBytes(data);
                disk.writeBlocking(lba, ByteBuffer.wrap(data));
                assertThat(target.backstore(0).readBlocks(lba, 8)).isEqualTo(data);
                ByteBuffer back = ByteBuffer.allocate(data.length);
                disk.readBlocking(lba, back);
                assertThat(back.array()).isEqualTo(data);
            }
        }
    }

    @Test
    void sixtyFourCommandsInFlight() throws Exception {
        try (InProcessTarget target = InProcessTarget.builder().lun(64L << 20).start();
             IscsiSession session = target.connect(FAST)) {
            BlockDevice disk = session.lun(0);
            int commands = 64;
            int blocks = 16;
            // hold the storage so every command is outstanding at once, then let them all go
            target.faults().stall();
            List<CompletableFuture<Void>> writes = new ArrayList<>();
            List<byte[]> payloads = new ArrayList<>();
            for (int i = 0; i < commands; i++) {
                byte[] data = new byte[blocks * 512];
                new Random(i).nextBytes(data);
                payloads.add(data);
                writes.add(disk.write(1 + (long) i * blocks * 3, ByteBuffer.wrap(data)).toCompletableFuture());
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (target.faults().stalledOperations() < commands && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(writes).noneMatch(CompletableFuture::isDone);
            assertThat(session.outstandingCommands()).isEqualTo(commands);
            // all 64 reached the storage at once: they were in flight together
            assertThat(target.faults().stalledOperations()).isEqualTo(commands);
            target.faults().releaseStalled();
            CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).get();
            List<CompletableFuture<Void>> reads = new ArrayList<>();
            List<ByteBuffer> buffers = new ArrayList<>();
            for (int i = 0; i < commands; i++) {
                ByteBuffer dst = ByteBuffer.allocate(blocks * 512);
                buffers.add(dst);
                reads.add(disk.read(1 + (long) i * blocks * 3, dst).toCompletableFuture());
            }
            CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)).get();
            for (int i = 0; i < commands; i++) {
                assertThat(crc(buffers.get(i))).isEqualTo(crc(payloads.get(i)));
                assertThat(crc(target.backstore(0).readBlocks(1 + (long) i * blocks * 3, blocks)))
                        .isEqualTo(crc(payloads.get(i)));
            }
            // the count drops as each stage completes, possibly just after a dependent stage ran
            long end = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (session.outstandingCommands() > 0 && System.nanoTime() < end) {
                Thread.sleep(5);
            }
            assertThat(session.outstandingCommands()).isZero();
        }
    }

    @Test
    void commandsBeyondTheCmdSnWindowWaitTheirTurn() throws Exception {
        try (InProcessTarget target = InProcessTarget.builder().configure(b -> b.commandWindow(4)).start();
             IscsiSession session = target.connect(FAST)) {
            BlockDevice disk = session.lun(0);
            List<CompletableFuture<Void>> writes = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                byte[] data = new byte[512];
                data[0] = (byte) i;
                writes.add(disk.write(i, ByteBuffer.wrap(data)).toCompletableFuture());
            }
            CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).get();
            for (int i = 0; i < 100; i++) {
                assertThat(target.backstore(0).readBlocks(i, 1)[0]).isEqualTo((byte) i);
            }
        }
    }

    @Test
    void anyCdbWithStatusSenseAndData() throws Exception {
        try (InProcessTarget target = InProcessTarget.builder().start();
             IscsiSession session = target.connect(FAST)) {
            ScsiResult inquiry = join(session.execute(ScsiRequest.read(0, new byte[] {0x12, 0, 0, 0, 96, 0}, 96)));
            assertThat(inquiry.isGood()).isTrue();
            assertThat(inquiry.data().remaining()).isBetween(36, 96);
            byte[] vendor = new byte[8];
            inquiry.data().get(8, vendor);
            assertThat(new String(vendor, StandardCharsets.US_ASCII)).isNotBlank();

            ScsiResult unknown = join(session.execute(ScsiRequest.noData(0, new byte[] {(byte) 0xC7, 0, 0, 0, 0, 0})));
            assertThat(unknown.status()).isEqualTo(ScsiResult.CHECK_CONDITION);
            assertThat(unknown.sense().senseKey()).isEqualTo(SenseData.ILLEGAL_REQUEST);
            assertThat(unknown.sense().asc()).isEqualTo(0x20); // INVALID COMMAND OPERATION CODE

            ScsiResult tur = join(session.execute(ScsiRequest.noData(0, new byte[6])));
            assertThat(tur.isGood()).isTrue();

            assertThat(join(session.reportLuns())).containsExactly(0);
        }
    }

    @Test
    void severalLunsReportedAndOpened() throws Exception {
        try (InProcessTarget target = InProcessTarget.builder().lun(8L << 20).lun(16L << 20, 4096).start();
             IscsiSession session = target.connect(FAST)) {
            assertThat(join(session.reportLuns())).containsExactly(0, 1);
            BlockDevice second = session.lun(1);
            assertThat(second.blockSize()).isEqualTo(4096);
            assertThat(second.capacity()).isEqualTo(16L << 20);
            InitiatorLoginTest.roundTrip(second, target);
        }
    }

    @Test
    void flushAndUnmapReachTheBackstore() throws Exception {
        try (InProcessTarget target = InProcessTarget.builder().start();
             IscsiSession session = target.connect(FAST)) {
            BlockDevice disk = session.lun(0);
            byte[] ones = new byte[4096];
            java.util.Arrays.fill(ones, (byte) 1);
            disk.writeBlocking(16, ByteBuffer.wrap(ones));
            target.backstore(0).clearCommands();
            disk.flushBlocking();
            assertThat(target.backstore(0).takeCommand(RecordedCommand.Type.FLUSH, Duration.ofSeconds(5))).isNotNull();
            disk.unmapBlocking(16, 8);
            RecordedCommand unmap = target.backstore(0).takeCommand(RecordedCommand.Type.UNMAP,
                    Duration.ofSeconds(5));
            assertThat(unmap).isNotNull();
            assertThat(unmap.lba()).isEqualTo(16);
            assertThat(target.backstore(0).readBlocks(16, 8)).containsOnly((byte) 0);
        }
    }

    @Test
    void aMediumErrorIsAScsiCommandException() throws Exception {
        try (InProcessTarget target = InProcessTarget.builder().start();
             IscsiSession session = target.connect(FAST)) {
            BlockDevice disk = session.lun(0);
            target.faults().mediumError(100, 1);
            assertThatThrownBy(() -> disk.readBlocking(99, ByteBuffer.allocate(4 * 512)))
                    .isInstanceOfSatisfying(ScsiCommandException.class, e -> {
                        assertThat(e.sense().senseKey()).isEqualTo(SenseData.MEDIUM_ERROR);
                        assertThat(e).hasMessageContaining("MEDIUM ERROR");
                    });
        }
    }
}
