package io.iscsi4j.it;

import io.iscsi4j.IscsiTarget;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Task management functions (RFC 7143 §11.5, §11.6) as an initiator sees them. */
class TaskManagementTest {

    private static final Map<String, String> SOLICITED_ONLY = Map.of("InitialR2T", "Yes", "ImmediateData", "No");

    /** Sends an immediate Task Management Function Request and returns the Response field. */
    private static int tmf(TestInitiator ini, int function, int lun, int referencedTag, int refCmdSN)
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
        return r.bhs()[2] & 0xFF;
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
}
