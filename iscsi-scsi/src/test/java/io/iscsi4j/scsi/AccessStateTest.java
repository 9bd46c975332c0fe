package io.iscsi4j.scsi;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What each asymmetric access state of the target port's group lets through (SPC-5 §5.16.2.4), where the check sits
 * among the others, and the ASYMMETRIC ACCESS STATE CHANGED unit attention.
 */
class AccessStateTest {

    private static final ItNexus OTHER = new ItNexus("iqn.1993-08.org.debian:01:def,i,0x00023d000002",
            TestTask.NEXUS.targetPortName(), 1, 1);

    private static final String GOOD = "GOOD";
    private static final String STANDBY = "CHECK_CONDITION NOT_READY / "
            + "LOGICAL_UNIT_NOT_ACCESSIBLE_TARGET_PORT_IN_STANDBY_STATE";
    private static final String UNAVAILABLE = "CHECK_CONDITION NOT_READY / "
            + "LOGICAL_UNIT_NOT_ACCESSIBLE_TARGET_PORT_IN_UNAVAILABLE_STATE";
    private static final String TRANSITIONING = "CHECK_CONDITION NOT_READY / "
            + "LOGICAL_UNIT_NOT_ACCESSIBLE_ASYMMETRIC_ACCESS_STATE_TRANSITION";

    private final TargetPortGroups groups = new TargetPortGroups(1);
    private final TestBackstore backstore = new TestBackstore(512, 64);
    private final Target target = new Target(backstore, Target.builder(backstore).build(), groups);

    /** The representative commands, by name. */
    private static Map<String, byte[]> commands() {
        byte[] modeSelect6 = new byte[6];
        modeSelect6[0] = 0x15;
        modeSelect6[1] = 0x10; // PF, no parameter list
        byte[] logSense = new byte[10];
        logSense[0] = 0x4D;
        logSense[8] = (byte) 0xFF;
        return Map.ofEntries(
                Map.entry("TEST UNIT READY", Cdbs.testUnitReady()),
                Map.entry("READ (10)", Cdbs.read10(0, 1)),
                Map.entry("WRITE (10)", Cdbs.write10(0, 1)),
                Map.entry("SYNCHRONIZE CACHE (10)", Cdbs.synchronizeCache10(0, 0, false)),
                Map.entry("INQUIRY", Cdbs.inquiry(false, 0, 96)),
                Map.entry("INQUIRY VPD 83h", Cdbs.inquiry(true, 0x83, 255)),
                Map.entry("REPORT LUNS", Cdbs.reportLuns(0, 256)),
                Map.entry("REPORT TARGET PORT GROUPS", Cdbs.reportTargetPortGroups(0, 256)),
                Map.entry("REPORT SUPPORTED OPERATION CODES", ReportSupportedTest.rsoc(false, 0, 0, 0, 4096)),
                Map.entry("MODE SENSE (6)", Cdbs.modeSense6(false, 0, 0x3F, 0, 255)),
                Map.entry("MODE SELECT (6)", modeSelect6),
                Map.entry("LOG SENSE", logSense),
                Map.entry("PERSISTENT RESERVE IN READ KEYS", Cdbs.persistentReserveIn(0, 256)),
                Map.entry("READ CAPACITY (10)", Cdbs.readCapacity10()),
                Map.entry("READ CAPACITY (16)", Cdbs.readCapacity16(32)));
    }

