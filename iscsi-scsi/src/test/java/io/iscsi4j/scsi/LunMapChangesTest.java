package io.iscsi4j.scsi;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A dispatcher's LUN map changed while it serves commands; unit attentions for inventory and capacity. */
class LunMapChangesTest {

    private static final ItNexus OTHER = new ItNexus("iqn.1993-08.org.debian:01:def,i,0x00023d000002",
            TestTask.NEXUS.targetPortName(), 1, 1);
    private static final String NOT_SUPPORTED = "CHECK_CONDITION ILLEGAL_REQUEST / LOGICAL_UNIT_NOT_SUPPORTED";

    private final LogicalUnit lu0 = Target.builder(new TestBackstore(512, 64)).build();
    private final LogicalUnit lu1 = Target.builder(new TestBackstore(512, 32)).build();
    private final ScsiDispatcher dispatcher = new ScsiDispatcher(new HashMap<>(Map.of(0, lu0)));

    private String run(int lun, byte[] cdb, ItNexus nexus) {
        TestTask t = TestTask.of(cdb).lun(lun).nexus(nexus);
        dispatcher.execute(t);
        return Target.checked(t).outcome();
    }

    @Test
    void addedAndRemovedUnitsAreRoutedAtOnce() {
        assertThat(run(1, Cdbs.testUnitReady(), TestTask.NEXUS)).isEqualTo(NOT_SUPPORTED);

        dispatcher.addLogicalUnit(1, lu1);
        assertThat(dispatcher.logicalUnit(1)).isSameAs(lu1);
        assertThat(dispatcher.logicalUnits()).containsOnlyKeys(0, 1);
        assertThat(run(1, Cdbs.testUnitReady(), TestTask.NEXUS)).isEqualTo("GOOD");
        TestTask report = TestTask.of(Cdbs.reportLuns(0, 1024));
        dispatcher.execute(report);
        assertThat(Cdbs.u32(report.dataIn(), 0)).as("LUN LIST LENGTH").isEqualTo(16);
        assertThatThrownBy(() -> dispatcher.addLogicalUnit(1, lu0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> dispatcher.addLogicalUnit(Lun.MAX + 1, lu0))
                .isInstanceOf(IllegalArgumentException.class);

        assertThat(dispatcher.removeLogicalUnit(1)).isSameAs(lu1);
        assertThat(dispatcher.removeLogicalUnit(1)).isNull();
        assertThat(run(1, Cdbs.testUnitReady(), TestTask.NEXUS)).isEqualTo(NOT_SUPPORTED);
        assertThat(run(0, Cdbs.testUnitReady(), TestTask.NEXUS)).isEqualTo("GOOD");
    }

    @Test
    void reportedLunsChangedReachesOnlyTheNamedNexusOnce() {
        run(0, Cdbs.testUnitReady(), TestTask.NEXUS);
        run(0, Cdbs.testUnitReady(), OTHER);

        dispatcher.addLogicalUnit(1, lu1);
        dispatcher.reportedLunsChanged(TestTask.NEXUS);

        assertThat(run(0, Cdbs.testUnitReady(), TestTask.NEXUS))
                .isEqualTo("CHECK_CONDITION UNIT_ATTENTION / REPORTED_LUNS_DATA_HAS_CHANGED");
        assertThat(run(0, Cdbs.testUnitReady(), TestTask.NEXUS)).isEqualTo("GOOD");
        assertThat(run(0, Cdbs.testUnitReady(), OTHER)).isEqualTo("GOOD");
    }

    @Test
    void capacityChangedReachesEveryNexusOfTheUnit() {
        run(0, Cdbs.testUnitReady(), TestTask.NEXUS);
        run(0, Cdbs.testUnitReady(), OTHER);

        dispatcher.capacityChanged(0);
        dispatcher.capacityChanged(9); // no such LUN: ignored

        for (ItNexus n : new ItNexus[] {TestTask.NEXUS, OTHER}) {
            assertThat(run(0, Cdbs.readCapacity16(32), n))
                    .isEqualTo("CHECK_CONDITION UNIT_ATTENTION / CAPACITY_DATA_HAS_CHANGED");
            assertThat(run(0, Cdbs.readCapacity16(32), n)).isEqualTo("GOOD");
        }
    }

    @Test
    void lookupsStayConsistentWhileTheMapChanges() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger wrong = new AtomicInteger();
        Thread reader = new Thread(() -> {
            while (!stop.get()) {
                LogicalUnit u = dispatcher.logicalUnit(1);
                if (u != null && u != lu1 || dispatcher.logicalUnit(0) != lu0) {
                    wrong.incrementAndGet();
                }
            }
        });
        reader.start();
        for (int i = 0; i < 2000; i++) {
            dispatcher.addLogicalUnit(1, lu1);
            dispatcher.removeLogicalUnit(1);
        }
        stop.set(true);
        reader.join(10_000);
        assertThat(wrong).hasValue(0);
    }

    @Test
    void statisticsBucketsArePowersOfTwoMicroseconds() {
        assertThat(UnitStatistics.bucket(0)).isZero();
        assertThat(UnitStatistics.bucket(999)).isZero();
        assertThat(UnitStatistics.bucket(1_000)).isEqualTo(1);
        assertThat(UnitStatistics.bucket(3_999)).isEqualTo(2);
        assertThat(UnitStatistics.bucket(4_000)).isEqualTo(3);
        assertThat(UnitStatistics.bucket(Long.MAX_VALUE)).isEqualTo(UnitStatistics.LATENCY_BUCKETS - 1);

        UnitStatistics s = new UnitStatistics();
        s.record(0x88, ScsiStatus.GOOD, 4096, 1_500);
        s.record(0x8A, ScsiStatus.CHECK_CONDITION, 0, 10_000);
        s.record(0x00, ScsiStatus.GOOD, 0, 0);
        assertThat(s.commands()).isEqualTo(3);
        assertThat(s.readCommands()).isEqualTo(1);
        assertThat(s.writeCommands()).isEqualTo(1);
        assertThat(s.bytesRead()).isEqualTo(4096);
        assertThat(s.checkConditions()).isEqualTo(1);
        assertThat(s.latencyHistogram()[0] + s.latencyHistogram()[1] + s.latencyHistogram()[4]).isEqualTo(3);
    }
}
