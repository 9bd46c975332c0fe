package io.iscsi4j.scsi;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CommandsTest {

    private final Target target = Target.of(512, 64);

    @Test
    void testUnitReady() {
        TestTask t = target.run(Cdbs.testUnitReady());

        assertThat(t.outcome()).isEqualTo("GOOD");
        assertThat(t.dataLength()).isZero();
    }

    @Test
    void requestSenseFixedFormat() {
        TestTask t = target.run(Cdbs.requestSense(false, 252));

        assertThat(t.outcome()).isEqualTo("GOOD");
        byte[] d = t.dataIn();
        assertThat(d).hasSize(18);
        assertThat(d[0]).as("current error, fixed format").isEqualTo((byte) 0x70);
        assertThat(SenseKey.fromCode(d[2] & 0x0F)).isEqualTo(SenseKey.NO_SENSE);
        assertThat(d[7]).as("ADDITIONAL SENSE LENGTH").isEqualTo((byte) 10);
        assertThat(d[12]).isZero();
        assertThat(d[13]).isZero();
    }

    @Test
    void requestSenseDescriptorFormat() {
        TestTask t = target.run(Cdbs.requestSense(true, 252));

        byte[] d = t.dataIn();
        assertThat(d).hasSize(8);
        assertThat(d[0]).as("current error, descriptor format").isEqualTo((byte) 0x72);
        assertThat(SenseKey.fromCode(d[1] & 0x0F)).isEqualTo(SenseKey.NO_SENSE);
    }

    @Test
    void requestSenseHonoursAllocationLength() {
        TestTask t = target.run(Cdbs.requestSense(false, 8));

        assertThat(t.dataIn()).hasSize(8);
        assertThat(t.dataLength()).isEqualTo(8);
    }

    @Test
    void synchronizeCacheFlushes() {
        TestTask ten = target.run(Cdbs.synchronizeCache10(0, 0, false));
        TestTask sixteen = target.run(Cdbs.synchronizeCache16(8, 56, false));

        assertThat(ten.outcome()).isEqualTo("GOOD");
        assertThat(sixteen.outcome()).isEqualTo("GOOD");
        assertThat(target.backstore.calls).containsExactly("flush", "flush");
    }

    @Test
    void synchronizeCacheImmediateStillFlushes() {
        TestTask t = target.run(Cdbs.synchronizeCache10(0, 0, true));

        assertThat(t.outcome()).isEqualTo("GOOD");
        assertThat(target.backstore.calls).containsExactly("flush");
    }

    @Test
    void synchronizeCacheImmediateFailureDoesNotCompleteTwice() {
        target.backstore.failWith(new IllegalStateException("flush failed"), false);

        TestTask t = target.run(Cdbs.synchronizeCache16(0, 0, true));

        assertThat(t.outcome()).isEqualTo("GOOD");
    }

    @Test
    void synchronizeCacheOutOfRange() {
        TestTask ten = target.run(Cdbs.synchronizeCache10(60, 5, false));
        TestTask sixteen = target.run(Cdbs.synchronizeCache16(-1L, 1, false));

        assertThat(ten.outcome()).isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / LOGICAL_BLOCK_ADDRESS_OUT_OF_RANGE");
        assertThat(sixteen.outcome())
                .isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / LOGICAL_BLOCK_ADDRESS_OUT_OF_RANGE");
        assertThat(target.backstore.calls).isEmpty();
    }

    @ParameterizedTest(name = "opcode {0}")
    @ValueSource(ints = {0x04 /* FORMAT UNIT */, 0x07 /* REASSIGN BLOCKS */, 0x3B /* WRITE BUFFER */,
            0x7F /* variable length */, 0xC0 /* vendor specific */, 0xFF})
    void unknownOpcodeIsInvalidCommandOperationCode(int opcode) {
        byte[] cdb = new byte[16];
        cdb[0] = (byte) opcode;

        TestTask t = target.run(cdb);

        assertThat(t.outcome()).isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / INVALID_COMMAND_OPERATION_CODE");
        assertThat(target.backstore.calls).isEmpty();
    }

    @Test
    void nacaIsNotSupported() {
        byte[] cdb = Cdbs.read10(0, 1);
        cdb[9] = 0x04; // CONTROL: NACA

        TestTask t = target.run(cdb);

        assertThat(t.outcome()).isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / INVALID_FIELD_IN_CDB");
        assertThat(t.senseKeySpecific()).isEqualTo(0xC0_0000 | 0x08_0000 | (2 << 16) | 9);
    }

    @Test
    void truncatedCdbIsInvalidField() {
        TestTask t = target.run(Arrays.copyOf(Cdbs.read10(0, 1), 6));

        assertThat(t.outcome()).isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / INVALID_FIELD_IN_CDB");
    }

    @Test
    void emptyCdbIsInvalidField() {
        TestTask t = target.run(new byte[0]);

        assertThat(t.outcome()).isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / INVALID_FIELD_IN_CDB");
    }

    @Test
    void failingTransportIsReportedAsInternalTargetFailure() {
        TestTask t = target.run(TestTask.of(Cdbs.read10(0, 1))
                .allocationFailure(new IllegalStateException("no buffer")));

        assertThat(t.outcome()).isEqualTo("CHECK_CONDITION HARDWARE_ERROR / INTERNAL_TARGET_FAILURE");
    }
}