    static Stream<Arguments> outcomes() {
        // command, then its outcome in ACTIVE_NON_OPTIMIZED, STANDBY, UNAVAILABLE, TRANSITIONING
        Object[][] rows = {
            {"TEST UNIT READY", GOOD, STANDBY, UNAVAILABLE, TRANSITIONING},
            {"READ (10)", GOOD, STANDBY, UNAVAILABLE, TRANSITIONING},
            {"WRITE (10)", GOOD, STANDBY, UNAVAILABLE, TRANSITIONING},
            {"SYNCHRONIZE CACHE (10)", GOOD, STANDBY, UNAVAILABLE, TRANSITIONING},
            {"INQUIRY", GOOD, GOOD, GOOD, GOOD},
            {"INQUIRY VPD 83h", GOOD, GOOD, GOOD, GOOD},
            {"REPORT LUNS", GOOD, GOOD, GOOD, GOOD},
            {"REPORT TARGET PORT GROUPS", GOOD, GOOD, GOOD, GOOD},
            {"REPORT SUPPORTED OPERATION CODES", GOOD, GOOD, GOOD, GOOD},
            {"MODE SENSE (6)", GOOD, GOOD, UNAVAILABLE, TRANSITIONING},
            {"MODE SELECT (6)", GOOD, GOOD, UNAVAILABLE, TRANSITIONING},
            {"LOG SENSE", GOOD, GOOD, UNAVAILABLE, TRANSITIONING},
            {"PERSISTENT RESERVE IN READ KEYS", GOOD, GOOD, UNAVAILABLE, TRANSITIONING},
            {"READ CAPACITY (10)", GOOD, GOOD, UNAVAILABLE, TRANSITIONING},
            {"READ CAPACITY (16)", GOOD, GOOD, UNAVAILABLE, TRANSITIONING},
        };
        AccessState[] states = {AccessState.ACTIVE_NON_OPTIMIZED, AccessState.STANDBY, AccessState.UNAVAILABLE,
            AccessState.TRANSITIONING};
        List<Arguments> args = new ArrayList<>();
        for (Object[] row : rows) {
            for (int i = 0; i < states.length; i++) {
                args.add(Arguments.of(states[i], row[0], row[i + 1]));
            }
        }
        return args.stream();
    }

    @ParameterizedTest(name = "{0}: {1} -> {2}")
    @MethodSource("outcomes")
    void eachStateLetsItsCommandsThroughAndRefusesTheOthers(AccessState state, String command, String outcome) {
        target.run(Cdbs.testUnitReady()); // the nexus is known
        groups.state(state);
        target.run(Cdbs.testUnitReady()); // no unit attention here: nobody listens for the change

        byte[] cdb = commands().get(command);
        TestTask task = TestTask.of(cdb);
        if (command.startsWith("WRITE")) {
            task.dataOut(new byte[512]);
        }
        TestTask t = target.run(task);

        assertThat(t.outcome()).isEqualTo(outcome);
        if (!outcome.equals(GOOD)) {
            assertThat(backstore.calls).as("nothing reaches the backstore").isEmpty();
            assertThat(t.dataLength()).isZero();
        }
    }

    @Test
    void activeOptimizedRunsEverything() {
        for (Map.Entry<String, byte[]> c : commands().entrySet()) {
            TestTask task = TestTask.of(c.getValue());
            if (c.getKey().startsWith("WRITE")) {
                task.dataOut(new byte[512]);
            }
            assertThat(target.run(task).outcome()).as(c.getKey()).isEqualTo(GOOD);
        }
    }

    @Test
    void requestSenseReturnsTheStatesSenseData() {
        groups.state(AccessState.STANDBY);

        TestTask t = target.run(Cdbs.requestSense(false, 252));

        assertThat(t.outcome()).isEqualTo(GOOD);
        byte[] d = t.dataIn();
        assertThat(SenseKey.fromCode(d[2] & 0x0F)).isEqualTo(SenseKey.NOT_READY);
        assertThat(new int[] {d[12] & 0xFF, d[13] & 0xFF}).containsExactly(0x04, 0x0B);

        groups.state(AccessState.ACTIVE_NON_OPTIMIZED);
        d = target.run(Cdbs.requestSense(false, 252)).dataIn();
        assertThat(SenseKey.fromCode(d[2] & 0x0F)).isEqualTo(SenseKey.NO_SENSE);
    }

