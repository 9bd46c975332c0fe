package io.iscsi4j.it;

import static io.iscsi4j.it.Pipelined.QUIET;
import static io.iscsi4j.it.Pipelined.assertSilent;
import static io.iscsi4j.it.Pipelined.block;
import static io.iscsi4j.it.Pipelined.prout;
import static io.iscsi4j.it.Pipelined.sendTmf;
import static io.iscsi4j.it.Pipelined.sendWrite;
import static io.iscsi4j.it.Pipelined.start;
import static io.iscsi4j.it.Pipelined.tmfResponse;

import io.iscsi4j.IscsiTarget;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Recovery never lets an old write land over newer acknowledged data. Each test holds a write of {@code 0xAA} in the
 * backstore (a slow remote store), runs the recovery path a real initiator takes (session reinstatement, reconnection,
 * LOGICAL UNIT RESET from another host, ABORT TASK then LOGICAL UNIT RESET, PREEMPT AND ABORT), then writes
 * {@code 0xBB} to the same block, and asserts the bytes on the medium: {@code 0xBB}. It also asserts that the recovery
 * step is not answered (or the new write not started) while the old write is still in the backstore, and that the
 * aborted write never gets a status.
 */
@Timeout(60)
class FencingTest {

    private static final byte OLD = (byte) 0xAA;
    private static final byte NEW = (byte) 0xBB;
    private static final int LOGICAL_UNIT_RESET = 5;
    private static final int ABORT_TASK = 1;
    private static final int FUNCTION_COMPLETE = 0;
    private static final String OTHER_INITIATOR = "iqn.2026-11.io.iscsi4j:other-host";

    private final ExecutorService background = Executors.newCachedThreadPool();

    @AfterEach
    void stopBackground() {
        background.shutdownNow();
    }

    private static void assertNotDone(Future<?> f, String what) throws Exception {
        assertThatThrownBy(() -> f.get(QUIET.toMillis(), TimeUnit.MILLISECONDS)).as(what)
                .isInstanceOf(TimeoutException.class);
    }

    /** After the recovery: the first command reports a unit attention; then 0xBB is written and read back. */
    private static void writeNewAndReadBack(TestInitiator ini, int expectedAsc) throws IOException {
        ScsiResult ua = ini.testUnitReady();
        assertThat(ua.status()).as("CHECK CONDITION").isEqualTo(2);
        assertThat(ua.senseKey()).as("UNIT ATTENTION").isEqualTo(6);
        assertThat(ua.asc()).isEqualTo(expectedAsc);
        assertThat(ini.write16(0, block(NEW)).status()).as("the new write").isZero();
        assertThat(ini.read16(0, 1).data()).as("read back").isEqualTo(block(NEW));
    }

    @Test
    void aReinstatedSessionsCommandsWaitForTheOldSessionsWrite() throws Exception {
        HoldingBackstore backstore = HoldingBackstore.asynchronousHold();
        try (IscsiTarget target = start(backstore, 1);
             TestInitiator first = Targets.login(target, Map.of());
             TestInitiator second = TestInitiator.connect(target.localAddress())) {
            assertThat(first.testUnitReady().status()).isZero();
            backstore.holdWritesStartingWith(OLD);
            sendWrite(first, 0, OLD);
            HoldingBackstore.Held old = backstore.awaitHeld();

            second.useIsidOf(first);
            second.login(TestInitiator.INITIATOR_NAME, Targets.IQN, Map.of());
            assertThat(first.awaitClose(Duration.ofSeconds(3))).as("the old connection closes").isTrue();
            Future<?> recovery = background.submit(() -> {
                writeNewAndReadBack(second, 0x29); // 29h/07h: I_T NEXUS LOSS OCCURRED
                return null;
            });
            assertNotDone(recovery, "the new session's commands wait while the old write is in the backstore");
            assertThat(backstore.writeCalls()).as("only the old write reached the backstore").isEqualTo(1);

            backstore.release(old);
            recovery.get(10, TimeUnit.SECONDS);
            assertThat(backstore.onMedium(0, 1)).isEqualTo(block(NEW));
        }
    }

