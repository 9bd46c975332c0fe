package io.iscsi4j.scsi;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** REPORT TARGET PORT GROUPS (SPC-5 §6.37), the TPGS bit of INQUIRY and the command's place in the command table. */
class ReportTargetPortGroupsTest {

    /** Own group 3, peers 1 (active/non-optimized) and 7 (standby), added in no particular order. */
    private final TargetPortGroups groups = new TargetPortGroups(3);
    private final Target target;

    ReportTargetPortGroupsTest() {
        TestBackstore b = new TestBackstore(512, 64);
        target = new Target(b, Target.builder(b).build(), groups);
        groups.peer(7, AccessState.STANDBY);
        groups.peer(1, AccessState.ACTIVE_NON_OPTIMIZED);
    }

    @Test
    void lengthOnlyHeaderListsEveryGroupInIdOrder() {
        TestTask t = target.run(Cdbs.reportTargetPortGroups(0b000, 1024));

        assertThat(t.outcome()).isEqualTo("GOOD");
        byte[] d = t.dataIn();
        assertThat(d).hasSize(4 + 3 * 12);
        assertThat(t.dataLength()).isEqualTo(d.length);
        assertThat(Cdbs.u32(d, 0)).as("RETURN DATA LENGTH").isEqualTo(3 * 12);
        assertDescriptor(d, 4, 1, AccessState.ACTIVE_NON_OPTIMIZED, 0x00);
        assertDescriptor(d, 16, 3, AccessState.ACTIVE_OPTIMIZED, 0x00);
        assertDescriptor(d, 28, 7, AccessState.STANDBY, 0x00);
    }

    @Test
    void extendedHeaderCarriesFormatTypeAndImplicitTransitionTime() {
        TestTask t = target.run(Cdbs.reportTargetPortGroups(0b001, 1024));

        assertThat(t.outcome()).isEqualTo("GOOD");
        byte[] d = t.dataIn();
        assertThat(d).hasSize(8 + 3 * 12);
        assertThat(Cdbs.u32(d, 0)).as("RETURN DATA LENGTH: bytes after itself, header bytes 4-7 included")
                .isEqualTo(4 + 3 * 12);
        assertThat(d[4]).as("FORMAT TYPE 001b in bits 6-4").isEqualTo((byte) 0x10);
        assertThat(d[5] & 0xFF).as("IMPLICIT TRANSITION TIME (s)").isEqualTo(60);
        assertThat(d[6]).as("reserved").isZero();
        assertThat(d[7]).as("reserved").isZero();
        assertDescriptor(d, 8, 1, AccessState.ACTIVE_NON_OPTIMIZED, 0x00);
        assertDescriptor(d, 20, 3, AccessState.ACTIVE_OPTIMIZED, 0x00);
        assertDescriptor(d, 32, 7, AccessState.STANDBY, 0x00);
    }

    @Test
    void statusCodeTellsWhichGroupsChangedImplicitly() {
        groups.state(AccessState.TRANSITIONING);
        groups.state(AccessState.ACTIVE_OPTIMIZED);
        groups.peer(7, AccessState.UNAVAILABLE);
        groups.peer(1, AccessState.ACTIVE_NON_OPTIMIZED); // the state it is in: no change

        byte[] d = target.run(Cdbs.reportTargetPortGroups(0b000, 1024)).dataIn();

        assertDescriptor(d, 4, 1, AccessState.ACTIVE_NON_OPTIMIZED, 0x00);
        assertDescriptor(d, 16, 3, AccessState.ACTIVE_OPTIMIZED, 0x02);
        assertDescriptor(d, 28, 7, AccessState.UNAVAILABLE, 0x02);
    }

    @Test
    void aRemovedPeerIsNoLongerReported() {
        assertThat(groups.removePeer(1)).isTrue();

        byte[] d = target.run(Cdbs.reportTargetPortGroups(0b000, 1024)).dataIn();

        assertThat(d).hasSize(4 + 2 * 12);
        assertDescriptor(d, 4, 3, AccessState.ACTIVE_OPTIMIZED, 0x00);
        assertDescriptor(d, 16, 7, AccessState.STANDBY, 0x00);
    }

    @ParameterizedTest(name = "allocation length {0}")
    @ValueSource(ints = {0, 1, 3, 4, 10, 16, 39})
    void cutToTheAllocationLength(int allocationLength) {
        byte[] full = target.run(Cdbs.reportTargetPortGroups(0b000, 1024)).dataIn();

        TestTask t = target.run(Cdbs.reportTargetPortGroups(0b000, allocationLength));

        assertThat(t.outcome()).isEqualTo("GOOD");
        assertThat(t.dataLength()).isEqualTo(allocationLength);
        assertThat(t.dataIn() == null ? new byte[0] : t.dataIn())
                .isEqualTo(Arrays.copyOf(full, allocationLength));
    }

