package io.iscsi4j.it;

import io.iscsi4j.IscsiTarget;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketException;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Digest errors (RFC 7143 §7.8) at ErrorRecoveryLevel 0:
 * <ul>
 *   <li>"When a target receives any iSCSI PDU with a payload digest error, it MUST answer with a Reject PDU with
 *       a reason code of Data-Digest-Error and discard the PDU." For a discarded Data-Out the target MUST then
 *       either request the data again with a recovery R2T (within-command recovery, ErrorRecoveryLevel ≥ 1) or
 *       terminate the task with CHECK CONDITION, ABORTED COMMAND, "protocol service CRC error" (ASC 47h,
 *       ASCQ 05h, RFC 7143 §11.4.7.2), after receiving all the data the initiator sends for it. A discarded
 *       command PDU (immediate data) needs no further action by the target.</li>
 *   <li>A header digest error: the target "MUST either discard the header and all data up to the beginning of
 *       a later PDU or close the connection".</li>
 * </ul>
 * The Reject's data segment is the rejected PDU's header (RFC 7143 §11.17.3), reason 0x02 (§11.17.1).
 */
@Timeout(60)
class DigestErrorTest {

    private static final int REASON_DATA_DIGEST_ERROR = 0x02;

    private static IscsiTarget target;

    @BeforeAll
    static void startTarget() throws IOException {
        target = Targets.start(b -> b.maxRecvDataSegmentLength(65536));
    }

    @AfterAll
    static void stopTarget() {
        if (target != null) {
            target.close();
        }
    }

    private static TestInitiator login(String initialR2T, String immediateData) throws IOException {
        Map<String, String> offer = new LinkedHashMap<>();
        offer.put("HeaderDigest", "CRC32C");
        offer.put("DataDigest", "CRC32C");
        offer.put("InitialR2T", initialR2T);
        offer.put("ImmediateData", immediateData);
        offer.put("ErrorRecoveryLevel", "0");
        TestInitiator initiator = Targets.login(target, offer);
        initiator.readTimeout(Duration.ofSeconds(3)); // all data is sent at once: 3 s is ample
        return initiator;
    }

    @Test
    void solicitedDataOutWithBadDataDigestIsRejectedAndTheTaskTerminated() throws IOException {
        try (TestInitiator initiator = login("Yes", "No")) {
            byte[] data = Targets.pattern(256 << 10, 1);
            // All data solicited by R2T, 4 Data-Out PDUs of 64 KiB; the second one carries a bad digest.
            initiator.corruptDataDigestOfDataOut(1);
            ScsiResult w = initiator.write16(64, data);
            assertDigestErrorHandled(w, 1, 65536);
            assertConnectionStillUsable(initiator, 64, data);
        }
    }

    @Test
    void unsolicitedDataOutWithBadDataDigestIsRejectedAndTheTaskTerminated() throws IOException {
        try (TestInitiator initiator = login("No", "No")) {
            byte[] data = Targets.pattern(128 << 10, 2);
            initiator.corruptDataDigestOfDataOut(0); // the first unsolicited Data-Out
            ScsiResult w = initiator.write16(512, data);
            assertDigestErrorHandled(w, 0, 0);
            assertConnectionStillUsable(initiator, 512, data);
        }
    }

    @Test
    void immediateDataWithBadDataDigestIsRejectedAndTheCommandEndsWithACrcError() throws IOException {
        try (TestInitiator initiator = login("Yes", "Yes")) {
            byte[] old = Targets.pattern(4096, 30);
            assertThat(initiator.write16(1024, old).status()).isZero();
            byte[] data = Targets.pattern(4096, 3);
            int cmdSN = initiator.cmdSN();
            initiator.corruptDataDigestOfNextCommand();
            ScsiResult w = initiator.write16(1024, data);
            assertImmediateDataLost(w);
            assertThat(initiator.targetExpCmdSN()).as("the command counts as delivered (RFC 7143 §7.8)")
                    .isEqualTo(cmdSN + 1);
            assertThat(initiator.read16(1024, 8).data()).as("nothing of it was written").isEqualTo(old);
            assertConnectionStillUsable(initiator, 1024, data);
        }
    }

    @Test
    void immediateDataWithBadDataDigestEndsOnlyAfterTheUnsolicitedDataThatFollows() throws IOException {
        // The target takes 8 KiB per PDU, so 8 KiB of immediate data and 56 KiB of unsolicited Data-Out follow.
        try (IscsiTarget small = Targets.start(b -> b.maxRecvDataSegmentLength(8192));
             TestInitiator initiator = Targets.login(small, Map.of("HeaderDigest", "CRC32C", "DataDigest", "CRC32C",
                     "InitialR2T", "No", "ImmediateData", "Yes", "FirstBurstLength", "65536"))) {
            initiator.readTimeout(Duration.ofSeconds(3));
            byte[] old = Targets.pattern(64 << 10, 40);
            assertThat(initiator.write16(2048, old).status()).isZero();
            initiator.resetStats();
            byte[] data = Targets.pattern(64 << 10, 4);
            initiator.corruptDataDigestOfNextCommand();
            ScsiResult w = initiator.write16(2048, data);
            assertImmediateDataLost(w);
            assertThat(initiator.stats().unsolicitedBytes).as("unsolicited data followed the command")
                    .isEqualTo(56 << 10);
            assertThat(initiator.read16(2048, 128).data()).as("nothing of it was written").isEqualTo(old);
            assertConnectionStillUsable(initiator, 2048, data);
        }
    }

