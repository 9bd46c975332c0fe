package io.iscsi4j.scsi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.iscsi4j.backstore.MediumErrorException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The optional backstore timeout ({@link LogicalUnit.Builder#backstoreTimeout}): a call that hangs ends its command
 * NOT READY / OPERATION IN PROGRESS after the timeout, the logical unit stays NOT READY for everyone until the call
 * really completes, and the call keeps its blocks and buffers until then, so nothing newer lands under it.
 */
@Timeout(30)
class BackstoreTimeoutTest {

    private static final int BLOCK = 512;
    private static final Duration TIMEOUT = Duration.ofMillis(100);
    private static final String NOT_READY = "CHECK_CONDITION NOT_READY / LOGICAL_UNIT_NOT_READY_OPERATION_IN_PROGRESS";
    private static final ItNexus OTHER = new ItNexus("iqn.1993-08.org.debian:01:def,i,0x00023d000002",
            TestTask.NEXUS.targetPortName(), 1, 1);

    private final StallingBackstore backstore = new StallingBackstore(new TestBackstore(BLOCK, 64));
    private LogicalUnit lu;
    private ScsiDispatcher dispatcher;

    private void start(LogicalUnit.Builder b) {
        lu = b.build();
        dispatcher = new ScsiDispatcher(Map.of(0, lu));
    }

    private void start() {
        start(LogicalUnit.builder(backstore).serial("SER-T").executor(Runnable::run).backstoreTimeout(TIMEOUT));
    }

    @AfterEach
    void close() throws Exception {
        if (lu != null) {
            lu.close();
        }
    }

    private static byte[] block(int value) {
        byte[] b = new byte[BLOCK];
        Arrays.fill(b, (byte) value);
        return b;
    }

    private TestTask write(int value) {
        return TestTask.of(Cdbs.write10(0, 1)).dataOut(block(value));
    }

    /** Executes a task and waits (bounded) for its completion. */
    private TestTask run(TestTask task) throws Exception {
        dispatcher.execute(task);
        return Target.checked(task.await());
    }

    private byte[] onMedium() {
        return Arrays.copyOf(backstore.medium.bytes(), BLOCK);
    }

    @Test
    void aWriteWhoseCallHangsEndsNotReadyAfterTheTimeoutAndKeepsItsClaimAndBuffers() throws Exception {
        start();
        backstore.stall("write");
        long started = System.nanoTime();

        TestTask stalled = run(write(0xAA));

        assertThat(System.nanoTime() - started).as("not before the timeout")
                .isGreaterThanOrEqualTo(TIMEOUT.toNanos() - TimeUnit.MILLISECONDS.toNanos(5));
        assertThat(stalled.outcome()).isEqualTo(NOT_READY);
        assertThat(stalled.dataLength()).isZero();
        assertThat(backstore.heldCount()).isEqualTo(1);
        assertThat(lu.locks().grantedCount()).as("the claim stays while the call runs").isEqualTo(1);
        assertThat(stalled.buffersHeld()).as("the buffers stay while the call runs").isEqualTo(1);

        StallingBackstore.release(backstore.awaitHeld());

        assertThat(lu.locks().grantedCount()).isZero();
        assertThat(stalled.buffersHeld()).isZero();
        assertThat(stalled.completions()).as("the late completion is not reported").isEqualTo(1);
        assertThat(stalled.violations()).isEmpty();
    }

    @Test
    void whileTheCallHangsTheLogicalUnitIsNotReadyForEveryoneAndNothingReachesTheBackstore() throws Exception {
        start();
        backstore.stall("write");
        run(write(0xAA));
        backstore.stall();
        int callsBefore = backstore.medium.calls.size();

        assertThat(run(write(0xBB)).outcome()).as("a newer write to the same block").isEqualTo(NOT_READY);
        assertThat(run(TestTask.of(Cdbs.write10(8, 1)).dataOut(block(0xCC))).outcome()).as("to another block")
                .isEqualTo(NOT_READY);
        assertThat(run(TestTask.of(Cdbs.read10(0, 1))).outcome()).as("a read").isEqualTo(NOT_READY);
        assertThat(run(TestTask.of(Cdbs.testUnitReady()).nexus(OTHER)).outcome()).as("another I_T nexus")
                .isEqualTo(NOT_READY);
        assertThat(run(TestTask.of(Cdbs.synchronizeCache10(0, 0, false))).outcome()).isEqualTo(NOT_READY);
        assertThat(run(TestTask.of(Cdbs.inquiry(false, 0, 96))).outcome()).isEqualTo("GOOD");
        assertThat(run(TestTask.of(Cdbs.reportLuns(0, 64))).outcome()).isEqualTo("GOOD");
        TestTask sense = run(TestTask.of(Cdbs.requestSense(false, 18)));
        assertThat(sense.outcome()).isEqualTo("GOOD");
        assertThat(sense.dataIn()[2] & 0x0F).as("SENSE KEY").isEqualTo(SenseKey.NOT_READY.code());
        assertThat(sense.dataIn()[12] & 0xFF).as("ASC").isEqualTo(0x04);
        assertThat(sense.dataIn()[13] & 0xFF).as("ASCQ: OPERATION IN PROGRESS").isEqualTo(0x07);
        assertThat(backstore.medium.calls).as("no call reached the backstore").hasSize(callsBefore);

        StallingBackstore.release(backstore.awaitHeld());

        assertThat(run(TestTask.of(Cdbs.testUnitReady()).nexus(OTHER)).outcome()).isEqualTo("GOOD");
    }

    @Test
    void afterTheStalledWriteCompletesWritesWorkAgainAndTheNewerDataStaysOnTop() throws Exception {
        start();
        backstore.stall("write");
        run(write(0xAA));
        backstore.stall();
        assertThat(run(write(0xBB)).outcome()).as("the retry while stalled").isEqualTo(NOT_READY);
        assertThat(onMedium()).as("nothing landed yet").isEqualTo(new byte[BLOCK]);

        StallingBackstore.release(backstore.awaitHeld());
        assertThat(onMedium()).as("the stalled write landed late").isEqualTo(block(0xAA));
        TestTask retry = run(write(0xBB));

        assertThat(retry.outcome()).isEqualTo("GOOD");
        assertThat(onMedium()).isEqualTo(block(0xBB));
        TestTask read = run(TestTask.of(Cdbs.read10(0, 1)).expected(BLOCK));
        assertThat(read.dataIn()).isEqualTo(block(0xBB));
    }

    @Test
    void aCommandWhoseCallWouldStartWhileNotReadyEndsNotReadyWithoutCallingTheBackstore() throws Exception {
        ManualExecutor executor = new ManualExecutor();
        start(LogicalUnit.builder(backstore).serial("SER-T").executor(executor).backstoreTimeout(TIMEOUT));
        backstore.stall("write");
        TestTask stalled = write(0xAA);
        dispatcher.execute(stalled);
        executor.runAll();
        TestTask read = TestTask.of(Cdbs.read10(0, 1));
        dispatcher.execute(read); // accepted while the unit is still ready; its call is queued

        Target.checked(stalled.await());
        executor.runAll();

        assertThat(Target.checked(read.await()).outcome()).isEqualTo(NOT_READY);
        assertThat(backstore.medium.calls).as("the read never reached the backstore").isEmpty();
        StallingBackstore.release(backstore.awaitHeld());
    }

    @Test
    void aReadWhoseCallHangsKeepsItsDataInBuffer() throws Exception {
        start();
        backstore.stall("read");

        TestTask stalled = run(TestTask.of(Cdbs.read10(0, 2)));

        assertThat(stalled.outcome()).isEqualTo(NOT_READY);
        assertThat(stalled.buffersHeld()).isEqualTo(1);
        StallingBackstore.release(backstore.awaitHeld());
        assertThat(stalled.buffersHeld()).isZero();
        assertThat(run(TestTask.of(Cdbs.testUnitReady())).outcome()).isEqualTo("GOOD");
    }

    @Test
    void anAtomicCommandWhoseCallHangsKeepsItsExclusiveClaimUntilTheCallCompletes() throws Exception {
        start();
        backstore.stall("compareAndWrite");

        TestTask stalled = run(TestTask.of(CompareAndWriteTest.cdb(0, 1, 0)).dataOut(new byte[2 * BLOCK]));

        assertThat(stalled.outcome()).isEqualTo(NOT_READY);
        assertThat(lu.locks().grantedCount()).isEqualTo(1);
        assertThat(stalled.buffersHeld()).isEqualTo(1);
        backstore.stall();
        assertThat(run(write(0xBB)).outcome()).isEqualTo(NOT_READY);

        StallingBackstore.release(backstore.awaitHeld());

        assertThat(lu.locks().grantedCount()).isZero();
        assertThat(stalled.buffersHeld()).isZero();
        assertThat(run(write(0xBB)).outcome()).isEqualTo("GOOD");
    }

    @Test
    void aCallThatCompletesInTimeIsNotAffected() throws Exception {
        start();

        TestTask written = run(write(0xAA));

        assertThat(written.outcome()).isEqualTo("GOOD");
        assertThat(written.buffersRetained()).isZero();
        assertThat(onMedium()).isEqualTo(block(0xAA));
        assertThat(lu.backstoreTimeouts().stalledCalls()).isZero();
    }

    @Test
    void aStalledImmediateFlushMakesTheUnitNotReadyAndItsLateFailureIsStillADeferredError() throws Exception {
        start();
        backstore.stall("flush");

        TestTask sync = run(TestTask.of(Cdbs.synchronizeCache10(0, 0, true)));
        assertThat(sync.outcome()).isEqualTo("GOOD");
        StallingBackstore.Held flush = backstore.awaitHeld();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!lu.notReadyForStalledCall() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(run(TestTask.of(Cdbs.testUnitReady())).outcome()).isEqualTo(NOT_READY);

        flush.done().completeExceptionally(new MediumErrorException(3, "write-back lost"));

        TestTask next = run(TestTask.of(Cdbs.testUnitReady()));
        assertThat(next.outcome()).isEqualTo("CHECK_CONDITION MEDIUM_ERROR / WRITE_ERROR");
        assertThat(next.sense().deferred()).isTrue();
        assertThat(run(TestTask.of(Cdbs.testUnitReady())).outcome()).isEqualTo("GOOD");
    }

    @Test
    void withoutTheOptionAHangingCallKeepsItsCommand() throws Exception {
        start(LogicalUnit.builder(backstore).serial("SER-T").executor(Runnable::run));
        backstore.stall("write");
        TestTask stalled = write(0xAA);

        dispatcher.execute(stalled);
        Thread.sleep(3 * TIMEOUT.toMillis());

        assertThat(stalled.isCompleted()).as("no completion while the call hangs").isFalse();
        assertThat(lu.backstoreTimeout()).isZero();
        assertThat(lu.backstoreTimeouts()).isNull();
        StallingBackstore.release(backstore.awaitHeld());
        assertThat(Target.checked(stalled.await()).outcome()).isEqualTo("GOOD");
    }

    @Test
    void theBuilderValidatesTheTimeout() {
        LogicalUnit.Builder b = LogicalUnit.builder(backstore);

        assertThatThrownBy(() -> b.backstoreTimeout(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("backstore timeout");
        assertThatThrownBy(() -> b.backstoreTimeout(null)).isInstanceOf(NullPointerException.class);
        assertThat(b.backstoreTimeout(Duration.ZERO).build().backstoreTimeout()).as("zero: off").isZero();
        LogicalUnit timed = b.backstoreTimeout(Duration.ofSeconds(7)).build();
        assertThat(timed.backstoreTimeout()).isEqualTo(Duration.ofSeconds(7));
        assertThat(timed.toString()).contains("backstoreTimeout=PT7S");
    }
}
