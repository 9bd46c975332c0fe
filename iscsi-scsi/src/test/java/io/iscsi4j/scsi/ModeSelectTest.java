package io.iscsi4j.scsi;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ModeSelectTest {

    private static final int CURRENT = 0;
    private static final int DEFAULT = 2;

    private final TestBackstore backstore = new TestBackstore(512, 64);
    private final Target target = new Target(backstore, Target.builder(backstore).writeBack(true).build());

    static byte[] modeSelect6(int parameterListLength, boolean pf, boolean sp) {
        byte[] c = new byte[6];
        c[0] = 0x15;
        c[1] = (byte) ((pf ? 0x10 : 0) | (sp ? 0x01 : 0));
        c[4] = (byte) parameterListLength;
        return c;
    }

    static byte[] modeSelect10(int parameterListLength) {
        byte[] c = new byte[10];
        c[0] = 0x55;
        c[1] = 0x10;
        c[7] = (byte) (parameterListLength >>> 8);
        c[8] = (byte) parameterListLength;
        return c;
    }

    /** The current control page, as MODE SENSE (6) with DBD returns it, as a MODE SELECT (6) parameter list. */
    private byte[] currentPage(int page) {
        byte[] d = target.run(Cdbs.modeSense6(true, CURRENT, page, 0, 255)).dataIn();
        d[0] = 0; // MODE DATA LENGTH is reserved in MODE SELECT
        d[2] = 0; // so is the device-specific parameter (WP, DPOFUA)
        return d;
    }

    private TestTask select(byte[] list) {
        return target.run(TestTask.of(modeSelect6(list.length, true, false)).dataOut(list));
    }

    @Test
    void softwareWriteProtectRefusesWritesAndSetsWp() {
        byte[] list = currentPage(0x0A);
        list[4 + 4] |= 0x08; // SWP

        TestTask t = select(list);
        byte[] sense = target.run(Cdbs.modeSense6(true, CURRENT, 0x0A, 0, 255)).dataIn();
        TestTask write = target.run(TestTask.of(Cdbs.write10(0, 1)).dataOut(new byte[512]));
        TestTask read = target.run(Cdbs.read10(0, 1));

        assertThat(t.outcome()).isEqualTo("GOOD");
        assertThat(sense[2] & 0x80).as("WP").isEqualTo(0x80);
        assertThat(sense[4 + 4] & 0x08).as("SWP").isEqualTo(0x08);
        assertThat(write.outcome()).isEqualTo("CHECK_CONDITION DATA_PROTECT / WRITE_PROTECTED");
        assertThat(write.dataOutRequested()).isEqualTo(-1);
        assertThat(read.outcome()).isEqualTo("GOOD");
        assertThat(target.lu.isWriteProtected()).isTrue();

        list[4 + 4] &= ~0x08;
        assertThat(select(list).outcome()).isEqualTo("GOOD");
        assertThat(target.run(TestTask.of(Cdbs.write10(0, 1)).dataOut(new byte[512])).outcome()).isEqualTo("GOOD");
    }

    @Test
    void descriptorSenseSwitchesTheSenseFormat() {
        byte[] list = currentPage(0x0A);
        list[4 + 2] |= 0x04; // D_SENSE

        assertThat(select(list).outcome()).isEqualTo("GOOD");
        TestTask t = target.run(Cdbs.read10(64, 1));

        assertThat(t.outcome()).isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / LOGICAL_BLOCK_ADDRESS_OUT_OF_RANGE");
        assertThat(t.sense().descriptorFormat()).isTrue();
        assertThat(t.sense().toBytes()[0]).isEqualTo((byte) 0x72);
    }

    @Test
    void wceSwitchesToWriteThroughAndDefaultsStayConfigured() {
        byte[] list = currentPage(0x08);
        list[4 + 2] &= ~0x04; // WCE off

        assertThat(select(list).outcome()).isEqualTo("GOOD");
        target.run(TestTask.of(Cdbs.write10(0, 1)).dataOut(new byte[512]));
        byte[] defaults = target.run(Cdbs.modeSense6(true, DEFAULT, 0x08, 0, 255)).dataIn();

        assertThat(target.lu.isWriteBack()).isFalse();
        assertThat(backstore.calls).containsExactly("write 0+1 fua");
        assertThat(defaults[4 + 2] & 0x04).as("default WCE").isEqualTo(0x04);
    }

    @Test
    void wceCanBeTurnedOffAndOnAgainOnAWriteBackUnit() {
        byte[] list = currentPage(0x08);
        list[4 + 2] &= ~0x04;
        assertThat(select(list).outcome()).isEqualTo("GOOD");
        assertThat(target.lu.isWriteBack()).isFalse();

        list[4 + 2] |= 0x04;
        TestTask on = select(list);
        target.run(TestTask.of(Cdbs.write10(0, 1)).dataOut(new byte[512]));
        byte[] current = target.run(Cdbs.modeSense6(true, CURRENT, 0x08, 0, 255)).dataIn();

        assertThat(on.outcome()).isEqualTo("GOOD");
        assertThat(target.lu.isWriteBack()).isTrue();
        assertThat(current[4 + 2] & 0x04).as("WCE").isEqualTo(0x04);
        assertThat(backstore.calls).containsExactly("write 0+1");
    }

    @Test
    void wceCannotBeEnabledOnAWriteThroughUnit() {
        TestBackstore b = new TestBackstore(512, 64); // has a volatile cache, but the unit is configured write-through
        Target wt = new Target(b, Target.builder(b).writeBack(false).build());
        byte[] list = wt.run(Cdbs.modeSense6(true, CURRENT, 0x08, 0, 255)).dataIn();
        list[0] = 0;
        list[2] = 0;
        assertThat(list[4 + 2] & 0x04).as("current WCE").isZero();
        byte[] unchanged = list.clone();
        list[4 + 2] |= 0x04; // WCE on

        TestTask t = wt.run(TestTask.of(modeSelect6(list.length, true, false)).dataOut(list));
        TestTask same = wt.run(TestTask.of(modeSelect6(unchanged.length, true, false)).dataOut(unchanged));
        wt.run(TestTask.of(Cdbs.write10(0, 1)).dataOut(new byte[512]));
        byte[] current = wt.run(Cdbs.modeSense6(true, CURRENT, 0x08, 0, 255)).dataIn();

        assertThat(t.outcome()).isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / INVALID_FIELD_IN_PARAMETER_LIST");
        // SKSV, C/D 0 (parameter list), BPV, BIT POINTER 2, FIELD POINTER 6: header (4) + byte 2 of the page.
        assertThat(t.senseKeySpecific()).isEqualTo(0x80_0000 | 0x08_0000 | (2 << 16) | 6);
        assertThat(same.outcome()).as("restating WCE=0 is fine").isEqualTo("GOOD");
        assertThat(wt.lu.isWriteBack()).isFalse();
        assertThat(current[4 + 2] & 0x04).as("WCE").isZero();
        assertThat(b.calls).as("still write-through").containsExactly("write 0+1 fua");
    }

    @Test
    void wceOnAWriteThroughUnitIsRefusedWithTheFieldPointerOfModeSelect10() {
        TestBackstore b = new TestBackstore(512, 64).volatileCache(false); // write-through by default
        Target wt = new Target(b, Target.builder(b).build());
        byte[] list = wt.run(Cdbs.modeSense10(false, false, CURRENT, 0x3F, 0, 255)).dataIn();
        list[0] = 0;
        list[1] = 0;
        list[3] = 0;
        list[8 + 8 + 2] |= 0x04; // WCE on, after the header and the short block descriptor
        list[8 + 8 + 20 + 2] |= 0x04; // D_SENSE on: must not be applied either

        TestTask t = wt.run(TestTask.of(modeSelect10(list.length)).dataOut(list));

        assertThat(t.outcome()).isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / INVALID_FIELD_IN_PARAMETER_LIST");
        assertThat(t.senseKeySpecific()).isEqualTo(0x80_0000 | 0x08_0000 | (2 << 16) | 18);
        assertThat(wt.lu.isWriteBack()).isFalse();
        assertThat(wt.lu.descriptorSense()).isFalse();
    }

    @Test
    void unchangeableBitsMustKeepTheirValue() {
        byte[] list = currentPage(0x0A);
        list[4 + 3] ^= 0x02; // QERR

        TestTask t = select(list);

        assertThat(t.outcome()).isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / INVALID_FIELD_IN_PARAMETER_LIST");
        assertThat(t.senseKeySpecific()).isEqualTo(0x80_0000 | 0x08_0000 | (1 << 16) | 7);
    }

    @Test
    void nothingChangesWhenALaterPageIsInvalid() {
        byte[] control = currentPage(0x0A);
        control[4 + 4] |= 0x08; // SWP
        byte[] list = Arrays.copyOf(control, control.length + 2);
        list[control.length] = 0x1C; // informational exceptions control page: not implemented
        list[control.length + 1] = 0;

        TestTask t = select(list);

        assertThat(t.outcome()).isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / INVALID_FIELD_IN_PARAMETER_LIST");
        assertThat(target.lu.isWriteProtected()).isFalse();
    }

    @Test
    void headerAndPageChecks() {
        byte[] list = currentPage(0x0A);

        assertThat(target.run(TestTask.of(modeSelect6(list.length, true, true)).dataOut(list)).outcome())
                .as("SP").isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / INVALID_FIELD_IN_CDB");
        assertThat(target.run(TestTask.of(modeSelect6(list.length, false, false)).dataOut(list)).outcome())
                .as("PF").isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / INVALID_FIELD_IN_CDB");
        assertThat(target.run(TestTask.of(modeSelect6(0, true, false)).expected(0)).outcome()).isEqualTo("GOOD");
        assertThat(select(Arrays.copyOf(list, 3)).outcome())
                .isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / PARAMETER_LIST_LENGTH_ERROR");
        assertThat(select(Arrays.copyOf(list, list.length - 1)).outcome())
                .isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / PARAMETER_LIST_LENGTH_ERROR");
        byte[] ps = list.clone();
        ps[4] |= (byte) 0x80;
        assertThat(select(ps).outcome()).isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / INVALID_FIELD_IN_PARAMETER_LIST");
        byte[] badLength = list.clone();
        badLength[5] = 0x0B;
        assertThat(select(badLength).outcome())
                .isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / INVALID_FIELD_IN_PARAMETER_LIST");
        byte[] medium = list.clone();
        medium[1] = 1;
        assertThat(select(medium).outcome())
                .isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / INVALID_FIELD_IN_PARAMETER_LIST");
    }

    @Test
    void blockDescriptorMayRestateButNotChangeTheGeometry() {
        byte[] restate = target.run(Cdbs.modeSense10(false, false, CURRENT, 0x08, 0, 255)).dataIn();
        restate[0] = 0;
        restate[1] = 0;
        restate[3] = 0;
        byte[] resize = restate.clone();
        resize[8 + 6] = 0x10; // block length 4096

        TestTask ok = target.run(TestTask.of(modeSelect10(restate.length)).dataOut(restate));
        TestTask refused = target.run(TestTask.of(modeSelect10(resize.length)).dataOut(resize));

        assertThat(ok.outcome()).isEqualTo("GOOD");
        assertThat(refused.outcome()).isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / INVALID_FIELD_IN_PARAMETER_LIST");
    }
}
