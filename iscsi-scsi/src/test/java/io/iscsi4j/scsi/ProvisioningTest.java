package io.iscsi4j.scsi;

import static org.assertj.core.api.Assertions.assertThat;

import io.iscsi4j.backstore.BackstoreCapability;
import io.iscsi4j.backstore.Backstores;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** WRITE SAME, UNMAP, GET LBA STATUS and the provisioning bits of READ CAPACITY (16). */
class ProvisioningTest {

    private static final int BLOCK = 512;
    private static final int UNMAP = 0x08;
    private static final int ANCHOR = 0x10;
    private static final int NDOB = 0x01;

    private static Target thin(int blocks) {
        TestBackstore b = new TestBackstore(BLOCK, blocks).capabilities(
                Set.of(BackstoreCapability.THIN_PROVISIONING, BackstoreCapability.UNMAP));
        return new Target(b, Target.builder(b).build());
    }

    static byte[] writeSame10(long lba, int blocks, int flags) {
        return Cdbs.block(0x41, 10, lba, blocks, flags);
    }

    static byte[] writeSame16(long lba, long blocks, int flags) {
        return Cdbs.block(0x93, 16, lba, blocks, flags);
    }

    static byte[] unmapCdb(int parameterListLength) {
        byte[] c = new byte[10];
        c[0] = 0x42;
        c[7] = (byte) (parameterListLength >>> 8);
        c[8] = (byte) parameterListLength;
        return c;
    }

    /** An UNMAP parameter list with consistent lengths; each pair is LBA, number of blocks. */
    static byte[] unmapList(long... lbaAndBlocks) {
        int n = lbaAndBlocks.length / 2;
        ByteBuffer b = ByteBuffer.allocate(8 + 16 * n);
        b.putShort((short) (6 + 16 * n)).putShort((short) (16 * n)).putInt(0);
        for (int i = 0; i < n; i++) {
            b.putLong(lbaAndBlocks[2 * i]).putInt((int) lbaAndBlocks[2 * i + 1]).putInt(0);
        }
        return b.array();
    }

    static byte[] getLbaStatus(long lba, long allocationLength) {
        byte[] c = new byte[16];
        c[0] = (byte) 0x9E;
        c[1] = 0x12;
        Cdbs.putU32(c, 2, lba >>> 32);
        Cdbs.putU32(c, 6, lba);
        Cdbs.putU32(c, 10, allocationLength);
        return c;
    }

    @Test
    void writeSameRepeatsTheBlock() {
        Target target = Target.of(BLOCK, 64);
        byte[] block = ReadWriteTest.pattern(BLOCK, 4);

        TestTask t10 = target.run(TestTask.of(writeSame10(3, 5, 0)).dataOut(block));
        TestTask t16 = target.run(TestTask.of(writeSame16(40, 2, 0)).dataOut(block));

        assertThat(t10.outcome()).isEqualTo("GOOD");
        assertThat(t16.outcome()).isEqualTo("GOOD");
        assertThat(target.backstore.calls).containsExactly("writeSame 3+5", "writeSame 40+2");
        assertThat(Arrays.copyOfRange(target.backstore.bytes(), 7 * BLOCK, 8 * BLOCK)).isEqualTo(block);
    }

    @Test
    void writeSameInWriteThroughModeForcesUnitAccess() {
        TestBackstore b = new TestBackstore(BLOCK, 8);
        Target target = new Target(b, Target.builder(b).writeBack(false).build());

        target.run(TestTask.of(writeSame10(0, 2, 0)).dataOut(new byte[BLOCK]));

        assertThat(b.calls).containsExactly("writeSame 0+2 fua");
    }

