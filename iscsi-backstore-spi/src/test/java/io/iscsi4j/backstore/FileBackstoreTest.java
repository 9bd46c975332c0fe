package io.iscsi4j.backstore;

import static io.iscsi4j.backstore.TestIo.failure;
import static io.iscsi4j.backstore.TestIo.pattern;
import static io.iscsi4j.backstore.TestIo.read;
import static io.iscsi4j.backstore.TestIo.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileBackstoreTest {

    private static final int BLOCK = 512;
    private static final long MIB = 1 << 20;

    @TempDir
    Path dir;

    @Test
    void createsMissingFileAtSize() throws Exception {
        Path path = dir.resolve("lun.img");

        try (Backstore backstore = Backstores.file(path, MIB, 4096)) {
            assertThat(Files.size(path)).isEqualTo(MIB);
            assertThat(backstore.blockSize()).isEqualTo(4096);
            assertThat(backstore.blockCount()).isEqualTo(256);
            assertThat(backstore.hasVolatileCache()).isTrue();
            assertThat(backstore.capabilities()).isEmpty();
            assertThat(read(backstore, 0, 4096).array()).containsOnly(0);
        }
    }

    @Test
    void dataSurvivesCloseAndReopen() throws Exception {
        Path path = dir.resolve("lun.img");
        ByteBuffer data = pattern(3 * BLOCK, 5);
        try (Backstore backstore = Backstores.file(path, MIB, BLOCK)) {
            write(backstore, 2047 - 2, data);
            assertThat(read(backstore, 2047 - 2, 3 * BLOCK)).isEqualTo(data);
            TestIo.await(backstore.flush());
        }

        try (Backstore reopened = Backstores.file(path, BLOCK)) {
            assertThat(reopened.blockCount()).isEqualTo(2048);
            ByteBuffer direct = ByteBuffer.allocateDirect(3 * BLOCK);
            TestIo.await(reopened.read(2047 - 2, direct));
            assertThat(direct.clear()).isEqualTo(data);
        }
    }

    @Test
    void fuaWriteIsInTheFileWhenItCompletes() throws Exception {
        Path path = dir.resolve("lun.img");
        ByteBuffer data = pattern(BLOCK, 8);
        try (Backstore backstore = Backstores.file(path, MIB, BLOCK)) {
            ByteBuffer src = data.duplicate();

            TestIo.await(backstore.write(10, src, true));

            assertThat(src.position()).isZero();
            byte[] file = Files.readAllBytes(path);
            assertThat(Arrays.copyOfRange(file, 10 * BLOCK, 11 * BLOCK)).isEqualTo(data.array());
        }
    }

    @Test
    void existingFileIsUsedAtItsSizeGrownOrRefused() throws Exception {
        Path path = dir.resolve("lun.img");
        Files.write(path, new byte[8 * BLOCK]);

        try (Backstore existing = Backstores.file(path, 0, BLOCK)) {
            assertThat(existing.blockCount()).isEqualTo(8);
        }
        try (Backstore grown = Backstores.file(path, 16 * BLOCK, BLOCK)) {
            assertThat(grown.blockCount()).isEqualTo(16);
            assertThat(Files.size(path)).isEqualTo(16 * BLOCK);
        }
        assertThatThrownBy(() -> Backstores.file(path, 4 * BLOCK, BLOCK))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("refusing to truncate");
        assertThat(Files.size(path)).isEqualTo(16 * BLOCK);
    }

    @Test
    void missingFileWithoutSizeIsRefused() {
        assertThatThrownBy(() -> Backstores.file(dir.resolve("missing.img"), BLOCK))
                .isInstanceOf(NoSuchFileException.class);
    }

    @Test
    void invalidArgumentsCreateNoFile() {
        Path path = dir.resolve("lun.img");

        assertThatThrownBy(() -> Backstores.file(path, 1000, BLOCK))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a multiple of the block size 512");
        assertThatThrownBy(() -> Backstores.file(path, MIB, 3000))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("power of two");
        assertThatThrownBy(() -> Backstores.file(path, MIB, BLOCK, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("thread count");
        assertThat(path).doesNotExist();
    }

    @Test
    void existingFileOfPartialBlocksIsRefused() throws Exception {
        Path path = dir.resolve("odd.img");
        Files.write(path, new byte[BLOCK + 1]);

        assertThatThrownBy(() -> Backstores.file(path, BLOCK))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a multiple");
    }

    @Test
    void readPastAShortenedFileFillsZeros() throws Exception {
        Path path = dir.resolve("lun.img");
        ByteBuffer data = pattern(2 * BLOCK, 3);
        try (Backstore backstore = Backstores.file(path, MIB, BLOCK)) {
            write(backstore, 0, data);
            try (FileChannel channel = FileChannel.open(path, StandardOpenOption.WRITE)) {
                channel.truncate(BLOCK);
            }

            ByteBuffer result = read(backstore, 0, 2 * BLOCK);

            assertThat(result.slice(0, BLOCK)).isEqualTo(data.slice(0, BLOCK));
            assertThat(Arrays.copyOfRange(result.array(), BLOCK, 2 * BLOCK)).containsOnly(0);
            assertThat(read(backstore, 2047, BLOCK).array()).containsOnly(0);
        }
    }

    @Test
    void outOfRangeAndPartialBlocksAreRefused() throws Exception {
        try (Backstore backstore = Backstores.file(dir.resolve("lun.img"), MIB, BLOCK)) {
            failure(backstore.read(2048, ByteBuffer.allocate(BLOCK)), LbaOutOfRangeException.class);
            failure(backstore.write(2047, ByteBuffer.allocate(2 * BLOCK), true), LbaOutOfRangeException.class);
            failure(backstore.write(0, ByteBuffer.allocate(10), false), IllegalArgumentException.class);
        }
    }

    @Test
    void ioRunsOnNamedDaemonThreads() throws Exception {
        try (Backstore backstore = Backstores.file(dir.resolve("lun.img"), MIB, BLOCK, 2)) {
            TestIo.await(backstore.flush());

            List<Thread> ioThreads = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().startsWith("iscsi4j-file-io-"))
                    .toList();
            assertThat(ioThreads).isNotEmpty().allMatch(Thread::isDaemon);
        }
    }

    @Test
    void closeWaitsForInFlightIoAndIsIdempotent() throws Exception {
        Backstore backstore = Backstores.file(dir.resolve("lun.img"), 16 * MIB, BLOCK, 1);
        List<CompletableFuture<Void>> writes = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            writes.add(backstore.write(i * 256L, pattern(256 * BLOCK, i), i % 8 == 0).toCompletableFuture());
        }

        backstore.close();

        assertThat(writes).allMatch(w -> w.isDone() && !w.isCompletedExceptionally());
        backstore.close();
        failure(backstore.read(0, ByteBuffer.allocate(BLOCK)), NotReadyException.class);
        failure(backstore.flush(), NotReadyException.class);
    }

    @Test
    void closeFromACompletionCallbackDoesNotDeadlock() throws Exception {
        Backstore backstore = Backstores.file(dir.resolve("lun.img"), 16 * MIB, BLOCK, 1);
        backstore.write(0, pattern(16 * (int) MIB, 1), true);
        CompletableFuture<Void> closed = new CompletableFuture<>();

        CompletionStage<Void> flush = backstore.flush();
        flush.whenComplete((ignored, error) -> {
            try {
                backstore.close();
                closed.complete(null);
            } catch (IOException | RuntimeException e) {
                closed.completeExceptionally(e);
            }
        });

        closed.get(10, TimeUnit.SECONDS);
        failure(backstore.write(0, ByteBuffer.allocate(BLOCK), false), NotReadyException.class);
    }

    @Test
    void aFailedForceFailsEveryLaterFlushAndFuaWriteUntilReopened() throws Exception {
        Path path = dir.resolve("lun.img");
        AtomicInteger failuresToInject = new AtomicInteger();
        AtomicInteger forces = new AtomicInteger();
        FileBackstore.Forcer failing = (p, channel, metaData) -> {
            forces.incrementAndGet();
            if (failuresToInject.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new IOException("injected write-back error (EIO)");
            }
            channel.force(metaData);
        };
        try (Backstore backstore = FileBackstore.open(path, MIB, BLOCK, 2, failing)) {
            write(backstore, 0, pattern(BLOCK, 1));
            TestIo.await(backstore.flush());
            failuresToInject.set(1);

            IOException first = failure(backstore.flush(), IOException.class);

            assertThat(first).hasMessageContaining("injected");
            assertThat(failuresToInject.get()).as("the injected failure was used").isZero();
            int forcesBefore = forces.get();
            IOException later = failure(backstore.flush(), IOException.class);
            assertThat(later).isNotInstanceOf(BackstoreException.class)
                    .hasMessageContaining("earlier force")
                    .hasRootCauseMessage("injected write-back error (EIO)");
            MediumErrorException fua = failure(backstore.write(7, pattern(BLOCK, 2), true), MediumErrorException.class);
            assertThat(fua.lba()).isEqualTo(7);
            assertThat(fua).hasRootCauseMessage("injected write-back error (EIO)");
            assertThat(forces.get()).as("no force reached the file: it could falsely succeed")
                    .isEqualTo(forcesBefore);
            failure(backstore.flush(), IOException.class);

            ByteBuffer plain = pattern(BLOCK, 3);
            write(backstore, 8, plain);
            assertThat(read(backstore, 8, BLOCK)).as("writes without FUA and reads still work").isEqualTo(plain);
            assertThat(read(backstore, 7, BLOCK)).as("the failed FUA write's data").isEqualTo(pattern(BLOCK, 2));
        }

        try (Backstore reopened = FileBackstore.open(path, 0, BLOCK, 2, failing)) {
            TestIo.await(reopened.flush());
            TestIo.await(reopened.write(9, pattern(BLOCK, 4), true));
            assertThat(read(reopened, 8, BLOCK)).isEqualTo(pattern(BLOCK, 3));
        }
    }

    @Test
    void aFailedFuaForceFailsLaterFlushes() throws Exception {
        AtomicInteger failuresToInject = new AtomicInteger();
        FileBackstore.Forcer failing = (p, channel, metaData) -> {
            if (failuresToInject.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                throw new IOException("injected");
            }
            channel.force(metaData);
        };
        try (Backstore backstore = FileBackstore.open(dir.resolve("lun.img"), MIB, BLOCK, 1, failing)) {
            failuresToInject.set(1);

            failure(backstore.write(3, pattern(BLOCK, 1), true), MediumErrorException.class);

            failure(backstore.flush(), IOException.class);
            failure(backstore.writeSame(0, 4, pattern(BLOCK, 2), true), MediumErrorException.class);
            TestIo.await(backstore.writeSame(0, 4, pattern(BLOCK, 2), false));
        }
    }

    @Test
    void aForceThatSucceedsWhileAnotherFailsFailsToo() throws Exception {
        AtomicInteger fileForces = new AtomicInteger();
        CountDownLatch firstStarted = new CountDownLatch(1);
        CountDownLatch secondFailed = new CountDownLatch(1);
        FileBackstore.Forcer forcer = (p, channel, metaData) -> {
            if (!p.endsWith("lun.img")) {
                channel.force(metaData); // the directory, while opening
                return;
            }
            if (fileForces.incrementAndGet() == 1) {
                firstStarted.countDown();
                try {
                    secondFailed.await();
                } catch (InterruptedException e) {
                    throw new InterruptedIOException();
                }
                channel.force(metaData); // succeeds: the kernel reported the error to the other caller only
            } else {
                throw new IOException("injected");
            }
        };
        try (Backstore backstore = FileBackstore.open(dir.resolve("lun.img"), MIB, BLOCK, 2, forcer)) {
            CompletionStage<Void> first = backstore.flush();
            assertThat(firstStarted.await(10, TimeUnit.SECONDS)).isTrue();

            failure(backstore.flush(), IOException.class);
            secondFailed.countDown();

            assertThat(failure(first, IOException.class)).hasMessageContaining("earlier force");
        }
    }

    @Test
    void creatingTheFileForcesItsDirectory() throws Exception {
        Path path = dir.resolve("lun.img");
        List<String> forced = new CopyOnWriteArrayList<>();
        FileBackstore.Forcer recording = (p, channel, metaData) -> {
            forced.add(p + (metaData ? " with metadata" : ""));
            channel.force(metaData);
        };

        FileBackstore.open(path, MIB, BLOCK, 1, recording).close();
        assertThat(forced).as("the image's directory entry, then the identity file and its entry").hasSize(3);
        assertThat(forced.get(0)).isEqualTo(dir.toAbsolutePath() + " with metadata");
        assertThat(forced.get(1)).startsWith(dir.resolve("lun.img.iscsi4j-id.tmp-").toString()).endsWith("with metadata");
        assertThat(forced.get(2)).isEqualTo(dir.toAbsolutePath() + " with metadata");

        forced.clear();
        FileBackstore.open(path, 2 * MIB, BLOCK, 1, recording).close();
        FileBackstore.open(path, 0, BLOCK, 1, recording).close();
        assertThat(forced).as("an existing file, grown or not, needs no directory force").isEmpty();
    }

    @Test
    void aFailedDirectoryForceFailsTheOpen() throws Exception {
        Path path = dir.resolve("lun.img");
        FileBackstore.Forcer failing = (p, channel, metaData) -> {
            throw new IOException("injected directory fsync failure");
        };

        assertThatThrownBy(() -> FileBackstore.open(path, MIB, BLOCK, 1, failing))
                .isInstanceOf(IOException.class)
                .hasMessage("injected directory fsync failure");
        assertThat(path).as("removed, so that the next open creates it and forces the directory").doesNotExist();
    }

    @Test
    void aFullFileSystemIsOutOfSpaceNotAMediumError() throws Exception {
        java.nio.file.Path full = java.nio.file.Path.of("/dev/full");
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isWritable(full), "/dev/full (Linux)");
        try (java.nio.channels.FileChannel c = java.nio.channels.FileChannel.open(full,
                java.nio.file.StandardOpenOption.WRITE)) {
            java.io.IOException e = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
                    () -> c.write(java.nio.ByteBuffer.allocate(512)));
            org.assertj.core.api.Assertions.assertThat(FileBackstore.isOutOfSpace(e)).as(e.getMessage()).isTrue();
        }
        org.assertj.core.api.Assertions.assertThat(FileBackstore.isOutOfSpace(new java.io.IOException("Input/output error")))
                .isFalse();
    }

    // ---- identity ----

    @Test
    void theImageKeepsItsSerialAcrossCloseAndReopenInAnIdentityFile() throws Exception {
        Path path = dir.resolve("lun.img");
        String serial;
        try (Backstore backstore = Backstores.file(path, MIB, BLOCK)) {
            serial = backstore.unitSerialNumber();
        }
        assertThat(serial).matches("[0-9a-f]{32}");
        assertThat(Files.readString(dir.resolve("lun.img.iscsi4j-id"))).isEqualTo(serial + "\n");
        assertThat(dir.toFile().list()).as("no temporary file left")
                .containsExactlyInAnyOrder("lun.img", "lun.img.iscsi4j-id");
        try (Backstore reopened = Backstores.file(path, 0, BLOCK);
             Backstore readOnly = Backstores.readOnly(Backstores.file(path, 0, BLOCK))) {
            assertThat(reopened.unitSerialNumber()).isEqualTo(serial);
            assertThat(readOnly.unitSerialNumber()).isEqualTo(serial);
        }
        try (Backstore named = Backstores.open("file:path=" + path)) {
            assertThat(named.unitSerialNumber()).isEqualTo(serial);
        }
    }

    @Test
    void differentImagesHaveDifferentSerialsAndACopyWithoutItsIdentityFileIsANewDevice() throws Exception {
        Path a = dir.resolve("a.img");
        Path b = dir.resolve("b.img");
        String serialA;
        try (Backstore one = Backstores.file(a, MIB, BLOCK); Backstore two = Backstores.file(b, MIB, BLOCK)) {
            serialA = one.unitSerialNumber();
            assertThat(two.unitSerialNumber()).isNotEqualTo(serialA).matches("[0-9a-f]{32}");
        }
        Path copy = dir.resolve("copy.img");
        Files.copy(a, copy);
        try (Backstore c = Backstores.file(copy, 0, BLOCK)) {
            assertThat(c.unitSerialNumber()).isNotEqualTo(serialA);
        }
        // An image moved together with its identity file keeps its identity.
        Path moved = Files.createDirectory(dir.resolve("moved")).resolve("a.img");
        Files.move(a, moved);
        Files.move(dir.resolve("a.img.iscsi4j-id"), dir.resolve("moved/a.img.iscsi4j-id"));
        try (Backstore m = Backstores.file(moved, 0, BLOCK)) {
            assertThat(m.unitSerialNumber()).isEqualTo(serialA);
        }
    }

    @Test
    void aDamagedIdentityFileFailsTheOpenNamingIt() throws Exception {
        Path path = dir.resolve("lun.img");
        Backstores.file(path, MIB, BLOCK).close();
        Path id = dir.resolve("lun.img.iscsi4j-id");
        String before = Files.readString(id);
        Files.writeString(id, before.substring(0, 17)); // truncated

        assertThatThrownBy(() -> Backstores.file(path, 0, BLOCK)).isInstanceOf(IOException.class)
                .hasMessageContaining(id.toString()).hasMessageContaining("damaged");
        assertThat(Files.readString(id)).as("not replaced").isEqualTo(before.substring(0, 17));

        Files.writeString(id, "not-an-identity-not-an-identity!\n");
        assertThatThrownBy(() -> Backstores.file(path, 0, BLOCK)).isInstanceOf(IOException.class)
                .hasMessageContaining(id.toString());
        Files.delete(id);
        try (Backstore fresh = Backstores.file(path, 0, BLOCK)) {
            assertThat(fresh.unitSerialNumber()).as("deleting it gives the image a new identity")
                    .isNotEqualTo(before.strip()).matches("[0-9a-f]{32}");
        }
    }

    @Test
    void anIdentityFileThatCannotBeCreatedLeavesTheImageWithoutIdentity() throws Exception {
        Path path = dir.resolve("lun.img");
        Backstores.file(path, MIB, BLOCK).close();
        Files.delete(dir.resolve("lun.img.iscsi4j-id"));
        // As on a read-only file system: writing the identity file fails (the process runs as root in CI, so a
        // read-only directory would not stop it).
        FileBackstore.Forcer failing = (p, channel, metaData) -> {
            if (p.getFileName().toString().contains(".iscsi4j-id")) {
                throw new IOException("injected: read-only file system");
            }
            channel.force(metaData);
        };
        try (Backstore backstore = FileBackstore.open(path, 0, BLOCK, 1, failing)) {
            assertThat(backstore.unitSerialNumber()).isNull();
            write(backstore, 0, pattern(BLOCK, 1));
            assertThat(read(backstore, 0, BLOCK)).isEqualTo(pattern(BLOCK, 1));
        }
        assertThat(dir.toFile().list()).containsExactly("lun.img");
    }

    @Test
    void twoOpenersRacingAgreeOnOneIdentity() throws Exception {
        Path path = dir.resolve("lun.img");
        Backstores.file(path, MIB, BLOCK).close();
        for (int round = 0; round < 20; round++) {
            Files.delete(dir.resolve("lun.img.iscsi4j-id"));
            CompletableFuture<String> a = CompletableFuture.supplyAsync(() -> serialOf(path));
            CompletableFuture<String> b = CompletableFuture.supplyAsync(() -> serialOf(path));
            assertThat(a.get(10, TimeUnit.SECONDS)).isEqualTo(b.get(10, TimeUnit.SECONDS))
                    .isEqualTo(Files.readString(dir.resolve("lun.img.iscsi4j-id")).strip());
        }
    }

    private static String serialOf(Path path) {
        try (Backstore b = Backstores.file(path, 0, BLOCK)) {
            return b.unitSerialNumber();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
