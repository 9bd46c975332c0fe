package io.iscsi4j.it;

import io.iscsi4j.IscsiTarget;
import org.junit.jupiter.api.Test;

import io.iscsi4j.backstore.Backstore;
import io.iscsi4j.backstore.Backstores;
import io.iscsi4j.backstore.ForwardingBackstore;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Task management functions (RFC 7143 §11.5, §11.6; RFC 7144 §4) as an initiator sees them. */
class TaskManagementTest {

    private static final Map<String, String> SOLICITED_ONLY = Map.of("InitialR2T", "Yes", "ImmediateData", "No");

    private static final int FUNCTION_COMPLETE = 0;
    private static final int LUN_DOES_NOT_EXIST = 2;
    private static final int FUNCTION_SUCCEEDED = 7;
    private static final int QUERY_TASK = 9;
    private static final int QUERY_TASK_SET = 10;
    private static final int I_T_NEXUS_RESET = 11;
    private static final int QUERY_ASYNCHRONOUS_EVENT = 12;

    /** Sends an immediate Task Management Function Request and returns the Response field. */
    private static int tmf(TestInitiator ini, int function, int lun, int referencedTag, int refCmdSN)
            throws Exception {
        return tmfResponse(ini, function, lun, referencedTag, refCmdSN).bhs()[2] & 0xFF;
    }

    /** Sends an immediate Task Management Function Request and returns the response PDU. */
    private static RawPdu tmfResponse(TestInitiator ini, int function, int lun, int referencedTag, int refCmdSN)
            throws Exception {
        int tag = ini.nextTag();
        ini.send(Bhs.of(Bhs.TASK_MANAGEMENT_REQUEST)
                .immediate(true)
                .flags(0x80 | function)
                .lun(Bhs.encodeLun(lun))
                .itt(tag)
                .i32(20, referencedTag)
                .i32(24, ini.cmdSN())
                .i32(28, ini.expStatSN())
                .i32(32, refCmdSN), new byte[0]);
        RawPdu r = ini.readPdu();
        assertThat(r.opcode()).as("expected a TMF response, got %s", r).isEqualTo(Bhs.TASK_MANAGEMENT_RESPONSE);
        assertThat(ByteBuffer.wrap(r.bhs(), 16, 4).getInt()).isEqualTo(tag);
        ini.acceptStatus(r);
        return r;
    }

    /** Bytes 8 to 10 of a TMF response: SAM-5's ADDITIONAL RESPONSE INFORMATION. */
    private static int[] additionalResponseInformation(RawPdu r) {
        return new int[] {r.bhs()[8] & 0xFF, r.bhs()[9] & 0xFF, r.bhs()[10] & 0xFF};
    }

    /** Sends WRITE(10) of {@code blocks} with no data and returns its tag after the target's R2T arrived. */
    private static int writeAwaitingData(TestInitiator ini, int blocks) throws Exception {
        int tag = ini.nextTag();
        byte[] cdb = new byte[10];
        cdb[0] = 0x2A;
        cdb[8] = (byte) blocks;
        ini.send(Bhs.of(Bhs.SCSI_COMMAND)
                .flags(0x80 | 0x20 | 0x01)
                .lun(Bhs.encodeLun(0))
                .itt(tag)
                .i32(20, blocks * 512)
                .i32(24, ini.cmdSN())
                .i32(28, ini.expStatSN())
                .bytes(32, cdb), new byte[0]);
        ini.advanceCmdSN(1);
        RawPdu r2t = ini.readPdu();
        assertThat(r2t.opcode()).as("R2T, got %s", r2t).isEqualTo(Bhs.R2T);
        return tag;
    }

    @Test
    void abortTaskTerminatesAWriteWaitingForDataWithoutAScsiResponse() throws Exception {
        try (IscsiTarget target = Targets.start();
             TestInitiator ini = Targets.login(target, SOLICITED_ONLY)) {
            int writeCmdSN = ini.cmdSN();
            int write = writeAwaitingData(ini, 16);

            assertThat(tmf(ini, 1, 0, write, writeCmdSN)).as("Function complete").isZero();

            // Data-Out still in flight for the aborted task is dropped, not rejected; no SCSI Response comes.
            ini.send(Bhs.of(Bhs.DATA_OUT).flags(0x80).lun(Bhs.encodeLun(0)).itt(write).i32(20, 0x100)
                    .i32(28, ini.expStatSN()), new byte[512]);
            assertThat(ini.nopOut(new byte[] {1, 2, 3})).containsExactly(1, 2, 3);
            assertThat(ini.testUnitReady().status()).isZero();
        }
    }

