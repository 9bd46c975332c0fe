package io.iscsi4j.scsi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.iscsi4j.backstore.BackstoreCapability;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Per-LUN attributes users of LIO set: rotation rate, transfer lengths, the UNMAP limit, and optional commands turned
 * off. Each is checked where the initiator sees it: the VPD pages, INQUIRY, REPORT SUPPORTED OPERATION CODES and the
 * command's own answer.
 */
class LunAttributesTest {

    private static final String INVALID_OPCODE = "CHECK_CONDITION ILLEGAL_REQUEST / INVALID_COMMAND_OPERATION_CODE";

    private static Target thin(java.util.function.UnaryOperator<LogicalUnit.Builder> options) {
        TestBackstore b = new TestBackstore(512, 4096).capabilities(
                Set.of(BackstoreCapability.THIN_PROVISIONING, BackstoreCapability.UNMAP));
        return new Target(b, options.apply(Target.builder(b)).build());
    }

    private static byte[] vpd(Target t, int page) {
        TestTask task = t.run(Cdbs.inquiry(true, page, 255));
        assertThat(task.outcome()).as("VPD %02Xh", page).isEqualTo("GOOD");
        return task.dataIn();
    }

    @Test
    void defaultsAreAsBefore() {
        Target t = thin(b -> b);
        byte[] b0 = vpd(t, 0xB0);
        assertThat(b0[5] & 0xFF).as("MAXIMUM COMPARE AND WRITE LENGTH").isEqualTo(255);
        assertThat(Cdbs.u32(b0, 8)).as("MAXIMUM TRANSFER LENGTH: 8 MiB").isEqualTo(16384);
        assertThat(Cdbs.u32(b0, 12)).as("OPTIMAL TRANSFER LENGTH: 1 MiB").isEqualTo(2048);
        assertThat(Cdbs.u32(b0, 20)).as("MAXIMUM UNMAP LBA COUNT: no limit").isEqualTo(0xFFFF_FFFFL);
        assertThat(Cdbs.u16(vpd(t, 0xB1), 4)).as("non-rotating").isEqualTo(1);
        assertThat(vpd(t, 0xB2)[5] & 0xFF).as("LBPU, LBPWS, LBPWS10, LBPRZ").isEqualTo(0xE4);
        assertThat(t.run(Cdbs.inquiry(false, 0, 96)).dataIn()[5] & 0x08).as("3PC").isEqualTo(0x08);
    }

    @Test
    void rotationRateAndTransferLengthsAreReportedAndEnforced() {
        Target t = thin(b -> b.rotationRate(7200).maxTransferBytes(64 * 1024).optimalTransferBytes(16 * 1024)
                .maxUnmapBlocks(100));
        assertThat(Cdbs.u16(vpd(t, 0xB1), 4)).as("MEDIUM ROTATION RATE").isEqualTo(7200);
        byte[] b0 = vpd(t, 0xB0);
        assertThat(Cdbs.u32(b0, 8)).as("MAXIMUM TRANSFER LENGTH").isEqualTo(128);
        assertThat(Cdbs.u32(b0, 12)).as("OPTIMAL TRANSFER LENGTH").isEqualTo(32);
        assertThat(Cdbs.u32(b0, 20)).as("MAXIMUM UNMAP LBA COUNT").isEqualTo(100);
        assertThat(b0[5] & 0xFF).as("COMPARE AND WRITE: half the transfer length").isEqualTo(64);

        assertThat(t.run(TestTask.of(Cdbs.read10(0, 128)).expected(128 * 512)).outcome()).isEqualTo("GOOD");
        assertThat(t.run(TestTask.of(Cdbs.read10(0, 129)).expected(129 * 512)).outcome())
                .isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / INVALID_FIELD_IN_CDB");

        byte[] list = ProvisioningTest.unmapList(0, 60, 1000, 40);
        assertThat(t.run(TestTask.of(ProvisioningTest.unmapCdb(list.length)).dataOut(list)).outcome())
                .as("100 blocks in all: at the limit").isEqualTo("GOOD");
        byte[] tooMany = ProvisioningTest.unmapList(0, 60, 1000, 41);
        TestTask refused = t.run(TestTask.of(ProvisioningTest.unmapCdb(tooMany.length)).dataOut(tooMany));
        assertThat(refused.outcome()).isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / INVALID_FIELD_IN_PARAMETER_LIST");
        assertThat(t.backstore.calls).as("nothing of the refused UNMAP reached the backstore")
                .filteredOn(c -> c.startsWith("unmap")).containsExactly("unmap 0+60", "unmap 1000+40");
    }

