package io.iscsi4j.scsi;

import static io.iscsi4j.scsi.PersistentReservations.EXCLUSIVE_ACCESS;
import static io.iscsi4j.scsi.PersistentReservations.EXCLUSIVE_ACCESS_ALL_REGISTRANTS;
import static io.iscsi4j.scsi.PersistentReservations.EXCLUSIVE_ACCESS_REGISTRANTS_ONLY;
import static io.iscsi4j.scsi.PersistentReservations.WRITE_EXCLUSIVE;
import static io.iscsi4j.scsi.PersistentReservations.WRITE_EXCLUSIVE_ALL_REGISTRANTS;
import static io.iscsi4j.scsi.PersistentReservations.WRITE_EXCLUSIVE_REGISTRANTS_ONLY;
import static io.iscsi4j.scsi.ReservationCommands.SA_CLEAR;
import static io.iscsi4j.scsi.ReservationCommands.SA_PREEMPT;
import static io.iscsi4j.scsi.ReservationCommands.SA_PREEMPT_AND_ABORT;
import static io.iscsi4j.scsi.ReservationCommands.SA_READ_FULL_STATUS;
import static io.iscsi4j.scsi.ReservationCommands.SA_READ_KEYS;
import static io.iscsi4j.scsi.ReservationCommands.SA_READ_RESERVATION;
import static io.iscsi4j.scsi.ReservationCommands.SA_REGISTER;
import static io.iscsi4j.scsi.ReservationCommands.SA_REGISTER_AND_IGNORE_EXISTING_KEY;
import static io.iscsi4j.scsi.ReservationCommands.SA_REGISTER_AND_MOVE;
import static io.iscsi4j.scsi.ReservationCommands.SA_RELEASE;
import static io.iscsi4j.scsi.ReservationCommands.SA_REPORT_CAPABILITIES;
import static io.iscsi4j.scsi.ReservationCommands.SA_RESERVE;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PersistentReservationTest {

    private static final String GOOD = "GOOD";
    private static final String CONFLICT = "RESERVATION_CONFLICT";

    /** Initiator port A through the target port of the other fixtures. */
    static final ItNexus A = TestTask.NEXUS;
    /** Another initiator through the same target port. */
    static final ItNexus B = new ItNexus("iqn.1993-08.org.debian:01:def,i,0x00023d000002", A.targetPortName(), 1, 1);
    /** A third initiator. */
    static final ItNexus C = new ItNexus("iqn.1993-08.org.debian:01:ghi,i,0x00023d000003", A.targetPortName(), 1, 1);
    /** An initiator that never registers: it observes with PERSISTENT RESERVE IN and gets no unit attentions. */
    static final ItNexus OBSERVER = new ItNexus("iqn.1993-08.org.debian:01:obs,i,0x00023d000009", A.targetPortName(),
            1, 1);
    /** Initiator port A through a second target port. */
    static final ItNexus A_PORT2 = new ItNexus(A.initiatorPortName(), "iqn.2026-11.io.iscsi4j:demo,t,0x0002", 2, 2);

    private final List<Predicate<ItNexus>> aborted = new ArrayList<>();
    private final List<Predicate<ItNexus>> awaited = new ArrayList<>();
    /** What the aborter returns: the tasks of the preempted nexuses end when this completes. */
    private CompletableFuture<Void> abortedTasksEnded = CompletableFuture.completedFuture(null);
    private final TestBackstore backstore = new TestBackstore(512, 64);
    private final ScsiDispatcher dispatcher = new ScsiDispatcher(Map.of(0, Target.builder(backstore).build()),
            new TaskSetAborter() {
                @Override
                public CompletionStage<Void> abortTasks(ScsiTask requester, int lun, Predicate<ItNexus> preempted) {
                    aborted.add(preempted);
                    return abortedTasksEnded;
                }

                @Override
                public CompletionStage<Void> awaitTasks(ScsiTask requester, int lun, Predicate<ItNexus> nexuses) {
                    awaited.add(nexuses);
                    return abortedTasksEnded;
                }
            });

    private TestTask run(TestTask t) {
        dispatcher.execute(t);
        return Target.checked(t);
    }

    private String prout(ItNexus n, int sa, int type, long key, long serviceActionKey) {
        return prout(n, sa, type, key, serviceActionKey, 0);
    }

    private String prout(ItNexus n, int sa, int type, long key, long serviceActionKey, int flags) {
        return run(TestTask.of(Cdbs.persistentReserveOut(sa, type, 24)).nexus(n)
                .dataOut(Cdbs.proutParameters(key, serviceActionKey, flags))).outcome();
    }

    private String register(ItNexus n, long key) {
        return prout(n, SA_REGISTER_AND_IGNORE_EXISTING_KEY, 0, 0, key);
    }

    private byte[] prin(ItNexus n, int sa) {
        TestTask t = run(TestTask.of(Cdbs.persistentReserveIn(sa, 8192)).nexus(n));
        assertThat(t.outcome()).isEqualTo(GOOD);
        return t.dataIn();
    }

    private long generation() {
        return Cdbs.u32(prin(OBSERVER, SA_READ_KEYS), 0);
    }

    private List<Long> keys() {
        byte[] d = prin(OBSERVER, SA_READ_KEYS);
        List<Long> keys = new ArrayList<>();
        for (int p = 8; p < 8 + Cdbs.u32(d, 4); p += 8) {
            keys.add(Cdbs.u64(d, p));
        }
        return keys;
    }

    private String read(ItNexus n) {
        return run(TestTask.of(Cdbs.read10(1, 1)).nexus(n)).outcome();
    }

    private String write(ItNexus n) {
        return run(TestTask.of(Cdbs.write10(1, 1)).nexus(n).dataOut(new byte[512])).outcome();
    }

    private String testUnitReady(ItNexus n) {
        return run(TestTask.of(Cdbs.testUnitReady()).nexus(n)).outcome();
    }

    // ---- registration ----

    @Test
    void readKeysStartsEmptyAtGenerationZero() {
        byte[] d = prin(A, SA_READ_KEYS);

        assertThat(d).hasSize(8);
        assertThat(Cdbs.u32(d, 0)).as("PRGENERATION").isZero();
        assertThat(Cdbs.u32(d, 4)).as("ADDITIONAL LENGTH").isZero();
    }

    @Test
    void registerAddsTheKeyAndCountsTheGeneration() {
        assertThat(prout(A, SA_REGISTER, 0, 0, 0x1111)).isEqualTo(GOOD);
        assertThat(register(B, 0x2222)).isEqualTo(GOOD);

        assertThat(keys()).containsExactly(0x1111L, 0x2222L);
        assertThat(generation()).isEqualTo(2);
    }

    @Test
    void registerWithAReservationKeyWhileUnregisteredConflicts() {
        assertThat(prout(A, SA_REGISTER, 0, 0x99, 0x1111)).isEqualTo(CONFLICT);
        assertThat(keys()).isEmpty();
        assertThat(generation()).as("not counted").isZero();
    }

    @Test
    void reRegisteringNeedsTheCurrentKey() {
        register(A, 0x1111);

        assertThat(prout(A, SA_REGISTER, 0, 0, 0x1112)).as("libiscsi's re-register test").isEqualTo(CONFLICT);
        assertThat(prout(A, SA_REGISTER, 0, 0x1111, 0x1112)).isEqualTo(GOOD);
        assertThat(prout(A, SA_REGISTER_AND_IGNORE_EXISTING_KEY, 0, 0x7777, 0x1113)).isEqualTo(GOOD);
        assertThat(keys()).containsExactly(0x1113L);
    }

    @Test
    void serviceActionKeyZeroUnregisters() {
        register(A, 0x1111);

        assertThat(prout(A, SA_REGISTER, 0, 0x1111, 0)).isEqualTo(GOOD);
        assertThat(keys()).isEmpty();
        assertThat(prout(A, SA_REGISTER, 0, 0, 0)).as("unregistering while unregistered").isEqualTo(GOOD);
    }

    @Test
    void aptplIsNotSupported() {
        assertThat(prout(A, SA_REGISTER, 0, 0, 0x1111, 0x01))
                .isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / INVALID_FIELD_IN_PARAMETER_LIST");
        assertThat(keys()).isEmpty();
    }

    @Test
    void specifyInitiatorPortsIsNotSupported() {
        assertThat(prout(A, SA_REGISTER, 0, 0, 0x1111, 0x08))
                .isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / INVALID_FIELD_IN_PARAMETER_LIST");
    }

    @ParameterizedTest(name = "parameter list length {0}")
    @ValueSource(ints = {0, 23, 25, 48})
    void theBasicParameterListIs24Bytes(int length) {
        TestTask t = run(TestTask.of(Cdbs.persistentReserveOut(SA_REGISTER, 0, length)).dataOut(new byte[length]));

        assertThat(t.outcome()).isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / PARAMETER_LIST_LENGTH_ERROR");
        assertThat(t.dataOutRequested()).as("rejected before Data-Out").isEqualTo(-1);
    }

    @Test
    void allTargetPortsRegistersTheInitiatorThroughEveryPort() {
        assertThat(prout(A, SA_REGISTER, 0, 0, 0x1111, 0x04)).isEqualTo(GOOD);
        assertThat(prout(A_PORT2, SA_RESERVE, WRITE_EXCLUSIVE, 0x1111, 0)).as("registered on port 2 too")
                .isEqualTo(GOOD);

        byte[] full = prin(B, SA_READ_FULL_STATUS);
        assertThat(Cdbs.u32(full, 4)).as("one descriptor").isEqualTo(24 + transportId(A.initiatorPortName()).length);
        assertThat(full[8 + 12] & 0x03).as("ALL_TG_PT, R_HOLDER").isEqualTo(0x03);
    }

    @Test
    void registrationsAreKeptPerNexus() {
        register(A, 0x1111);

        assertThat(prout(A_PORT2, SA_RESERVE, WRITE_EXCLUSIVE, 0x1111, 0)).as("port 2 is not registered")
                .isEqualTo(CONFLICT);
        assertThat(register(A_PORT2, 0x2222)).isEqualTo(GOOD);
        assertThat(keys()).containsExactly(0x1111L, 0x2222L);
    }

    // ---- reserve and release ----

    @Test
    void reserveNeedsARegistrationWithTheRightKey() {
        assertThat(prout(A, SA_RESERVE, WRITE_EXCLUSIVE, 0, 0)).isEqualTo(CONFLICT);
        register(A, 0x1111);
        assertThat(prout(A, SA_RESERVE, WRITE_EXCLUSIVE, 0x1112, 0)).isEqualTo(CONFLICT);
        assertThat(prout(A, SA_RESERVE, WRITE_EXCLUSIVE, 0x1111, 0)).isEqualTo(GOOD);
    }

    @Test
    void readReservationReportsTheHolderKeyAndType() {
        register(A, 0x1111);
        assertThat(prin(A, SA_READ_RESERVATION)).as("not reserved").hasSize(8);
        long before = generation();

        prout(A, SA_RESERVE, EXCLUSIVE_ACCESS_REGISTRANTS_ONLY, 0x1111, 0);

        byte[] d = prin(B, SA_READ_RESERVATION);
        assertThat(d).hasSize(24);
        assertThat(Cdbs.u32(d, 4)).isEqualTo(16);
        assertThat(Cdbs.u64(d, 8)).isEqualTo(0x1111);
        assertThat(d[21]).as("SCOPE, TYPE").isEqualTo((byte) EXCLUSIVE_ACCESS_REGISTRANTS_ONLY);
        assertThat(generation()).as("RESERVE is not counted").isEqualTo(before);
    }

    @ParameterizedTest(name = "type {0}")
    @ValueSource(ints = {WRITE_EXCLUSIVE_ALL_REGISTRANTS, EXCLUSIVE_ACCESS_ALL_REGISTRANTS})
    void allRegistrantsReservationsReportKeyZero(int type) {
        register(A, 0x1111);
        prout(A, SA_RESERVE, type, 0x1111, 0);

        byte[] d = prin(A, SA_READ_RESERVATION);
        assertThat(Cdbs.u64(d, 8)).isZero();
        assertThat(d[21]).isEqualTo((byte) type);
    }

    @Test
    void reservingAgainTheSameTypeIsGoodAnotherTypeConflicts() {
        register(A, 0x1111);
        register(B, 0x2222);
        prout(A, SA_RESERVE, WRITE_EXCLUSIVE, 0x1111, 0);

        assertThat(prout(A, SA_RESERVE, WRITE_EXCLUSIVE, 0x1111, 0)).isEqualTo(GOOD);
        assertThat(prout(A, SA_RESERVE, EXCLUSIVE_ACCESS, 0x1111, 0)).isEqualTo(CONFLICT);
        assertThat(prout(B, SA_RESERVE, WRITE_EXCLUSIVE, 0x2222, 0)).isEqualTo(CONFLICT);
    }

    @Test
    void invalidScopeOrTypeIsInvalidFieldInCdb() {
        register(A, 0x1111);

        assertThat(prout(A, SA_RESERVE, 0x2, 0x1111, 0))
                .isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / INVALID_FIELD_IN_CDB");
        assertThat(prout(A, SA_RESERVE, 0x10 | WRITE_EXCLUSIVE, 0x1111, 0))
                .isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / INVALID_FIELD_IN_CDB");
    }

    @ParameterizedTest(name = "type {0}: registered B read {1} write {2}, unregistered B read {3} write {4}")
    @CsvSource({
        "1, GOOD, RESERVATION_CONFLICT, GOOD, RESERVATION_CONFLICT",
        "3, RESERVATION_CONFLICT, RESERVATION_CONFLICT, RESERVATION_CONFLICT, RESERVATION_CONFLICT",
        "5, GOOD, GOOD, GOOD, RESERVATION_CONFLICT",
        "6, GOOD, GOOD, RESERVATION_CONFLICT, RESERVATION_CONFLICT",
        "7, GOOD, GOOD, GOOD, RESERVATION_CONFLICT",
        "8, GOOD, GOOD, RESERVATION_CONFLICT, RESERVATION_CONFLICT"})
    void accessByReservationType(int type, String regRead, String regWrite, String unregRead, String unregWrite) {
        register(A, 0x1111);
        register(B, 0x2222);
        assertThat(prout(A, SA_RESERVE, type, 0x1111, 0)).isEqualTo(GOOD);

        assertThat(read(A)).isEqualTo(GOOD);
        assertThat(write(A)).isEqualTo(GOOD);
        assertThat(read(B)).as("registered read").isEqualTo(regRead);
        assertThat(write(B)).as("registered write").isEqualTo(regWrite);
        assertThat(testUnitReady(B)).as("TEST UNIT READY always passes").isEqualTo(GOOD);

        assertThat(prout(B, SA_REGISTER, 0, 0x2222, 0)).isEqualTo(GOOD);
        assertThat(read(B)).as("unregistered read").isEqualTo(unregRead);
        assertThat(write(B)).as("unregistered write").isEqualTo(unregWrite);
        assertThat(run(TestTask.of(Cdbs.inquiry(false, 0, 96)).nexus(B)).outcome()).isEqualTo(GOOD);
        assertThat(run(TestTask.of(Cdbs.readCapacity10()).nexus(B)).outcome()).isEqualTo(GOOD);
        assertThat(prin(B, SA_READ_RESERVATION)).as("PERSISTENT RESERVE IN passes").hasSize(24);
    }

    @Test
    void modeSensePassesWriteExclusiveButNotExclusiveAccess() {
        register(A, 0x1111);
        prout(A, SA_RESERVE, WRITE_EXCLUSIVE, 0x1111, 0);
        assertThat(run(TestTask.of(Cdbs.modeSense6(false, 0, 0x3F, 0, 255)).nexus(B)).outcome()).isEqualTo(GOOD);
        assertThat(run(TestTask.of(Cdbs.synchronizeCache10(0, 0, false)).nexus(B)).outcome()).isEqualTo(CONFLICT);

        prout(A, SA_RELEASE, WRITE_EXCLUSIVE, 0x1111, 0);
        prout(A, SA_RESERVE, EXCLUSIVE_ACCESS, 0x1111, 0);
        assertThat(run(TestTask.of(Cdbs.modeSense6(false, 0, 0x3F, 0, 255)).nexus(B)).outcome()).isEqualTo(CONFLICT);
    }

    @Test
    void releaseByTheHolderEndsTheReservation() {
        register(A, 0x1111);
        prout(A, SA_RESERVE, EXCLUSIVE_ACCESS, 0x1111, 0);
        assertThat(read(B)).isEqualTo(CONFLICT);

        assertThat(prout(A, SA_RELEASE, EXCLUSIVE_ACCESS, 0x1111, 0)).isEqualTo(GOOD);

        assertThat(prin(A, SA_READ_RESERVATION)).hasSize(8);
        assertThat(read(B)).isEqualTo(GOOD);
        assertThat(keys()).as("the registration stays").containsExactly(0x1111L);
    }

    @Test
    void releaseOfAnotherTypeIsInvalidRelease() {
        register(A, 0x1111);
        prout(A, SA_RESERVE, EXCLUSIVE_ACCESS, 0x1111, 0);

        assertThat(prout(A, SA_RELEASE, WRITE_EXCLUSIVE, 0x1111, 0))
                .isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / INVALID_RELEASE_OF_PERSISTENT_RESERVATION");
        assertThat(prin(A, SA_READ_RESERVATION)).hasSize(24);
    }

    @Test
    void releaseByANonHolderChangesNothing() {
        register(A, 0x1111);
        register(B, 0x2222);
        prout(A, SA_RESERVE, WRITE_EXCLUSIVE, 0x1111, 0);

        assertThat(prout(B, SA_RELEASE, WRITE_EXCLUSIVE, 0x2222, 0)).isEqualTo(GOOD);
        assertThat(prin(A, SA_READ_RESERVATION)).hasSize(24);
        assertThat(prout(C, SA_RELEASE, WRITE_EXCLUSIVE, 0, 0)).as("unregistered").isEqualTo(CONFLICT);
    }

    @Test
    void releasingARegistrantsOnlyReservationTellsTheOtherRegistrants() {
        register(A, 0x1111);
        register(B, 0x2222);
        prout(A, SA_RESERVE, WRITE_EXCLUSIVE_REGISTRANTS_ONLY, 0x1111, 0);

        prout(A, SA_RELEASE, WRITE_EXCLUSIVE_REGISTRANTS_ONLY, 0x1111, 0);

        assertThat(testUnitReady(B)).isEqualTo("CHECK_CONDITION UNIT_ATTENTION / RESERVATIONS_RELEASED");
        assertThat(testUnitReady(B)).isEqualTo(GOOD);
        assertThat(testUnitReady(A)).as("not the releasing nexus").isEqualTo(GOOD);
    }

    @Test
    void releasingAWriteExclusiveReservationTellsNobody() {
        register(A, 0x1111);
        register(B, 0x2222);
        prout(A, SA_RESERVE, WRITE_EXCLUSIVE, 0x1111, 0);

        prout(A, SA_RELEASE, WRITE_EXCLUSIVE, 0x1111, 0);

        assertThat(testUnitReady(B)).isEqualTo(GOOD);
    }

    @ParameterizedTest(name = "type {0}")
    @ValueSource(ints = {WRITE_EXCLUSIVE, EXCLUSIVE_ACCESS, WRITE_EXCLUSIVE_REGISTRANTS_ONLY,
            EXCLUSIVE_ACCESS_REGISTRANTS_ONLY})
    void theHolderUnregisteringReleasesTheReservation(int type) {
        register(A, 0x1111);
        register(B, 0x2222);
        prout(A, SA_RESERVE, type, 0x1111, 0);

        prout(A, SA_REGISTER, 0, 0x1111, 0);

        assertThat(prin(OBSERVER, SA_READ_RESERVATION)).hasSize(8);
        boolean registrantsOnly = type == WRITE_EXCLUSIVE_REGISTRANTS_ONLY
                || type == EXCLUSIVE_ACCESS_REGISTRANTS_ONLY;
        assertThat(testUnitReady(B)).isEqualTo(registrantsOnly
                ? "CHECK_CONDITION UNIT_ATTENTION / RESERVATIONS_RELEASED" : GOOD);
    }

    @ParameterizedTest(name = "type {0}")
    @ValueSource(ints = {WRITE_EXCLUSIVE_ALL_REGISTRANTS, EXCLUSIVE_ACCESS_ALL_REGISTRANTS})
    void anAllRegistrantsReservationLastsUntilTheLastRegistrantGoes(int type) {
        register(A, 0x1111);
        register(B, 0x2222);
        prout(A, SA_RESERVE, type, 0x1111, 0);

        prout(A, SA_REGISTER, 0, 0x1111, 0);
        assertThat(prin(A, SA_READ_RESERVATION)).as("B still holds it").hasSize(24);
        assertThat(prout(B, SA_RELEASE, type, 0x2222, 0)).isEqualTo(GOOD);
        assertThat(prin(A, SA_READ_RESERVATION)).hasSize(8);

        prout(B, SA_RESERVE, type, 0x2222, 0);
        prout(B, SA_REGISTER, 0, 0x2222, 0);
        assertThat(prin(A, SA_READ_RESERVATION)).as("the last registrant left").hasSize(8);
    }

    // ---- clear and preempt ----

    @Test
    void clearRemovesEverythingOnceAndTellsTheOthers() {
        register(A, 0x1111);
        register(B, 0x2222);
        prout(A, SA_RESERVE, EXCLUSIVE_ACCESS, 0x1111, 0);
        long before = generation();

        assertThat(prout(A, SA_CLEAR, 0, 0x1111, 0)).isEqualTo(GOOD);

        assertThat(keys()).isEmpty();
        assertThat(prin(A, SA_READ_RESERVATION)).hasSize(8);
        assertThat(generation()).isEqualTo(before + 1);
        assertThat(testUnitReady(B)).isEqualTo("CHECK_CONDITION UNIT_ATTENTION / RESERVATIONS_PREEMPTED");
        assertThat(testUnitReady(A)).isEqualTo(GOOD);
    }

    @Test
    void clearNeedsTheSendersKey() {
        register(A, 0x1111);

        assertThat(prout(A, SA_CLEAR, 0, 0x1234, 0)).isEqualTo(CONFLICT);
        assertThat(prout(B, SA_CLEAR, 0, 0, 0)).isEqualTo(CONFLICT);
        assertThat(keys()).containsExactly(0x1111L);
    }

    @Test
    void preemptWithoutReservationRemovesTheRegistrations() {
        register(A, 0x1111);
        register(B, 0x2222);
        long before = generation();

        assertThat(prout(B, SA_PREEMPT, EXCLUSIVE_ACCESS, 0x2222, 0x1111)).as("libiscsi's preempt test")
                .isEqualTo(GOOD);

        assertThat(keys()).containsExactly(0x2222L);
        assertThat(generation()).isEqualTo(before + 1);
        assertThat(prin(OBSERVER, SA_READ_RESERVATION)).as("no reservation made").hasSize(8);
        assertThat(testUnitReady(A)).isEqualTo("CHECK_CONDITION UNIT_ATTENTION / REGISTRATIONS_PREEMPTED");
        assertThat(testUnitReady(B)).isEqualTo(GOOD);
    }

    @Test
    void preemptOfAnUnknownKeyConflictsAndKeyZeroIsInvalid() {
        register(A, 0x1111);
        register(B, 0x2222);

        assertThat(prout(B, SA_PREEMPT, EXCLUSIVE_ACCESS, 0x2222, 0x3333)).isEqualTo(CONFLICT);
        assertThat(prout(B, SA_PREEMPT, EXCLUSIVE_ACCESS, 0x2222, 0))
                .isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / INVALID_FIELD_IN_PARAMETER_LIST");
        assertThat(keys()).containsExactly(0x1111L, 0x2222L);
    }

    @Test
    void preemptingTheHolderTakesOverTheReservation() {
        register(A, 0x1111);
        register(B, 0x2222);
        register(C, 0x3333);
        prout(A, SA_RESERVE, WRITE_EXCLUSIVE_REGISTRANTS_ONLY, 0x1111, 0);

        assertThat(prout(B, SA_PREEMPT, EXCLUSIVE_ACCESS, 0x2222, 0x1111)).isEqualTo(GOOD);

        byte[] r = prin(OBSERVER, SA_READ_RESERVATION);
        assertThat(Cdbs.u64(r, 8)).isEqualTo(0x2222);
        assertThat(r[21]).isEqualTo((byte) EXCLUSIVE_ACCESS);
        assertThat(keys()).containsExactly(0x2222L, 0x3333L);
        assertThat(testUnitReady(A)).isEqualTo("CHECK_CONDITION UNIT_ATTENTION / REGISTRATIONS_PREEMPTED");
        assertThat(testUnitReady(C)).as("the type changed")
                .isEqualTo("CHECK_CONDITION UNIT_ATTENTION / RESERVATIONS_RELEASED");
        assertThat(read(C)).isEqualTo(CONFLICT);
        assertThat(aborted).as("PREEMPT aborts nothing").isEmpty();
    }

    @Test
    void preemptingAnAllRegistrantsReservationWithKeyZeroRemovesEveryOtherRegistrant() {
        register(A, 0x1111);
        register(B, 0x2222);
        prout(A, SA_RESERVE, EXCLUSIVE_ACCESS_ALL_REGISTRANTS, 0x1111, 0);

        assertThat(prout(B, SA_PREEMPT, WRITE_EXCLUSIVE, 0x2222, 0)).isEqualTo(GOOD);

        assertThat(keys()).containsExactly(0x2222L);
        byte[] r = prin(B, SA_READ_RESERVATION);
        assertThat(Cdbs.u64(r, 8)).isEqualTo(0x2222);
        assertThat(r[21]).isEqualTo((byte) WRITE_EXCLUSIVE);
    }

    @Test
    void preemptAndAbortHandsThePreemptedNexusesToTheAborter() {
        register(A, 0x1111);
        register(B, 0x2222);
        prout(A, SA_RESERVE, EXCLUSIVE_ACCESS, 0x1111, 0);

        assertThat(prout(B, SA_PREEMPT_AND_ABORT, EXCLUSIVE_ACCESS, 0x2222, 0x1111)).isEqualTo(GOOD);

        assertThat(aborted).hasSize(1);
        assertThat(aborted.get(0).test(A)).isTrue();
        assertThat(aborted.get(0).test(B)).isFalse();
        assertThat(aborted.get(0).test(C)).isFalse();
    }

    @Test
    void preemptAndAbortCompletesOnlyOnceThePreemptedTasksHaveEnded() {
        register(A, 0x1111);
        register(B, 0x2222);
        prout(A, SA_RESERVE, EXCLUSIVE_ACCESS, 0x1111, 0);
        abortedTasksEnded = new CompletableFuture<>();

        TestTask preempt = TestTask.of(Cdbs.persistentReserveOut(SA_PREEMPT_AND_ABORT, EXCLUSIVE_ACCESS, 24)).nexus(B)
                .dataOut(Cdbs.proutParameters(0x2222, 0x1111, 0));
        dispatcher.execute(preempt);

        assertThat(preempt.completions()).as("no status while A's tasks run").isZero();
        assertThat(keys()).as("the registrations changed at once").containsExactly(0x2222L);
        abortedTasksEnded.complete(null);
        assertThat(Target.checked(preempt).outcome()).isEqualTo(GOOD);
    }

    @Test
    void clearCompletesOnlyOnceTheTasksOfTheRemovedRegistrantsHaveEnded() {
        register(A, 0x1111);
        register(B, 0x2222);
        abortedTasksEnded = new CompletableFuture<>();

        TestTask clear = TestTask.of(Cdbs.persistentReserveOut(SA_CLEAR, 0, 24)).nexus(B)
                .dataOut(Cdbs.proutParameters(0x2222, 0, 0));
        dispatcher.execute(clear);

        assertThat(clear.completions()).isZero();
        assertThat(aborted).as("CLEAR aborts nothing").isEmpty();
        assertThat(awaited).hasSize(1);
        assertThat(awaited.get(0).test(A)).isTrue();
        assertThat(awaited.get(0).test(C)).isFalse();
        abortedTasksEnded.complete(null);
        assertThat(Target.checked(clear).outcome()).isEqualTo(GOOD);
    }

    // ---- register and move ----

    @Test
    void registerAndMoveHandsTheReservationToAnotherNexus() {
        register(A, 0x1111);
        prout(A, SA_RESERVE, EXCLUSIVE_ACCESS, 0x1111, 0);
        byte[] tid = transportId(B.initiatorPortName());
        byte[] p = new byte[24 + tid.length];
        Cdbs.putU64(p, 0, 0x1111);
        Cdbs.putU64(p, 8, 0x2222);
        p[17] = 0x02; // UNREG
        p[19] = 1;    // RELATIVE TARGET PORT IDENTIFIER
        Cdbs.putU32(p, 20, tid.length);
        System.arraycopy(tid, 0, p, 24, tid.length);

        TestTask t = run(TestTask.of(Cdbs.persistentReserveOut(SA_REGISTER_AND_MOVE, 0, p.length)).dataOut(p));

        assertThat(t.outcome()).isEqualTo(GOOD);
        assertThat(keys()).containsExactly(0x2222L);
        assertThat(Cdbs.u64(prin(C, SA_READ_RESERVATION), 8)).isEqualTo(0x2222);
        assertThat(read(B)).isEqualTo(GOOD);
        assertThat(read(A)).isEqualTo(CONFLICT);
    }

    @Test
    void registerAndMoveNeedsTheHolder() {
        register(A, 0x1111);
        byte[] tid = transportId(B.initiatorPortName());
        byte[] p = new byte[24 + tid.length];
        Cdbs.putU64(p, 0, 0x1111);
        Cdbs.putU64(p, 8, 0x2222);
        p[19] = 1;
        Cdbs.putU32(p, 20, tid.length);
        System.arraycopy(tid, 0, p, 24, tid.length);

        TestTask t = run(TestTask.of(Cdbs.persistentReserveOut(SA_REGISTER_AND_MOVE, 0, p.length)).dataOut(p));

        assertThat(t.outcome()).isEqualTo(CONFLICT);
    }

    // ---- reports ----

    @Test
    void reportCapabilities() {
        byte[] d = prin(A, SA_REPORT_CAPABILITIES);

        assertThat(d).containsExactly(0x00, 0x08, 0x04, 0xB0, 0xEA, 0x01, 0x00, 0x00);
    }

    @Test
    void readFullStatusDescribesEachRegistration() {
        register(A, 0x1111);
        register(B, 0x2222);
        prout(B, SA_RESERVE, WRITE_EXCLUSIVE, 0x2222, 0);

        byte[] d = prin(C, SA_READ_FULL_STATUS);

        int first = 8;
        int second = first + 24 + (int) Cdbs.u32(d, first + 20);
        assertThat(Cdbs.u32(d, 4)).isEqualTo(d.length - 8);
        assertThat(Cdbs.u64(d, first)).isEqualTo(0x1111);
        assertThat(d[first + 12]).as("not the holder").isZero();
        assertThat(Cdbs.u16(d, first + 18)).as("RELATIVE TARGET PORT IDENTIFIER").isEqualTo(1);
        assertThat(d[first + 24]).as("TransportID: format 01b, iSCSI").isEqualTo((byte) 0x45);
        String name = new String(d, first + 28, A.initiatorPortName().length(), StandardCharsets.UTF_8);
        assertThat(name).isEqualTo(A.initiatorPortName());
        assertThat(Cdbs.u64(d, second)).isEqualTo(0x2222);
        assertThat(d[second + 12]).as("R_HOLDER").isEqualTo((byte) 0x01);
        assertThat(d[second + 13]).isEqualTo((byte) WRITE_EXCLUSIVE);
    }

    @Test
    void readKeysTruncatedKeepsTheAdditionalLength() {
        register(A, 0x1111);

        TestTask t = run(TestTask.of(Cdbs.persistentReserveIn(SA_READ_KEYS, 8)));

        assertThat(t.dataIn()).hasSize(8);
        assertThat(Cdbs.u32(t.dataIn(), 4)).isEqualTo(8);
    }

    @ParameterizedTest(name = "service action {0}")
    @ValueSource(ints = {0x04, 0x05, 0x1F})
    void unknownPersistentReserveInServiceActionsAreInvalid(int sa) {
        TestTask t = run(TestTask.of(Cdbs.persistentReserveIn(sa, 8192)));

        assertThat(t.outcome()).isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / INVALID_FIELD_IN_CDB");
    }

    // ---- lifetime ----

    @Test
    void registrationsAndTheReservationSurviveNexusLossAndResets() {
        register(A, 0x1111);
        prout(A, SA_RESERVE, EXCLUSIVE_ACCESS, 0x1111, 0);

        dispatcher.nexusLost(A);
        dispatcher.logicalUnitReset(0);
        dispatcher.targetReset();

        assertThat(keys()).containsExactly(0x1111L);
        assertThat(prin(B, SA_READ_RESERVATION)).hasSize(24);
        testUnitReady(B); // the reset's unit attention
        assertThat(read(B)).isEqualTo(CONFLICT);
    }

    private static byte[] transportId(String initiatorPort) {
        return PersistentReservations.transportId(initiatorPort);
    }
}
