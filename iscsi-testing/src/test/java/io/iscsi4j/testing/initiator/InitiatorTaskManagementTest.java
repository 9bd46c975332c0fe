package io.iscsi4j.testing.initiator;

import static io.iscsi4j.testing.initiator.InitiatorLoginTest.join;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.iscsi4j.initiator.BlockDevice;
import io.iscsi4j.initiator.IscsiException;
import io.iscsi4j.initiator.IscsiSession;
import io.iscsi4j.initiator.LoginOptions;
import io.iscsi4j.initiator.ScsiRequest;
import io.iscsi4j.initiator.ScsiResult;
import io.iscsi4j.initiator.TaskManagementFunction;
import io.iscsi4j.initiator.TaskManagementResult;
import io.iscsi4j.testing.InProcessTarget;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Task management, NOP-In answers, pings and logout. */
@Timeout(60)
class InitiatorTaskManagementTest {

    private static final LoginOptions FAST = LoginOptions.builder().commandTimeout(Duration.ofSeconds(10)).build();

    private static byte[] write16(long lba, int blocks) {
        byte[] cdb = new byte[16];
        cdb[0] = (byte) 0x8A;
        ByteBuffer.wrap(cdb).putLong(2, lba).putInt(10, blocks);
        return cdb;
    }

    private static void awaitStalled(InProcessTarget target, int count) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (target.faults().stalledOperations() < count && System.nanoTime() < end) {
            Thread.sleep(5);
        }
        assertThat(target.faults().stalledOperations()).isEqualTo(count);
    }

    @Test
    void abortTaskEndsAStalledCommand() throws Exception {
        try (InProcessTarget target = InProcessTarget.builder().start();
             IscsiSession session = target.connect(FAST)) {
            target.faults().stall();
            CompletionStage<ScsiResult> write = session.execute(ScsiRequest.write(0, write16(8, 1),
                    ByteBuffer.allocate(512)));
            awaitStalled(target, 1);
            CompletionStage<TaskManagementResult> abort = session.abort(write);
            Thread.sleep(300); // the target holds the abort until the stalled backstore call returns
            target.faults().releaseStalled();
            assertThat(join(abort)).isEqualTo(TaskManagementResult.FUNCTION_COMPLETE);
            CompletableFuture<ScsiResult> w = write.toCompletableFuture();
            assertThatThrownBy(() -> w.get(10, TimeUnit.SECONDS)).satisfiesAnyOf(
                    e -> assertThat(e).isInstanceOf(CancellationException.class),
                    e -> assertThat(e).isInstanceOf(ExecutionException.class)
                            .hasCauseInstanceOf(CancellationException.class));
            assertThat(join(session.abort(write))).isEqualTo(TaskManagementResult.TASK_DOES_NOT_EXIST);
            // the session goes on
            InitiatorLoginTest.roundTrip(session.lun(0), target);
        }
    }

    @Test
    void logicalUnitResetEndsTheLunsCommands() throws Exception {
        try (InProcessTarget target = InProcessTarget.builder().start();
             IscsiSession session = target.connect(FAST)) {
            BlockDevice disk = session.lun(0);
            target.faults().stall();
            CompletableFuture<Void> a = disk.write(0, ByteBuffer.allocate(512)).toCompletableFuture();
            CompletableFuture<Void> b = disk.write(100, ByteBuffer.allocate(512)).toCompletableFuture();
            awaitStalled(target, 2);
            CompletionStage<TaskManagementResult> reset = session.taskManagement(
                    TaskManagementFunction.LOGICAL_UNIT_RESET, 0);
            Thread.sleep(300); // the target holds the reset until the stalled backstore calls return
            target.faults().releaseStalled();
            assertThat(join(reset)).isEqualTo(TaskManagementResult.FUNCTION_COMPLETE);
            for (CompletableFuture<Void> w : java.util.List.of(a, b)) {
                assertThatThrownBy(() -> w.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                        .hasCauseInstanceOf(IscsiException.class)
                        .hasMessageContaining("LOGICAL_UNIT_RESET");
            }
            // the reset leaves a unit attention; opening the LUN again and its I/O retry past it
            BlockDevice reopened = session.lun(0);
            assertThat(reopened.capacity()).isEqualTo(disk.capacity());
            InitiatorLoginTest.roundTrip(reopened, target);
        }
    }

    @Test
    void targetWarmResetAndUnknownLun() throws Exception {
        try (InProcessTarget target = InProcessTarget.builder().start();
             IscsiSession session = target.connect(FAST)) {
            assertThat(join(session.taskManagement(TaskManagementFunction.TARGET_WARM_RESET, 0)))
                    .isIn(TaskManagementResult.FUNCTION_COMPLETE, TaskManagementResult.NOT_SUPPORTED,
                            TaskManagementResult.AUTHORIZATION_FAILED);
            assertThat(join(session.taskManagement(TaskManagementFunction.LOGICAL_UNIT_RESET, 9)))
                    .isEqualTo(TaskManagementResult.LUN_DOES_NOT_EXIST);
        }
    }

    @Test
    void theTargetsNopInPingsAreAnswered() throws Exception {
        try (InProcessTarget target = InProcessTarget.builder()
                .configure(b -> b.nopInInterval(Duration.ofMillis(50)).nopInTimeout(Duration.ofMillis(300))).start();
             IscsiSession session = target.connect(FAST)) {
            // idle for many ping intervals and several timeouts: an unanswered ping would end the connection
            Thread.sleep(1500);
            assertThat(session.isOpen()).isTrue();
            assertThat(target.faults().droppedConnections()).isZero();
            InitiatorLoginTest.roundTrip(session.lun(0), target);
        }
    }

    @Test
    void pingMeasuresARoundTrip() throws Exception {
        try (InProcessTarget target = InProcessTarget.builder().start();
             IscsiSession session = target.connect(FAST)) {
            assertThat(join(session.ping())).isPositive().isLessThan(Duration.ofSeconds(5));
        }
    }

    @Test
    void logoutEndsTheSession() throws Exception {
        try (InProcessTarget target = InProcessTarget.builder().start()) {
            IscsiSession session = target.connect(FAST);
            join(session.logout());
            assertThat(session.isOpen()).isFalse();
            assertThatThrownBy(() -> join(session.execute(ScsiRequest.noData(0, new byte[6]))))
                    .hasCauseInstanceOf(IscsiException.class);
            session.close();
            session.close();
            join(session.logout());
        }
    }
}
