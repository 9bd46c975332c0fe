package io.iscsi4j.scsi;

import static org.assertj.core.api.Assertions.assertThat;

import io.iscsi4j.backstore.BackstoreCapability;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SanitizeTest {

    private static final int BLOCK = 512;
    private static final int OVERWRITE = 0x01;
    private static final int BLOCK_ERASE = 0x02;
    private static final int IMMED = 0x80;

    static byte[] sanitize(int flags, int parameterListLength) {
        byte[] c = new byte[10];
        c[0] = 0x48;
        c[1] = (byte) flags;
        c[7] = (byte) (parameterListLength >>> 8);
        c[8] = (byte) parameterListLength;
        return c;
    }

    static byte[] overwriteList(int control, byte... pattern) {
        byte[] b = new byte[4 + pattern.length];
        b[0] = (byte) control;
        b[2] = (byte) (pattern.length >>> 8);
        b[3] = (byte) pattern.length;
        System.arraycopy(pattern, 0, b, 4, pattern.length);
        return b;
    }

    /** Sample SANITIZE CDBs, one per medium-changing service action, for the write-protection check. */
    static Map<String, byte[]> samples() {
        return Map.of("SANITIZE OVERWRITE", sanitize(OVERWRITE, 8), "SANITIZE BLOCK ERASE", sanitize(BLOCK_ERASE, 0));
    }

    private static Target thin(int blocks) {
        TestBackstore b = new TestBackstore(BLOCK, blocks).capabilities(
                Set.of(BackstoreCapability.THIN_PROVISIONING, BackstoreCapability.UNMAP));
        return new Target(b, Target.builder(b).build());
    }

    @Test
    void overwriteRepeatsThePatternInEveryBlock() {
        Target target = Target.of(BLOCK, 16);
        Arrays.fill(target.backstore.bytes(), (byte) 'a');
        byte[] list = overwriteList(1, (byte) 1, (byte) 2, (byte) 3);

        TestTask t = target.run(TestTask.of(sanitize(OVERWRITE, list.length)).dataOut(list));

        assertThat(t.outcome()).isEqualTo("GOOD");
        assertThat(target.backstore.calls).containsExactly("writeSame 0+16 fua");
        assertThat(Arrays.copyOfRange(target.backstore.bytes(), 15 * BLOCK, 15 * BLOCK + 4))
                .containsExactly(1, 2, 3, 1);
        assertThat(target.backstore.bytes()[16 * BLOCK - 1]).isEqualTo((byte) (511 % 3 + 1));
    }

    @Test
    void invertAlternatesPassesAndEndsWithThePattern() {
        Target target = Target.of(BLOCK, 4);
        byte[] list = overwriteList(0x80 | 2, (byte) 0x0F);

        TestTask t = target.run(TestTask.of(sanitize(OVERWRITE, list.length)).dataOut(list));

        assertThat(t.outcome()).isEqualTo("GOOD");
        assertThat(target.backstore.calls).containsExactly("writeSame 0+4 fua", "writeSame 0+4 fua");
        assertThat(target.backstore.bytes()).containsOnly(0x0F);
    }

    @Test
    void overwriteWithZerosUnmapsWhereUnmappedBlocksReadAsZeros() {
        Target target = thin(16);
        byte[] list = overwriteList(1, new byte[BLOCK]);

        target.run(TestTask.of(sanitize(OVERWRITE, list.length)).dataOut(list));

        assertThat(target.backstore.calls).containsExactly("unmap 0+16");
    }

    @Test
    void blockEraseUnmapsEverythingWhereSupported() {
        Target thin = thin(16);

        TestTask t = thin.run(sanitize(BLOCK_ERASE, 0));
        TestTask full = Target.of(BLOCK, 16).run(sanitize(BLOCK_ERASE, 0));

        assertThat(t.outcome()).isEqualTo("GOOD");
        assertThat(thin.backstore.calls).containsExactly("unmap 0+16");
        assertThat(full.outcome()).isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / INVALID_FIELD_IN_CDB");
    }

    @Test
    void cdbChecks() {
        Target target = thin(16);
        byte[] list = overwriteList(1, (byte) 0xAA);

        for (int length : new int[] {0, 1, 2, 3, 4, BLOCK + 5}) {
            assertThat(target.run(TestTask.of(sanitize(OVERWRITE, length)).dataOut(new byte[BLOCK + 8])).outcome())
                    .as("length %d", length).isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / INVALID_FIELD_IN_CDB");
        }
        assertThat(target.run(TestTask.of(sanitize(BLOCK_ERASE, 8)).dataOut(new byte[8])).outcome())
                .isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / INVALID_FIELD_IN_CDB");
        assertThat(target.run(TestTask.of(sanitize(0x40 | OVERWRITE, list.length)).dataOut(list)).outcome())
                .isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / INVALID_FIELD_IN_CDB");
        for (int i = 2; i <= 6; i++) {
            byte[] cdb = sanitize(OVERWRITE, list.length);
            cdb[i] = (byte) i;
            assertThat(target.run(TestTask.of(cdb).dataOut(list)).outcome()).as("byte %d", i)
                    .isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / INVALID_FIELD_IN_CDB");
        }
        for (int sa : new int[] {0, 3, 4, 0x1E, 0x1F}) {
            assertThat(target.run(sanitize(sa, 0)).outcome()).as("service action %d", sa)
                    .isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / INVALID_FIELD_IN_CDB");
        }
        assertThat(target.backstore.calls).isEmpty();
    }

    @Test
    void parameterListChecks() {
        Target target = Target.of(BLOCK, 16);
        byte[] noCount = overwriteList(0, (byte) 1);
        byte[] test = overwriteList(0x21, (byte) 1);
        byte[] noPattern = overwriteList(1, new byte[BLOCK]);
        noPattern[2] = 0;
        noPattern[3] = 0;
        byte[] tooLong = overwriteList(1, new byte[BLOCK]);
        tooLong[2] = (byte) ((BLOCK + 4) >>> 8);
        tooLong[3] = (byte) (BLOCK + 4);

        for (byte[] list : new byte[][] {noCount, test, noPattern, tooLong}) {
            assertThat(target.run(TestTask.of(sanitize(OVERWRITE, list.length)).dataOut(list)).outcome())
                    .isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / INVALID_FIELD_IN_PARAMETER_LIST");
        }
        assertThat(target.backstore.calls).isEmpty();
    }

    @Test
    void otherCommandsAreNotReadyWhileSanitizing() {
        ManualExecutor executor = new ManualExecutor();
        TestBackstore b = new TestBackstore(BLOCK, 16);
        LogicalUnit lu = LogicalUnit.builder(b).serial("S").executor(executor).build();
        ScsiDispatcher dispatcher = new ScsiDispatcher(Map.of(0, lu));
        byte[] list = overwriteList(1, (byte) 7);
        TestTask sanitize = TestTask.of(sanitize(OVERWRITE, list.length)).dataOut(list);
        dispatcher.execute(sanitize);

        TestTask tur = TestTask.of(Cdbs.testUnitReady());
        TestTask read = TestTask.of(Cdbs.read10(0, 1));
        TestTask inquiry = TestTask.of(Cdbs.inquiry(false, 0, 96));
        TestTask requestSense = TestTask.of(Cdbs.requestSense(false, 18));
        for (TestTask t : new TestTask[] {tur, read, inquiry, requestSense}) {
            dispatcher.execute(t);
        }

        assertThat(sanitize.isCompleted()).isFalse();
        assertThat(Target.checked(tur).outcome())
                .isEqualTo("CHECK_CONDITION NOT_READY / LOGICAL_UNIT_NOT_READY_SANITIZE_IN_PROGRESS");
        assertThat(Target.checked(read).outcome())
                .isEqualTo("CHECK_CONDITION NOT_READY / LOGICAL_UNIT_NOT_READY_SANITIZE_IN_PROGRESS");
        assertThat(Target.checked(inquiry).outcome()).isEqualTo("GOOD");
        assertThat(Target.checked(requestSense).dataIn()[12]).isEqualTo((byte) 0x04);
        assertThat(requestSense.dataIn()[13]).isEqualTo((byte) 0x1B);

        executor.runAll();
        TestTask after = TestTask.of(Cdbs.testUnitReady());
        dispatcher.execute(after);

        assertThat(Target.checked(sanitize).outcome()).isEqualTo("GOOD");
        assertThat(Target.checked(after).outcome()).isEqualTo("GOOD");
    }

    @Test
    void immediateCompletesBeforeTheOperation() {
        ManualExecutor executor = new ManualExecutor();
        TestBackstore b = new TestBackstore(BLOCK, 16);
        LogicalUnit lu = LogicalUnit.builder(b).serial("S").executor(executor).build();
        ScsiDispatcher dispatcher = new ScsiDispatcher(Map.of(0, lu));
        byte[] list = overwriteList(1, (byte) 7);
        TestTask sanitize = TestTask.of(sanitize(IMMED | OVERWRITE, list.length)).dataOut(list);

        dispatcher.execute(sanitize);

        assertThat(Target.checked(sanitize).outcome()).isEqualTo("GOOD");
        assertThat(lu.sanitizing()).isTrue();
        executor.runAll();
        assertThat(lu.sanitizing()).isFalse();
        assertThat(b.bytes()).containsOnly(7);
    }
}