    @Test
    void writeSameWithUnmapDeallocatesWhateverTheBlockHolds() {
        Target target = thin(64);
        Arrays.fill(target.backstore.bytes(), (byte) 'a');

        TestTask zeros = target.run(TestTask.of(writeSame16(0, 8, UNMAP)).dataOut(new byte[BLOCK]));
        TestTask data = target.run(TestTask.of(writeSame10(8, 8, UNMAP)).dataOut(ReadWriteTest.pattern(BLOCK, 1)));
        TestTask noData = target.run(TestTask.of(writeSame16(16, 8, UNMAP | NDOB)).expected(0));
        TestTask zerosWithoutUnmap = target.run(TestTask.of(writeSame16(24, 8, NDOB)).expected(0));

        assertThat(zeros.outcome()).isEqualTo("GOOD");
        assertThat(data.outcome()).isEqualTo("GOOD");
        assertThat(data.dataOutRequested()).as("the block is still transferred").isEqualTo(BLOCK);
        assertThat(noData.outcome()).isEqualTo("GOOD");
        assertThat(noData.dataOutRequested()).isEqualTo(-1);
        assertThat(zerosWithoutUnmap.outcome()).isEqualTo("GOOD");
        assertThat(target.backstore.calls).containsExactly("unmap 0+8", "unmap 8+8", "unmap 16+8",
                "writeSame 24+8");
        assertThat(Arrays.copyOfRange(target.backstore.bytes(), 8 * BLOCK, 16 * BLOCK))
                .as("deallocated blocks read as zeros (LBPRZ)").containsOnly(0);
        assertThat(target.backstore.bytes()[32 * BLOCK]).isEqualTo((byte) 'a');
    }

    @Test
    void writeSameOfZeroBlocksWritesThroughTheLastLba() {
        Target target = thin(64);
        byte[] block = ReadWriteTest.pattern(BLOCK, 3);

        TestTask write10 = target.run(TestTask.of(writeSame10(60, 0, 0)).dataOut(block));
        TestTask write16 = target.run(TestTask.of(writeSame16(63, 0, 0)).dataOut(block));
        TestTask unmap = target.run(TestTask.of(writeSame16(32, 0, UNMAP | NDOB)).expected(0));
        TestTask whole = target.run(TestTask.of(writeSame10(0, 0, 0)).dataOut(new byte[BLOCK]));

        assertThat(write10.outcome()).isEqualTo("GOOD");
        assertThat(write16.outcome()).isEqualTo("GOOD");
        assertThat(unmap.outcome()).isEqualTo("GOOD");
        assertThat(whole.outcome()).isEqualTo("GOOD");
        assertThat(target.backstore.calls).containsExactly("writeSame 60+4", "writeSame 63+1", "unmap 32+32",
                "writeSame 0+64");
    }

    @Test
    void writeSameOfZeroBlocksFromBeyondTheLastLbaIsOutOfRange() {
        Target target = thin(64);

        for (long lba : new long[] {64, 65, 0xFFFF_FFFFL}) {
            assertThat(target.run(TestTask.of(writeSame10(lba, 0, 0)).dataOut(new byte[BLOCK])).outcome())
                    .as("WRITE SAME (10) at LBA %d", lba)
                    .isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / LOGICAL_BLOCK_ADDRESS_OUT_OF_RANGE");
        }
        for (long lba : new long[] {64, 0x8000_0000_0000_0000L, -1L}) {
            TestTask t = target.run(TestTask.of(writeSame16(lba, 0, UNMAP)).dataOut(new byte[BLOCK]));
            assertThat(t.outcome()).as("WRITE SAME (16) at LBA %d", lba)
                    .isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / LOGICAL_BLOCK_ADDRESS_OUT_OF_RANGE");
            assertThat(t.dataOutRequested()).isEqualTo(-1);
        }
        assertThat(target.backstore.calls).isEmpty();
    }

    @Test
    void writeSameOfZeroBlocksCountsTheBlocksToTheEndAgainstTheMaximumWriteSameLength() {
        long max = (16L << 20) / BLOCK;
        TestBackstore b = TestBackstore.huge(BLOCK, 3 * max);
        Target target = new Target(b, Target.builder(b).build());

        TestTask tooMany = target.run(TestTask.of(writeSame16(2 * max - 1, 0, 0)).dataOut(new byte[BLOCK]));
        TestTask tooMany10 = target.run(TestTask.of(writeSame10(0, 0, 0)).dataOut(new byte[BLOCK]));
        TestTask justFits = target.run(TestTask.of(writeSame16(2 * max, 0, 0)).dataOut(new byte[BLOCK]));

        assertThat(tooMany.outcome()).isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / INVALID_FIELD_IN_CDB");
        assertThat(tooMany.senseKeySpecific()).as("SKSV, C/D, field pointer: NUMBER OF LOGICAL BLOCKS")
                .isEqualTo(0xC0_0000 | 10);
        assertThat(tooMany.dataOutRequested()).isEqualTo(-1);
        assertThat(tooMany10.outcome()).isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / INVALID_FIELD_IN_CDB");
        assertThat(tooMany10.senseKeySpecific()).isEqualTo(0xC0_0000 | 7);
        assertThat(justFits.outcome()).isEqualTo("GOOD");
        assertThat(b.calls).containsExactly("writeSame " + 2 * max + "+" + max);
    }