    @ParameterizedTest(name = "PARAMETER DATA FORMAT {0}")
    @ValueSource(ints = {0b010, 0b011, 0b100, 0b111})
    void otherFormatsAreInvalidFieldInCdb(int format) {
        TestTask t = target.run(Cdbs.reportTargetPortGroups(format, 1024));

        assertThat(t.outcome()).isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / INVALID_FIELD_IN_CDB");
        assertThat(t.senseKeySpecific()).as("field pointer: CDB byte 1, bit 7")
                .isEqualTo(0xC0_0000 | 0x08_0000 | (7 << 16) | 1);
    }

    @Test
    void aDispatcherWithoutGroupsReportsItsOwnGroupOne() {
        TestTask t = Target.of(512, 8).run(Cdbs.reportTargetPortGroups(0b000, 1024));

        byte[] d = t.dataIn();
        assertThat(d).hasSize(4 + 12);
        assertDescriptor(d, 4, 1, AccessState.ACTIVE_OPTIMIZED, 0x00);
    }

    @Test
    void inquiryReportsImplicitAluaOnly() {
        byte[] d = target.run(Cdbs.inquiry(false, 0, 255)).dataIn();

        assertThat((d[5] >> 4) & 0x03).as("TPGS 01b").isEqualTo(0b01);
    }

    @Test
    void setTargetPortGroupsIsNotSupported() {
        byte[] stpg = new byte[12];
        stpg[0] = (byte) 0xA4; // MAINTENANCE OUT
        stpg[1] = 0x0A;        // SET TARGET PORT GROUPS
        stpg[9] = 4;

        TestTask t = target.run(TestTask.of(stpg).dataOut(new byte[4]));

        assertThat(t.outcome()).isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / INVALID_COMMAND_OPERATION_CODE");
    }

    @Test
    void reportSupportedOperationCodesDescribesIt() {
        byte[] d = target.run(ReportSupportedTest.rsoc(false, 2, 0xA3, 0x0A, 512)).dataIn();

        assertThat(d[1] & 0x07).as("SUPPORT: supported as in the standard").isEqualTo(0b011);
        assertThat(Cdbs.u16(d, 2)).as("CDB SIZE").isEqualTo(12);
        assertThat(Arrays.copyOfRange(d, 4, 16)).as("CDB USAGE DATA").containsExactly(
                0xA3, 0xEA, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00);
    }

    @Test
    void allowedWhileAnotherNexusHoldsAReservation() {
        ItNexus other = new ItNexus("iqn.1993-08.org.debian:01:def,i,0x00023d000002",
                TestTask.NEXUS.targetPortName(), 3, 3);
        assertThat(target.run(TestTask.of(Cdbs.reserve(false)).nexus(other)).outcome()).isEqualTo("GOOD");

        assertThat(target.run(Cdbs.read10(0, 1)).outcome()).as("the reservation holds")
                .isEqualTo("RESERVATION_CONFLICT");
        assertThat(target.run(Cdbs.reportTargetPortGroups(0b001, 1024)).outcome()).isEqualTo("GOOD");
    }

    /** One target port group descriptor with its one target port descriptor, field by field. */
    private static void assertDescriptor(byte[] d, int p, int id, AccessState state, int statusCode) {
        assertThat(d[p] & 0x80).as("group %d: PREF", id).isZero();
        assertThat(d[p] & 0x0F).as("group %d: ASYMMETRIC ACCESS STATE", id).isEqualTo(state.code());
        assertThat(d[p + 1] & 0xFF).as("group %d: T_SUP U_SUP S_SUP AN_SUP AO_SUP, not O_SUP or LBD_SUP", id)
                .isEqualTo(0x8F);
        assertThat(Cdbs.u16(d, p + 2)).as("TARGET PORT GROUP").isEqualTo(id);
        assertThat(d[p + 4]).as("group %d: reserved", id).isZero();
        assertThat(d[p + 5] & 0xFF).as("group %d: STATUS CODE", id).isEqualTo(statusCode);
        assertThat(d[p + 6]).as("group %d: vendor specific", id).isZero();
        assertThat(d[p + 7] & 0xFF).as("group %d: TARGET PORT COUNT", id).isEqualTo(1);
        assertThat(Cdbs.u16(d, p + 8)).as("group %d: obsolete", id).isZero();
        assertThat(Cdbs.u16(d, p + 10)).as("group %d: RELATIVE TARGET PORT IDENTIFIER", id).isEqualTo(id);
    }
}
