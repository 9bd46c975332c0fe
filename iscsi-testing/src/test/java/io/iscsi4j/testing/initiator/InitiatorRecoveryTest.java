package io.iscsi4j.testing.initiator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.iscsi4j.initiator.BlockDevice;
import io.iscsi4j.initiator.ConnectionLostException;
import io.iscsi4j.initiator.IscsiException;
import io.iscsi4j.initiator.IscsiSession;
import io.iscsi4j.initiator.LoginOptions;
import io.iscsi4j.testing.InProcessTarget;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A connection dropped during a write: ERL 0 recovery on (the write completes) and off (a clear failure). */
@Timeout(90)
class InitiatorRecoveryTest {

    private static final LoginOptions RECOVERY = LoginOptions.builder().recovery(true)
            .recoveryTimeout(Duration.ofSeconds(20)).commandTimeout(Duration.ofSeconds(30)).build();

    @Test
    void withRecoveryAWriteInterruptedByAConnectionDropCompletesWithTheRightData() throws Exception {
        try (InProcessTarget target = InProcessTarget.builder().start();
             IscsiSession session = target.connect(RECOVERY)) {
            BlockDevice disk = session.lun(0);
            byte[] data = new byte[4 << 20];
            new Random(7).nextBytes(data);
            int tsih = session.parameters().tsih();
            assertThat(session.parameters().defaultTime2Wait()).as("the target's default").isEqualTo(2);
            target.faults().dropConnectionAfter(1);
            long start = System.nanoTime();
            disk.writeBlocking(333, ByteBuffer.wrap(data));
            assertThat(System.nanoTime() - start).as("DefaultTime2Wait before the reinstating login")
                    .isGreaterThanOrEqualTo(Duration.ofSeconds(2).toNanos());
            assertThat(target.faults().droppedConnections()).isEqualTo(1);
            assertThat(session.recoveries()).isEqualTo(1);
            assertThat(session.parameters().tsih()).isNotEqualTo(tsih);
            assertThat(target.backstore(0).readBlocks(333, data.length / 512)).isEqualTo(data);
            ByteBuffer back = ByteBuffer.allocate(data.length);
            disk.readBlocking(333, back);
            assertThat(back.array()).isEqualTo(data);
            assertThat(session.isOpen()).isTrue();
        }
    }

    @Test
    void withRecoveryEveryCommandInFlightIsReissuedInOrder() throws Exception {
        try (InProcessTarget target = InProcessTarget.builder().start();
             IscsiSession session = target.connect(RECOVERY)) {
            BlockDevice disk = session.lun(0);
            target.faults().dropConnectionAfter(10);
            List<CompletableFuture<Void>> writes = new ArrayList<>();
            List<byte[]> payloads = new ArrayList<>();
            for (int i = 0; i < 48; i++) {
                byte[] data = new byte[8 * 512];
                new Random(i).nextBytes(data);
                payloads.add(data);
                writes.add(disk.write(i * 16L + 1, ByteBuffer.wrap(data)).toCompletableFuture());
            }
            CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            assertThat(session.recoveries()).isEqualTo(1);
            for (int i = 0; i < 48; i++) {
                assertThat(target.backstore(0).readBlocks(i * 16L + 1, 8)).isEqualTo(payloads.get(i));
            }
        }
    }

    @Test
    void readsAndALargeWriteRecoverWithDigestsOn() throws Exception {
        try (InProcessTarget target = InProcessTarget.builder().lun(64L << 20, 4096).start();
             IscsiSession session = target.connect(RECOVERY.toBuilder().headerDigest(true).dataDigest(true).build())) {
            BlockDevice disk = session.lun(0);
            byte[] seed = new byte[1 << 20];
            new Random(3).nextBytes(seed);
            target.backstore(0).writeBlocks(1001, seed);
            byte[] big = new byte[16 << 20];
            new Random(4).nextBytes(big);
            target.faults().dropConnectionAfter(3);
            ByteBuffer read = ByteBuffer.allocate(seed.length);
            CompletableFuture<Void> reading = disk.read(1001, read).toCompletableFuture();
            CompletableFuture<Void> writing = disk.write(2001, ByteBuffer.wrap(big)).toCompletableFuture();
            CompletableFuture.allOf(reading, writing).get(60, TimeUnit.SECONDS);
            assertThat(session.recoveries()).isEqualTo(1);
            assertThat(read.array()).isEqualTo(seed);
            assertThat(target.backstore(0).readBlocks(2001, big.length / 4096)).isEqualTo(big);
        }
    }

