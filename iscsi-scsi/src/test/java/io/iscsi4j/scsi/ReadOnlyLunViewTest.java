package io.iscsi4j.scsi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A dispatcher serving a logical unit read-only while another dispatcher over the same unit may write it. */
class ReadOnlyLunViewTest {

    private static final String WRITE_PROTECTED = "CHECK_CONDITION DATA_PROTECT / WRITE_PROTECTED";

    private final TestBackstore backstore = new TestBackstore(512, 64);
    private final LogicalUnit lu = Target.builder(backstore).build();
    private final ScsiDispatcher readWrite = new ScsiDispatcher(Map.of(0, lu));
    private final ScsiDispatcher readOnly = new ScsiDispatcher(Map.of(3, lu), Set.of(3), TaskSetAborter.NONE);

    private TestTask run(ScsiDispatcher dispatcher, TestTask task) {
        dispatcher.execute(task);
        return Target.checked(task);
    }

    @Test
    void writesThroughTheReadOnlyViewAreRefusedBeforeAnyDataOut() {
        TestTask write = run(readOnly, TestTask.of(Cdbs.write10(0, 1)).lun(3).dataOut(new byte[512]));

        assertThat(write.outcome()).isEqualTo(WRITE_PROTECTED);
        assertThat(write.dataOutRequested()).as("no Data-Out requested").isEqualTo(-1);
        assertThat(run(readWrite, TestTask.of(Cdbs.write10(0, 1)).dataOut(new byte[512])).outcome())
                .as("the same logical unit through a read-write view").isEqualTo("GOOD");
        assertThat(run(readOnly, TestTask.of(Cdbs.read10(0, 1)).lun(3)).outcome()).isEqualTo("GOOD");
    }

    @Test
    void everyMediumChangingCommandAndModeSelectAreRefused() {
        byte[] writeSame16 = Cdbs.block(0x93, 16, 0, 1, 0);
        byte[] modeSelect6 = {0x15, 0x10, 0, 0, 0, 0};
        for (byte[] cdb : new byte[][] {Cdbs.readWrite(0x2A, 0, 1, 0), Cdbs.readWrite(0x8A, 0, 1, 0),
                Cdbs.readWrite(0x0A, 0, 1, 0), writeSame16, modeSelect6}) {
            assertThat(run(readOnly, TestTask.of(cdb).lun(3).dataOut(new byte[512])).outcome())
                    .as("opcode %02Xh", cdb[0]).isEqualTo(WRITE_PROTECTED);
        }
        assertThat(run(readOnly, TestTask.of(Cdbs.synchronizeCache10(0, 0, false)).lun(3)).outcome())
                .as("SYNCHRONIZE CACHE changes no data").isEqualTo("GOOD");
    }

    @Test
    void modeSenseReportsWriteProtectOnlyThroughTheReadOnlyView() {
        TestTask ro = run(readOnly, TestTask.of(Cdbs.modeSense6(true, 0, 0x08, 0, 255)).lun(3));
        TestTask rw = run(readWrite, TestTask.of(Cdbs.modeSense6(true, 0, 0x08, 0, 255)));

        assertThat(ro.dataIn()[2] & 0x80).as("WP through the read-only view").isEqualTo(0x80);
        assertThat(rw.dataIn()[2] & 0x80).as("WP through the read-write view").isZero();
        assertThat(readOnly.isReadOnly(3)).isTrue();
        assertThat(readOnly.isReadOnly(0)).isFalse();
        assertThat(readWrite.isReadOnly(0)).isFalse();
    }

    @Test
    void readOnlyLunsMustHaveALogicalUnit() {
        assertThatThrownBy(() -> new ScsiDispatcher(Map.of(0, lu), Set.of(1), TaskSetAborter.NONE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("LUN 1");
    }
}