    @Test
    void abortTaskOfACompletedCommandAnswersTaskDoesNotExist() throws Exception {
        try (IscsiTarget target = Targets.start();
             TestInitiator ini = Targets.login(target, Map.of())) {
            int cmdSN = ini.cmdSN();
            assertThat(ini.testUnitReady().status()).isZero();
            assertThat(tmf(ini, 1, 0, 0x7777, cmdSN)).as("Task does not exist").isEqualTo(1);
        }
    }

    @Test
    void lunResetAbortsOutstandingTasksAndUnknownLunsAreReported() throws Exception {
        try (IscsiTarget target = Targets.start();
             TestInitiator ini = Targets.login(target, SOLICITED_ONLY)) {
            writeAwaitingData(ini, 8);
            writeAwaitingData(ini, 8);
            assertThat(tmf(ini, 5, 0, 0xFFFFFFFF, 0)).as("LUN RESET: Function complete").isZero();
            assertThat(tmf(ini, 5, 7, 0xFFFFFFFF, 0)).as("LUN does not exist").isEqualTo(2);
            assertThat(tmf(ini, 2, 7, 0xFFFFFFFF, 0)).as("ABORT TASK SET on LUN 7").isEqualTo(2);
            ScsiResult ua = ini.testUnitReady();
            assertThat(ua.status()).as("CHECK CONDITION after the reset").isEqualTo(2);
            assertThat(ua.senseKey()).as("UNIT ATTENTION").isEqualTo(6);
            assertThat(ua.asc()).as("BUS DEVICE RESET FUNCTION OCCURRED").isEqualTo(0x29);
            assertThat(ini.testUnitReady().status()).as("reported once; the window reopened").isZero();
        }
    }

    @Test
    void unsupportedFunctionsAnswerAsTheRfcPrescribes() throws Exception {
        try (IscsiTarget target = Targets.start();
             TestInitiator ini = Targets.login(target, Map.of())) {
            assertThat(tmf(ini, 3, 0, 0xFFFFFFFF, 0)).as("CLEAR ACA: not supported").isEqualTo(5);
            assertThat(tmf(ini, 8, 0, 0x1234, 0)).as("TASK REASSIGN at ERL 0").isEqualTo(4);
            assertThat(tmf(ini, 0x30, 0, 0xFFFFFFFF, 0)).as("undefined function: rejected").isEqualTo(255);
            assertThat(tmf(ini, 6, 0, 0xFFFFFFFF, 0)).as("TARGET WARM RESET").isZero();
            assertThat(ini.testUnitReady().status()).isZero();
        }
    }

    @Test
    void targetColdResetAnswersThenDropsTheConnection() throws Exception {
        try (IscsiTarget target = Targets.start();
             TestInitiator ini = Targets.login(target, Map.of())) {
            assertThat(tmf(ini, 7, 0, 0xFFFFFFFF, 0)).isZero();
            assertThat(ini.awaitClose(java.time.Duration.ofSeconds(3))).isTrue();
        }
    }

