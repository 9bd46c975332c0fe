package io.iscsi4j.scsi;

import static org.assertj.core.api.Assertions.assertThat;

import io.iscsi4j.backstore.MediumErrorException;
import io.iscsi4j.backstore.NotReadyException;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;

/** SYNCHRONIZE CACHE with IMMED whose flush fails after GOOD status: the failure is reported as a deferred error. */
class DeferredErrorTest {

    private static final ItNexus OTHER = new ItNexus("iqn.1993-08.org.debian:01:def,i,0x00023d000002",
            TestTask.NEXUS.targetPortName(), 1, 1);

    private final Target target = Target.of(512, 64);

    /** Sends SYNCHRONIZE CACHE (10) with IMMED from {@link TestTask#NEXUS} to a backstore whose flush fails. */
    private TestTask failingImmediateSync(Throwable failure) {
        target.backstore.failWith(failure, false);
        TestTask sync = target.run(Cdbs.synchronizeCache10(0, 0, true));
        target.backstore.failWith(null, false);
        return sync;
    }

    @Test
    void failedImmediateFlushIsReportedOnceToTheSameNexusAsADeferredError() {
        target.run(TestTask.of(Cdbs.testUnitReady()).nexus(OTHER));

        TestTask sync = failingImmediateSync(new MediumErrorException(7, "write-back failed"));
        TestTask next = target.run(Cdbs.testUnitReady());
        TestTask other = target.run(TestTask.of(Cdbs.testUnitReady()).nexus(OTHER));
        TestTask after = target.run(Cdbs.testUnitReady());

        assertThat(sync.outcome()).isEqualTo("GOOD");
        assertThat(target.backstore.calls).containsExactly("flush");
        assertThat(next.outcome()).isEqualTo("CHECK_CONDITION MEDIUM_ERROR / WRITE_ERROR");
        assertThat(next.sense().deferred()).isTrue();
        assertThat(next.sense()).hasToString("MEDIUM_ERROR / WRITE_ERROR info=7 (deferred)");
        byte[] fixed = next.sense().toBytes();
        assertThat(fixed[0] & 0x7F).as("RESPONSE CODE: deferred error, fixed format").isEqualTo(0x71);
        assertThat(fixed[0] & 0x80).as("VALID").isEqualTo(0x80);
        assertThat(fixed[2] & 0x0F).as("SENSE KEY").isEqualTo(SenseKey.MEDIUM_ERROR.code());
        assertThat(fixed[12] & 0xFF).as("ASC: WRITE ERROR").isEqualTo(0x0C);
        assertThat(Cdbs.u32(fixed, 3)).as("INFORMATION").isEqualTo(7);
        assertThat(other.outcome()).as("another nexus is not told").isEqualTo("GOOD");
        assertThat(after.outcome()).as("reported once").isEqualTo("GOOD");
    }

    @Test
    void theSenseKeyIsTheOneTheFailureMapsTo() {
        failingImmediateSync(new NotReadyException("remote storage down"));

        TestTask next = target.run(Cdbs.read10(0, 1));

        assertThat(next.outcome()).isEqualTo("CHECK_CONDITION NOT_READY / LOGICAL_UNIT_NOT_READY_CAUSE_NOT_REPORTABLE");
        assertThat(next.sense().toBytes()[0]).isEqualTo((byte) 0x71);
        assertThat(target.backstore.calls).as("the READ did not run").containsExactly("flush");
    }

    @Test
    void descriptorFormatUsesResponseCode73h() {
        target.lu.setModeParameters(true, false, true); // D_SENSE, as MODE SELECT of the control page sets it
        failingImmediateSync(new MediumErrorException(7, "write-back failed"));

        TestTask next = target.run(Cdbs.testUnitReady());

        assertThat(next.outcome()).isEqualTo("CHECK_CONDITION MEDIUM_ERROR / WRITE_ERROR");
        byte[] descriptor = next.sense().toBytes();
        assertThat(descriptor[0]).as("RESPONSE CODE: deferred error, descriptor format").isEqualTo((byte) 0x73);
        assertThat(descriptor[1] & 0x0F).as("SENSE KEY").isEqualTo(SenseKey.MEDIUM_ERROR.code());
    }

    @Test
    void requestSenseReturnsTheDeferredErrorWithGoodStatus() {
        failingImmediateSync(new MediumErrorException(7, "write-back failed"));

        TestTask rs = target.run(Cdbs.requestSense(false, 252));
        TestTask next = target.run(Cdbs.testUnitReady());

        assertThat(rs.outcome()).isEqualTo("GOOD");
        byte[] sense = rs.dataIn();
        assertThat(sense[0] & 0x7F).as("RESPONSE CODE").isEqualTo(0x71);
        assertThat(sense[2] & 0x0F).as("SENSE KEY").isEqualTo(SenseKey.MEDIUM_ERROR.code());
        assertThat(sense[12] & 0xFF).as("ASC").isEqualTo(0x0C);
        assertThat(next.outcome()).as("cleared by REQUEST SENSE").isEqualTo("GOOD");

        failingImmediateSync(new MediumErrorException(7, "again"));
        byte[] descriptor = target.run(Cdbs.requestSense(true, 252)).dataIn();
        assertThat(descriptor[0]).as("RESPONSE CODE with DESC=1").isEqualTo((byte) 0x73);
    }

