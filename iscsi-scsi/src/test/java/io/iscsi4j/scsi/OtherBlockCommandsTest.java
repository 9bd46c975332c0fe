package io.iscsi4j.scsi;

import static org.assertj.core.api.Assertions.assertThat;

import io.iscsi4j.backstore.BackstoreCapability;
import java.util.Arrays;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** PRE-FETCH, READ DEFECT DATA, ORWRITE (16) and WRITE ATOMIC (16). */
class OtherBlockCommandsTest {

    private static final int BLOCK = 512;

    static byte[] writeAtomic(long lba, int blocks, int boundary, int flags) {
        byte[] c = new byte[16];
        c[0] = (byte) 0x9C;
        c[1] = (byte) flags;
        Cdbs.putU32(c, 2, lba >>> 32);
        Cdbs.putU32(c, 6, lba);
        c[10] = (byte) (boundary >>> 8);
        c[11] = (byte) boundary;
        c[12] = (byte) (blocks >>> 8);
        c[13] = (byte) blocks;
        return c;
    }

    private static Target atomic(int blocks) {
        TestBackstore b = new TestBackstore(BLOCK, blocks).capabilities(Set.of(BackstoreCapability.WRITE_ATOMIC));
        return new Target(b, Target.builder(b).build());
    }

    @Test
    void preFetchChecksTheRangeAndDoesNoIo() {
        Target target = Target.of(BLOCK, 64);

        assertThat(target.run(Cdbs.block(0x34, 10, 0, 64, 0x02)).outcome()).isEqualTo("GOOD");
        assertThat(target.run(Cdbs.block(0x90, 16, 63, 1, 0)).outcome()).isEqualTo("GOOD");
        assertThat(target.run(Cdbs.block(0x34, 10, 64, 0, 0)).outcome()).isEqualTo("GOOD");
        assertThat(target.run(Cdbs.block(0x34, 10, 65, 0, 0)).outcome())
                .isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / LOGICAL_BLOCK_ADDRESS_OUT_OF_RANGE");
        assertThat(target.run(Cdbs.block(0x90, 16, -1L, 1, 0)).outcome())
                .isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / LOGICAL_BLOCK_ADDRESS_OUT_OF_RANGE");
        assertThat(target.backstore.calls).isEmpty();
    }

    @Test
    void readDefectDataReturnsAnEmptyListInTheRequestedFormat() {
        Target target = Target.of(BLOCK, 64);
        byte[] ten = new byte[10];
        ten[0] = 0x37;
        ten[2] = 0x18 | 0x05; // REQ_PLIST, REQ_GLIST, physical sector format
        ten[8] = (byte) 255;
        byte[] twelve = new byte[12];
        twelve[0] = (byte) 0xB7;
        twelve[1] = 0x08 | 0x04; // REQ_GLIST, bytes from index format
        twelve[9] = (byte) 255;

        TestTask t10 = target.run(ten);
        TestTask t12 = target.run(twelve);
        ten[2] = 0x07;
        TestTask reserved = target.run(ten);

        assertThat(t10.dataIn()).containsExactly(0, 0x1D, 0, 0);
        assertThat(t12.dataIn()).containsExactly(0, 0x0C, 0, 0, 0, 0, 0, 0);
        assertThat(reserved.outcome()).isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / INVALID_FIELD_IN_CDB");
    }

    @Test
    void orWriteOrsTheDataIntoTheBlocks() {
        Target target = Target.of(BLOCK, 64);
        Arrays.fill(target.backstore.bytes(), 4 * BLOCK, 6 * BLOCK, (byte) 0xA5);
        byte[] data = new byte[2 * BLOCK];
        Arrays.fill(data, (byte) 0x5A);
        data[0] = 0;

        TestTask t = target.run(TestTask.of(Cdbs.block(0x8B, 16, 4, 2, 0x08)).dataOut(data));

        assertThat(t.outcome()).isEqualTo("GOOD");
        assertThat(target.backstore.bytes()[4 * BLOCK]).isEqualTo((byte) 0xA5);
        assertThat(Arrays.copyOfRange(target.backstore.bytes(), 4 * BLOCK + 1, 6 * BLOCK)).containsOnly(0xFF);
        assertThat(target.backstore.calls).containsExactly("read 4+2", "write 4+2 fua");
    }

