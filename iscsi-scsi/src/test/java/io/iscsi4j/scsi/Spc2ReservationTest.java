package io.iscsi4j.scsi;

import static io.iscsi4j.scsi.PersistentReservationTest.A;
import static io.iscsi4j.scsi.PersistentReservationTest.B;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** RESERVE and RELEASE (6) and (10) (SPC-2), and how they meet persistent reservations (SPC-3 §5.6.3, CRH 0). */
class Spc2ReservationTest {

    private static final String GOOD = "GOOD";
    private static final String CONFLICT = "RESERVATION_CONFLICT";

    private final Target target = Target.of(512, 64);

    private String run(ItNexus n, byte[] cdb) {
        return target.run(TestTask.of(cdb).nexus(n)).outcome();
    }

    private String write(ItNexus n) {
        return target.run(TestTask.of(Cdbs.write10(1, 1)).nexus(n).dataOut(new byte[512])).outcome();
    }

    private String register(ItNexus n, long key) {
        return target.run(TestTask.of(Cdbs.persistentReserveOut(ReservationCommands.SA_REGISTER_AND_IGNORE_EXISTING_KEY,
                0, 24)).nexus(n).dataOut(Cdbs.proutParameters(0, key, 0))).outcome();
    }

    @ParameterizedTest(name = "ten-byte CDB: {0}")
    @ValueSource(booleans = {false, true})
    void reserveExcludesOtherNexuses(boolean ten) {
        assertThat(run(A, Cdbs.reserve(ten))).isEqualTo(GOOD);
        assertThat(run(A, Cdbs.reserve(ten))).as("again by the holder").isEqualTo(GOOD);

        assertThat(run(B, Cdbs.reserve(ten))).isEqualTo(CONFLICT);
        assertThat(run(B, Cdbs.release(ten))).as("a non-holder's RELEASE does nothing").isEqualTo(GOOD);
        assertThat(run(B, Cdbs.testUnitReady())).isEqualTo(CONFLICT);
        assertThat(run(B, Cdbs.read10(0, 1))).isEqualTo(CONFLICT);
        assertThat(write(B)).isEqualTo(CONFLICT);
        assertThat(run(B, Cdbs.modeSense6(false, 0, 0x3F, 0, 255))).as("libiscsi's 2Initiators test")
                .isEqualTo(CONFLICT);
        assertThat(run(B, Cdbs.inquiry(false, 0, 96))).isEqualTo(GOOD);
        assertThat(run(B, Cdbs.reportLuns(0, 256))).isEqualTo(GOOD);
        assertThat(run(B, Cdbs.requestSense(false, 252))).isEqualTo(GOOD);
        assertThat(run(B, Cdbs.readCapacity10())).isEqualTo(GOOD);

        assertThat(run(A, Cdbs.read10(0, 1))).isEqualTo(GOOD);
        assertThat(write(A)).isEqualTo(GOOD);
        assertThat(run(A, Cdbs.modeSense6(false, 0, 0x3F, 0, 255))).isEqualTo(GOOD);

        assertThat(run(A, Cdbs.release(ten))).isEqualTo(GOOD);
        assertThat(run(B, Cdbs.reserve(ten))).isEqualTo(GOOD);
        assertThat(run(A, Cdbs.testUnitReady())).isEqualTo(CONFLICT);
    }

    @Test
    void sixAndTenByteFormsShareOneReservation() {
        run(A, Cdbs.reserve(false));

        assertThat(run(B, Cdbs.reserve(true))).isEqualTo(CONFLICT);
        assertThat(run(A, Cdbs.release(true))).isEqualTo(GOOD);
        assertThat(run(B, Cdbs.reserve(true))).isEqualTo(GOOD);
    }

    @Test
    void thirdPartyReservationsAreNotSupported() {
        byte[] cdb = Cdbs.reserve(true);
        cdb[1] = 0x10; // 3RDPTY

        TestTask t = target.run(TestTask.of(cdb));

        assertThat(t.outcome()).isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / INVALID_FIELD_IN_CDB");
        assertThat(t.senseKeySpecific()).isEqualTo(0xC0_0000 | 0x08_0000 | (4 << 16) | 1);
    }

    @Test
    void logicalUnitResetReleases() {
        run(A, Cdbs.reserve(false));

        target.dispatcher.logicalUnitReset(0);

        run(B, Cdbs.testUnitReady()); // the reset's unit attention
        assertThat(run(B, Cdbs.reserve(false))).isEqualTo(GOOD);
    }

    @Test
    void targetResetReleases() {
        run(A, Cdbs.reserve(false));

        target.dispatcher.targetReset();

        run(B, Cdbs.testUnitReady());
        assertThat(run(B, Cdbs.reserve(false))).isEqualTo(GOOD);
    }

    @Test
    void losingTheHoldersNexusReleases() {
        run(A, Cdbs.reserve(false));
        target.dispatcher.nexusLost(B);
        assertThat(run(B, Cdbs.testUnitReady())).as("B returns to an I_T NEXUS LOSS OCCURRED unit attention")
                .endsWith("I_T_NEXUS_LOSS_OCCURRED");
        assertThat(run(B, Cdbs.reserve(false))).as("another nexus ending changes nothing").isEqualTo(CONFLICT);

        target.dispatcher.nexusLost(A);

        assertThat(run(B, Cdbs.reserve(false))).isEqualTo(GOOD);
    }

    @Test
    void reserveAndReleaseConflictWhileAnyNexusIsRegistered() {
        assertThat(register(B, 0x2222)).isEqualTo(GOOD);

        assertThat(run(A, Cdbs.reserve(false))).isEqualTo(CONFLICT);
        assertThat(run(B, Cdbs.reserve(true))).as("the registrant too").isEqualTo(CONFLICT);
        assertThat(run(A, Cdbs.release(false))).isEqualTo(CONFLICT);
    }

    @Test
    void persistentReserveCommandsConflictWhileReservedEvenForTheHolder() {
        run(A, Cdbs.reserve(false));

        assertThat(register(A, 0x1111)).isEqualTo(CONFLICT);
        assertThat(register(B, 0x2222)).isEqualTo(CONFLICT);
        assertThat(run(A, Cdbs.persistentReserveIn(ReservationCommands.SA_READ_KEYS, 256))).isEqualTo(CONFLICT);

        run(A, Cdbs.release(false));
        assertThat(register(A, 0x1111)).isEqualTo(GOOD);
    }

    @Test
    void preventAllowAndStartStopPassWhenHarmless() {
        run(A, Cdbs.reserve(false));

        assertThat(run(B, new byte[] {0x1E, 0, 0, 0, 0, 0})).as("PREVENT 00b").isEqualTo(GOOD);
        assertThat(run(B, new byte[] {0x1E, 0, 0, 0, 1, 0})).as("PREVENT 01b").isEqualTo(CONFLICT);
        assertThat(run(B, new byte[] {0x1B, 0, 0, 0, 1, 0})).as("START 1").isEqualTo(GOOD);
        assertThat(run(B, new byte[] {0x1B, 0, 0, 0, 0, 0})).as("START 0").isEqualTo(CONFLICT);
    }
}
