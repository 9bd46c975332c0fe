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
    void blockEraseUnmapsInLargeAlignedChunksSoWholeAllocationUnitsAreFreed() {
        long chunk = Sanitize.UNMAP_CHUNK_BYTES / BLOCK;
        TestBackstore b = TestBackstore.huge(BLOCK, 2 * chunk + 8).capabilities(
                Set.of(BackstoreCapability.THIN_PROVISIONING, BackstoreCapability.UNMAP));
        Target thin = new Target(b, Target.builder(b).build());

        assertThat(thin.run(sanitize(BLOCK_ERASE, 0)).outcome()).isEqualTo("GOOD");
        assertThat(b.calls).as("64 MiB chunks from LBA 0: every boundary is a multiple of a 4 MiB object")
                .containsExactly("unmap 0+" + chunk, "unmap " + chunk + "+" + chunk, "unmap " + 2 * chunk + "+8");
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
        for (int sa : new int[] {0, 3, 4, 0x1E}) {
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

    private static final int EXIT_FAILURE_MODE = 0x1F;
    private static final int AUSE = 0x20;

    /** A logical unit of {@code blocks} blocks whose backstore calls run when the test says so. */
    private static final class Slow {
        final ManualExecutor executor = new ManualExecutor();
        final TestBackstore backstore;
        final LogicalUnit lu;
        final ScsiDispatcher dispatcher;

        Slow(int blocks) {
            backstore = new TestBackstore(BLOCK, blocks);
            lu = LogicalUnit.builder(backstore).serial("S").executor(executor).build();
            dispatcher = new ScsiDispatcher(Map.of(0, lu));
        }

        TestTask run(TestTask t) {
            dispatcher.execute(t);
            return t;
        }

        TestTask runAll(TestTask t) {
            dispatcher.execute(t);
            executor.runAll();
            return Target.checked(t);
        }
    }

    @Test
    void theMediumIsProcessedInChunksWithAProgressIndication() {
        int chunkBlocks = Sanitize.CHUNK_BYTES / BLOCK;
        Slow slow = new Slow(4 * chunkBlocks);
        byte[] list = overwriteList(1, (byte) 7);
        TestTask sanitize = slow.run(TestTask.of(sanitize(OVERWRITE, list.length)).dataOut(list));

        assertThat(slow.executor.runOne()).isTrue(); // first chunk
        TestTask tur = Target.checked(slow.run(TestTask.of(Cdbs.testUnitReady())));
        TestTask requestSense = Target.checked(slow.run(TestTask.of(Cdbs.requestSense(false, 18))));

        assertThat(tur.outcome()).isEqualTo("CHECK_CONDITION NOT_READY / LOGICAL_UNIT_NOT_READY_SANITIZE_IN_PROGRESS");
        assertThat(tur.senseKeySpecific()).as("SKSV and a quarter done").isEqualTo(0x800000 | 0x4000);
        byte[] sense = requestSense.dataIn();
        assertThat(requestSense.outcome()).isEqualTo("GOOD");
        assertThat(new int[] {sense[2] & 0x0F, sense[12], sense[13], sense[15] & 0xFF, sense[16] & 0xFF})
                .containsExactly(2, 0x04, 0x1B, 0x80, 0x40);

        assertThat(slow.executor.runOne()).isTrue();
        assertThat(Target.checked(slow.run(TestTask.of(Cdbs.testUnitReady()))).senseKeySpecific())
                .isEqualTo(0x800000 | 0x8000);
        slow.executor.runAll();

        assertThat(Target.checked(sanitize).outcome()).isEqualTo("GOOD");
        assertThat(sanitize.backgroundCalls()).isEqualTo(1);
        assertThat(slow.backstore.calls).containsExactly("writeSame 0+" + chunkBlocks + " fua",
                "writeSame " + chunkBlocks + "+" + chunkBlocks + " fua",
                "writeSame " + 2 * chunkBlocks + "+" + chunkBlocks + " fua",
                "writeSame " + 3 * chunkBlocks + "+" + chunkBlocks + " fua");
        assertThat(slow.backstore.bytes()).containsOnly(7);
        assertThat(Target.checked(slow.run(TestTask.of(Cdbs.testUnitReady()))).outcome()).isEqualTo("GOOD");
    }

    @Test
    void progressCountsEveryPass() {
        int chunkBlocks = Sanitize.CHUNK_BYTES / BLOCK;
        Slow slow = new Slow(2 * chunkBlocks);
        byte[] list = overwriteList(2, (byte) 7);
        TestTask sanitize = slow.run(TestTask.of(sanitize(IMMED | OVERWRITE, list.length)).dataOut(list));
        assertThat(Target.checked(sanitize).outcome()).isEqualTo("GOOD");
        assertThat(sanitize.backgroundCalls()).isZero();

        slow.executor.runOne();
        slow.executor.runOne();
        slow.executor.runOne();

        assertThat(Target.checked(slow.run(TestTask.of(Cdbs.testUnitReady()))).senseKeySpecific())
                .as("3 of 4 chunks").isEqualTo(0x800000 | 0xC000);
        slow.executor.runAll();
        assertThat(slow.lu.sanitizing()).isFalse();
    }

    @Test
    void aFailedOperationEntersTheFailureModeWhichExitFailureModeLeavesAfterAuse() {
        Slow slow = new Slow(16);
        slow.backstore.failWith(new io.iscsi4j.backstore.MediumErrorException(3, "bad block"), false);
        byte[] list = overwriteList(1, (byte) 7);

        TestTask sanitize = slow.runAll(TestTask.of(sanitize(AUSE | OVERWRITE, list.length)).dataOut(list));
        slow.backstore.failWith(null, false);

        String failed = "CHECK_CONDITION MEDIUM_ERROR / SANITIZE_COMMAND_FAILED";
        assertThat(sanitize.outcome()).isEqualTo(failed);
        assertThat(slow.runAll(TestTask.of(Cdbs.testUnitReady())).outcome()).isEqualTo(failed);
        assertThat(slow.runAll(TestTask.of(Cdbs.read10(0, 1))).outcome()).isEqualTo(failed);
        assertThat(slow.runAll(TestTask.of(Cdbs.inquiry(false, 0, 96))).outcome()).isEqualTo("GOOD");
        byte[] sense = slow.runAll(TestTask.of(Cdbs.requestSense(false, 18))).dataIn();
        assertThat(new int[] {sense[2] & 0x0F, sense[12], sense[13]}).containsExactly(3, 0x31, 0x03);
        assertThat(slow.runAll(TestTask.of(sanitize(EXIT_FAILURE_MODE, 8)).dataOut(new byte[8])).outcome())
                .isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / INVALID_FIELD_IN_CDB");

        assertThat(slow.runAll(TestTask.of(sanitize(EXIT_FAILURE_MODE, 0))).outcome()).isEqualTo("GOOD");

        assertThat(slow.runAll(TestTask.of(Cdbs.testUnitReady())).outcome()).isEqualTo("GOOD");
        assertThat(slow.backstore.bytes()).as("nothing written").containsOnly(0);
    }

    @Test
    void aRestrictedFailureIsLeftOnlyByASanitizeThatSucceeds() {
        Slow slow = new Slow(16);
        slow.backstore.failWith(new io.iscsi4j.backstore.MediumErrorException(3, "bad block"), false);
        byte[] list = overwriteList(1, (byte) 7);
        TestTask immediate = slow.run(TestTask.of(sanitize(IMMED | OVERWRITE, list.length)).dataOut(list));
        slow.executor.runAll();
        slow.backstore.failWith(null, false);
        assertThat(Target.checked(immediate).outcome()).isEqualTo("GOOD");

        String invalid = "CHECK_CONDITION ILLEGAL_REQUEST / INVALID_FIELD_IN_CDB";
        assertThat(slow.runAll(TestTask.of(sanitize(EXIT_FAILURE_MODE, 0))).outcome()).isEqualTo(invalid);
        assertThat(slow.runAll(TestTask.of(sanitize(AUSE | OVERWRITE, list.length)).dataOut(list)).outcome())
                .isEqualTo(invalid);
        assertThat(slow.runAll(TestTask.of(Cdbs.testUnitReady())).outcome())
                .isEqualTo("CHECK_CONDITION MEDIUM_ERROR / SANITIZE_COMMAND_FAILED");

        assertThat(slow.runAll(TestTask.of(sanitize(OVERWRITE, list.length)).dataOut(list)).outcome())
                .isEqualTo("GOOD");

        assertThat(slow.runAll(TestTask.of(Cdbs.testUnitReady())).outcome()).isEqualTo("GOOD");
        assertThat(slow.backstore.bytes()).containsOnly(7);
    }

    @Test
    void exitFailureModeOutsideTheFailureModeDoesNothing() {
        Target target = Target.of(BLOCK, 16);

        assertThat(target.run(sanitize(EXIT_FAILURE_MODE, 0)).outcome()).isEqualTo("GOOD");
        assertThat(target.run(TestTask.of(sanitize(EXIT_FAILURE_MODE, 8)).dataOut(new byte[8])).outcome())
                .isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / INVALID_FIELD_IN_CDB");
        assertThat(target.backstore.calls).isEmpty();
    }

    @Test
    void closingTheLogicalUnitStopsTheOperationAtTheNextChunk() throws Exception {
        int chunkBlocks = Sanitize.CHUNK_BYTES / BLOCK;
        Slow slow = new Slow(3 * chunkBlocks);
        byte[] list = overwriteList(1, (byte) 7);
        TestTask sanitize = slow.run(TestTask.of(sanitize(OVERWRITE, list.length)).dataOut(list));
        slow.executor.runOne();

        slow.lu.close();
        slow.executor.runAll();

        assertThat(Target.checked(sanitize).outcome()).isEqualTo("CHECK_CONDITION MEDIUM_ERROR / SANITIZE_COMMAND_FAILED");
        assertThat(slow.backstore.calls).containsExactly("writeSame 0+" + chunkBlocks + " fua");
    }

    @Test
    void aPendingUnitAttentionIsReportedBeforeTheSanitizeInProgress() {
        Slow slow = new Slow(16);
        assertThat(slow.runAll(TestTask.of(Cdbs.testUnitReady())).outcome()).isEqualTo("GOOD");
        byte[] list = overwriteList(1, (byte) 7);
        TestTask sanitize = slow.run(TestTask.of(sanitize(IMMED | OVERWRITE, list.length)).dataOut(list));
        slow.dispatcher.logicalUnitReset(0);

        TestTask first = Target.checked(slow.run(TestTask.of(Cdbs.testUnitReady())));
        TestTask second = Target.checked(slow.run(TestTask.of(Cdbs.testUnitReady())));
        slow.executor.runAll();

        assertThat(Target.checked(sanitize).outcome()).isEqualTo("GOOD");
        assertThat(first.outcome()).isEqualTo("CHECK_CONDITION UNIT_ATTENTION / BUS_DEVICE_RESET_FUNCTION_OCCURRED");
        assertThat(second.outcome())
                .isEqualTo("CHECK_CONDITION NOT_READY / LOGICAL_UNIT_NOT_READY_SANITIZE_IN_PROGRESS");
        assertThat(slow.runAll(TestTask.of(Cdbs.testUnitReady())).outcome()).isEqualTo("GOOD");
    }
}