    @Test
    void disabledFeaturesAreNeitherServedNorAdvertised() {
        Target t = thin(b -> b.disable(LunFeature.COMPARE_AND_WRITE, LunFeature.EXTENDED_COPY, LunFeature.UNMAP,
                LunFeature.WRITE_SAME));
        byte[] block = new byte[512];
        assertThat(t.run(TestTask.of(CompareAndWriteTest.cdb(0, 1, 0)).dataOut(new byte[1024])).outcome())
                .isEqualTo(INVALID_OPCODE);
        assertThat(t.run(TestTask.of(ProvisioningTest.writeSame16(0, 2, 0)).dataOut(block)).outcome())
                .isEqualTo(INVALID_OPCODE);
        assertThat(t.run(TestTask.of(ProvisioningTest.writeSame10(0, 2, 0)).dataOut(block)).outcome())
                .isEqualTo(INVALID_OPCODE);
        byte[] list = ProvisioningTest.unmapList(0, 8);
        assertThat(t.run(TestTask.of(ProvisioningTest.unmapCdb(list.length)).dataOut(list)).outcome())
                .isEqualTo(INVALID_OPCODE);

        byte[] b0 = vpd(t, 0xB0);
        assertThat(b0[5]).as("MAXIMUM COMPARE AND WRITE LENGTH").isZero();
        assertThat(Cdbs.u32(b0, 20)).as("MAXIMUM UNMAP LBA COUNT").isZero();
        assertThat(Cdbs.u32(b0, 36) << 32 | Cdbs.u32(b0, 40)).as("MAXIMUM WRITE SAME LENGTH").isZero();
        assertThat(vpd(t, 0xB2)[5]).as("no LBPU, LBPWS: fully provisioned").isZero();
        assertThat(t.run(Cdbs.inquiry(false, 0, 96)).dataIn()[5] & 0x08).as("no 3PC").isZero();
        byte[] pages = vpd(t, 0x00);
        List<Integer> listed = new ArrayList<>();
        for (int i = 4; i < pages.length; i++) {
            listed.add(pages[i] & 0xFF);
        }
        assertThat(listed).doesNotContain(0x8F).contains(0xB0, 0xB1, 0xB2);
        assertThat(t.run(Cdbs.inquiry(true, 0x8F, 255)).outcome())
                .isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / INVALID_FIELD_IN_CDB");

        TestTask all = t.run(ReportSupportedTest.rsoc(false, 0, 0, 0, 65536));
        List<Integer> opcodes = new ArrayList<>();
        byte[] d = all.dataIn();
        for (int p = 4; p < d.length; p += 8) {
            opcodes.add(d[p] & 0xFF);
        }
        assertThat(opcodes).doesNotContain(0x89, 0x93, 0x41, 0x42, 0x83, 0x84).contains(0x88, 0x8A);
    }

    @Test
    void onlyTheDisabledFeatureGoes() {
        Target t = thin(b -> b.disable(LunFeature.WRITE_SAME));
        byte[] list = ProvisioningTest.unmapList(0, 8);
        assertThat(t.run(TestTask.of(ProvisioningTest.unmapCdb(list.length)).dataOut(list)).outcome())
                .isEqualTo("GOOD");
        assertThat(vpd(t, 0xB2)[5] & 0xFF).as("LBPU and LBPRZ, no LBPWS").isEqualTo(0x84);
        assertThat(t.run(TestTask.of(CompareAndWriteTest.cdb(0, 1, 0)).dataOut(new byte[1024])).outcome())
                .isEqualTo("GOOD");
    }

    @Test
    void outOfRangeAttributesAreRefused() {
        TestBackstore b = new TestBackstore(512, 8);
        assertThatThrownBy(() -> Target.builder(b).rotationRate(500)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Target.builder(b).maxTransferBytes(16 << 20))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Target.builder(b).maxUnmapBlocks(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void crossingTheSoftThresholdIsAUnitAttentionForEveryNexusOnce() throws Exception {
        Target t = thin(b -> b.softThreshold(80));
        long capacity = 4096L * 512;
        ItNexus other = new ItNexus("iqn.other,i,0x1", "iqn.target,t,0x1", 1, 1);
        assertThat(t.run(Cdbs.testUnitReady()).outcome()).isEqualTo("GOOD");
        assertThat(t.run(TestTask.of(Cdbs.testUnitReady()).nexus(other)).outcome()).isEqualTo("GOOD");

        t.backstore.allocated = capacity / 2;
        Thread.sleep(1100);
        assertThat(t.run(Cdbs.testUnitReady()).outcome()).as("below: nothing").isEqualTo("GOOD");

        t.backstore.allocated = capacity * 85 / 100;
        Thread.sleep(1100);
        String reached = "CHECK_CONDITION UNIT_ATTENTION / THIN_PROVISIONING_SOFT_THRESHOLD_REACHED";
        assertThat(t.run(Cdbs.testUnitReady()).outcome()).isEqualTo(reached);
        assertThat(t.run(Cdbs.testUnitReady()).outcome()).as("once").isEqualTo("GOOD");
        assertThat(t.run(TestTask.of(Cdbs.testUnitReady()).nexus(other)).outcome()).as("every nexus")
                .isEqualTo(reached);
        Thread.sleep(1100);
        assertThat(t.run(Cdbs.testUnitReady()).outcome()).as("still over: not again").isEqualTo("GOOD");

        t.backstore.allocated = capacity / 10; // unmapped
        Thread.sleep(1100);
        assertThat(t.run(Cdbs.testUnitReady()).outcome()).isEqualTo("GOOD");
        t.backstore.allocated = capacity * 9 / 10;
        Thread.sleep(1100);
        assertThat(t.run(Cdbs.testUnitReady()).outcome()).as("crossed anew").isEqualTo(reached);
    }

    @Test
    void aBackstoreThatCannotTellNeverReachesTheThreshold() throws Exception {
        Target t = thin(b -> b.softThreshold(1));
        assertThat(t.backstore.allocatedBytes()).isEqualTo(-1);
        Thread.sleep(1100);
        assertThat(t.run(Cdbs.testUnitReady()).outcome()).isEqualTo("GOOD");
    }
}
