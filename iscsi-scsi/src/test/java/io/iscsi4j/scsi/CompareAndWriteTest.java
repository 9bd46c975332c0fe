package io.iscsi4j.scsi;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CompareAndWriteTest {

    private static final int BLOCK = 512;
    private static final int FUA = 0x08;

    static byte[] cdb(long lba, int blocks, int flags) {
        byte[] c = new byte[16];
        c[0] = (byte) 0x89;
        c[1] = (byte) flags;
        Cdbs.putU32(c, 2, lba >>> 32);
        Cdbs.putU32(c, 6, lba);
        c[13] = (byte) blocks;
        return c;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    private static Target withContent(byte[] content, int at) {
        Target target = Target.of(BLOCK, 64);
        System.arraycopy(content, 0, target.backstore.bytes(), at * BLOCK, content.length);
        return target;
    }

    @Test
    void equalDataIsReplaced() {
        byte[] old = ReadWriteTest.pattern(2 * BLOCK, 1);
        byte[] replacement = ReadWriteTest.pattern(2 * BLOCK, 2);
        Target target = withContent(old, 10);

        TestTask t = target.run(TestTask.of(cdb(10, 2, FUA)).dataOut(concat(old, replacement)));

        assertThat(t.outcome()).isEqualTo("GOOD");
        assertThat(t.dataLength()).isEqualTo(4 * BLOCK);
        assertThat(Arrays.copyOfRange(target.backstore.bytes(), 10 * BLOCK, 12 * BLOCK)).isEqualTo(replacement);
        assertThat(target.backstore.calls).containsExactly("read 10+2", "write 10+2 fua");
    }

    @Test
    void miscompareReportsTheOffsetAndWritesNothing() {
        byte[] old = ReadWriteTest.pattern(3 * BLOCK, 1);
        Target target = withContent(old, 0);
        byte[] verify = old.clone();
        verify[3 * BLOCK - 27] = 'C';

        TestTask t = target.run(TestTask.of(cdb(0, 3, 0)).dataOut(concat(verify, new byte[3 * BLOCK])));

        assertThat(t.outcome()).isEqualTo("CHECK_CONDITION MISCOMPARE / MISCOMPARE_DURING_VERIFY_OPERATION");
        assertThat(t.sense().information()).isEqualTo(3 * BLOCK - 27);
        assertThat(Arrays.copyOfRange(target.backstore.bytes(), 0, 3 * BLOCK)).isEqualTo(old);
        assertThat(target.backstore.calls).containsExactly("read 0+3");
    }

    @Test
    void writeThroughModeForcesUnitAccess() {
        TestBackstore b = new TestBackstore(BLOCK, 8);
        Target target = new Target(b, Target.builder(b).writeBack(false).build());

        target.run(TestTask.of(cdb(0, 1, 0)).dataOut(new byte[2 * BLOCK]));

        assertThat(b.calls).containsExactly("read 0+1", "write 0+1 fua");
    }

    @Test
    void moreBlocksThanTheLimitIsAnInvalidField() {
        TestBackstore b = new TestBackstore(65536, 512);
        Target target = new Target(b, Target.builder(b).build());
        int max = target.lu.maxCompareAndWriteBlocks();

        TestTask t = target.run(TestTask.of(cdb(0, max + 1, 0)).expected(2L * (max + 1) * 65536));

        assertThat(max).isEqualTo(64);
        assertThat(t.outcome()).isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / INVALID_FIELD_IN_CDB");
        assertThat(t.dataOutRequested()).isEqualTo(-1);
    }

    @Test
    void dataOutOtherThanTwiceTheBlocksIsRefusedBeforeTransfer() {
        Target target = Target.of(BLOCK, 8);

        TestTask small = target.run(TestTask.of(cdb(0, 1, 0)).dataOut(new byte[4 * BLOCK]).expected(BLOCK));
        TestTask large = target.run(TestTask.of(cdb(0, 1, 0)).dataOut(new byte[4 * BLOCK]));

        assertThat(small.outcome()).isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / INVALID_FIELD_IN_CDB");
        assertThat(large.outcome()).isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / INVALID_FIELD_IN_CDB");
        assertThat(small.dataOutRequested()).isEqualTo(-1);
        assertThat(target.backstore.calls).isEmpty();
    }

    @Test
    void numberOfBlocksThatDisagreesWithTheDataOutIsRefusedOnAUnitWithLargerPhysicalBlocks() {
        TestBackstore b = new TestBackstore(BLOCK, 64);
        Target target = new Target(b, Target.builder(b).physicalBlockSize(8 * BLOCK).build());
        byte[] fourBlocks = new byte[4 * BLOCK]; // verify and write data of 2 blocks each

        TestTask tooSmall = target.run(TestTask.of(cdb(0, 1, 0)).dataOut(fourBlocks));
        TestTask tooLarge = target.run(TestTask.of(cdb(0, 3, 0)).dataOut(fourBlocks));
        TestTask matching = target.run(TestTask.of(cdb(0, 2, 0)).dataOut(fourBlocks));

        assertThat(tooSmall.outcome()).isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / INVALID_FIELD_IN_CDB");
        assertThat(tooSmall.dataOutRequested()).isEqualTo(-1);
        assertThat(tooLarge.outcome()).isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / INVALID_FIELD_IN_CDB");
        assertThat(tooLarge.dataOutRequested()).isEqualTo(-1);
        assertThat(matching.outcome()).isEqualTo("GOOD");
        assertThat(b.calls).containsExactly("read 0+2", "write 0+2");
    }

    @Test
    void fieldRangeAndProtectionChecks() {
        TestBackstore b = new TestBackstore(BLOCK, 8).readOnly(true);
        Target readOnly = new Target(b, Target.builder(b).build());
        Target target = Target.of(BLOCK, 8);

        TestTask protect = target.run(TestTask.of(cdb(0, 1, 0x20)).dataOut(new byte[2 * BLOCK]));
        TestTask beyond = target.run(TestTask.of(cdb(7, 2, 0)).dataOut(new byte[4 * BLOCK]));
        TestTask zero = target.run(TestTask.of(cdb(0, 0, 0)).expected(0));
        TestTask zeroWithData = target.run(TestTask.of(cdb(0, 0, 0)).dataOut(new byte[2 * BLOCK]));
        TestTask refused = readOnly.run(TestTask.of(cdb(0, 1, 0)).dataOut(new byte[2 * BLOCK]));

        assertThat(protect.outcome()).isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / INVALID_FIELD_IN_CDB");
        assertThat(beyond.outcome()).isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / LOGICAL_BLOCK_ADDRESS_OUT_OF_RANGE");
        assertThat(zero.outcome()).isEqualTo("GOOD");
        assertThat(zeroWithData.outcome()).isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / INVALID_FIELD_IN_CDB");
        assertThat(refused.outcome()).isEqualTo("CHECK_CONDITION DATA_PROTECT / WRITE_PROTECTED");
        assertThat(refused.dataOutRequested()).isEqualTo(-1);
        assertThat(target.backstore.calls).isEmpty();
    }

    @Test
    void overlappingWriteWaitsUntilTheCompareAndWriteIsDone() {
        ManualExecutor executor = new ManualExecutor();
        TestBackstore b = new TestBackstore(BLOCK, 64);
        LogicalUnit lu = LogicalUnit.builder(b).serial("S").executor(executor).build();
        ScsiDispatcher dispatcher = new ScsiDispatcher(Map.of(0, lu));
        byte[] a = new byte[BLOCK];
        Arrays.fill(a, (byte) 'A');
        byte[] bb = new byte[BLOCK];
        Arrays.fill(bb, (byte) 'B');

        TestTask caw = TestTask.of(cdb(5, 1, 0)).dataOut(concat(new byte[BLOCK], a));
        TestTask write = TestTask.of(Cdbs.write10(5, 1)).dataOut(bb);
        TestTask elsewhere = TestTask.of(Cdbs.write10(6, 1)).dataOut(bb);
        dispatcher.execute(caw);
        dispatcher.execute(write);
        dispatcher.execute(elsewhere);

        assertThat(executor.queued()).isEqualTo(2); // the COMPARE AND WRITE and the disjoint WRITE
        assertThat(lu.locks().waitingCount()).isEqualTo(1);
        executor.runAll();

        assertThat(Target.checked(caw).outcome()).isEqualTo("GOOD");
        assertThat(Target.checked(write).outcome()).isEqualTo("GOOD");
        assertThat(Target.checked(elsewhere).outcome()).isEqualTo("GOOD");
        assertThat(b.calls).containsSubsequence("read 5+1", "write 5+1", "write 5+1");
        assertThat(b.bytes()[5 * BLOCK]).isEqualTo((byte) 'B');
        assertThat(lu.locks().grantedCount()).isZero();
    }
}