    @Test
    void withRecoveryACompareAndWriteIsNotSentAgainButOtherCommandsAre() throws Exception {
        try (InProcessTarget target = InProcessTarget.builder().start();
             IscsiSession session = target.connect(RECOVERY)) {
            BlockDevice disk = session.lun(0);
            byte[] old = new byte[512];
            byte[] next = new byte[512];
            java.util.Arrays.fill(next, (byte) 7);
            target.backstore(0).writeBlocks(40, old);
            byte[] caw = new byte[16];
            caw[0] = (byte) 0x89;
            ByteBuffer.wrap(caw).putLong(2, 40);
            caw[13] = 1;
            ByteBuffer compareAndWrite = ByteBuffer.allocate(1024).put(old).put(next).flip();
            target.faults().dropConnectionAfter(0);
            CompletableFuture<?> first = session.execute(io.iscsi4j.initiator.ScsiRequest.write(0, caw,
                    compareAndWrite)).toCompletableFuture();
            byte[] data = new byte[4096];
            new Random(11).nextBytes(data);
            CompletableFuture<Void> write = disk.write(100, ByteBuffer.wrap(data)).toCompletableFuture();
            assertThatThrownBy(() -> first.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(ConnectionLostException.class)
                    .hasMessageContaining("not sent again");
            write.get(30, TimeUnit.SECONDS);
            assertThat(session.recoveries()).isEqualTo(1);
            assertThat(target.backstore(0).readBlocks(100, 8)).isEqualTo(data);
        }
    }

    @Test
    void withoutRecoveryTheWriteFailsClearly() throws Exception {
        try (InProcessTarget target = InProcessTarget.builder().start();
             IscsiSession session = target.connect(LoginOptions.builder().commandTimeout(Duration.ofSeconds(30))
                     .build())) {
            BlockDevice disk = session.lun(0);
            target.faults().dropConnectionAfter(0);
            assertThatThrownBy(() -> disk.writeBlocking(0, ByteBuffer.allocate(1 << 20)))
                    .isInstanceOf(ConnectionLostException.class)
                    .hasMessageContaining("was lost before the target answered")
                    .hasMessageContaining("recovery is off");
            assertThat(session.isOpen()).isFalse();
            assertThat(session.recoveries()).isZero();
            assertThatThrownBy(() -> session.execute(io.iscsi4j.initiator.ScsiRequest.noData(0, new byte[6]))
                    .toCompletableFuture().get(5, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(IscsiException.class);
            // the testing client logs in again once its session ended
            assertThat(target.client().isOpen()).isTrue();
        }
    }

    @Test
    void recoveryGivesUpWhenTheTargetRefusesLogins() throws Exception {
        try (InProcessTarget target = InProcessTarget.builder().start();
             IscsiSession session = target.connect(RECOVERY.toBuilder().recoveryTimeout(Duration.ofSeconds(1))
                     .build())) {
            BlockDevice disk = session.lun(0);
            target.faults().rejectLogins();
            target.faults().dropConnectionAfter(0);
            assertThatThrownBy(() -> disk.writeBlocking(0, ByteBuffer.allocate(4096)))
                    .isInstanceOf(ConnectionLostException.class).hasMessageContaining("recovery failed");
            assertThat(session.isOpen()).isFalse();
        }
    }
}