    @Test
    void aSessionWhoseConnectionDroppedIsFencedBeforeTheSameNexusLogsInAgain() throws Exception {
        HoldingBackstore backstore = HoldingBackstore.asynchronousHold();
        try (IscsiTarget target = start(backstore, 1);
             TestInitiator second = TestInitiator.connect(target.localAddress())) {
            TestInitiator first = Targets.login(target, Map.of());
            assertThat(first.testUnitReady().status()).isZero();
            backstore.holdWritesStartingWith(OLD);
            sendWrite(first, 0, OLD);
            HoldingBackstore.Held old = backstore.awaitHeld();
            second.useIsidOf(first);
            first.close(); // the connection drops with the write in the backstore

            second.login(TestInitiator.INITIATOR_NAME, Targets.IQN, Map.of());
            Future<?> recovery = background.submit(() -> {
                writeNewAndReadBack(second, 0x29);
                return null;
            });
            assertNotDone(recovery, "the new session's commands wait while the old write is in the backstore");

            backstore.release(old);
            recovery.get(10, TimeUnit.SECONDS);
            assertThat(backstore.onMedium(0, 1)).isEqualTo(block(NEW));
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"LOGICAL UNIT RESET, 5, 0x29", "TARGET WARM RESET, 6, 0x29", "CLEAR TASK SET, 4, 0x2F"})
    void aFunctionCoveringEveryNexusAnswersOnlyOnceTheOtherHostsWriteEnded(String name, int function,
                                                                          int firstHostAsc) throws Exception {
        HoldingBackstore backstore = HoldingBackstore.asynchronousHold();
        try (IscsiTarget target = start(backstore, 1);
             TestInitiator first = Targets.login(target, Map.of());
             TestInitiator second = TestInitiator.connect(target.localAddress())) {
            second.login(OTHER_INITIATOR, Targets.IQN, Map.of());
            assertThat(first.testUnitReady().status()).isZero();
            assertThat(second.testUnitReady().status()).isZero();
            backstore.holdWritesStartingWith(OLD);
            sendWrite(first, 0, OLD);
            HoldingBackstore.Held old = backstore.awaitHeld();

            int tmf = sendTmf(second, function, 0xFFFFFFFF, 0);
            assertSilent(second, name + " answered while another host's write is in the backstore");

            backstore.release(old);
            assertThat(tmfResponse(second, tmf)).as("Function complete").isEqualTo(FUNCTION_COMPLETE);
            if (function != 4) {
                writeNewAndReadBack(second, 0x29); // the resets raise a unit attention for the issuer too
            } else {
                assertThat(second.write16(0, block(NEW)).status()).isZero();
            }
            assertThat(backstore.onMedium(0, 1)).isEqualTo(block(NEW));
            // The aborted write got no status: the first host's next PDU is the NOP-In, then the unit attention.
            assertThat(first.nopOut(new byte[] {4})).as("no status for the aborted write").containsExactly(4);
            ScsiResult ua = first.testUnitReady();
            assertThat(ua.senseKey()).as("UNIT ATTENTION").isEqualTo(6);
            assertThat(ua.asc()).as("the first host learns its commands were cleared").isEqualTo(firstHostAsc);
        }
    }

