package io.iscsi4j.it;

import io.iscsi4j.IscsiTarget;
import io.iscsi4j.LunStatistics;
import io.iscsi4j.backstore.Backstore;
import io.iscsi4j.backstore.Backstores;
import io.iscsi4j.backstore.ForwardingBackstore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Targets and LUNs added, removed and resized while sessions run; per-LUN statistics. */
@Timeout(60)
class RuntimeChangesTest {

    private static final int UNIT_ATTENTION = 6;
    private static final int ILLEGAL_REQUEST = 5;
    private static final String OTHER_IQN = "iqn.2026-11.io.iscsi4j:other";

    /** A memory backstore whose block count can change, which remembers whether it was closed. */
    static final class ResizableBackstore extends ForwardingBackstore {
        final AtomicLong blocks;
        final AtomicBoolean closed = new AtomicBoolean();
        /** What the target registered through {@link #onCapacityChange}, in order. */
        final List<Runnable> capacityListeners = new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override
        public void onCapacityChange(Runnable listener) {
            capacityListeners.add(listener);
        }

        /** Storage resized underneath the target, as another process would: the new count, then the listeners. */
        void resizeUnderneath(long newBlocks) {
            blocks.set(newBlocks);
            capacityListeners.forEach(Runnable::run);
        }

        ResizableBackstore(long capacityBytes, long initialBlocks) {
            super(Backstores.memory(capacityBytes));
            this.blocks = new AtomicLong(initialBlocks);
        }

        @Override
        public long blockCount() {
            return blocks.get();
        }

        @Override
        public void close() throws IOException {
            closed.set(true);
            super.close();
        }
    }

    static ScsiResult testUnitReady(TestInitiator ini, int lun) throws IOException {
        return ini.execute(lun, new byte[6], 0, null);
    }

    static List<Integer> reportLuns(TestInitiator ini) throws IOException {
        byte[] cdb = new byte[12];
        cdb[0] = (byte) 0xA0;
        cdb[9] = (byte) 0x80; // allocation length 128
        ScsiResult r = ini.execute(0, cdb, 128, null);
        assertThat(r.good()).as("REPORT LUNS %s", r).isTrue();
        ByteBuffer b = ByteBuffer.wrap(r.data());
        int length = b.getInt(0);
        List<Integer> luns = new ArrayList<>();
        for (int i = 8; i < 8 + length; i += 8) {
            int first2 = b.getShort(i) & 0xFFFF;
            luns.add(first2 & 0x3FFF);
        }
        return luns;
    }

    static long readCapacityBlocks(TestInitiator ini) throws IOException {
        ScsiResult r = ini.readCapacity16();
        assertThat(r.good()).as("READ CAPACITY (16) %s", r).isTrue();
        return ByteBuffer.wrap(r.data()).getLong(0) + 1;
    }

    static void assertSense(ScsiResult r, int key, int asc, int ascq) {
        assertThat(r.status()).as("CHECK CONDITION: %s", r).isEqualTo(ScsiResult.CHECK_CONDITION);
        assertThat(new int[] {r.senseKey(), r.asc(), r.ascq()}).as("sense of %s", r)
                .containsExactly(key, asc, ascq);
    }

    @Test
    void addedLunAppearsAfterReportedLunsDataHasChanged() throws Exception {
        try (IscsiTarget target = Targets.start();
             TestInitiator ini = Targets.login(target, Map.of())) {
            assertThat(testUnitReady(ini, 0).good()).isTrue();
            assertThat(reportLuns(ini)).containsExactly(0);

            target.target(Targets.IQN).addLun(3, Backstores.memory(1 << 20));

            assertSense(testUnitReady(ini, 0), UNIT_ATTENTION, 0x3F, 0x0E);
            assertThat(testUnitReady(ini, 0).good()).as("the unit attention is reported once").isTrue();
            assertThat(reportLuns(ini)).containsExactly(0, 3);
            byte[] data = Targets.pattern(512, 3);
            byte[] write = new byte[10];
            write[0] = 0x2A;
            write[8] = 1;
            assertThat(ini.execute(3, write, 0, data).good()).isTrue();
            byte[] read = write.clone();
            read[0] = 0x28;
            assertThat(ini.execute(3, read, 512, null).data()).isEqualTo(data);
            assertThat(target.targets().get(0).luns()).extracting(l -> l.lun()).containsExactly(0, 3);
        }
    }

