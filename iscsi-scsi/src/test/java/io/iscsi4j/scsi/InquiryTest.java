package io.iscsi4j.scsi;

import static org.assertj.core.api.Assertions.assertThat;

import io.iscsi4j.backstore.BackstoreCapability;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Set;
import org.junit.jupiter.api.Test;

class InquiryTest {

    private final Target target = Target.of(512, 2048);

    @Test
    void standardInquiryData() {
        TestTask t = target.run(Cdbs.inquiry(false, 0, 255));

        assertThat(t.outcome()).isEqualTo("GOOD");
        byte[] d = t.dataIn();
        assertThat(d).hasSize(74);
        assertThat(t.dataLength()).isEqualTo(74);
        assertThat(d[0]).as("peripheral qualifier 000b, direct access device").isEqualTo((byte) 0x00);
        assertThat(d[1]).as("RMB").isZero();
        assertThat(d[2]).as("VERSION (SPC-4)").isEqualTo((byte) 0x06);
        assertThat(d[3]).as("HISUP, response data format 2").isEqualTo((byte) 0x12);
        assertThat(d[4] & 0xFF).as("ADDITIONAL LENGTH").isEqualTo(74 - 5);
        assertThat(d[5]).as("TPGS 01b (implicit ALUA), 3PC (EXTENDED COPY), no PROTECT").isEqualTo((byte) 0x18);
        assertThat((d[5] >> 4) & 0x03).as("TPGS").isEqualTo(0b01);
        assertThat(d[7]).as("CMDQUE").isEqualTo((byte) 0x02);
        assertThat(ascii(d, 8, 8)).isEqualTo("ISCSI4J ");
        assertThat(ascii(d, 16, 16)).isEqualTo("VIRTUAL-DISK    ");
        assertThat(ascii(d, 32, 4)).isEqualTo("0001");
        assertThat(Cdbs.u16(d, 58)).as("SAM-5").isEqualTo(0x00A0);
        assertThat(Cdbs.u16(d, 60)).as("SPC-4").isEqualTo(0x0460);
        assertThat(Cdbs.u16(d, 62)).as("SBC-3").isEqualTo(0x04C0);
    }

    @Test
    void standardInquiryCarriesConfiguredIdentity() {
        TestBackstore b = new TestBackstore(512, 8);
        Target custom = new Target(b, Target.builder(b).vendor("ACME").product("FAST DISK").revision("2.1").build());

        byte[] d = custom.run(Cdbs.inquiry(false, 0, 96)).dataIn();

        assertThat(ascii(d, 8, 8)).isEqualTo("ACME    ");
        assertThat(ascii(d, 16, 16)).isEqualTo("FAST DISK       ");
        assertThat(ascii(d, 32, 4)).isEqualTo("2.1 ");
    }

    @Test
    void allocationLengthTruncates() {
        TestTask t = target.run(Cdbs.inquiry(false, 0, 36));

        assertThat(t.outcome()).isEqualTo("GOOD");
        assertThat(t.dataLength()).isEqualTo(36);
        assertThat(t.dataIn()).hasSize(36);
        assertThat(t.dataIn()[4] & 0xFF).as("ADDITIONAL LENGTH still tells the full length").isEqualTo(69);
    }

    @Test
    void allocationLengthZeroTransfersNothing() {
        TestTask t = target.run(Cdbs.inquiry(false, 0, 0));

        assertThat(t.outcome()).isEqualTo("GOOD");
        assertThat(t.dataLength()).isZero();
        assertThat(t.dataInAllocated()).isFalse();
    }

    @Test
    void expectedTransferLengthBelowAllocationLengthSendsOnlyExpected() {
        TestTask t = target.run(TestTask.of(Cdbs.inquiry(false, 0, 255)).expected(20));

        assertThat(t.outcome()).isEqualTo("GOOD");
        assertThat(t.dataIn()).hasSize(20);
        assertThat(t.dataLength()).as("length per CDB, for the overflow residual").isEqualTo(74);
    }