    @Test
    void aPendingUnitAttentionIsReportedBeforeTheState() {
        target.run(Cdbs.testUnitReady());
        target.dispatcher.targetReset();
        groups.state(AccessState.STANDBY);

        assertThat(target.run(Cdbs.read10(0, 1)).outcome())
                .isEqualTo("CHECK_CONDITION UNIT_ATTENTION / POWER_ON_RESET_OR_BUS_DEVICE_RESET_OCCURRED");
        assertThat(target.run(Cdbs.read10(0, 1)).outcome()).isEqualTo(STANDBY);
    }

    @Test
    void theStateIsCheckedBeforeReservations() {
        assertThat(target.run(TestTask.of(Cdbs.reserve(false)).nexus(OTHER)).outcome()).isEqualTo(GOOD);
        assertThat(target.run(Cdbs.read10(0, 1)).outcome()).isEqualTo("RESERVATION_CONFLICT");

        groups.state(AccessState.STANDBY);

        assertThat(target.run(Cdbs.read10(0, 1)).outcome())
                .as("a standby path does not answer RESERVATION CONFLICT").isEqualTo(STANDBY);
    }

    @Test
    void aChangeGivesEveryNexusOneUnitAttention() {
        groups.addListener((group, state) -> target.dispatcher.accessStateChanged());
        target.run(Cdbs.testUnitReady());
        target.run(TestTask.of(Cdbs.testUnitReady()).nexus(OTHER));

        groups.state(AccessState.STANDBY);

        for (ItNexus n : new ItNexus[] {TestTask.NEXUS, OTHER}) {
            assertThat(target.run(TestTask.of(Cdbs.read10(0, 1)).nexus(n)).outcome())
                    .isEqualTo("CHECK_CONDITION UNIT_ATTENTION / ASYMMETRIC_ACCESS_STATE_CHANGED");
            assertThat(target.run(TestTask.of(Cdbs.read10(0, 1)).nexus(n)).outcome()).as("reported once")
                    .isEqualTo(STANDBY);
        }

        groups.state(AccessState.STANDBY); // the state it is in: no change, no unit attention
        assertThat(target.run(Cdbs.testUnitReady()).outcome()).isEqualTo(STANDBY);

        groups.peer(2, AccessState.ACTIVE_OPTIMIZED); // a peer's change is a change of the report too
        groups.state(AccessState.ACTIVE_OPTIMIZED);
        assertThat(target.run(Cdbs.testUnitReady()).outcome()).as("two changes, one condition")
                .isEqualTo("CHECK_CONDITION UNIT_ATTENTION / ASYMMETRIC_ACCESS_STATE_CHANGED");
        assertThat(target.run(Cdbs.testUnitReady()).outcome()).isEqualTo(GOOD);

        groups.removePeer(2);
        assertThat(target.run(Cdbs.testUnitReady()).outcome())
                .isEqualTo("CHECK_CONDITION UNIT_ATTENTION / ASYMMETRIC_ACCESS_STATE_CHANGED");
    }

    @Test
    void dispatchersSharingALogicalUnitRaiseOneUnitAttention() {
        ScsiDispatcher view = new ScsiDispatcher(Map.of(5, target.lu), Set.of(5), TaskSetAborter.NONE, groups);
        groups.addListener((group, state) -> {
            target.dispatcher.accessStateChanged();
            view.accessStateChanged();
        });
        target.run(Cdbs.testUnitReady());

        groups.state(AccessState.ACTIVE_NON_OPTIMIZED);

        assertThat(target.run(Cdbs.testUnitReady()).outcome())
                .isEqualTo("CHECK_CONDITION UNIT_ATTENTION / ASYMMETRIC_ACCESS_STATE_CHANGED");
        TestTask throughView = TestTask.of(Cdbs.testUnitReady()).lun(5);
        view.execute(throughView);
        assertThat(Target.checked(throughView).outcome()).isEqualTo(GOOD);
    }

    @Test
    void aNexusThatNeverAddressedTheUnitGetsNoUnitAttention() {
        groups.addListener((group, state) -> target.dispatcher.accessStateChanged());

        groups.state(AccessState.ACTIVE_NON_OPTIMIZED);

        assertThat(target.run(Cdbs.testUnitReady()).outcome()).isEqualTo(GOOD);
    }
}