    /** One Reject for the command's data digest; then, at ErrorRecoveryLevel 0, CHECK CONDITION with a CRC error. */
    private static void assertImmediateDataLost(ScsiResult w) {
        assertThat(w.rejects()).as("one Reject: %s", w).hasSize(1);
        RawPdu reject = w.rejects().get(0);
        assertThat(reject.u8(2)).as("Reject reason").isEqualTo(REASON_DATA_DIGEST_ERROR);
        assertThat(reject.data()[0] & 0x3F).as("rejected opcode").isEqualTo(Bhs.SCSI_COMMAND);
        assertThat(w.response()).as("Command Completed at Target: %s", w).isZero();
        assertThat(w.status()).as("status: %s", w).isEqualTo(ScsiResult.CHECK_CONDITION);
        assertThat(w.senseKey()).as("ABORTED COMMAND: %s", w).isEqualTo(0x0B);
        assertThat(w.asc()).as("PROTOCOL SERVICE CRC ERROR: %s", w).isEqualTo(0x47);
        assertThat(w.ascq()).isEqualTo(0x05);
    }

    @Test
    void headerDigestErrorDiscardsThePduOrClosesTheConnection() throws IOException {
        try (TestInitiator initiator = login("Yes", "Yes")) {
            int tag = initiator.nextTag();
            Bhs tur = Bhs.of(Bhs.SCSI_COMMAND).flags(0x81).lun(0).itt(tag).i32(20, 0)
                    .i32(24, initiator.cmdSN()).i32(28, initiator.expStatSN());
            initiator.sendWithBadHeaderDigest(tur, new byte[0]);
            byte[] ping = {9, 8, 7, 6};
            int pingTag = initiator.nextTag();
            Bhs nop = Bhs.of(Bhs.NOP_OUT).immediate(true).flags(0x80).itt(pingTag).i32(20, Bhs.RESERVED_TAG)
                    .i32(24, initiator.cmdSN()).i32(28, initiator.expStatSN());
            try {
                initiator.send(nop, ping);
                RawPdu p = initiator.readPdu();
                // Discarded: the next PDU the target answers is the NOP-Out, never the corrupted command.
                assertThat(p.opcode()).as("after a header digest error: %s", p).isEqualTo(Bhs.NOP_IN);
                assertThat(p.itt()).isEqualTo(pingTag);
                assertThat(p.data()).isEqualTo(ping);
            } catch (EOFException | SocketException closed) {
                // Closed: allowed as well.
                return;
            }
        }
    }

    private static void assertDigestErrorHandled(ScsiResult w, int dataSN, int offset) {
        assertThat(w.rejects()).as("one Reject for the corrupted Data-Out: %s", w).hasSize(1);
        RawPdu reject = w.rejects().get(0);
        assertThat(reject.u8(2)).as("Reject reason (RFC 7143 §11.17.1)").isEqualTo(REASON_DATA_DIGEST_ERROR);
        assertThat(reject.itt()).as("Reject ITT").isEqualTo(Bhs.RESERVED_TAG);
        byte[] rejected = reject.data();
        assertThat(rejected.length).as("Reject data: the rejected PDU's header").isGreaterThanOrEqualTo(Bhs.LENGTH);
        RawPdu header = new RawPdu(Arrays.copyOf(rejected, Bhs.LENGTH), new byte[0], new byte[0]);
        assertThat(header.opcode()).isEqualTo(Bhs.DATA_OUT);
        assertThat(header.i32(36)).as("rejected DataSN").isEqualTo(dataSN);
        assertThat(header.i32(40)).as("rejected Buffer Offset").isEqualTo(offset);

        // ErrorRecoveryLevel 0: no recovery R2T, the task ends with CHECK CONDITION.
        assertThat(w.response()).as("Command Completed at Target: %s", w).isZero();
        assertThat(w.status()).as("status: %s", w).isEqualTo(ScsiResult.CHECK_CONDITION);
        assertThat(w.senseKey()).as("ABORTED COMMAND: %s", w).isEqualTo(0x0B);
        assertThat(w.asc()).as("ASC protocol service CRC error: %s", w).isEqualTo(0x47);
        assertThat(w.ascq()).as("ASCQ protocol service CRC error: %s", w).isEqualTo(0x05);
    }

    private static void assertConnectionStillUsable(TestInitiator initiator, long lba, byte[] data)
            throws IOException {
        assertThat(initiator.testUnitReady().good()).isTrue();
        ScsiResult again = initiator.write16(lba, data);
        assertThat(again.good()).as("%s", again).isTrue();
        assertThat(initiator.read16(lba, data.length / 512).data()).isEqualTo(data);
    }
}