    @Test
    void pageCodeWithoutEvpdIsInvalidField() {
        TestTask t = target.run(Cdbs.inquiry(false, 0x80, 255));

        assertThat(t.outcome()).isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / INVALID_FIELD_IN_CDB");
        assertThat(t.senseKeySpecific()).as("SKSV, C/D, BPV, bit 7 of byte 2").isEqualTo(0x80_0000 | 0x40_0000
                | 0x08_0000 | (7 << 16) | 2);
    }

    @Test
    void cmdDtIsInvalidField() {
        byte[] cdb = Cdbs.inquiry(false, 0, 255);
        cdb[1] = 0x02;

        TestTask t = target.run(cdb);

        assertThat(t.outcome()).isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / INVALID_FIELD_IN_CDB");
        assertThat(t.senseKeySpecific() & 0xFFFF).as("field pointer byte").isEqualTo(1);
    }

    @Test
    void unknownVpdPageIsInvalidField() {
        TestTask t = target.run(Cdbs.inquiry(true, 0xC0, 255));

        assertThat(t.outcome()).isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / INVALID_FIELD_IN_CDB");
        assertThat(t.senseKeySpecific() & 0xFFFF).isEqualTo(2);
    }

    @Test
    void supportedVpdPages() {
        byte[] d = target.run(Cdbs.inquiry(true, 0x00, 255)).dataIn();

        assertThat(d[0]).isZero();
        assertThat(d[1]).isZero();
        assertThat(Cdbs.u16(d, 2)).isEqualTo(8);
        assertThat(Arrays.copyOfRange(d, 4, d.length))
                .containsExactly(0x00, 0x80, 0x83, 0x86, 0x8F, 0xB0, 0xB1, 0xB2);
    }

    @Test
    void extendedInquiryDataPage() {
        TestBackstore b = new TestBackstore(512, 8);
        Target writeBack = new Target(b, Target.builder(b).writeBack(true).build());

        TestTask t = writeBack.run(Cdbs.inquiry(true, 0x86, 255));

        assertThat(t.outcome()).isEqualTo("GOOD");
        byte[] d = t.dataIn();
        assertThat(d).hasSize(64);
        assertThat(d[0]).as("peripheral qualifier 000b, direct access device").isZero();
        assertThat(d[1] & 0xFF).isEqualTo(0x86);
        assertThat(Cdbs.u16(d, 2)).as("PAGE LENGTH").isEqualTo(0x3C);
        assertThat(d[4]).as("no microcode activation, no protection information").isZero();
        assertThat(d[5]).as("HEADSUP, ORDSUP, SIMPSUP").isEqualTo((byte) 0x07);
        assertThat(d[6]).as("V_SUP: a volatile cache, NV_SUP 0").isEqualTo((byte) 0x01);
        assertThat(d[7]).as("LUICLR 0: REPORTED LUNS DATA HAS CHANGED is cleared per logical unit").isZero();
        assertThat(Arrays.copyOfRange(d, 8, 64)).as("everything else").containsOnly(0);
    }

    @Test
    void extendedInquiryDataOfAWriteThroughUnitHasNoVolatileCache() {
        TestBackstore b = new TestBackstore(512, 8);
        Target writeThrough = new Target(b, Target.builder(b).writeBack(false).build());

        byte[] d = writeThrough.run(Cdbs.inquiry(true, 0x86, 255)).dataIn();

        assertThat(d[5]).isEqualTo((byte) 0x07);
        assertThat(d[6]).as("V_SUP 0, NV_SUP 0").isZero();
    }