    @Test
    void aResetWaitsForTheWriteOfASessionWhoseConnectionDropped() throws Exception {
        HoldingBackstore backstore = HoldingBackstore.asynchronousHold();
        try (IscsiTarget target = start(backstore, 1);
             TestInitiator second = TestInitiator.connect(target.localAddress())) {
            second.login(OTHER_INITIATOR, Targets.IQN, Map.of());
            assertThat(second.testUnitReady().status()).isZero();
            TestInitiator first = Targets.login(target, Map.of());
            assertThat(first.testUnitReady().status()).isZero();
            backstore.holdWritesStartingWith(OLD);
            sendWrite(first, 0, OLD);
            HoldingBackstore.Held old = backstore.awaitHeld();
            first.close(); // the first host is gone; its write is still in the backstore

            int reset = sendTmf(second, LOGICAL_UNIT_RESET, 0xFFFFFFFF, 0);
            assertSilent(second, "LOGICAL UNIT RESET answered while a lost session's write is in the backstore");

            backstore.release(old);
            assertThat(tmfResponse(second, reset)).as("Function complete").isEqualTo(FUNCTION_COMPLETE);
            writeNewAndReadBack(second, 0x29);
            assertThat(backstore.onMedium(0, 1)).isEqualTo(block(NEW));
        }
    }

    @Test
    void aResetAfterAPendingAbortTaskStillWaitsForTheTask() throws Exception {
        HoldingBackstore backstore = HoldingBackstore.asynchronousHold();
        try (IscsiTarget target = start(backstore, 1);
             TestInitiator ini = Targets.login(target, Map.of())) {
            assertThat(ini.testUnitReady().status()).isZero();
            backstore.holdWritesStartingWith(OLD);
            int writeCmdSN = ini.cmdSN();
            int write = sendWrite(ini, 0, OLD);
            HoldingBackstore.Held old = backstore.awaitHeld();

            int abort = sendTmf(ini, ABORT_TASK, write, writeCmdSN);
            int reset = sendTmf(ini, LOGICAL_UNIT_RESET, 0xFFFFFFFF, 0);
            assertSilent(ini, "ABORT TASK or LOGICAL UNIT RESET answered while the write is in the backstore");

            backstore.release(old);
            assertThat(tmfResponse(ini, abort)).as("ABORT TASK: Function complete").isEqualTo(FUNCTION_COMPLETE);
            assertThat(tmfResponse(ini, reset)).as("LU RESET: Function complete").isEqualTo(FUNCTION_COMPLETE);
            writeNewAndReadBack(ini, 0x29);
            assertThat(backstore.onMedium(0, 1)).isEqualTo(block(NEW));
        }
    }

    @Test
    void preemptAndAbortCompletesOnlyOnceThePreemptedHostsWriteEnded() throws Exception {
        HoldingBackstore backstore = HoldingBackstore.asynchronousHold();
        try (IscsiTarget target = start(backstore, 1);
             TestInitiator holder = Targets.login(target, Map.of());
             TestInitiator other = TestInitiator.connect(target.localAddress())) {
            other.login(OTHER_INITIATOR, Targets.IQN, Map.of());
            assertThat(prout(holder, 0x00, 0, 0, 0xB0B).status()).as("REGISTER").isZero();
            assertThat(prout(holder, 0x01, 1, 0xB0B, 0).status()).as("RESERVE write exclusive").isZero();
            assertThat(prout(other, 0x00, 0, 0, 0xA11CE).status()).as("REGISTER").isZero();
            backstore.holdWritesStartingWith(OLD);
            sendWrite(holder, 0, OLD);
            HoldingBackstore.Held old = backstore.awaitHeld();

            Future<ScsiResult> preempt = background.submit(() -> prout(other, 0x05, 1, 0xA11CE, 0xB0B));
            assertNotDone(preempt, "PREEMPT AND ABORT answered while the preempted host's write is in the backstore");

            backstore.release(old);
            assertThat(preempt.get(10, TimeUnit.SECONDS).status()).as("PREEMPT AND ABORT").isZero();
            assertThat(other.write16(0, block(NEW)).status()).as("the preemptor's write").isZero();
            assertThat(backstore.onMedium(0, 1)).isEqualTo(block(NEW));
            assertThat(holder.nopOut(new byte[] {9})).as("no status for the aborted write").containsExactly(9);
            assertThat(holder.testUnitReady().asc()).as("REGISTRATIONS PREEMPTED").isEqualTo(0x2A);
            assertThat(holder.write16(0, block(OLD)).status()).as("the fenced host conflicts").isEqualTo(0x18);
            assertThat(backstore.onMedium(0, 1)).isEqualTo(block(NEW));
        }
    }