    @Test
    void queryTaskAndQueryTaskSetReportLiveTasks() throws Exception {
        try (IscsiTarget target = Targets.start();
             TestInitiator ini = Targets.login(target, SOLICITED_ONLY)) {
            assertThat(tmf(ini, QUERY_TASK_SET, 0, 0xFFFFFFFF, 0)).as("no task yet").isEqualTo(FUNCTION_COMPLETE);
            int writeCmdSN = ini.cmdSN();
            int write = writeAwaitingData(ini, 8);

            assertThat(tmf(ini, QUERY_TASK, 0, write, writeCmdSN)).as("the write exists")
                    .isEqualTo(FUNCTION_SUCCEEDED);
            assertThat(tmf(ini, QUERY_TASK, 0, write + 100, writeCmdSN)).as("no such task")
                    .isEqualTo(FUNCTION_COMPLETE);
            assertThat(tmf(ini, QUERY_TASK_SET, 0, 0xFFFFFFFF, 0)).isEqualTo(FUNCTION_SUCCEEDED);
            assertThat(tmf(ini, QUERY_TASK, 7, write, writeCmdSN)).isEqualTo(LUN_DOES_NOT_EXIST);
            assertThat(tmf(ini, QUERY_TASK_SET, 7, 0xFFFFFFFF, 0)).isEqualTo(LUN_DOES_NOT_EXIST);

            assertThat(tmf(ini, 1, 0, write, writeCmdSN)).as("ABORT TASK").isEqualTo(FUNCTION_COMPLETE);

            assertThat(tmf(ini, QUERY_TASK, 0, write, writeCmdSN)).as("aborted").isEqualTo(FUNCTION_COMPLETE);
            assertThat(tmf(ini, QUERY_TASK_SET, 0, 0xFFFFFFFF, 0)).isEqualTo(FUNCTION_COMPLETE);
            assertThat(ini.testUnitReady().status()).isZero();
        }
    }

    @Test
    void queryAsynchronousEventReportsAPendingUnitAttentionWithoutClearingIt() throws Exception {
        try (IscsiTarget target = Targets.start();
             TestInitiator ini = Targets.login(target, Map.of())) {
            assertThat(ini.testUnitReady().status()).isZero();
            RawPdu none = tmfResponse(ini, QUERY_ASYNCHRONOUS_EVENT, 0, 0xFFFFFFFF, 0);
            assertThat(none.bhs()[2]).isEqualTo((byte) FUNCTION_COMPLETE);
            assertThat(additionalResponseInformation(none)).containsExactly(0, 0, 0);
            assertThat(tmf(ini, 5, 0, 0xFFFFFFFF, 0)).as("LUN RESET").isZero();

            RawPdu pending = tmfResponse(ini, QUERY_ASYNCHRONOUS_EVENT, 0, 0xFFFFFFFF, 0);
            RawPdu again = tmfResponse(ini, QUERY_ASYNCHRONOUS_EVENT, 0, 0xFFFFFFFF, 0);

            assertThat(pending.bhs()[2]).isEqualTo((byte) FUNCTION_SUCCEEDED);
            assertThat(additionalResponseInformation(pending)).as("UADE DEPTH 01b, UNIT ATTENTION, 29h/03h")
                    .containsExactly(0x16, 0x29, 0x03);
            assertThat(again.bhs()[2]).as("not cleared by the query").isEqualTo((byte) FUNCTION_SUCCEEDED);
            ScsiResult ua = ini.testUnitReady();
            assertThat(new int[] {ua.status(), ua.senseKey(), ua.asc()}).containsExactly(2, 6, 0x29);
            assertThat(tmf(ini, QUERY_ASYNCHRONOUS_EVENT, 0, 0xFFFFFFFF, 0)).as("reported by TEST UNIT READY")
                    .isEqualTo(FUNCTION_COMPLETE);
            assertThat(tmf(ini, QUERY_ASYNCHRONOUS_EVENT, 7, 0xFFFFFFFF, 0)).isEqualTo(LUN_DOES_NOT_EXIST);
        }
    }

    @Test
    void itNexusResetAbortsTheSessionsTasksAndEstablishesAnItNexusLossUnitAttention() throws Exception {
        try (IscsiTarget target = Targets.start();
             TestInitiator ini = Targets.login(target, SOLICITED_ONLY);
             TestInitiator other = Targets.login(target, Map.of())) {
            assertThat(other.testUnitReady().status()).isZero();
            writeAwaitingData(ini, 8);
            writeAwaitingData(ini, 8);

            assertThat(tmf(ini, I_T_NEXUS_RESET, 0, 0xFFFFFFFF, 0)).isEqualTo(FUNCTION_COMPLETE);

            assertThat(tmf(ini, QUERY_TASK_SET, 0, 0xFFFFFFFF, 0)).as("tasks aborted").isEqualTo(FUNCTION_COMPLETE);
            ScsiResult ua = ini.testUnitReady();
            assertThat(new int[] {ua.status(), ua.senseKey(), ua.asc(), ua.sense()[13]})
                    .as("UNIT ATTENTION / I_T NEXUS LOSS OCCURRED").containsExactly(2, 6, 0x29, 0x07);
            assertThat(ini.testUnitReady().status()).as("the session stays").isZero();
            assertThat(other.testUnitReady().status()).as("other nexuses are not affected").isZero();
        }
    }