    @Test
    void aLunAddedAtRunTimeIsReadOnlyThroughAReadOnlyAclAndWritableThroughAMapping() throws Exception {
        try (IscsiTarget target = IscsiTarget.builder()
                .portal("127.0.0.1", 0)
                .target(Targets.IQN, t -> t.lun(0, Backstores.memory(Targets.LUN_SIZE))
                        .acl(TestInitiator.INITIATOR_NAME, a -> a.readOnly()))
                .build().start();
             TestInitiator ini = Targets.login(target, Map.of())) {
            assertThat(testUnitReady(ini, 0).good()).isTrue();

            target.target(Targets.IQN).addLun(2, Backstores.memory(1 << 20));

            assertSense(testUnitReady(ini, 0), UNIT_ATTENTION, 0x3F, 0x0E);
            assertThat(reportLuns(ini)).as("the read-only view of every LUN gains the new one").containsExactly(0, 2);
            byte[] write = new byte[10];
            write[0] = 0x2A;
            write[8] = 1;
            assertSense(ini.execute(2, write, 0, Targets.pattern(512, 2)), 7, 0x27, 0x00); // DATA PROTECT
            byte[] read = write.clone();
            read[0] = 0x28;
            assertThat(ini.execute(2, read, 512, null).good()).as("reads work").isTrue();
        }
    }