    @Test
    void inquiryAndReportLunsDoNotConsumeIt() {
        failingImmediateSync(new MediumErrorException(7, "write-back failed"));

        assertThat(target.run(Cdbs.inquiry(false, 0, 96)).outcome()).isEqualTo("GOOD");
        assertThat(target.run(Cdbs.reportLuns(0, 256)).outcome()).isEqualTo("GOOD");
        assertThat(target.run(Cdbs.testUnitReady()).outcome()).isEqualTo("CHECK_CONDITION MEDIUM_ERROR / WRITE_ERROR");
    }

    @Test
    void aPendingUnitAttentionIsReportedFirst() {
        failingImmediateSync(new MediumErrorException(7, "write-back failed"));
        target.dispatcher.logicalUnitReset(0);

        TestTask first = target.run(Cdbs.testUnitReady());
        TestTask second = target.run(Cdbs.testUnitReady());
        TestTask third = target.run(Cdbs.testUnitReady());

        assertThat(first.outcome()).isEqualTo("CHECK_CONDITION UNIT_ATTENTION / BUS_DEVICE_RESET_FUNCTION_OCCURRED");
        assertThat(first.sense().deferred()).isFalse();
        assertThat(second.outcome()).as("a reset does not clear it")
                .isEqualTo("CHECK_CONDITION MEDIUM_ERROR / WRITE_ERROR");
        assertThat(second.sense().deferred()).isTrue();
        assertThat(third.outcome()).isEqualTo("GOOD");
    }

    @Test
    void theNextCommandAfterAFailureIsNotRunEvenWhenItIsASynchronizeCache() {
        failingImmediateSync(new MediumErrorException(7, "write-back failed"));

        TestTask again = target.run(Cdbs.synchronizeCache10(0, 0, true));

        assertThat(again.outcome()).isEqualTo("CHECK_CONDITION MEDIUM_ERROR / WRITE_ERROR");
        assertThat(target.backstore.calls).as("no second flush").containsExactly("flush");
    }

    @Test
    void onlyTheFirstOfSeveralFailuresIsKept() {
        TestBackstore b = new TestBackstore(512, 64);
        ManualExecutor executor = new ManualExecutor();
        Target slow = new Target(b, Target.builder(b).executor(executor).build());
        slow.run(Cdbs.synchronizeCache10(0, 0, true));
        slow.run(Cdbs.synchronizeCache10(0, 0, true));

        b.failWith(new MediumErrorException(7, "first"), false);
        executor.runOne();
        b.failWith(new NotReadyException("second"), false);
        executor.runOne();

        assertThat(b.calls).containsExactly("flush", "flush");
        assertThat(slow.run(Cdbs.testUnitReady()).sense()).hasToString("MEDIUM_ERROR / WRITE_ERROR info=7 (deferred)");
        assertThat(slow.run(Cdbs.testUnitReady()).outcome()).isEqualTo("GOOD");
    }

    @Test
    void queryAsynchronousEventReportsItWithoutClearingIt() {
        assertThat(target.dispatcher.queryAsynchronousEvent(0, TestTask.NEXUS)).isEqualTo(-1);
        failingImmediateSync(new MediumErrorException(7, "write-back failed"));

        int alone = target.dispatcher.queryAsynchronousEvent(0, TestTask.NEXUS);
        target.dispatcher.logicalUnitReset(0);
        int withUnitAttention = target.dispatcher.queryAsynchronousEvent(0, TestTask.NEXUS);

        // UADE DEPTH 01b, SENSE KEY MEDIUM ERROR, ASC 0Ch, ASCQ 00h
        assertThat(alone).isEqualTo((0x1 << 20) | (0x3 << 16) | (0x0C << 8));
        // UADE DEPTH 10b, SENSE KEY UNIT ATTENTION, ASC 29h, ASCQ 03h: the unit attention is reported first
        assertThat(withUnitAttention).isEqualTo((0x2 << 20) | (0x6 << 16) | (0x29 << 8) | 0x03);
        assertThat(target.dispatcher.queryAsynchronousEvent(0, OTHER)).isEqualTo(-1);
        target.run(Cdbs.testUnitReady());
        assertThat(target.dispatcher.queryAsynchronousEvent(0, TestTask.NEXUS)).isEqualTo(alone);
        assertThat(target.run(Cdbs.testUnitReady()).outcome()).isEqualTo("CHECK_CONDITION MEDIUM_ERROR / WRITE_ERROR");
        assertThat(target.dispatcher.queryAsynchronousEvent(0, TestTask.NEXUS)).isEqualTo(-1);
    }

