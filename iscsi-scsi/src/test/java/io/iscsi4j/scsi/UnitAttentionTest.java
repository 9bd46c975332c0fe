package io.iscsi4j.scsi;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class UnitAttentionTest {

    private static final ItNexus OTHER = new ItNexus("iqn.1993-08.org.debian:01:def,i,0x00023d000002",
            TestTask.NEXUS.targetPortName(), 1, 1);

    @Test
    void logicalUnitResetReachesEveryKnownNexusOnce() {
        Target target = Target.of(512, 8);
        target.run(Cdbs.testUnitReady());
        target.run(TestTask.of(Cdbs.testUnitReady()).nexus(OTHER));

        target.dispatcher.logicalUnitReset(0);

        for (ItNexus n : new ItNexus[] {TestTask.NEXUS, OTHER}) {
            assertThat(target.run(TestTask.of(Cdbs.testUnitReady()).nexus(n)).outcome())
                    .isEqualTo("CHECK_CONDITION UNIT_ATTENTION / BUS_DEVICE_RESET_FUNCTION_OCCURRED");
            assertThat(target.run(TestTask.of(Cdbs.testUnitReady()).nexus(n)).outcome())
                    .as("reported once").isEqualTo("GOOD");
        }
    }

    @Test
    void inquiryAndReportLunsDoNotConsumeTheConditionAndRequestSenseReturnsIt() {
        Target target = Target.of(512, 8);
        target.run(Cdbs.testUnitReady());
        target.dispatcher.targetReset();

        assertThat(target.run(Cdbs.inquiry(false, 0, 96)).outcome()).isEqualTo("GOOD");
        TestTask rs = target.run(Cdbs.requestSense(false, 252));
        assertThat(rs.outcome()).isEqualTo("GOOD");
        byte[] sense = rs.dataIn();
        assertThat(sense[2] & 0x0F).as("sense key").isEqualTo(SenseKey.UNIT_ATTENTION.code());
        assertThat(sense[12] & 0xFF).as("ASC").isEqualTo(0x29);
        assertThat(target.run(Cdbs.testUnitReady()).outcome()).as("cleared by REQUEST SENSE").isEqualTo("GOOD");
    }

    @Test
    void aLostNexusReturnsToOneItNexusLossOccurredUnitAttention() {
        Target target = Target.of(512, 8);
        target.run(TestTask.of(Cdbs.testUnitReady()).nexus(OTHER));
        target.dispatcher.capacityChanged(0);
        target.dispatcher.nexusLost(OTHER);
        assertThat(target.run(TestTask.of(Cdbs.testUnitReady()).nexus(OTHER)).outcome())
                .as("the pending conditions give way to the nexus loss (SAM-5 §6.3.4)")
                .isEqualTo("CHECK_CONDITION UNIT_ATTENTION / I_T_NEXUS_LOSS_OCCURRED");
        assertThat(target.run(TestTask.of(Cdbs.testUnitReady()).nexus(OTHER)).outcome())
                .as("reported once").isEqualTo("GOOD");
    }
}
