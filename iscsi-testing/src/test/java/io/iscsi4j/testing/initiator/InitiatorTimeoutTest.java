package io.iscsi4j.testing.initiator;

import static org.assertj.core.api.Assertions.assertThat;

import io.iscsi4j.initiator.BlockDevice;
import io.iscsi4j.initiator.CommandTimeoutException;
import io.iscsi4j.initiator.IscsiSession;
import io.iscsi4j.initiator.LoginOptions;
import io.iscsi4j.testing.InProcessTarget;
import io.iscsi4j.testing.RecordedCommand;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Commands past the command timeout, with the target actually holding them (a stalled backstore): they are aborted,
 * fail with {@link CommandTimeoutException} only once over, and are not sent again by recovery.
 */
@Timeout(60)
class InitiatorTimeoutTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    private static void awaitStalled(InProcessTarget target, int count) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (target.faults().stalledOperations() < count && System.nanoTime() < end) {
            Thread.sleep(5);
        }
        assertThat(target.faults().stalledOperations()).isEqualTo(count);
    }

    private static Throwable failure(CompletableFuture<?> future, long seconds) {
        try {
            future.get(seconds, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (Exception e) {
            throw new AssertionError("the command did not fail within " + seconds + " s", e);
        }
        throw new AssertionError("the command succeeded");
    }

    @Test
    void aCommandPastItsTimeoutIsAbortedAndFailsOnlyOnceTheTargetConfirms() throws Exception {
        try (InProcessTarget target = InProcessTarget.builder().start();
             IscsiSession session = target.connect(LoginOptions.builder().commandTimeout(TIMEOUT).build())) {
            BlockDevice disk = session.lun(0);
            target.faults().stall();
            long start = System.nanoTime();
            CompletableFuture<Void> write = disk.write(8, ByteBuffer.allocate(512)).toCompletableFuture();
            awaitStalled(target, 1);
            // past the timeout the ABORT TASK went out, but the target holds it until the backstore call returns:
            // the command is not over, so it has not failed yet
            Thread.sleep(Math.max(0, TIMEOUT.toMillis() + 1000 - (System.nanoTime() - start) / 1_000_000));
            assertThat(write).as("not failed before the target confirmed the abort").isNotDone();
            target.faults().releaseStalled();
            Throwable cause = failure(write, 10);
            assertThat(cause).isInstanceOf(CommandTimeoutException.class).hasMessageContaining("aborted");
            assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TIMEOUT.toNanos());
            assertThat(session.recoveries()).as("the connection stayed").isZero();
            InitiatorLoginTest.roundTrip(disk, target);
        }
    }

    @Test
    void anUnansweredAbortClosesTheConnectionAndRecoveryDoesNotSendTheCommandAgain() throws Exception {
        LoginOptions options = LoginOptions.builder().commandTimeout(TIMEOUT).recovery(true)
                .recoveryTimeout(Duration.ofSeconds(30)).build();
        try (InProcessTarget target = InProcessTarget.builder().start();
             IscsiSession session = target.connect(options)) {
            BlockDevice disk = session.lun(0);
            byte[] pattern = new byte[512];
            Arrays.fill(pattern, (byte) 0x5A);
            target.backstore(0).writeBlocks(100, pattern);
            target.backstore(0).clearCommands();
            target.faults().stall();
            ByteBuffer readBuffer = ByteBuffer.allocateDirect(512);
            long start = System.nanoTime();
            CompletableFuture<Void> read = disk.read(100, readBuffer).toCompletableFuture();
            CompletableFuture<Void> write = disk.write(8, ByteBuffer.allocate(512)).toCompletableFuture();
            awaitStalled(target, 2);
            // the target never answers the aborts while the backstore holds the commands: after another timeout the
            // connection is closed, and both commands fail without the stall being released
            Throwable readFailure = failure(read, 15);
            Throwable writeFailure = failure(write, 15);
            assertThat(readFailure).isInstanceOf(CommandTimeoutException.class)
                    .hasMessageContaining("connection was closed");
            assertThat(writeFailure).isInstanceOf(CommandTimeoutException.class);
            assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(2 * TIMEOUT.toNanos());
            // the read's buffer is the caller's again: nothing of the read lands in it, even after the stall ends
            target.faults().releaseStalled();
            InitiatorLoginTest.roundTrip(disk, target); // recovered (the reinstatement waited for the old tasks)
            assertThat(session.recoveries()).isEqualTo(1);
            for (int i = 0; i < 512; i++) {
                assertThat(readBuffer.get(i)).as("byte %d of the timed-out read's buffer", i).isZero();
            }
            long writesAt8 = target.backstore(0).drainCommands().stream()
                    .filter(c -> c.type() == RecordedCommand.Type.WRITE && c.lba() == 8).count();
            assertThat(writesAt8).as("the timed-out write was not sent again").isLessThanOrEqualTo(1);
        }
    }
}