    @Test
    void unmapsNeedNotBeAlignedToThePhysicalBlock() {
        TestBackstore b = new TestBackstore(BLOCK, 64).capabilities(
                Set.of(BackstoreCapability.THIN_PROVISIONING, BackstoreCapability.UNMAP));
        Target target = new Target(b, Target.builder(b).physicalBlockSize(8 * BLOCK).build());
        Arrays.fill(b.bytes(), (byte) 'a');
        byte[] block = new byte[BLOCK];
        Arrays.fill(block, (byte) 0xA6);

        for (int i = 1; i < 8; i++) {
            assertThat(target.run(TestTask.of(writeSame10(i, 8 - i, UNMAP)).dataOut(block)).outcome())
                    .as("WRITE SAME (10) of %d blocks at LBA %d", 8 - i, i).isEqualTo("GOOD");
            assertThat(target.run(TestTask.of(writeSame16(8 + i, 8 - i, UNMAP)).dataOut(block)).outcome())
                    .as("WRITE SAME (16) of %d blocks at LBA %d", 8 - i, 8 + i).isEqualTo("GOOD");
        }
        byte[] list = unmapList(17, 3, 29, 5);
        assertThat(target.run(TestTask.of(unmapCdb(list.length)).dataOut(list)).outcome()).isEqualTo("GOOD");

        assertThat(b.calls).contains("unmap 1+7", "unmap 7+1", "unmap 9+7", "unmap 15+1", "unmap 17+3", "unmap 29+5");
        assertThat(b.bytes()[0]).as("LBA 0, outside every range").isEqualTo((byte) 'a');
        assertThat(b.bytes()[BLOCK]).isZero();
        assertThat(b.bytes()[20 * BLOCK]).isEqualTo((byte) 'a');
    }

    @Test
    void writeSameWithUnmapIsInvalidWhereUnmapIsNotSupported() {
        Target target = Target.of(BLOCK, 64);

        TestTask t = target.run(TestTask.of(writeSame10(0, 1, UNMAP)).dataOut(new byte[BLOCK]));

        assertThat(t.outcome()).isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / INVALID_FIELD_IN_CDB");
        assertThat(t.dataOutRequested()).isEqualTo(-1);
    }

    @Test
    void writeSameFieldChecks() {
        Target target = thin(64);
        long max = (16L << 20) / BLOCK;
        TestBackstore big = TestBackstore.huge(BLOCK, 1L << 32);
        Target huge = new Target(big, Target.builder(big).build());

        assertThat(target.run(TestTask.of(writeSame10(0, 1, ANCHOR | UNMAP)).dataOut(new byte[BLOCK])).outcome())
                .isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / INVALID_FIELD_IN_CDB");
        assertThat(target.run(TestTask.of(writeSame10(0, 1, ANCHOR)).dataOut(new byte[BLOCK])).outcome())
                .isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / INVALID_FIELD_IN_CDB");
        assertThat(target.run(TestTask.of(writeSame10(0, 1, 0x20)).dataOut(new byte[BLOCK])).outcome())
                .as("WRPROTECT").isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / INVALID_FIELD_IN_CDB");
        assertThat(target.run(TestTask.of(writeSame10(65, 0, 0)).dataOut(new byte[BLOCK])).outcome())
                .isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / LOGICAL_BLOCK_ADDRESS_OUT_OF_RANGE");
        assertThat(target.run(TestTask.of(writeSame16(60, 5, 0)).dataOut(new byte[BLOCK])).outcome())
                .isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / LOGICAL_BLOCK_ADDRESS_OUT_OF_RANGE");
        assertThat(target.run(TestTask.of(writeSame10(0, 1, 0)).dataOut(new byte[BLOCK / 2])).outcome())
                .as("too little Data-Out").isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / INVALID_FIELD_IN_CDB");
        assertThat(target.run(TestTask.of(writeSame10(0, 1, 0)).dataOut(new byte[2 * BLOCK])).outcome())
                .as("too much Data-Out").isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / INVALID_FIELD_IN_CDB");
        assertThat(huge.run(TestTask.of(writeSame16(0, max + 1, 0)).dataOut(new byte[BLOCK])).outcome())
                .isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / INVALID_FIELD_IN_CDB");
        assertThat(huge.run(TestTask.of(writeSame16(0, max, 0)).dataOut(new byte[BLOCK])).outcome())
                .isEqualTo("GOOD");
        assertThat(target.backstore.calls).isEmpty();
    }