    @Test
    void removedLunIsNotSupportedAndOthersKeepWorking() throws Exception {
        ResizableBackstore removed = new ResizableBackstore(1 << 20, 2048);
        try (IscsiTarget target = IscsiTarget.builder()
                .portal("127.0.0.1", 0)
                .target(Targets.IQN, t -> t.lun(0, Backstores.memory(Targets.LUN_SIZE)).lun(1, removed))
                .eventLoopThreads(2).ioThreads(2)
                .build().start();
             TestInitiator ini = Targets.login(target, Map.of())) {
            assertThat(testUnitReady(ini, 0).good()).isTrue();
            assertThat(testUnitReady(ini, 1).good()).isTrue();

            assertThat(target.target(Targets.IQN).removeLun(1)).isTrue();
            assertThat(removed.closed).as("the target closed the removed LUN's backstore").isTrue();
            assertThat(target.target(Targets.IQN).removeLun(1)).as("already gone").isFalse();

            assertSense(testUnitReady(ini, 1), ILLEGAL_REQUEST, 0x25, 0x00);
            assertSense(testUnitReady(ini, 0), UNIT_ATTENTION, 0x3F, 0x0E);
            assertThat(testUnitReady(ini, 0).good()).isTrue();
            assertThat(reportLuns(ini)).containsExactly(0);
            assertThat(ini.write16(0, Targets.pattern(4096, 1)).good()).as("LUN 0 still serves I/O").isTrue();
            assertThatThrownBy(() -> target.statistics(Targets.IQN, 1)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void resizeRaisesCapacityDataHasChangedThenReportsTheNewCapacity() throws Exception {
        resizeReachesTwoLiveSessions((target, grows) -> {
            grows.blocks.set(16384);
            target.target(Targets.IQN).resizeLun(0);
            assertThatThrownBy(() -> target.target(Targets.IQN).resizeLun(9))
                    .isInstanceOf(IllegalArgumentException.class);
        });
    }

    @Test
    void storageResizedUnderneathReachesLiveSessionsWithoutResizeLun() throws Exception {
        resizeReachesTwoLiveSessions((target, grows) -> {
            assertThat(grows.capacityListeners).as("the logical unit listens to its storage").hasSize(1);
            grows.resizeUnderneath(16384); // a Ceph image resized by another client, say
        });
    }

    /** How a test grows the LUN from 4096 to 16384 blocks. */
    private interface Resize {
        void apply(IscsiTarget target, ResizableBackstore grows) throws Exception;
    }

    /**
     * Two sessions on a LUN of 4096 blocks; after {@code resize}, each gets CAPACITY DATA HAS CHANGED once, then the
     * new capacity, and the new blocks serve I/O.
     */
    private static void resizeReachesTwoLiveSessions(Resize resize) throws Exception {
        ResizableBackstore grows = new ResizableBackstore(8 << 20, 4096);
        try (IscsiTarget target = IscsiTarget.builder()
                .portal("127.0.0.1", 0)
                .target(Targets.IQN, t -> t.lun(0, grows))
                .eventLoopThreads(2).ioThreads(2)
                .build().start();
             TestInitiator ini = Targets.login(target, Map.of());
             TestInitiator other = Targets.login(target, Map.of())) {
            assertThat(readCapacityBlocks(ini)).isEqualTo(4096);
            assertThat(testUnitReady(other, 0).good()).isTrue();

            resize.apply(target, grows);

            assertSense(ini.readCapacity16(), UNIT_ATTENTION, 0x2A, 0x09);
            assertThat(readCapacityBlocks(ini)).isEqualTo(16384);
            assertSense(testUnitReady(other, 0), UNIT_ATTENTION, 0x2A, 0x09);
            assertThat(testUnitReady(other, 0).good()).as("reported once per I_T nexus").isTrue();
            assertThat(ini.write16(16000, Targets.pattern(4096, 3)).good()).as("the new blocks serve I/O").isTrue();
        }
    }

    @Test
    void targetsComeAndGoWhileAnotherTargetsSessionDoesIo() throws Exception {
        try (IscsiTarget target = Targets.start();
             TestInitiator busy = Targets.login(target, Map.of())) {
            assertThat(busy.readCapacity16().good()).isTrue();
            AtomicBoolean stop = new AtomicBoolean();
            CompletableFuture<Integer> io = CompletableFuture.supplyAsync(() -> {
                int rounds = 0;
                try {
                    while (!stop.get()) {
                        byte[] data = Targets.pattern(8192, rounds);
                        long lba = (rounds % 64) * 16L;
                        if (!busy.write16(lba, data).good() || !Arrays.equals(busy.read16(lba, 16).data(), data)) {
                            throw new AssertionError("I/O failed in round " + rounds);
                        }
                        rounds++;
                    }
                    return rounds;
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });

            Backstore otherDisk = Backstores.memory(1 << 20);
            target.addTarget(OTHER_IQN, t -> t.lun(0, otherDisk));
            try (TestInitiator discovery = TestInitiator.connect(target.localAddress())) {
                discovery.loginDiscovery(TestInitiator.INITIATOR_NAME, Map.of());
                assertThat(discovery.sendTargets()).extracting(d -> d.name()).containsExactly(Targets.IQN, OTHER_IQN);
            }
            try (TestInitiator second = TestInitiator.connect(target.localAddress())) {
                second.login(TestInitiator.INITIATOR_NAME, OTHER_IQN, Map.of());
                assertThat(second.readCapacity16().good()).isTrue();
                assertThat(second.write16(0, Targets.pattern(512, 9)).good()).isTrue();

                // Removing the target asks its session to log out within 2 s (Async Message, AsyncEvent 1).
                CompletableFuture<Boolean> removal = CompletableFuture.supplyAsync(
                        () -> target.removeTarget(OTHER_IQN, Duration.ofSeconds(2)));
                RawPdu async = second.readPdu();
                assertThat(async.opcode()).as("Async Message, got %s", async).isEqualTo(Bhs.ASYNC_MESSAGE);
                second.acceptStatus(async);
                assertThat(async.u8(36)).as("AsyncEvent: target requests logout").isEqualTo(1);
                assertThat(ByteBuffer.wrap(async.bhs()).getShort(42)).as("Parameter3: seconds").isEqualTo((short) 2);
                assertThat(async.itt()).isEqualTo(Bhs.RESERVED_TAG);
                assertThat(second.logout()).isZero();
                assertThat(removal.get(10, TimeUnit.SECONDS)).isTrue();
            }
            assertThat(target.targets()).extracting(c -> c.name()).containsExactly(Targets.IQN);
            try (TestInitiator late = TestInitiator.connect(target.localAddress())) {
                assertThatThrownBy(() -> late.login(TestInitiator.INITIATOR_NAME, OTHER_IQN, Map.of()))
                        .isInstanceOfSatisfying(LoginFailure.class, f -> assertThat(
                                f.statusClass() << 8 | f.statusDetail()).as("target not found").isEqualTo(0x0203));
            }

            stop.set(true);
            assertThat(io.get(20, TimeUnit.SECONDS)).as("rounds of I/O on the other target").isPositive();
            assertThat(testUnitReady(busy, 0).good()).as("the busy session saw no unit attention").isTrue();
        }
    }

    @Test
    void removedTargetDropsASessionThatDoesNotLogOut() throws Exception {
        try (IscsiTarget target = Targets.start();
             TestInitiator ini = Targets.login(target, Map.of())) {
            assertThat(testUnitReady(ini, 0).good()).isTrue();
            long start = System.nanoTime();
            assertThat(target.removeTarget(Targets.IQN, Duration.ofSeconds(1))).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(900));
            RawPdu async = ini.readPdu();
            assertThat(async.opcode()).isEqualTo(Bhs.ASYNC_MESSAGE);
            assertThat(ini.awaitClose(Duration.ofSeconds(5))).as("dropped after the grace period").isTrue();
            assertThat(target.removeTarget(Targets.IQN)).isFalse();
            assertThat(target.targets()).isEmpty();
        }
    }

    @Test
    void statisticsCountTheCommandsSent() throws Exception {
        try (IscsiTarget target = Targets.start();
             TestInitiator ini = Targets.login(target, Map.of())) {
            LunStatistics before = target.statistics(Targets.IQN, 0);
            assertThat(before.commands()).isZero();

            assertThat(ini.readCapacity16().good()).isTrue();                         // 1 other
            for (int i = 0; i < 3; i++) {
                assertThat(ini.write16(i * 8L, Targets.pattern(4096, i)).good()).isTrue(); // 3 writes
            }
            for (int i = 0; i < 2; i++) {
                assertThat(ini.read16(0, 16).good()).isTrue();                         // 2 reads
            }
            ScsiResult outOfRange = ini.read16(Targets.LUN_SIZE / 512, 1);              // 1 read, CHECK CONDITION
            assertSense(outOfRange, ILLEGAL_REQUEST, 0x21, 0x00);
            assertThat(testUnitReady(ini, 0).good()).isTrue();                         // 1 other

            LunStatistics s = target.statistics(Targets.IQN, 0);
            assertThat(s.commands()).isEqualTo(8);
            assertThat(s.writeCommands()).isEqualTo(3);
            assertThat(s.readCommands()).isEqualTo(3);
            assertThat(s.bytesWritten()).isEqualTo(3 * 4096);
            assertThat(s.bytesRead()).isEqualTo(2 * 8192);
            assertThat(s.checkConditions()).isEqualTo(1);
            assertThat(s.inFlight()).isZero();
            assertThat(Arrays.stream(s.latencyHistogram()).sum()).isEqualTo(8);
            assertThat(s.latencyPercentileMicros(100)).isPositive();
            assertThatThrownBy(() -> target.statistics("iqn.2026-11.io.iscsi4j:none", 0))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }
}