    @Test
    void orWriteChecks() {
        Target target = Target.of(BLOCK, 8);
        TestBackstore b = new TestBackstore(BLOCK, 8).readOnly(true);
        Target readOnly = new Target(b, Target.builder(b).build());

        assertThat(target.run(TestTask.of(Cdbs.block(0x8B, 16, 0, 1, 0x20)).dataOut(new byte[BLOCK])).outcome())
                .isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / INVALID_FIELD_IN_CDB");
        assertThat(target.run(TestTask.of(Cdbs.block(0x8B, 16, 8, 1, 0)).dataOut(new byte[BLOCK])).outcome())
                .isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / LOGICAL_BLOCK_ADDRESS_OUT_OF_RANGE");
        assertThat(target.run(TestTask.of(Cdbs.block(0x8B, 16, 0, 0, 0)).expected(0)).outcome()).isEqualTo("GOOD");
        assertThat(readOnly.run(TestTask.of(Cdbs.block(0x8B, 16, 0, 1, 0)).dataOut(new byte[BLOCK])).outcome())
                .isEqualTo("CHECK_CONDITION DATA_PROTECT / WRITE_PROTECTED");
        assertThat(target.backstore.calls).isEmpty();
    }

    @Test
    void writeAtomicWritesUnderAnExclusiveClaim() {
        Target target = atomic(64);
        byte[] data = ReadWriteTest.pattern(3 * BLOCK, 8);

        TestTask t = target.run(TestTask.of(writeAtomic(10, 3, 0, 0x08)).dataOut(data));

        assertThat(t.outcome()).isEqualTo("GOOD");
        assertThat(Arrays.copyOfRange(target.backstore.bytes(), 10 * BLOCK, 13 * BLOCK)).isEqualTo(data);
        assertThat(target.backstore.calls).containsExactly("write 10+3 fua");
    }

    @Test
    void writeAtomicChecks() {
        Target target = atomic(64);
        int max = AtomicCommands.maxAtomicTransferBlocks(target.lu);

        assertThat(target.run(TestTask.of(writeAtomic(0, 1, 1, 0)).dataOut(new byte[BLOCK])).outcome())
                .as("ATOMIC BOUNDARY").isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / INVALID_FIELD_IN_CDB");
        assertThat(target.run(TestTask.of(writeAtomic(0, 1, 0, 0x40)).dataOut(new byte[BLOCK])).outcome())
                .as("WRPROTECT").isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / INVALID_FIELD_IN_CDB");
        assertThat(target.run(TestTask.of(writeAtomic(0, max + 1, 0, 0)).expected(0)).outcome())
                .isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / INVALID_FIELD_IN_CDB");
        assertThat(target.run(TestTask.of(writeAtomic(63, 2, 0, 0)).dataOut(new byte[2 * BLOCK])).outcome())
                .isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / LOGICAL_BLOCK_ADDRESS_OUT_OF_RANGE");
        assertThat(target.run(TestTask.of(writeAtomic(0, 0, 0, 0)).expected(0)).outcome()).isEqualTo("GOOD");
        assertThat(target.backstore.calls).isEmpty();
    }

    @Test
    void writeAtomicIsNotImplementedWithoutTheCapability() {
        TestTask t = Target.of(BLOCK, 8).run(TestTask.of(writeAtomic(0, 1, 0, 0)).dataOut(new byte[BLOCK]));

        assertThat(t.outcome()).isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / INVALID_COMMAND_OPERATION_CODE");
    }
}