    @Test
    void writeProtectionIsCheckedBeforeTheDataOutLength() {
        TestBackstore b = new TestBackstore(BLOCK, 8).readOnly(true).capabilities(Set.of(BackstoreCapability.UNMAP));
        Target target = new Target(b, Target.builder(b).build());

        TestTask ws = target.run(TestTask.of(writeSame10(0, 1, UNMAP)).expected(0));
        TestTask unmap = target.run(TestTask.of(unmapCdb(24)).dataOut(unmapList(0, 1)));

        assertThat(ws.outcome()).isEqualTo("CHECK_CONDITION DATA_PROTECT / WRITE_PROTECTED");
        assertThat(unmap.outcome()).isEqualTo("CHECK_CONDITION DATA_PROTECT / WRITE_PROTECTED");
        assertThat(unmap.dataOutRequested()).isEqualTo(-1);
        assertThat(b.calls).isEmpty();
    }

    @Test
    void unmapUnmapsEveryDescriptorInOrder() {
        Target target = thin(64);
        Arrays.fill(target.backstore.bytes(), (byte) 'a');
        byte[] list = unmapList(10, 2, 0, 0, 60, 4, 11, 3);

        TestTask t = target.run(TestTask.of(unmapCdb(list.length)).dataOut(list));

        assertThat(t.outcome()).isEqualTo("GOOD");
        assertThat(target.backstore.calls).containsExactly("unmap 10+2", "unmap 60+4", "unmap 11+3");
        assertThat(target.backstore.bytes()[13 * BLOCK]).isZero();
        assertThat(target.backstore.bytes()[14 * BLOCK]).isEqualTo((byte) 'a');
    }

    @Test
    void unmapIsNotImplementedWhereTheBackstoreCannotUnmap() {
        Target target = Target.of(BLOCK, 64);

        TestTask t = target.run(TestTask.of(unmapCdb(24)).dataOut(unmapList(0, 1)));

        assertThat(t.outcome()).isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / INVALID_COMMAND_OPERATION_CODE");
    }

    @Test
    void unmapParameterListChecks() {
        Target target = thin(64);
        byte[] truncated = Arrays.copyOf(unmapList(0, 1), 20); // incomplete descriptor: ignored

        assertThat(target.run(TestTask.of(unmapCdb(0)).expected(0)).outcome()).isEqualTo("GOOD");
        assertThat(target.run(TestTask.of(unmapCdb(7)).dataOut(new byte[7])).outcome())
                .isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / PARAMETER_LIST_LENGTH_ERROR");
        assertThat(target.run(TestTask.of(unmapCdb(8)).dataOut(unmapList())).outcome()).isEqualTo("GOOD");
        assertThat(target.run(TestTask.of(unmapCdb(20)).dataOut(truncated)).outcome()).isEqualTo("GOOD");
        assertThat(target.run(TestTask.of(unmapCdb(24)).dataOut(unmapList(64, 0))).outcome()).isEqualTo("GOOD");
        byte[] beyond = unmapList(0, 1, 63, 2);
        assertThat(target.run(TestTask.of(unmapCdb(beyond.length)).dataOut(beyond)).outcome())
                .isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / LOGICAL_BLOCK_ADDRESS_OUT_OF_RANGE");
        byte[] anchor = unmapCdb(24);
        anchor[1] = 1;
        assertThat(target.run(TestTask.of(anchor).dataOut(unmapList(0, 1))).outcome())
                .isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / INVALID_FIELD_IN_CDB");
        assertThat(target.backstore.calls).isEmpty();
    }

