package io.iscsi4j.scsi;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ReadCapacityTest {

    @ParameterizedTest
    @ValueSource(ints = {512, 4096})
    void readCapacity10(int blockSize) {
        TestTask t = Target.of(blockSize, 1000).run(Cdbs.readCapacity10());

        assertThat(t.outcome()).isEqualTo("GOOD");
        byte[] d = t.dataIn();
        assertThat(d).hasSize(8);
        assertThat(Cdbs.u32(d, 0)).as("RETURNED LOGICAL BLOCK ADDRESS").isEqualTo(999);
        assertThat(Cdbs.u32(d, 4)).as("BLOCK LENGTH IN BYTES").isEqualTo(blockSize);
    }

    @Test
    void readCapacity10SaturatesForLargeDevices() {
        TestBackstore b = TestBackstore.huge(512, 0x1_0000_0000L + 5);
        byte[] d = new Target(b, Target.builder(b).build()).run(Cdbs.readCapacity10()).dataIn();

        assertThat(Cdbs.u32(d, 0)).isEqualTo(0xFFFF_FFFFL);
    }

    @Test
    void readCapacity10LastLbaJustFits() {
        TestBackstore b = TestBackstore.huge(512, 0xFFFF_FFFFL);
        byte[] d = new Target(b, Target.builder(b).build()).run(Cdbs.readCapacity10()).dataIn();

        assertThat(Cdbs.u32(d, 0)).isEqualTo(0xFFFF_FFFEL);
    }

    @Test
    void readCapacity10LbaWithoutPmiIsInvalidField() {
        byte[] cdb = Cdbs.readCapacity10();
        cdb[5] = 1;

        TestTask t = Target.of(512, 8).run(cdb);

        assertThat(t.outcome()).isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / INVALID_FIELD_IN_CDB");
    }

    @ParameterizedTest
    @ValueSource(ints = {512, 4096})
    void readCapacity16(int blockSize) {
        TestTask t = Target.of(blockSize, 1000).run(Cdbs.readCapacity16(32));

        assertThat(t.outcome()).isEqualTo("GOOD");
        byte[] d = t.dataIn();
        assertThat(d).hasSize(32);
        assertThat(Cdbs.u64(d, 0)).isEqualTo(999);
        assertThat(Cdbs.u32(d, 8)).isEqualTo(blockSize);
        assertThat(d[12]).as("P_TYPE, PROT_EN").isZero();
        assertThat(d[13]).as("LOGICAL BLOCKS PER PHYSICAL BLOCK EXPONENT").isZero();
        assertThat(d[14] & 0x80).as("LBPME").isZero();
    }

    @ParameterizedTest
    @ValueSource(ints = {512, 1024, 4096, 65536})
    void readCapacity16ReportsLogicalBlocksPerPhysicalBlock(int physicalBlockSize) {
        TestBackstore b = new TestBackstore(512, 1000);
        LogicalUnit lu = Target.builder(b).physicalBlockSize(physicalBlockSize).build();

        byte[] d = new Target(b, lu).run(Cdbs.readCapacity16(32)).dataIn();

        assertThat(Cdbs.u32(d, 8)).as("LOGICAL BLOCK LENGTH IN BYTES").isEqualTo(512);
        assertThat(1 << (d[13] & 0x0F)).as("2 ^ LOGICAL BLOCKS PER PHYSICAL BLOCK EXPONENT")
                .isEqualTo(physicalBlockSize / 512);
        assertThat(d[13] & 0xF0).as("P_I_EXPONENT").isZero();
        assertThat(Cdbs.u16(d, 14) & 0x3FFF).as("LOWEST ALIGNED LOGICAL BLOCK ADDRESS").isZero();
    }

    @Test
    void readCapacity16ReportsLargeDevices() {
        TestBackstore b = TestBackstore.huge(4096, 0x1_0000_0000L + 5);
        byte[] d = new Target(b, Target.builder(b).build()).run(Cdbs.readCapacity16(32)).dataIn();

        assertThat(Cdbs.u64(d, 0)).isEqualTo(0x1_0000_0004L);
    }

    @Test
    void readCapacity16HonoursAllocationLength() {
        TestTask t = Target.of(512, 8).run(Cdbs.readCapacity16(12));

        assertThat(t.dataIn()).hasSize(12);
        assertThat(t.dataLength()).isEqualTo(12);
    }

    @Test
    void otherServiceActionIsInvalidField() {
        byte[] cdb = Cdbs.readCapacity16(32);
        cdb[1] = 0x11; // READ LONG (16), not implemented

        TestTask t = Target.of(512, 8).run(cdb);

        assertThat(t.outcome()).isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / INVALID_FIELD_IN_CDB");
        assertThat(t.senseKeySpecific()).isEqualTo(0xC0_0000 | 0x08_0000 | (4 << 16) | 1);
    }
}
