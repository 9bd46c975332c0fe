package io.iscsi4j.scsi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReportLunsAndUnknownLunTest {

    private final TestBackstore backstore = new TestBackstore(512, 64);
    private final LogicalUnit lu = Target.builder(backstore).build();
    private final ScsiDispatcher dispatcher = new ScsiDispatcher(Map.of(5, lu, 0, lu, 300, lu));

    private TestTask run(TestTask t) {
        dispatcher.execute(t);
        return Target.checked(t);
    }

    @Test
    void reportLunsListsEveryLunInOrder() {
        TestTask t = run(TestTask.of(Cdbs.reportLuns(0x00, 1024)));

        assertThat(t.outcome()).isEqualTo("GOOD");
        byte[] d = t.dataIn();
        assertThat(Cdbs.u32(d, 0)).as("LUN LIST LENGTH").isEqualTo(24);
        assertThat(d).hasSize(32);
        assertThat(Cdbs.u64(d, 8)).isEqualTo(Lun.encode(0));
        assertThat(Cdbs.u64(d, 16)).isEqualTo(Lun.encode(5));
        assertThat(Cdbs.u64(d, 24)).as("flat space addressing").isEqualTo(0x412C_0000_0000_0000L);
    }

    @Test
    void reportLunsSelectReportVariants() {
        assertThat(run(TestTask.of(Cdbs.reportLuns(0x02, 1024))).dataIn()).hasSize(32);

        TestTask wellKnownOnly = run(TestTask.of(Cdbs.reportLuns(0x01, 1024)));
        assertThat(wellKnownOnly.outcome()).isEqualTo("GOOD");
        assertThat(wellKnownOnly.dataIn()).containsExactly(new byte[8]);

        TestTask reserved = run(TestTask.of(Cdbs.reportLuns(0x10, 1024)));
        assertThat(reserved.outcome()).isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / INVALID_FIELD_IN_CDB");
        assertThat(reserved.senseKeySpecific() & 0xFFFF).isEqualTo(2);
    }

    @Test
    void reportLunsAllocationLengthBelowSixteenIsInvalidField() {
        TestTask t = run(TestTask.of(Cdbs.reportLuns(0x00, 15)));

        assertThat(t.outcome()).isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / INVALID_FIELD_IN_CDB");
        assertThat(t.senseKeySpecific() & 0xFFFF).isEqualTo(6);
    }

    @Test
    void reportLunsTruncatesToAllocationLength() {
        TestTask t = run(TestTask.of(Cdbs.reportLuns(0x00, 16)));

        assertThat(t.outcome()).isEqualTo("GOOD");
        assertThat(t.dataLength()).isEqualTo(16);
        assertThat(Cdbs.u32(t.dataIn(), 0)).as("full list length still reported").isEqualTo(24);
    }

    @Test
    void reportLunsWorksOnAnUnknownLun() {
        TestTask t = run(TestTask.of(Cdbs.reportLuns(0x00, 1024)).lun(9));

        assertThat(t.outcome()).isEqualTo("GOOD");
        assertThat(t.dataIn()).hasSize(32);
    }

    @Test
    void emptyLunMapReportsNoLuns() {
        ScsiDispatcher empty = new ScsiDispatcher(Map.of());
        TestTask t = TestTask.of(Cdbs.reportLuns(0x00, 1024));
        empty.execute(t);

        assertThat(Target.checked(t).dataIn()).containsExactly(new byte[8]);
    }

    @Test
    void unknownLunInquiryReportsNoDevice() {
        TestTask t = run(TestTask.of(Cdbs.inquiry(false, 0, 96)).lun(1));

        assertThat(t.outcome()).isEqualTo("GOOD");
        assertThat(t.dataIn()[0]).as("peripheral qualifier 011b, type 1Fh").isEqualTo((byte) 0x7F);
        assertThat(t.dataIn()[2]).isEqualTo((byte) 0x06);
    }

    @Test
    void unknownLunVpdOnlySupportedPages() {
        TestTask pages = run(TestTask.of(Cdbs.inquiry(true, 0x00, 96)).lun(1));
        assertThat(pages.outcome()).isEqualTo("GOOD");
        assertThat(pages.dataIn()).containsExactly(0x7F, 0x00, 0x00, 0x01, 0x00);

        TestTask serial = run(TestTask.of(Cdbs.inquiry(true, 0x80, 96)).lun(1));
        assertThat(serial.outcome()).isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / INVALID_FIELD_IN_CDB");
    }

    @Test
    void unknownLunRequestSenseReturnsLogicalUnitNotSupportedAsData() {
        TestTask t = run(TestTask.of(Cdbs.requestSense(false, 252)).lun(1));

        assertThat(t.outcome()).isEqualTo("GOOD");
        byte[] d = t.dataIn();
        assertThat(d).hasSize(18);
        assertThat(d[0]).isEqualTo((byte) 0x70);
        assertThat(SenseKey.fromCode(d[2] & 0x0F)).isEqualTo(SenseKey.ILLEGAL_REQUEST);
        assertThat(d[12]).isEqualTo((byte) AdditionalSense.LOGICAL_UNIT_NOT_SUPPORTED.asc());
        assertThat(d[13]).isEqualTo((byte) AdditionalSense.LOGICAL_UNIT_NOT_SUPPORTED.ascq());
    }

    @Test
    void unknownLunOtherCommandsFail() {
        for (byte[] cdb : new byte[][] {Cdbs.testUnitReady(), Cdbs.read10(0, 1), Cdbs.readCapacity10(),
                Cdbs.modeSense6(false, 0, 0x3F, 0, 255), {(byte) 0xC0, 0, 0, 0, 0, 0}}) {
            TestTask t = run(TestTask.of(cdb).lun(1));
            assertThat(t.outcome()).as(Arrays.toString(cdb))
                    .isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / LOGICAL_UNIT_NOT_SUPPORTED");
        }
        assertThat(backstore.calls).isEmpty();
    }

    @Test
    void unsupportedLunAddressingIsAnUnknownLun() {
        long extended = 0xC000_0000_0000_0000L; // extended logical unit addressing
        TestTask t = run(TestTask.of(Cdbs.testUnitReady()).lunField(extended));

        assertThat(t.outcome()).isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / LOGICAL_UNIT_NOT_SUPPORTED");
        assertThat(run(TestTask.of(Cdbs.testUnitReady()).lun(300)).outcome()).isEqualTo("GOOD");
    }

    @Test
    void lunMapIsCopiedAndValidated() {
        Map<Integer, LogicalUnit> map = new HashMap<>(Map.of(0, lu));
        ScsiDispatcher d = new ScsiDispatcher(map);
        map.put(1, lu);

        assertThat(d.logicalUnits()).containsOnlyKeys(0);
        assertThatThrownBy(() -> new ScsiDispatcher(Map.of(Lun.MAX + 1, lu)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ScsiDispatcher(Map.of(-1, lu)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
