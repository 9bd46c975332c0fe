package io.iscsi4j.scsi;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class VerifyTest {

    private static final int BLOCK = 512;
    private static final int BYTCHK_01 = 0x02;
    private static final int BYTCHK_10 = 0x04;
    private static final int BYTCHK_11 = 0x06;
    private static final int DPO = 0x10;

    /** VERIFY opcode and CDB length. */
    static Stream<Arguments> verifies() {
        return Stream.of(Arguments.of(0x2F, 10), Arguments.of(0xAF, 12), Arguments.of(0x8F, 16));
    }

    /** WRITE AND VERIFY opcode and CDB length. */
    static Stream<Arguments> writeAndVerifies() {
        return Stream.of(Arguments.of(0x2E, 10), Arguments.of(0xAE, 12), Arguments.of(0x8E, 16));
    }

    private static Target withContent(int blocks) {
        Target target = Target.of(BLOCK, blocks);
        byte[] content = ReadWriteTest.pattern(blocks * BLOCK, 3);
        System.arraycopy(content, 0, target.backstore.bytes(), 0, content.length);
        return target;
    }

    private static byte[] medium(Target target, int lba, int blocks) {
        return Arrays.copyOfRange(target.backstore.bytes(), lba * BLOCK, (lba + blocks) * BLOCK);
    }

    @ParameterizedTest(name = "opcode {0}")
    @MethodSource("verifies")
    void byteCheckOfEqualDataIsGood(int opcode, int length) {
        Target target = withContent(32);

        TestTask t = target.run(TestTask.of(Cdbs.block(opcode, length, 4, 3, BYTCHK_01 | DPO))
                .dataOut(medium(target, 4, 3)));

        assertThat(t.outcome()).isEqualTo("GOOD");
        assertThat(t.dataOutRequested()).isEqualTo(3 * BLOCK);
        assertThat(target.backstore.calls).containsExactly("read 4+3");
    }

    @ParameterizedTest(name = "opcode {0}")
    @MethodSource("verifies")
    void miscompareReportsTheOffsetOfTheFirstDifference(int opcode, int length) {
        Target target = withContent(32);
        byte[] data = medium(target, 4, 3);
        data[BLOCK + 100] ^= 0x58;
        data[2 * BLOCK + 7] ^= 0x01;

        TestTask t = target.run(TestTask.of(Cdbs.block(opcode, length, 4, 3, BYTCHK_01)).dataOut(data));

        assertThat(t.outcome()).isEqualTo("CHECK_CONDITION MISCOMPARE / MISCOMPARE_DURING_VERIFY_OPERATION");
        assertThat(t.sense().informationValid()).isTrue();
        assertThat(t.sense().information()).isEqualTo(BLOCK + 100);
    }

    @Test
    void withoutByteCheckOnlyTheMediumIsReadAndNoDataIsTaken() {
        Target target = withContent(32);

        TestTask t = target.run(TestTask.of(Cdbs.block(0x2F, 10, 0, 32, 0)).expected(0));

        assertThat(t.outcome()).isEqualTo("GOOD");
        assertThat(t.dataOutRequested()).isEqualTo(-1);
        assertThat(target.backstore.calls).containsExactly("read 0+32");
    }

    @Test
    void byteCheck11ComparesOneBlockWithEveryBlock() {
        Target target = Target.of(BLOCK, 16);
        byte[] block = ReadWriteTest.pattern(BLOCK, 9);
        for (int i = 2; i < 6; i++) {
            System.arraycopy(block, 0, target.backstore.bytes(), i * BLOCK, BLOCK);
        }

        TestTask good = target.run(TestTask.of(Cdbs.block(0x8F, 16, 2, 4, BYTCHK_11)).dataOut(block));
        target.backstore.bytes()[4 * BLOCK + 17] ^= 1;
        TestTask bad = target.run(TestTask.of(Cdbs.block(0x8F, 16, 2, 4, BYTCHK_11)).dataOut(block));

        assertThat(good.outcome()).isEqualTo("GOOD");
        assertThat(good.dataOutRequested()).isEqualTo(BLOCK);
        assertThat(bad.outcome()).isEqualTo("CHECK_CONDITION MISCOMPARE / MISCOMPARE_DURING_VERIFY_OPERATION");
        assertThat(bad.sense().information()).isEqualTo(2 * BLOCK + 17);
    }

    @Test
    void reservedByteCheckAndProtectionAreInvalid() {
        Target target = withContent(8);

        TestTask reserved = target.run(TestTask.of(Cdbs.block(0x2F, 10, 0, 1, BYTCHK_10)).dataOut(new byte[BLOCK]));
        TestTask protect = target.run(TestTask.of(Cdbs.block(0x2F, 10, 0, 1, 0x20 | BYTCHK_01))
                .dataOut(new byte[BLOCK]));

        assertThat(reserved.outcome()).isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / INVALID_FIELD_IN_CDB");
        assertThat(reserved.senseKeySpecific()).isEqualTo(0xCA0001); // SKSV, C/D, BPV, bit 2, byte 1
        assertThat(protect.outcome()).isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / INVALID_FIELD_IN_CDB");
        assertThat(reserved.dataOutRequested()).isEqualTo(-1);
        assertThat(target.backstore.calls).isEmpty();
    }

    @Test
    void rangeAndLengthAreChecked() {
        Target target = withContent(8);

        TestTask beyond = target.run(TestTask.of(Cdbs.block(0x2F, 10, 7, 2, BYTCHK_01)).dataOut(new byte[1024]));
        TestTask zero = target.run(TestTask.of(Cdbs.block(0x2F, 10, 8, 0, BYTCHK_01)).expected(0));
        TestTask tooLong = target.run(Cdbs.block(0xAF, 12, 0, target.lu.maxTransferBlocks() + 1, 0));

        assertThat(beyond.outcome()).isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / LOGICAL_BLOCK_ADDRESS_OUT_OF_RANGE");
        assertThat(zero.outcome()).isEqualTo("GOOD");
        assertThat(tooLong.outcome()).isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / INVALID_FIELD_IN_CDB");
        assertThat(target.backstore.calls).isEmpty();
    }

    @Test
    void verifyWorksOnAReadOnlyLogicalUnit() {
        TestBackstore b = new TestBackstore(BLOCK, 8).readOnly(true);
        Target target = new Target(b, Target.builder(b).build());

        TestTask t = target.run(TestTask.of(Cdbs.block(0x2F, 10, 1, 2, BYTCHK_01)).dataOut(new byte[2 * BLOCK]));

        assertThat(t.outcome()).isEqualTo("GOOD");
    }

    @ParameterizedTest(name = "opcode {0}")
    @MethodSource("writeAndVerifies")
    void writeAndVerifyWritesWithFuaThenReadsBack(int opcode, int length) {
        Target target = Target.of(BLOCK, 32);
        byte[] data = ReadWriteTest.pattern(2 * BLOCK, 5);

        TestTask t = target.run(TestTask.of(Cdbs.block(opcode, length, 6, 2, BYTCHK_01 | DPO)).dataOut(data));

        assertThat(t.outcome()).isEqualTo("GOOD");
        assertThat(t.dataLength()).isEqualTo(2 * BLOCK);
        assertThat(medium(target, 6, 2)).isEqualTo(data);
        assertThat(target.backstore.calls).containsExactly("write 6+2 fua", "read 6+2");
    }

    @Test
    void writeAndVerifyRefusesReservedByteCheckProtectionAndWriteProtection() {
        TestBackstore b = new TestBackstore(BLOCK, 8).readOnly(true);
        Target readOnly = new Target(b, Target.builder(b).build());
        Target target = Target.of(BLOCK, 8);

        TestTask reserved = target.run(TestTask.of(Cdbs.block(0x2E, 10, 0, 1, BYTCHK_11)).dataOut(new byte[BLOCK]));
        TestTask protect = target.run(TestTask.of(Cdbs.block(0x2E, 10, 0, 1, 0x40)).dataOut(new byte[BLOCK]));
        TestTask refused = readOnly.run(TestTask.of(Cdbs.block(0x2E, 10, 0, 1, 0)).dataOut(new byte[BLOCK]));

        assertThat(reserved.outcome()).isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / INVALID_FIELD_IN_CDB");
        assertThat(protect.outcome()).isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / INVALID_FIELD_IN_CDB");
        assertThat(refused.outcome()).isEqualTo("CHECK_CONDITION DATA_PROTECT / WRITE_PROTECTED");
        assertThat(refused.dataOutRequested()).isEqualTo(-1);
        assertThat(target.backstore.calls).isEmpty();
        assertThat(b.calls).isEmpty();
    }

    @Test
    void writeAndVerifyWithShortExpectedLengthWritesTheCoveredBlocks() {
        Target target = Target.of(BLOCK, 8);
        byte[] data = ReadWriteTest.pattern(BLOCK, 1);

        TestTask t = target.run(TestTask.of(Cdbs.block(0x2E, 10, 0, 2, 0)).dataOut(data));

        assertThat(t.outcome()).isEqualTo("GOOD");
        assertThat(t.dataLength()).isEqualTo(2 * BLOCK); // the transport reports the overflow
        assertThat(target.backstore.calls).containsExactly("write 0+1 fua", "read 0+1");
    }

    @Test
    void readFailureDuringVerifyIsAMediumError() {
        Target target = withContent(8);
        target.backstore.failWith(new io.iscsi4j.backstore.MediumErrorException(3, "bad"), false);

        TestTask t = target.run(Cdbs.block(0x2F, 10, 2, 2, 0));

        assertThat(t.outcome()).isEqualTo("CHECK_CONDITION MEDIUM_ERROR / UNRECOVERED_READ_ERROR");
        assertThat(t.sense().information()).isEqualTo(3);
    }
}