    @Test
    void extendedInquiryDataKeepsVSupWhenModeSelectTurnsTheCacheOff() {
        TestBackstore b = new TestBackstore(512, 8);
        LogicalUnit lu = Target.builder(b).writeBack(true).build();
        Target target = new Target(b, lu);

        lu.setModeParameters(false, false, false);

        assertThat(target.run(Cdbs.inquiry(true, 0x86, 255)).dataIn()[6]).as("the cache can be turned on again")
                .isEqualTo((byte) 0x01);
    }

    @Test
    void thirdPartyCopyPage() {
        byte[] d = target.run(Cdbs.inquiry(true, 0x8F, 255)).dataIn();

        assertThat(d[1] & 0xFF).isEqualTo(0x8F);
        assertThat(Cdbs.u16(d, 2)).isEqualTo(d.length - 4);
        assertThat(Cdbs.u16(d, 4)).as("Supported Commands descriptor").isEqualTo(0x0001);
        assertThat(Arrays.copyOfRange(d, 8, 16)).as("list length 7: 83h (00h), 84h (00h, 03h)")
                .containsExactly(7, 0x83, 1, 0x00, 0x84, 2, 0x00, 0x03);
        int p = 4 + 4 + Cdbs.u16(d, 6);
        assertThat(Cdbs.u16(d, p)).as("Parameter Data descriptor").isEqualTo(0x0004);
        assertThat(Cdbs.u16(d, p + 8)).as("MAXIMUM CSCD DESCRIPTOR COUNT").isEqualTo(16);
        assertThat(Cdbs.u16(d, p + 10)).as("MAXIMUM SEGMENT DESCRIPTOR COUNT").isEqualTo(128);
        assertThat(Cdbs.u32(d, p + 12)).as("MAXIMUM DESCRIPTOR LIST LENGTH").isEqualTo(4096);
        p += 4 + Cdbs.u16(d, p + 2);
        assertThat(Cdbs.u16(d, p)).as("Supported Descriptors descriptor").isEqualTo(0x0008);
        assertThat(Arrays.copyOfRange(d, p + 4, p + 7)).containsExactly(2, 0x02, 0xE4);
        p += 4 + Cdbs.u16(d, p + 2);
        assertThat(Cdbs.u16(d, p)).as("Supported CSCD Descriptor IDs descriptor").isEqualTo(0x000C);
        assertThat(p + 4 + Cdbs.u16(d, p + 2)).isEqualTo(d.length);
    }

    @Test
    void unitSerialNumberPage() {
        byte[] d = target.run(Cdbs.inquiry(true, 0x80, 255)).dataIn();

        assertThat(d[1] & 0xFF).isEqualTo(0x80);
        assertThat(Cdbs.u16(d, 2)).isEqualTo(8);
        assertThat(ascii(d, 4, 8)).isEqualTo("SER-0001");
    }

