package io.iscsi4j.backstore.rbd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.iscsi4j.backstore.Backstore;
import io.iscsi4j.backstore.Backstores;
import io.iscsi4j.backstore.MiscompareException;
import io.iscsi4j.backstore.ProvisioningExtent;
import io.iscsi4j.backstore.WriteProtectedException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link RbdBackstore} against a real cluster: every operation, checked with librbd and with {@code rbd export}. */
class RbdBackstoreTest {

    private static final int MIB = 1 << 20;

    private String image;
    private RbdBackstore store;

    @BeforeEach
    void open() throws IOException {
        image = CephCluster.createImage(16L * MIB);
        store = RbdBackstore.builder().conf(CephCluster.conf()).image(image).open();
    }

    @AfterEach
    void close() {
        if (store != null) {
            store.close();
        }
        if (image != null) {
            CephCluster.removeImage(image);
        }
    }

    private static <T> T await(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    private static byte[] random(int length, long seed) {
        byte[] b = new byte[length];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void geometryAndIdentity() throws IOException {
        assertThat(store.blockSize()).isEqualTo(512);
        assertThat(store.blockCount()).isEqualTo(16L * MIB / 512);
        assertThat(store.isReadOnly()).isFalse();
        assertThat(store.unitSerialNumber()).matches("[0-9a-f]{32}");
        // Every process serving the image reports the same identity; another image has another.
        try (RbdBackstore again = RbdBackstore.builder().conf(CephCluster.conf()).image(image).open()) {
            assertThat(again.unitSerialNumber()).isEqualTo(store.unitSerialNumber());
        }
        String other = CephCluster.createImage(MIB);
        try (RbdBackstore second = RbdBackstore.builder().conf(CephCluster.conf()).image(other).open()) {
            assertThat(second.unitSerialNumber()).isNotEqualTo(store.unitSerialNumber());
        } finally {
            CephCluster.removeImage(other);
        }
    }

    @Test
    void writesAndReadsDirectAndHeapBuffersAtAPosition() throws Exception {
        byte[] data = random(64 * 1024, 1);
        ByteBuffer direct = ByteBuffer.allocateDirect(100 + data.length);
        direct.position(100);
        direct.put(data).flip().position(100);
        await(store.write(8, direct, false));
        ByteBuffer heap = ByteBuffer.allocate(7 + data.length);
        heap.position(7);
        await(store.read(8, heap));
        assertThat(Arrays.copyOfRange(heap.array(), 7, 7 + data.length)).isEqualTo(data);

        byte[] second = random(4096, 2);
        await(store.write(1000, ByteBuffer.wrap(second).asReadOnlyBuffer(), true));
        ByteBuffer back = ByteBuffer.allocateDirect(4096);
        await(store.read(1000, back));
        byte[] got = new byte[4096];
        back.get(0, got);
        assertThat(got).isEqualTo(second);
        await(store.flush());

        byte[] medium = CephCluster.export(image);
        assertThat(Arrays.copyOfRange(medium, 8 * 512, 8 * 512 + data.length)).isEqualTo(data);
        assertThat(Arrays.copyOfRange(medium, 1000 * 512, 1000 * 512 + 4096)).isEqualTo(second);
    }

    @Test
    void unmapReadsZerosEvenInsideAnObject() throws Exception {
        byte[] data = random(256 * 1024, 3);
        await(store.write(0, ByteBuffer.wrap(data), false));
        await(store.unmap(16, 8)); // 4 KiB in the middle of the first 4 MiB object
        ByteBuffer back = ByteBuffer.allocate(data.length);
        await(store.read(0, back));
        byte[] expected = data.clone();
        Arrays.fill(expected, 16 * 512, 24 * 512, (byte) 0);
        assertThat(back.array()).isEqualTo(expected);
        assertThat(store.capabilities()).contains(io.iscsi4j.backstore.BackstoreCapability.UNMAP);
    }

    @Test
    void writeSameRepeatsTheBlock() throws Exception {
        byte[] block = random(512, 4);
        await(store.writeSame(100, 300, ByteBuffer.wrap(block), false));
        byte[] medium = CephCluster.export(image);
        for (int i = 0; i < 300; i++) {
            assertThat(Arrays.copyOfRange(medium, (100 + i) * 512, (101 + i) * 512)).isEqualTo(block);
        }
        assertThat(Arrays.copyOfRange(medium, 99 * 512, 100 * 512)).containsOnly(0);
        assertThat(Arrays.copyOfRange(medium, 400 * 512, 401 * 512)).containsOnly(0);
    }

    @Test
    void compareAndWriteOfOneSectorIsNativeAndReportsTheFirstDifference() throws Exception {
        byte[] old = random(512, 5);
        await(store.write(50, ByteBuffer.wrap(old), false));
        byte[] fresh = random(512, 6);
        await(store.compareAndWrite(50, ByteBuffer.wrap(old), ByteBuffer.wrap(fresh), false));
        assertThat(Arrays.copyOfRange(CephCluster.export(image), 50 * 512, 51 * 512)).isEqualTo(fresh);

        byte[] wrong = fresh.clone();
        wrong[300] ^= 1;
        byte[] other = random(512, 7);
        ByteBuffer directData = ByteBuffer.allocateDirect(512).put(other).flip();
        assertThatThrownBy(() -> await(store.compareAndWrite(50, ByteBuffer.wrap(wrong), directData, true)))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOfSatisfying(MiscompareException.class,
                        e -> assertThat(e.offset()).isEqualTo(300));
        assertThat(Arrays.copyOfRange(CephCluster.export(image), 50 * 512, 51 * 512)).isEqualTo(fresh);
    }

    @Test
    void compareAndWriteOfSeveralBlocksStillComparesBeforeWriting() throws Exception {
        byte[] old = random(4096, 10);
        await(store.write(64, ByteBuffer.wrap(old), false));
        byte[] fresh = random(4096, 11);
        byte[] wrong = old.clone();
        wrong[4000] ^= 1;
        assertThatThrownBy(() -> await(store.compareAndWrite(64, ByteBuffer.wrap(wrong), ByteBuffer.wrap(fresh),
                false)))
                .cause().isInstanceOfSatisfying(MiscompareException.class,
                        e -> assertThat(e.offset()).isEqualTo(4000));
        assertThat(Arrays.copyOfRange(CephCluster.export(image), 64 * 512, 64 * 512 + 4096)).isEqualTo(old);
        await(store.compareAndWrite(64, ByteBuffer.wrap(old), ByteBuffer.wrap(fresh), false));
        assertThat(Arrays.copyOfRange(CephCluster.export(image), 64 * 512, 64 * 512 + 4096)).isEqualTo(fresh);
    }

    @Test
    void provisioningStatusFollowsWritesAndUnmaps() throws Exception {
        List<ProvisioningExtent> empty = await(store.provisioningStatus(0, store.blockCount()));
        assertThat(empty).containsExactly(new ProvisioningExtent(0, store.blockCount(), true));

        await(store.write(8192, ByteBuffer.wrap(random(64 * 1024, 8)), false)); // 4 MiB .. 4 MiB + 64 KiB
        List<ProvisioningExtent> one = await(store.provisioningStatus(0, store.blockCount()));
        assertThat(one).filteredOn(e -> !e.deallocated()).hasSize(1)
                .first().satisfies(e -> {
                    assertThat(e.lba()).isLessThanOrEqualTo(8192);
                    assertThat(e.end()).isGreaterThanOrEqualTo(8192 + 128);
                });
        assertThat(one.get(0).lba()).isZero();
        assertThat(one.get(one.size() - 1).end()).isEqualTo(store.blockCount());

        await(store.unmap(8192, 8192)); // the whole object
        List<ProvisioningExtent> after = await(store.provisioningStatus(0, store.blockCount()));
        assertThat(after).containsExactly(new ProvisioningExtent(0, store.blockCount(), true));
    }

    @Test
    void resizeByAnotherClientChangesTheBlockCountAndTellsTheListener() throws Exception {
        CountDownLatch told = new CountDownLatch(1);
        store.onCapacityChange(told::countDown);
        CephCluster.rbd("resize", "--no-progress", "--size", "32M", "rbd/" + image);
        assertThat(told.await(30, TimeUnit.SECONDS)).as("capacity listener called").isTrue();
        assertThat(store.blockCount()).isEqualTo(32L * MIB / 512);
    }

    @Test
    void aSnapshotIsReadOnly() throws Exception {
        byte[] data = random(4096, 9);
        await(store.write(0, ByteBuffer.wrap(data), true));
        CephCluster.rbd("snap", "create", "rbd/" + image + "@s1");
        try (RbdBackstore snap = RbdBackstore.builder().conf(CephCluster.conf()).image(image).snapshot("s1").open()) {
            assertThat(snap.isReadOnly()).isTrue();
            assertThat(snap.capabilities()).isEmpty();
            ByteBuffer back = ByteBuffer.allocate(4096);
            await(snap.read(0, back));
            assertThat(back.array()).isEqualTo(data);
            assertThatThrownBy(() -> await(snap.write(0, ByteBuffer.wrap(data), false)))
                    .cause().isInstanceOf(WriteProtectedException.class);
        } finally {
            CephCluster.rbd("snap", "purge", "--no-progress", "rbd/" + image);
        }
    }

    @Test
    void theProviderOpensASpecAndNamesBadOptions() throws Exception {
        try (Backstore b = Backstores.open("rbd:pool=rbd,image=" + image + ",conf=" + CephCluster.conf()
                + ",blockSize=4096")) {
            assertThat(b).isInstanceOf(RbdBackstore.class);
            assertThat(b.blockSize()).isEqualTo(4096);
            assertThat(b.blockCount()).isEqualTo(16L * MIB / 4096);
        }
        assertThatThrownBy(() -> Backstores.open("rbd:image=" + image + ",colour=blue"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("colour");
        assertThatThrownBy(() -> Backstores.open("rbd:pool=rbd"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("image");
        assertThatThrownBy(() -> RbdBackstore.builder().conf(CephCluster.conf()).image("no-such-image").open())
                .isInstanceOf(IOException.class).hasMessageContaining("no-such-image").hasMessageContaining("ENOENT");
    }

    @Test
    void aBlocklistedClientIsNotReady() throws Exception {
        try (RbdBackstore fenced = RbdBackstore.builder().conf(CephCluster.conf()).image(image).timeoutSeconds(15)
                .open()) {
            await(fenced.write(0, ByteBuffer.wrap(random(4096, 12)), true));
            String address = fenced.clientAddress();
            String entry = address.replaceAll("^\\[(v2:)?", "").replaceAll("[,\\]].*$", "");
            CephCluster.run("ceph", "osd", "blocklist", "add", entry);
            try {
                assertThatThrownBy(() -> await(fenced.write(0, ByteBuffer.wrap(random(4096, 13)), true)))
                        .as("a write after %s was blocklisted", entry)
                        .cause().isInstanceOf(io.iscsi4j.backstore.NotReadyException.class);
            } finally {
                CephCluster.run("ceph", "osd", "blocklist", "rm", entry);
            }
            // Once fenced, always fenced: with the entry gone (or expired) the client still does not write.
            assertThatThrownBy(() -> await(fenced.write(0, ByteBuffer.wrap(random(4096, 16)), true)))
                    .as("a write after the blocklist entry was removed")
                    .cause().isInstanceOf(io.iscsi4j.backstore.NotReadyException.class)
                    .hasMessageContaining("blocklisted");
        }
        ByteBuffer back = ByteBuffer.allocate(4096);
        await(store.read(0, back));
        assertThat(back.array()).as("the fenced client's later writes never landed").isEqualTo(random(4096, 12));
    }

    @Test
    void aFencedClientStaysFencedEvenWithoutAnExclusiveLock() throws Exception {
        // Without the exclusive-lock feature librbd itself does not remember that its client was blocklisted.
        String plain = "test-plain-" + Long.toHexString(System.nanoTime());
        CephCluster.rbd("create", "--size", "1M", "--image-feature", "layering", "rbd/" + plain);
        // Cache off, as for every gateway of several (sharedState()): with librbd's cache on, a FUA write made while
        // the blocklist entry reaches the OSDs was seen acknowledged without landing (the cache's flush reported
        // success, its writeback was refused), which is the fenced client's loss, not the survivors'.
        try (RbdBackstore fenced = RbdBackstore.builder().conf(CephCluster.conf()).image(plain).timeoutSeconds(15)
                .option("rbd_cache", "false").open()) {
            byte[] landed = random(4096, 17);
            byte[] refused = null;
            await(fenced.write(0, ByteBuffer.wrap(landed), true));
            String entry = fenced.clientAddress().replaceAll("^\\[(v2:)?", "").replaceAll("[,\\]].*$", "");
            CephCluster.run("ceph", "osd", "blocklist", "add", entry);
            try {
                // The command returns before the OSD has the map with the entry: write until it refuses.
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                for (long seed = 100; ; seed++) {
                    byte[] data = random(4096, seed);
                    try {
                        await(fenced.write(0, ByteBuffer.wrap(data), true));
                        landed = data;
                    } catch (ExecutionException e) {
                        assertThat(e.getCause()).isInstanceOf(io.iscsi4j.backstore.NotReadyException.class);
                        refused = data; // a failed write may have landed (its flush, FUA, was refused)
                        break;
                    }
                    assertThat(System.nanoTime()).as("the blocklist took effect").isLessThan(deadline);
                    Thread.sleep(100);
                }
            } finally {
                CephCluster.run("ceph", "osd", "blocklist", "rm", entry);
            }
            assertThatThrownBy(() -> await(fenced.write(0, ByteBuffer.wrap(random(4096, 19)), true)))
                    .as("a write after the blocklist entry was removed")
                    .cause().isInstanceOf(io.iscsi4j.backstore.NotReadyException.class)
                    .hasMessageContaining("blocklisted");
            try (RbdBackstore reader = RbdBackstore.builder().conf(CephCluster.conf()).image(plain).open()) {
                ByteBuffer back = ByteBuffer.allocate(4096);
                await(reader.read(0, back));
                assertThat(back.array()).as("only the writes before the fence landed (or the first one refused)")
                        .isIn(landed, refused);
            }
        } finally {
            CephCluster.removeImage(plain);
        }
    }

    @Test
    void aClusterThatStopsAnsweringEndsCallsNotReadyAfterTheTimeout() throws Exception {
        long osd = CephCluster.osdPid();
        try (RbdBackstore bounded = RbdBackstore.builder().conf(CephCluster.conf()).image(image).timeoutSeconds(3)
                .open()) {
            await(bounded.write(0, ByteBuffer.wrap(random(4096, 14)), true));
            CephCluster.run("kill", "-STOP", Long.toString(osd));
            long started = System.nanoTime();
            try {
                // A durable write must reach the OSD (a read might be served from librbd's cache or object map).
                assertThatThrownBy(() -> await(bounded.write(20_000, ByteBuffer.wrap(random(4096, 15)), true)))
                        .as("a FUA write while the only OSD is stopped")
                        .cause().isInstanceOf(io.iscsi4j.backstore.NotReadyException.class)
                        .hasMessageContaining("ETIMEDOUT");
            } finally {
                CephCluster.run("kill", "-CONT", Long.toString(osd));
            }
            assertThat(System.nanoTime() - started).as("failed within the timeout, not after a hang")
                    .isLessThan(TimeUnit.SECONDS.toNanos(20));
            ByteBuffer back = ByteBuffer.allocate(4096);
            await(bounded.read(0, back));
            assertThat(back.array()).as("served again once the OSD answers").isEqualTo(random(4096, 14));
        }
    }

    @Test
    void aClosedBackstoreFailsNewCallsWithoutCrashing() throws Exception {
        RbdBackstore closed = RbdBackstore.builder().conf(CephCluster.conf()).image(image).open();
        closed.close();
        closed.close(); // idempotent
        assertThatThrownBy(() -> await(closed.read(0, ByteBuffer.allocate(512))))
                .cause().isInstanceOf(io.iscsi4j.backstore.NotReadyException.class);
        // The synchronous calls are refused too: none reaches librbd after rbd_close (it would crash the JVM).
        assertThatThrownBy(() -> await(closed.provisioningStatus(0, 8)))
                .cause().isInstanceOf(IOException.class).hasMessageContaining("closed");
        assertThatThrownBy(closed::clientAddress).isInstanceOf(IOException.class).hasMessageContaining("closed");
    }
}
