package io.iscsi4j.scsi;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ModeSenseTest {

    private static final int CURRENT = 0;
    private static final int CHANGEABLE = 1;
    private static final int DEFAULT = 2;
    private static final int SAVED = 3;

    private final Target target = Target.of(512, 1000);

    @Test
    void cachingPageWithShortBlockDescriptor() {
        TestTask t = target.run(Cdbs.modeSense6(false, CURRENT, 0x08, 0, 255));

        assertThat(t.outcome()).isEqualTo("GOOD");
        byte[] d = t.dataIn();
        assertThat(d).hasSize(4 + 8 + 20);
        assertThat(d[0] & 0xFF).as("MODE DATA LENGTH").isEqualTo(d.length - 1);
        assertThat(d[1]).as("MEDIUM TYPE").isZero();
        assertThat(d[2] & 0xFF).as("DEVICE-SPECIFIC PARAMETER: WP 0, DPOFUA 1").isEqualTo(0x10);
        assertThat(d[3]).as("BLOCK DESCRIPTOR LENGTH").isEqualTo((byte) 8);
        assertThat(Cdbs.u32(d, 4)).as("NUMBER OF LOGICAL BLOCKS").isEqualTo(1000);
        assertThat(Cdbs.u32(d, 8) & 0xFF_FFFF).as("LOGICAL BLOCK LENGTH").isEqualTo(512);
        assertThat(d[8]).as("reserved").isZero();
        assertThat(d[12]).as("PS 0, SPF 0, page 08h").isEqualTo((byte) 0x08);
        assertThat(d[13]).as("PAGE LENGTH").isEqualTo((byte) 0x12);
        assertThat(d[14] & 0x04).as("WCE (backstore has a volatile cache)").isEqualTo(0x04);
        assertThat(d[14] & 0x01).as("RCD").isZero();
    }

    @Test
    void writeThroughClearsWce() {
        TestBackstore b = new TestBackstore(512, 8).volatileCache(false);
        Target wt = new Target(b, Target.builder(b).build());

        byte[] d = wt.run(Cdbs.modeSense6(true, CURRENT, 0x08, 0, 255)).dataIn();

        assertThat(wt.lu.isWriteBack()).isFalse();
        assertThat(d[4 + 2] & 0x04).as("WCE").isZero();
    }

    @Test
    void writeBackSettingOverridesBackstoreDefault() {
        TestBackstore b = new TestBackstore(512, 8).volatileCache(false);
        Target wb = new Target(b, Target.builder(b).writeBack(true).build());

        byte[] d = wb.run(Cdbs.modeSense6(true, CURRENT, 0x08, 0, 255)).dataIn();

        assertThat(d[4 + 2] & 0x04).as("WCE").isEqualTo(0x04);
    }

    @Test
    void readOnlySetsWriteProtectBit() {
        TestBackstore b = new TestBackstore(512, 8);
        Target ro = new Target(b, Target.builder(b).readOnly(true).build());

        byte[] six = ro.run(Cdbs.modeSense6(true, CURRENT, 0x3F, 0, 255)).dataIn();
        byte[] ten = ro.run(Cdbs.modeSense10(false, true, CURRENT, 0x3F, 0, 255)).dataIn();

        assertThat(six[2] & 0x80).as("WP").isEqualTo(0x80);
        assertThat(ten[3] & 0x80).as("WP").isEqualTo(0x80);
    }

    @Test
    void disableBlockDescriptors() {
        byte[] d = target.run(Cdbs.modeSense6(true, CURRENT, 0x0A, 0, 255)).dataIn();

        assertThat(d).hasSize(4 + 12);
        assertThat(d[3]).isZero();
        assertThat(d[4]).isEqualTo((byte) 0x0A);
    }

    @Test
    void controlPage() {
        byte[] d = target.run(Cdbs.modeSense6(true, CURRENT, 0x0A, 0, 255)).dataIn();
        byte[] page = Arrays.copyOfRange(d, 4, d.length);

        assertThat(page[0]).isEqualTo((byte) 0x0A);
        assertThat(page[1]).as("PAGE LENGTH").isEqualTo((byte) 0x0A);
        assertThat(page[2] & 0xE0).as("TST").isZero();
        assertThat(page[2] & 0x04).as("D_SENSE").isZero();
        assertThat((page[3] & 0xF0) >>> 4).as("QUEUE ALGORITHM MODIFIER").isEqualTo(1);
        assertThat(page[3] & 0x06).as("QERR").isZero();
        assertThat(page[4] & 0x08).as("SWP").isZero();
        assertThat(page[5] & 0x40).as("TAS").isZero();
        assertThat(Cdbs.u16(page, 8)).as("BUSY TIMEOUT PERIOD").isEqualTo(0xFFFF);
    }

    @Test
    void allPagesInAscendingOrder() {
        byte[] d = target.run(Cdbs.modeSense6(false, CURRENT, 0x3F, 0, 255)).dataIn();

        assertThat(d).hasSize(4 + 8 + 20 + 12);
        assertThat(d[12]).isEqualTo((byte) 0x08);
        assertThat(d[32]).isEqualTo((byte) 0x0A);

        byte[] withSubpages = target.run(Cdbs.modeSense6(false, CURRENT, 0x3F, 0xFF, 255)).dataIn();
        assertThat(withSubpages).isEqualTo(d);
    }

    @Test
    void modeSense10WithLongLbaDescriptor() {
        TestBackstore b = TestBackstore.huge(4096, 0x1_0000_0002L);
        Target big = new Target(b, Target.builder(b).build());

        byte[] d = big.run(Cdbs.modeSense10(true, false, CURRENT, 0x08, 0, 1024)).dataIn();

        assertThat(d).hasSize(8 + 16 + 20);
        assertThat(Cdbs.u16(d, 0)).as("MODE DATA LENGTH").isEqualTo(d.length - 2);
        assertThat(d[3] & 0xFF).isEqualTo(0x10);
        assertThat(d[4] & 0x01).as("LONGLBA").isEqualTo(1);
        assertThat(Cdbs.u16(d, 6)).as("BLOCK DESCRIPTOR LENGTH").isEqualTo(16);
        assertThat(Cdbs.u64(d, 8)).isEqualTo(0x1_0000_0002L);
        assertThat(Cdbs.u32(d, 20)).isEqualTo(4096);
        assertThat(d[24]).isEqualTo((byte) 0x08);
    }

    @Test
    void modeSense10ShortDescriptorSaturates() {
        TestBackstore b = TestBackstore.huge(512, 0x1_0000_0002L);
        Target big = new Target(b, Target.builder(b).build());

        byte[] d = big.run(Cdbs.modeSense10(false, false, CURRENT, 0x08, 0, 1024)).dataIn();

        assertThat(d[4]).as("LONGLBA").isZero();
        assertThat(Cdbs.u16(d, 6)).isEqualTo(8);
        assertThat(Cdbs.u32(d, 8)).isEqualTo(0xFFFF_FFFFL);
    }

    @Test
    void changeableValuesAreWceDsenseAndSwp() {
        byte[] d = target.run(Cdbs.modeSense6(true, CHANGEABLE, 0x3F, 0, 255)).dataIn();

        assertThat(d).hasSize(4 + 20 + 12);
        assertThat(d[4]).isEqualTo((byte) 0x08);
        assertThat(d[5]).isEqualTo((byte) 0x12);
        byte[] caching = new byte[18];
        caching[0] = 0x04; // WCE
        assertThat(Arrays.copyOfRange(d, 6, 24)).isEqualTo(caching);
        assertThat(d[24]).isEqualTo((byte) 0x0A);
        byte[] control = new byte[10];
        control[0] = 0x04; // D_SENSE
        control[2] = 0x08; // SWP
        assertThat(Arrays.copyOfRange(d, 26, 36)).isEqualTo(control);
    }

    @Test
    void wceIsNotChangeableOnAWriteThroughUnit() {
        TestBackstore b = new TestBackstore(512, 8); // has a volatile cache: write-back unless configured otherwise
        Target wt = new Target(b, Target.builder(b).writeBack(false).build());

        byte[] six = wt.run(Cdbs.modeSense6(true, CHANGEABLE, 0x08, 0, 255)).dataIn();
        byte[] ten = wt.run(Cdbs.modeSense10(false, true, CHANGEABLE, 0x3F, 0, 255)).dataIn();

        assertThat(six[4]).isEqualTo((byte) 0x08);
        assertThat(six[4 + 2] & 0x04).as("WCE changeable").isZero();
        assertThat(Arrays.copyOfRange(six, 4 + 2, 4 + 20)).as("nothing in the caching page is changeable")
                .containsOnly(0);
        assertThat(ten[8]).isEqualTo((byte) 0x08);
        assertThat(ten[8 + 2] & 0x04).as("WCE changeable").isZero();
        assertThat(ten[8 + 20]).isEqualTo((byte) 0x0A);
        assertThat(ten[8 + 20 + 2] & 0x04).as("D_SENSE still changeable").isEqualTo(0x04);
        assertThat(ten[8 + 20 + 4] & 0x08).as("SWP still changeable").isEqualTo(0x08);
    }

    @Test
    void wceIsChangeableOnAWriteBackUnit() {
        TestBackstore b = new TestBackstore(512, 8).volatileCache(false);
        Target wb = new Target(b, Target.builder(b).writeBack(true).build());

        byte[] d = wb.run(Cdbs.modeSense6(true, CHANGEABLE, 0x08, 0, 255)).dataIn();

        assertThat(d[4 + 2] & 0x04).as("WCE changeable").isEqualTo(0x04);
    }

    @Test
    void defaultValuesEqualCurrentValues() {
        byte[] current = target.run(Cdbs.modeSense6(false, CURRENT, 0x3F, 0, 255)).dataIn();
        byte[] defaults = target.run(Cdbs.modeSense6(false, DEFAULT, 0x3F, 0, 255)).dataIn();

        assertThat(defaults).isEqualTo(current);
    }

    @Test
    void savedValuesAreNotSupported() {
        TestTask t = target.run(Cdbs.modeSense6(false, SAVED, 0x08, 0, 255));

        assertThat(t.outcome()).isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / SAVING_PARAMETERS_NOT_SUPPORTED");
        assertThat(t.senseKeySpecific()).isEqualTo(0xC0_0000 | 0x08_0000 | (7 << 16) | 2);
    }

    @Test
    void unknownPageIsInvalidField() {
        TestTask t = target.run(Cdbs.modeSense10(false, false, CURRENT, 0x1C, 0, 255));

        assertThat(t.outcome()).isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / INVALID_FIELD_IN_CDB");
        assertThat(t.senseKeySpecific()).isEqualTo(0xC0_0000 | 0x08_0000 | (5 << 16) | 2);
    }

    @Test
    void unknownSubpageIsInvalidField() {
        TestTask caching = target.run(Cdbs.modeSense6(false, CURRENT, 0x08, 0x01, 255));
        TestTask all = target.run(Cdbs.modeSense6(false, CURRENT, 0x3F, 0x01, 255));

        assertThat(caching.outcome()).isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / INVALID_FIELD_IN_CDB");
        assertThat(all.outcome()).isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / INVALID_FIELD_IN_CDB");
        assertThat(all.senseKeySpecific() & 0xFFFF).isEqualTo(3);
    }

    @Test
    void allocationLengthTruncates() {
        TestTask t = target.run(Cdbs.modeSense6(false, CURRENT, 0x3F, 0, 4));

        assertThat(t.outcome()).isEqualTo("GOOD");
        assertThat(t.dataIn()).hasSize(4);
        assertThat(t.dataIn()[0] & 0xFF).as("full MODE DATA LENGTH").isEqualTo(4 + 8 + 20 + 12 - 1);
    }
}