    @Test
    void itSurvivesTheLossOfTheNexus() {
        failingImmediateSync(new MediumErrorException(7, "write-back failed"));

        target.dispatcher.nexusLost(TestTask.NEXUS);

        assertThat(target.run(Cdbs.testUnitReady()).outcome()).as("the returning port learns of the loss first")
                .isEqualTo("CHECK_CONDITION UNIT_ATTENTION / I_T_NEXUS_LOSS_OCCURRED");
        assertThat(target.run(Cdbs.testUnitReady()).outcome()).as("then of the failed flush")
                .isEqualTo("CHECK_CONDITION MEDIUM_ERROR / WRITE_ERROR");
        assertThat(target.run(Cdbs.testUnitReady()).outcome()).isEqualTo("GOOD");
    }

    @Test
    void anItNexusResetReportsItsUnitAttentionBeforeIt() {
        failingImmediateSync(new MediumErrorException(7, "write-back failed"));

        target.dispatcher.itNexusReset(TestTask.NEXUS);

        assertThat(target.run(Cdbs.testUnitReady()).outcome())
                .isEqualTo("CHECK_CONDITION UNIT_ATTENTION / I_T_NEXUS_LOSS_OCCURRED");
        assertThat(target.run(Cdbs.testUnitReady()).outcome()).isEqualTo("CHECK_CONDITION MEDIUM_ERROR / WRITE_ERROR");
        assertThat(target.run(Cdbs.testUnitReady()).outcome()).isEqualTo("GOOD");
    }

    @Test
    void goodIsSentBeforeTheFlushRunsAndItsFailureReachesTheNextCommand() {
        TestBackstore b = new TestBackstore(512, 64);
        ManualExecutor executor = new ManualExecutor();
        Target slow = new Target(b, Target.builder(b).executor(executor).build());

        TestTask sync = slow.run(Cdbs.synchronizeCache16(0, 0, true));
        assertThat(sync.outcome()).isEqualTo("GOOD");
        assertThat(b.calls).as("flush still queued").isEmpty();
        assertThat(slow.run(Cdbs.testUnitReady()).outcome()).isEqualTo("GOOD");

        b.failWith(new MediumErrorException(0, "write-back failed"), false);
        executor.runAll();

        assertThat(b.calls).containsExactly("flush");
        assertThat(sync.completions()).as("the task is not completed again").isEqualTo(1);
        assertThat(slow.run(Cdbs.testUnitReady()).outcome()).isEqualTo("CHECK_CONDITION MEDIUM_ERROR / WRITE_ERROR");
    }

    @Test
    void withoutImmedTheFailureIsACurrentErrorOfTheCommandItself() {
        target.backstore.failWith(new MediumErrorException(7, "write-back failed"), false);

        TestTask sync = target.run(Cdbs.synchronizeCache10(0, 0, false));
        target.backstore.failWith(null, false);

        assertThat(sync.outcome()).isEqualTo("CHECK_CONDITION MEDIUM_ERROR / WRITE_ERROR");
        assertThat(sync.sense().toBytes()[0] & 0x7F).isEqualTo(0x70);
        assertThat(target.run(Cdbs.testUnitReady()).outcome()).isEqualTo("GOOD");
    }

    @Test
    void aDeferredErrorBelongsToOneLogicalUnit() {
        TestBackstore failing = new TestBackstore(512, 8);
        TestBackstore healthy = new TestBackstore(512, 8);
        ScsiDispatcher dispatcher = new ScsiDispatcher(Map.of(
                0, Target.builder(failing).build(), 1, Target.builder(healthy).serial("SER-0002").build()));
        dispatcher.execute(TestTask.of(Cdbs.testUnitReady()).lun(1));
        failing.failWith(new MediumErrorException(0, "write-back failed"), false);

        TestTask sync = TestTask.of(Cdbs.synchronizeCache10(0, 0, true));
        dispatcher.execute(sync);
        TestTask lun1 = TestTask.of(Cdbs.testUnitReady()).lun(1);
        dispatcher.execute(lun1);
        TestTask lun0 = TestTask.of(Cdbs.testUnitReady());
        dispatcher.execute(lun0);

        assertThat(Target.checked(sync).outcome()).isEqualTo("GOOD");
        assertThat(Target.checked(lun1).outcome()).isEqualTo("GOOD");
        assertThat(Target.checked(lun0).outcome()).isEqualTo("CHECK_CONDITION MEDIUM_ERROR / WRITE_ERROR");
    }

    @Test
    void aRejectedImmediateFlushEndsBusyInsteadOfGood() {
        TestBackstore b = new TestBackstore(512, 8);
        LogicalUnit lu = Target.builder(b).executor(r -> {
            throw new RejectedExecutionException("saturated");
        }).build();
        Target busy = new Target(b, lu);

        TestTask sync = busy.run(Cdbs.synchronizeCache10(0, 0, true));

        assertThat(sync.outcome()).isEqualTo("BUSY");
        assertThat(b.calls).isEmpty();
        assertThat(busy.run(Cdbs.testUnitReady()).outcome()).isEqualTo("GOOD");
    }
}