    @Test
    void reportSupportedTaskManagementFunctionsClaimsTheQueryFunctionsAndItNexusReset() throws Exception {
        try (IscsiTarget target = Targets.start();
             TestInitiator ini = Targets.login(target, Map.of())) {
            byte[] cdb = new byte[12];
            cdb[0] = (byte) 0xA3;
            cdb[1] = 0x0D;
            cdb[9] = 4;
            ScsiResult r = ini.execute(0, cdb, 4, null);
            assertThat(r.good()).isTrue();
            assertThat(r.data()[0] & 0x04).as("QTS").isNotZero();
            assertThat(r.data()[1] & 0x07).as("QAES, QTSS, ITNRS").isEqualTo(0x07);
        }
    }

    /** A memory backstore whose unmap calls take {@code millis} each (scheduled; no thread waits). */
    private static Backstore slowUnmap(long bytes, long millis, ScheduledExecutorService scheduler) {
        return new ForwardingBackstore(Backstores.memory(bytes)) {
            @Override
            public CompletionStage<Void> unmap(long lba, long blocks) {
                CompletableFuture<Void> done = new CompletableFuture<>();
                scheduler.schedule(() -> delegate().unmap(lba, blocks).whenComplete((v, e) -> {
                    if (e != null) {
                        done.completeExceptionally(e);
                    } else {
                        done.complete(null);
                    }
                }), millis, TimeUnit.MILLISECONDS);
                return done;
            }
        };
    }

    @Test
    void anAbortedSanitizeEndsAtOnceWhileItsOperationGoesOnWithAProgressIndication() throws Exception {
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        try (IscsiTarget target = IscsiTarget.builder().portal("127.0.0.1", 0)
                .target(Targets.IQN, t -> t.lun(0, slowUnmap(16L << 20, 150, scheduler))).build().start();
             TestInitiator ini = Targets.login(target, Map.of())) {
            assertThat(ini.testUnitReady().status()).isZero();
            int sanitizeCmdSN = ini.cmdSN();
            int sanitize = ini.nextTag();
            byte[] blockErase = new byte[10];
            blockErase[0] = 0x48;
            blockErase[1] = 0x02; // BLOCK ERASE, no IMMED: the command lasts as long as the operation (16 x 150 ms)
            ini.send(Bhs.of(Bhs.SCSI_COMMAND).flags(0x80).lun(Bhs.encodeLun(0)).itt(sanitize)
                    .i32(24, sanitizeCmdSN).i32(28, ini.expStatSN()).bytes(32, blockErase), new byte[0]);
            ini.advanceCmdSN(1);

            ScsiResult running = ini.testUnitReady();
            long before = System.nanoTime();
            int abort = tmf(ini, 1, 0, sanitize, sanitizeCmdSN);
            long abortMillis = (System.nanoTime() - before) / 1_000_000;
            ScsiResult stillRunning = ini.testUnitReady();

            assertThat(new int[] {running.status(), running.senseKey(), running.asc(), running.sense()[13]})
                    .as("NOT READY / SANITIZE IN PROGRESS").containsExactly(2, 2, 0x04, 0x1B);
            assertThat(running.sense()[15] & 0x80).as("SKSV: a progress indication").isNotZero();
            assertThat(abort).as("ABORT TASK: Function complete").isZero();
            assertThat(abortMillis).as("the abort did not wait for the operation").isLessThan(1500);
            assertThat(stillRunning.sense()[13]).as("the operation goes on").isEqualTo((byte) 0x1B);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            ScsiResult after = ini.testUnitReady();
            while (after.status() != 0 && System.nanoTime() < deadline) {
                Thread.sleep(100);
                after = ini.testUnitReady();
            }
            assertThat(after.status()).as("GOOD once the operation ended; no response for the aborted task").isZero();
            assertThat(ini.nopOut(new byte[] {9})).containsExactly(9);
        } finally {
            scheduler.shutdownNow();
        }
    }
}