    @Test
    void deviceIdentificationPage() {
        byte[] d = target.run(Cdbs.inquiry(true, 0x83, 1024)).dataIn();

        assertThat(d[1] & 0xFF).isEqualTo(0x83);
        assertThat(Cdbs.u16(d, 2)).isEqualTo(d.length - 4);
        int p = 4;

        // NAA IEEE Registered Extended: binary, association 00b (LU), type 3, 16 bytes.
        assertThat(d[p]).isEqualTo((byte) 0x01);
        assertThat(d[p + 1]).isEqualTo((byte) 0x03);
        assertThat(d[p + 3]).isEqualTo((byte) 16);
        byte[] naa = Arrays.copyOfRange(d, p + 4, p + 20);
        assertThat((naa[0] & 0xF0) >>> 4).as("NAA").isEqualTo(6);
        long companyId = (Cdbs.u32(naa, 0) >>> 4) & 0xFF_FFFF;
        assertThat(companyId).isEqualTo(LogicalUnit.NAA_COMPANY_ID);
        assertThat(naa).isEqualTo(target.lu.naaDesignator());
        p += 20;

        // T10 vendor ID: ASCII, association 00b, type 1: vendor (8) + serial.
        assertThat(d[p]).isEqualTo((byte) 0x02);
        assertThat(d[p + 1]).isEqualTo((byte) 0x01);
        assertThat(d[p + 3]).isEqualTo((byte) 16);
        assertThat(ascii(d, p + 4, 16)).isEqualTo("ISCSI4J SER-0001");
        p += 20;

        // Relative target port: binary, association 01b (target port), type 4.
        assertThat(d[p]).isEqualTo((byte) 0x01);
        assertThat(d[p + 1]).isEqualTo((byte) 0x14);
        assertThat(d[p + 3]).isEqualTo((byte) 4);
        assertThat(Cdbs.u16(d, p + 6)).isEqualTo(TestTask.NEXUS.relativeTargetPortId());
        p += 8;

        // Target port group: binary, association 01b, type 5.
        assertThat(d[p]).isEqualTo((byte) 0x01);
        assertThat(d[p + 1]).isEqualTo((byte) 0x15);
        assertThat(d[p + 3]).isEqualTo((byte) 4);
        assertThat(Cdbs.u16(d, p + 6)).isEqualTo(TestTask.NEXUS.targetPortGroup());
        p += 8;

        // SCSI name string: UTF-8, association 01b, type 8; null-terminated, padded to a multiple of 4.
        assertThat(d[p]).isEqualTo((byte) 0x03);
        assertThat(d[p + 1]).isEqualTo((byte) 0x18);
        int len = d[p + 3] & 0xFF;
        String name = TestTask.NEXUS.targetPortName();
        assertThat(len % 4).isZero();
        assertThat(len).isGreaterThan(name.length());
        assertThat(new String(d, p + 4, name.length(), StandardCharsets.UTF_8)).isEqualTo(name);
        for (int i = name.length(); i < len; i++) {
            assertThat(d[p + 4 + i]).as("null padding").isZero();
        }
        p += 4 + len;
        assertThat(p).as("no further designators").isEqualTo(d.length);
    }

    @Test
    void deviceIdentificationFollowsTheNexus() {
        ItNexus other = new ItNexus("iqn.x,i,0x1", "iqn.2026-11.io.iscsi4j:other,t,0x0007", 3, 7);
        byte[] d = target.run(TestTask.of(Cdbs.inquiry(true, 0x83, 1024)).nexus(other)).dataIn();

        int p = 4 + 20 + 20;
        assertThat(Cdbs.u16(d, p + 6)).isEqualTo(3);
        assertThat(Cdbs.u16(d, p + 8 + 6)).isEqualTo(7);
        assertThat(new String(d, p + 20, other.targetPortName().length(), StandardCharsets.UTF_8))
                .isEqualTo(other.targetPortName());
    }

    @Test
    void naaDesignatorIsStablePerSerial() {
        TestBackstore b = new TestBackstore(512, 8);
        byte[] same = Target.builder(b).serial("SER-0001").build().naaDesignator();
        byte[] different = Target.builder(b).serial("SER-0002").build().naaDesignator();

        assertThat(same).isEqualTo(target.lu.naaDesignator());
        assertThat(different).isNotEqualTo(same);
        assertThat(Arrays.copyOf(different, 3)).as("NAA and company id").isEqualTo(Arrays.copyOf(same, 3));
    }

    @Test
    void vpdPageTruncatedToAllocationLength() {
        TestTask t = target.run(Cdbs.inquiry(true, 0x83, 8));

        assertThat(t.outcome()).isEqualTo("GOOD");
        assertThat(t.dataIn()).hasSize(8);
        assertThat(t.dataLength()).isEqualTo(8);
        assertThat(t.dataIn()[1] & 0xFF).isEqualTo(0x83);
    }