    @Test
    void aLogoutIsAnsweredOnlyOnceTheSessionsWriteEnded() throws Exception {
        HoldingBackstore backstore = HoldingBackstore.asynchronousHold();
        try (IscsiTarget target = start(backstore, 1);
             TestInitiator first = Targets.login(target, Map.of());
             TestInitiator other = TestInitiator.connect(target.localAddress())) {
            assertThat(first.testUnitReady().status()).isZero();
            backstore.holdWritesStartingWith(OLD);
            sendWrite(first, 0, OLD);
            HoldingBackstore.Held old = backstore.awaitHeld();

            first.readTimeout(Duration.ofSeconds(10));
            Future<Integer> logout = background.submit(first::logout);
            assertNotDone(logout, "Logout answered while the session's write is in the backstore");

            backstore.release(old);
            assertThat(logout.get(10, TimeUnit.SECONDS)).as("logged out, with no status for the aborted write")
                    .isZero();
            // Another nexus of the same host (a new ISID) writes after the logout: nothing older lands on it.
            other.login(TestInitiator.INITIATOR_NAME, Targets.IQN, Map.of());
            assertThat(other.write16(0, block(NEW)).status()).isZero();
            assertThat(backstore.onMedium(0, 1)).isEqualTo(block(NEW));
        }
    }

    @Test
    void aTaskAbortedBeforeItsBackstoreCallStartedNeverReachesTheBackstore() throws Exception {
        HoldingBackstore backstore = HoldingBackstore.blockingHold();
        try (IscsiTarget target = start(backstore, 1);
             TestInitiator ini = Targets.login(target, Map.of())) {
            assertThat(ini.testUnitReady().status()).isZero();
            backstore.holdWritesStartingWith(OLD);
            sendWrite(ini, 0, OLD); // blocks the one I/O thread in the backstore
            backstore.awaitHeld();
            int queuedCmdSN = ini.cmdSN();
            int queued = sendWrite(ini, 8, NEW); // queued on the executor behind it
            int calls = backstore.writeCalls();

            int abort = sendTmf(ini, ABORT_TASK, queued, queuedCmdSN);
            assertSilent(ini, "ABORT TASK answered before the SCSI layer let go of the task");
            backstore.releaseBlocked();

            // The held write completes with GOOD; the aborted one never reaches the backstore and gets no status.
            ini.readTimeout(Duration.ofSeconds(10));
            RawPdu first = ini.readPdu();
            RawPdu second = ini.readPdu();
            RawPdu tmf = first.opcode() == Bhs.TASK_MANAGEMENT_RESPONSE ? first : second;
            RawPdu response = tmf == first ? second : first;
            assertThat(tmf.itt()).isEqualTo(abort);
            assertThat(tmf.bhs()[2]).as("Function complete").isEqualTo((byte) FUNCTION_COMPLETE);
            assertThat(response.opcode()).isEqualTo(Bhs.SCSI_RESPONSE);
            assertThat(response.itt()).as("only the held write is answered").isNotEqualTo(queued);
            ini.acceptStatus(first);
            ini.acceptStatus(second);
            assertThat(ini.nopOut(new byte[] {3})).containsExactly(3);
            assertThat(backstore.writeCalls()).as("no backstore call for the aborted write").isEqualTo(calls);
            assertThat(backstore.onMedium(8, 1)).isEqualTo(new byte[512]);
            assertThat(backstore.onMedium(0, 1)).isEqualTo(block(OLD));
        }
    }
}
