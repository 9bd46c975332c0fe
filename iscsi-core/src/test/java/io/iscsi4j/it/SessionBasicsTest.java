package io.iscsi4j.it;

import io.iscsi4j.IscsiTarget;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/** Full feature phase basics: SCSI commands without and with data, sense, residuals, NOP-Out, logout. */
@Timeout(60)
class SessionBasicsTest {

    private static IscsiTarget target;

    @BeforeAll
    static void startTarget() throws IOException {
        target = Targets.start();
    }

    @AfterAll
    static void stopTarget() {
        if (target != null) {
            target.close();
        }
    }

    private static TestInitiator login() throws IOException {
        return Targets.login(target, Map.of("HeaderDigest", "CRC32C", "DataDigest", "CRC32C"));
    }

    @Test
    void testUnitReadyInquiryAndReadCapacity() throws IOException {
        try (TestInitiator initiator = login()) {
            assertThat(initiator.testUnitReady().good()).isTrue();

            ScsiResult inquiry = initiator.inquiry();
            assertThat(inquiry.good()).as("%s", inquiry).isTrue();
            assertThat(inquiry.data().length).isGreaterThanOrEqualTo(36);
            assertThat(inquiry.data()[0] & 0x1F).as("peripheral device type: direct access block").isZero();

            ScsiResult capacity = initiator.readCapacity16();
            assertThat(capacity.good()).as("%s", capacity).isTrue();
            long lastLba = 0;
            for (int i = 0; i < 8; i++) {
                lastLba = lastLba << 8 | capacity.data()[i] & 0xFF;
            }
            assertThat(lastLba).isEqualTo(Targets.LUN_SIZE / 512 - 1);
            assertThat(initiator.blockSize()).isEqualTo(512);
        }
    }

    @Test
    void manyCommandsInARowKeepCmdSNAndStatSNInStep() throws IOException {
        try (TestInitiator initiator = login()) {
            int first = initiator.cmdSN();
            for (int i = 0; i < 300; i++) {
                assertThat(initiator.testUnitReady().good()).isTrue();
            }
            assertThat(initiator.cmdSN() - first).isEqualTo(300);
            assertThat(initiator.targetExpCmdSN()).isEqualTo(initiator.cmdSN());
        }
    }

    @Test
    void shortTransferReportsUnderflowResidual() throws IOException {
        try (TestInitiator initiator = login()) {
            // INQUIRY with an allocation length of 255: the standard data is shorter, the rest is a residual.
            ScsiResult r = initiator.execute(0, new byte[] {0x12, 0, 0, 0, (byte) 0xFF, 0}, 255, null);
            assertThat(r.good()).as("%s", r).isTrue();
            if (r.data().length < 255) {
                assertThat(r.underflow()).as("U bit (RFC 7143 §11.4.5.1): %s", r).isTrue();
                assertThat(r.residualCount()).isEqualTo(255 - r.data().length);
            }
        }
    }

    @Test
    void readBeyondTheEndReturnsCheckConditionWithSense() throws IOException {
        try (TestInitiator initiator = login()) {
            ScsiResult r = initiator.read16(Targets.LUN_SIZE / 512 - 1, 2);
            assertThat(r.response()).isZero();
            assertThat(r.status()).isEqualTo(ScsiResult.CHECK_CONDITION);
            assertThat(r.senseKey()).as("ILLEGAL REQUEST: %s", r).isEqualTo(0x05);
            assertThat(r.asc()).as("LOGICAL BLOCK ADDRESS OUT OF RANGE: %s", r).isEqualTo(0x21);
            assertThat(initiator.testUnitReady().good()).isTrue();
        }
    }

    @Test
    void nopOutPingIsEchoed() throws IOException {
        try (TestInitiator initiator = login()) {
            assertThat(initiator.nopOut(new byte[0])).isEmpty();
            byte[] ping = Targets.pattern(1001, 1001); // not a multiple of 4: padding under the data digest
            assertThat(initiator.nopOut(ping)).isEqualTo(ping);
            byte[] big = Targets.pattern(8192, 8192);
            assertThat(initiator.nopOut(big)).isEqualTo(big);
        }
    }

    @Test
    void logoutIsAnsweredAndTheConnectionCloses() throws IOException {
        try (TestInitiator initiator = login()) {
            assertThat(initiator.testUnitReady().good()).isTrue();
            assertThat(initiator.logout()).as("Logout Response: connection or session closed successfully")
                    .isZero();
            assertThat(initiator.awaitClose(Duration.ofSeconds(5)))
                    .as("the target closes the connection after the Logout Response (RFC 7143 §11.15)").isTrue();
        }
    }
}