    @Test
    void blockLimitsPage() {
        byte[] d = target.run(Cdbs.inquiry(true, 0xB0, 255)).dataIn();

        assertThat(d[1] & 0xFF).isEqualTo(0xB0);
        assertThat(Cdbs.u16(d, 2)).isEqualTo(0x3C);
        assertThat(d[4]).as("WSNZ 0: WRITE SAME with 0 blocks writes through the last LBA").isZero();
        assertThat(d[5] & 0xFF).as("MAXIMUM COMPARE AND WRITE LENGTH").isEqualTo(255);
        assertThat(Cdbs.u16(d, 6)).as("OPTIMAL TRANSFER LENGTH GRANULARITY").isEqualTo(1);
        assertThat(Cdbs.u32(d, 8)).as("MAXIMUM TRANSFER LENGTH").isEqualTo(8 * 1024 * 1024 / 512);
        assertThat(Cdbs.u32(d, 12)).as("OPTIMAL TRANSFER LENGTH").isEqualTo(1024 * 1024 / 512);
        assertThat(Cdbs.u32(d, 20)).as("MAXIMUM UNMAP LBA COUNT").isZero();
        assertThat(Cdbs.u32(d, 24)).as("MAXIMUM UNMAP BLOCK DESCRIPTOR COUNT").isZero();
        assertThat(Cdbs.u32(d, 28)).as("OPTIMAL UNMAP GRANULARITY").isZero();
        assertThat(Cdbs.u32(d, 32)).as("UGAVALID, UNMAP GRANULARITY ALIGNMENT").isZero();
        assertThat(Cdbs.u64(d, 36)).as("MAXIMUM WRITE SAME LENGTH").isEqualTo((16L << 20) / 512);
        assertThat(Cdbs.u32(d, 44)).as("MAXIMUM ATOMIC TRANSFER LENGTH").isZero();
        assertThat(d).hasSize(64);
    }

    @Test
    void blockLimitsOfAnUnmappingAtomicBackstore() {
        TestBackstore b = new TestBackstore(4096, 8).capabilities(Set.of(BackstoreCapability.THIN_PROVISIONING,
                BackstoreCapability.UNMAP, BackstoreCapability.WRITE_ATOMIC));
        byte[] d = new Target(b, Target.builder(b).build()).run(Cdbs.inquiry(true, 0xB0, 255)).dataIn();

        assertThat(Cdbs.u32(d, 20)).as("MAXIMUM UNMAP LBA COUNT").isEqualTo(0xFFFF_FFFFL);
        assertThat(Cdbs.u32(d, 24)).as("MAXIMUM UNMAP BLOCK DESCRIPTOR COUNT").isEqualTo(4095);
        assertThat(Cdbs.u32(d, 28)).as("OPTIMAL UNMAP GRANULARITY: one block").isEqualTo(1);
        assertThat(Cdbs.u32(d, 32)).as("UGAVALID, UNMAP GRANULARITY ALIGNMENT 0").isEqualTo(0x8000_0000L);
        assertThat(Cdbs.u64(d, 36)).as("MAXIMUM WRITE SAME LENGTH").isEqualTo((16L << 20) / 4096);
        assertThat(Cdbs.u32(d, 44)).as("MAXIMUM ATOMIC TRANSFER LENGTH").isEqualTo(2048);
        assertThat(Cdbs.u32(d, 48)).as("ATOMIC ALIGNMENT").isZero();
        assertThat(Cdbs.u32(d, 52)).as("ATOMIC TRANSFER LENGTH GRANULARITY").isZero();
    }