    @Test
    void inconsistentLengthsUseTheShortest() {
        Target target = thin(64);
        byte[] list = unmapList(1, 1, 2, 1);
        list[3] = 16; // UNMAP BLOCK DESCRIPTOR DATA LENGTH: one descriptor

        TestTask t = target.run(TestTask.of(unmapCdb(list.length)).dataOut(list));

        assertThat(t.outcome()).isEqualTo("GOOD");
        assertThat(target.backstore.calls).containsExactly("unmap 1+1");
    }

    @Test
    void getLbaStatusReportsTheBackstoresExtents() {
        int chunk = 256 * 1024; // the memory backstore's allocation unit
        LogicalUnit lu = LogicalUnit.builder(Backstores.memory(4L * chunk)).serial("S").executor(Runnable::run).build();
        ScsiDispatcher dispatcher = new ScsiDispatcher(Map.of(0, lu));
        int perChunk = chunk / BLOCK;
        TestTask w = TestTask.of(Cdbs.write10(perChunk + 1, 1)).dataOut(new byte[BLOCK]);
        dispatcher.execute(w);

        TestTask t = TestTask.of(getLbaStatus(5, 8 + 3 * 16));
        dispatcher.execute(t);
        byte[] d = Target.checked(t).dataIn();

        assertThat(t.outcome()).isEqualTo("GOOD");
        assertThat(Cdbs.u32(d, 0)).as("PARAMETER DATA LENGTH").isEqualTo(4 + 3 * 16);
        assertThat(Cdbs.u64(d, 8)).isEqualTo(5);
        assertThat(Cdbs.u32(d, 16)).isEqualTo(perChunk - 5);
        assertThat(d[20]).as("deallocated").isEqualTo((byte) 1);
        assertThat(Cdbs.u64(d, 24)).isEqualTo(perChunk);
        assertThat(Cdbs.u32(d, 32)).isEqualTo(perChunk);
        assertThat(d[36]).as("mapped").isZero();
        assertThat(Cdbs.u64(d, 40)).isEqualTo(2L * perChunk);
        assertThat(Cdbs.u32(d, 48)).isEqualTo(2L * perChunk);
        assertThat(d[52]).isEqualTo((byte) 1);
    }

    @Test
    void getLbaStatusOfAFullyProvisionedUnitIsOneMappedExtentTruncatedToTheAllocationLength() {
        Target target = Target.of(BLOCK, 64);

        TestTask t = target.run(getLbaStatus(10, 20));

        assertThat(t.outcome()).isEqualTo("GOOD");
        assertThat(t.dataIn()).hasSize(20);
        assertThat(Cdbs.u32(t.dataIn(), 0)).isEqualTo(20);
        assertThat(Cdbs.u64(t.dataIn(), 8)).isEqualTo(10);
        assertThat(Cdbs.u32(t.dataIn(), 16)).isEqualTo(54);
    }

    @Test
    void getLbaStatusBeyondTheEndIsOutOfRange() {
        Target target = Target.of(BLOCK, 64);

        for (long lba : new long[] {64, 65, 0x8000_0000_0000_0000L, -1L}) {
            assertThat(target.run(getLbaStatus(lba, 24)).outcome()).as("LBA %d", lba)
                    .isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / LOGICAL_BLOCK_ADDRESS_OUT_OF_RANGE");
        }
    }

    @Test
    void readCapacity16ReportsLbpmeAndLbprzOnlyWhereUnmapWorks() {
        byte[] thin = thin(64).run(Cdbs.readCapacity16(32)).dataIn();
        byte[] full = Target.of(BLOCK, 64).run(Cdbs.readCapacity16(32)).dataIn();

        assertThat(thin[14] & 0xC0).isEqualTo(0xC0);
        assertThat(full[14] & 0xC0).isZero();
    }
}