    @Test
    void blockLimitsReportThePhysicalBlockAsTheGranularity() {
        TestBackstore full = new TestBackstore(512, 64);
        TestBackstore thin = new TestBackstore(512, 64).capabilities(
                Set.of(BackstoreCapability.THIN_PROVISIONING, BackstoreCapability.UNMAP));
        byte[] f = new Target(full, Target.builder(full).physicalBlockSize(4096).build())
                .run(Cdbs.inquiry(true, 0xB0, 255)).dataIn();
        byte[] t = new Target(thin, Target.builder(thin).physicalBlockSize(4096).build())
                .run(Cdbs.inquiry(true, 0xB0, 255)).dataIn();

        assertThat(Cdbs.u16(f, 6)).as("OPTIMAL TRANSFER LENGTH GRANULARITY").isEqualTo(8);
        assertThat(Cdbs.u32(f, 12)).as("OPTIMAL TRANSFER LENGTH, a multiple of it").isEqualTo(2048);
        assertThat(Cdbs.u32(f, 28)).as("OPTIMAL UNMAP GRANULARITY: no UNMAP").isZero();
        assertThat(Cdbs.u32(f, 32)).as("UGAVALID: no UNMAP").isZero();
        assertThat(Cdbs.u16(t, 6)).as("OPTIMAL TRANSFER LENGTH GRANULARITY").isEqualTo(8);
        assertThat(Cdbs.u32(t, 28)).as("OPTIMAL UNMAP GRANULARITY").isEqualTo(8);
        assertThat(Cdbs.u32(t, 32)).as("UGAVALID, UNMAP GRANULARITY ALIGNMENT 0 (LBA 0 starts a physical block)")
                .isEqualTo(0x8000_0000L);
    }

    @Test
    void blockLimitsScaleWithBlockSize() {
        byte[] d = Target.of(4096, 64).run(Cdbs.inquiry(true, 0xB0, 255)).dataIn();

        assertThat(Cdbs.u32(d, 8)).isEqualTo(2048);
        assertThat(Cdbs.u32(d, 12)).isEqualTo(256);
    }

    @Test
    void blockDeviceCharacteristicsPage() {
        byte[] d = target.run(Cdbs.inquiry(true, 0xB1, 255)).dataIn();

        assertThat(d[1] & 0xFF).isEqualTo(0xB1);
        assertThat(Cdbs.u16(d, 2)).isEqualTo(0x3C);
        assertThat(Cdbs.u16(d, 4)).as("MEDIUM ROTATION RATE: non-rotating").isEqualTo(1);
        assertThat(d).hasSize(64);
    }

    @Test
    void logicalBlockProvisioningPageFullyProvisioned() {
        byte[] d = target.run(Cdbs.inquiry(true, 0xB2, 255)).dataIn();

        assertThat(d[1] & 0xFF).isEqualTo(0xB2);
        assertThat(Cdbs.u16(d, 2)).isEqualTo(4);
        assertThat(d[5]).as("LBPU, LBPWS, LBPWS10, LBPRZ").isZero();
        assertThat(d[6] & 0x07).as("PROVISIONING TYPE full").isZero();
    }

    @Test
    void logicalBlockProvisioningPageThin() {
        TestBackstore b = new TestBackstore(512, 8).capabilities(
                Set.of(BackstoreCapability.THIN_PROVISIONING, BackstoreCapability.UNMAP));
        byte[] d = new Target(b, Target.builder(b).build()).run(Cdbs.inquiry(true, 0xB2, 255)).dataIn();

        assertThat(d[5] & 0xFF).as("LBPU, LBPWS, LBPWS10, LBPRZ 001b").isEqualTo(0xE4);
        assertThat(d[6] & 0x07).as("PROVISIONING TYPE thin").isEqualTo(2);
    }

    @Test
    void thinStorageThatCannotUnmapIsReportedFullyProvisioned() {
        TestBackstore b = new TestBackstore(512, 8).capabilities(Set.of(BackstoreCapability.THIN_PROVISIONING));
        byte[] d = new Target(b, Target.builder(b).build()).run(Cdbs.inquiry(true, 0xB2, 255)).dataIn();

        assertThat(d[5]).isZero();
        assertThat(d[6] & 0x07).isZero();
    }

    private static String ascii(byte[] b, int off, int len) {
        return new String(b, off, len, StandardCharsets.US_ASCII);
    }
}
