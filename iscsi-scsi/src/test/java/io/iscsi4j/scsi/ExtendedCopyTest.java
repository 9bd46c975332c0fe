package io.iscsi4j.scsi;

import static io.iscsi4j.scsi.PersistentReservationTest.A;
import static io.iscsi4j.scsi.PersistentReservationTest.B;
import static org.assertj.core.api.Assertions.assertThat;

import io.iscsi4j.backstore.MediumErrorException;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** EXTENDED COPY (LID1) and RECEIVE COPY RESULTS between two logical units of one dispatcher. */
class ExtendedCopyTest {

    private static final int BS = 512;

    private final TestBackstore store0 = new TestBackstore(BS, 64);
    private final TestBackstore store1 = new TestBackstore(BS, 32);
    private final LogicalUnit lu0 = Target.builder(store0).serial("SER-0").build();
    private final LogicalUnit lu1 = Target.builder(store1).serial("SER-1").build();
    private final ScsiDispatcher dispatcher = new ScsiDispatcher(Map.of(0, lu0, 1, lu1));

    private TestTask run(TestTask t) {
        dispatcher.execute(t);
        return Target.checked(t);
    }

    // ---- parameter list builders (SPC-5, EXTENDED COPY (LID1)) ----

    /** An identification CSCD descriptor (E4h) naming {@code lu} by its NAA designator. */
    static byte[] target(LogicalUnit lu) {
        byte[] d = new byte[32];
        d[0] = (byte) 0xE4;
        d[4] = 0x01;               // code set binary
        d[5] = 0x03;               // association LU, NAA
        d[7] = 16;
        System.arraycopy(lu.naaDesignator(), 0, d, 8, 16);
        d[30] = (byte) (lu.blockSize() >>> 8);
        d[31] = (byte) lu.blockSize();
        return d;
    }

    /** A block device to block device segment descriptor (02h). */
    static byte[] segment(int source, int destination, int blocks, long sourceLba, long destinationLba) {
        byte[] d = new byte[28];
        d[0] = 0x02;
        d[3] = 0x18;
        d[5] = (byte) source;
        d[7] = (byte) destination;
        d[10] = (byte) (blocks >>> 8);
        d[11] = (byte) blocks;
        Cdbs.putU64(d, 12, sourceLba);
        Cdbs.putU64(d, 20, destinationLba);
        return d;
    }

    /** A parameter list: the 16-byte header (list identifier, LIST ID USAGE), the targets, the segments. */
    static byte[] list(int listId, int usage, byte[][] targets, byte[]... segments) {
        ByteArrayOutputStream t = new ByteArrayOutputStream();
        for (byte[] d : targets) {
            t.writeBytes(d);
        }
        ByteArrayOutputStream s = new ByteArrayOutputStream();
        for (byte[] d : segments) {
            s.writeBytes(d);
        }
        byte[] h = new byte[16];
        h[0] = (byte) listId;
        h[1] = (byte) (usage << 3);
        h[2] = (byte) (t.size() >>> 8);
        h[3] = (byte) t.size();
        Cdbs.putU32(h, 8, s.size());
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.writeBytes(h);
        all.writeBytes(t.toByteArray());
        all.writeBytes(s.toByteArray());
        return all.toByteArray();
    }

    static byte[] extendedCopy(long parameterListLength) {
        byte[] c = new byte[16];
        c[0] = (byte) 0x83;
        Cdbs.putU32(c, 10, parameterListLength);
        return c;
    }

    static byte[] receiveCopyResults(int sa, int listId) {
        byte[] c = new byte[16];
        c[0] = (byte) 0x84;
        c[1] = (byte) sa;
        c[2] = (byte) listId;
        Cdbs.putU32(c, 10, 1024);
        return c;
    }

    private TestTask copy(ItNexus nexus, byte[] parameters) {
        return run(TestTask.of(extendedCopy(parameters.length)).nexus(nexus).dataOut(parameters));
    }

    private TestTask copy(byte[] parameters) {
        return copy(A, parameters);
    }

    private static void fill(TestBackstore store, long lba, int blocks, int value) {
        Arrays.fill(store.bytes(), (int) lba * BS, (int) (lba + blocks) * BS, (byte) value);
    }

    private static byte[] blocks(TestBackstore store, long lba, int blocks) {
        return Arrays.copyOfRange(store.bytes(), (int) lba * BS, (int) (lba + blocks) * BS);
    }

    private static byte[] filled(int blocks, int value) {
        byte[] b = new byte[blocks * BS];
        Arrays.fill(b, (byte) value);
        return b;
    }

    // ---- copying ----

    @Test
    void copiesBlocksWithinALogicalUnit() {
        fill(store0, 0, 8, 'A');

        TestTask t = copy(list(1, 0b10, new byte[][] {target(lu0)}, segment(0, 0, 8, 0, 56)));

        assertThat(t.outcome()).isEqualTo("GOOD");
        assertThat(blocks(store0, 56, 8)).isEqualTo(filled(8, 'A'));
        assertThat(store0.calls).containsExactly("read 0+8", "write 56+8");
    }

    @Test
    void copiesBetweenLogicalUnitsSegmentBySegment() {
        fill(store0, 0, 4, 'A');
        fill(store0, 4, 4, 'B');

        TestTask t = copy(list(1, 0b00, new byte[][] {target(lu0), target(lu1)},
                segment(0, 1, 4, 0, 10), segment(0, 1, 4, 4, 20)));

        assertThat(t.outcome()).isEqualTo("GOOD");
        assertThat(blocks(store1, 10, 4)).isEqualTo(filled(4, 'A'));
        assertThat(blocks(store1, 20, 4)).isEqualTo(filled(4, 'B'));
    }

    @Test
    void anOverlappingCopyUpwardsKeepsTheSource() {
        for (int i = 0; i < 8; i++) {
            fill(store0, i, 1, i + 1);
        }
        byte[] source = blocks(store0, 0, 8);

        TestTask t = copy(list(0, 0b11, new byte[][] {target(lu0)}, segment(0, 0, 8, 0, 3)));

        assertThat(t.outcome()).isEqualTo("GOOD");
        assertThat(blocks(store0, 3, 8)).isEqualTo(source);
    }

    @Test
    void largeSegmentsAreCopiedInChunks() {
        TestBackstore big = TestBackstore.huge(BS, 1 << 20);
        LogicalUnit lu = Target.builder(big).serial("SER-BIG").build();
        ScsiDispatcher d = new ScsiDispatcher(Map.of(0, lu));
        byte[] p = list(0, 0b11, new byte[][] {target(lu)}, segment(0, 0, 0xFFFF, 0, 100_000));
        TestTask t = Target.checked(run(d, TestTask.of(extendedCopy(p.length)).dataOut(p)));

        assertThat(t.outcome()).isEqualTo("GOOD");
        int chunkBlocks = ThirdPartyCopy.CHUNK_BYTES / BS;
        assertThat(big.calls).hasSize(2 * ((0xFFFF + chunkBlocks - 1) / chunkBlocks));
        assertThat(big.calls.get(0)).isEqualTo("read 0+" + chunkBlocks);
    }

    private static TestTask run(ScsiDispatcher d, TestTask t) {
        d.execute(t);
        return t;
    }

    @Test
    void writesAreForcedUnitAccessOnAWriteThroughDestination() {
        LogicalUnit through = Target.builder(store1).serial("SER-1").writeBack(false).build();
        ScsiDispatcher d = new ScsiDispatcher(Map.of(0, lu0, 1, through));
        byte[] p = list(0, 0b11, new byte[][] {target(lu0), target(through)}, segment(0, 1, 2, 0, 0));

        TestTask t = Target.checked(run(d, TestTask.of(extendedCopy(p.length)).dataOut(p)));

        assertThat(t.outcome()).isEqualTo("GOOD");
        assertThat(store1.calls).containsExactly("write 0+2 fua");
    }

    @Test
    void anEmptyParameterListCopiesNothing() {
        TestTask t = run(TestTask.of(extendedCopy(0)));

        assertThat(t.outcome()).isEqualTo("GOOD");
        assertThat(t.dataOutRequested()).isEqualTo(-1);
    }

    @Test
    void aSegmentOfZeroBlocksCopiesNothing() {
        TestTask t = copy(list(0, 0b11, new byte[][] {target(lu0)}, segment(0, 0, 0, 0, 8)));

        assertThat(t.outcome()).isEqualTo("GOOD");
        assertThat(store0.calls).isEmpty();
    }

    // ---- parameter list errors (ILLEGAL REQUEST, nothing copied) ----

    @Test
    void truncatedDescriptorsAreParameterListLengthErrors() {
        byte[] p = list(1, 0, new byte[][] {target(lu0)}, segment(0, 0, 8, 0, 56));

        assertThat(copy(Arrays.copyOf(p, 16 + 32 - 1)).outcome())
                .isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / PARAMETER_LIST_LENGTH_ERROR");
        assertThat(copy(Arrays.copyOf(p, p.length - 1)).outcome())
                .isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / PARAMETER_LIST_LENGTH_ERROR");
        assertThat(copy(Arrays.copyOf(p, 15)).outcome())
                .isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / PARAMETER_LIST_LENGTH_ERROR");
        assertThat(store0.calls).isEmpty();
    }

    @Test
    void tooManyTargetDescriptors() {
        byte[][] targets = new byte[ThirdPartyCopy.MAX_TARGET_DESCRIPTORS + 1][];
        Arrays.fill(targets, target(lu0));

        assertThat(copy(list(1, 0, targets, segment(0, 0, 1, 0, 1))).outcome())
                .isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / TOO_MANY_TARGET_DESCRIPTORS");
    }

    @Test
    void tooManySegmentDescriptors() {
        byte[][] segments = new byte[ThirdPartyCopy.MAX_SEGMENT_DESCRIPTORS + 1][];
        Arrays.fill(segments, segment(0, 0, 1, 0, 1));

        assertThat(copy(list(1, 0, new byte[][] {target(lu0)}, segments)).outcome())
                .isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / TOO_MANY_SEGMENT_DESCRIPTORS");
        assertThat(store0.calls).isEmpty();
    }

    @Test
    void descriptorsBeyondTheMaximumListLengthAreAParameterListLengthError() {
        byte[][] targets = new byte[ThirdPartyCopy.MAX_TARGET_DESCRIPTORS + 1][];
        Arrays.fill(targets, target(lu0));
        byte[][] segments = new byte[ThirdPartyCopy.MAX_SEGMENT_DESCRIPTORS][];
        Arrays.fill(segments, segment(0, 0, 1, 0, 1));

        assertThat(copy(list(1, 0, targets, segments)).outcome())
                .isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / PARAMETER_LIST_LENGTH_ERROR");
    }

    @Test
    void unsupportedDescriptorTypes() {
        byte[] fibreChannel = target(lu0);
        fibreChannel[0] = (byte) 0xE0;
        byte[] streamToStream = segment(0, 0, 1, 0, 1);
        streamToStream[0] = 0x03;

        TestTask t = copy(list(1, 0, new byte[][] {fibreChannel}, segment(0, 0, 1, 0, 1)));
        assertThat(t.outcome()).isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / UNSUPPORTED_TARGET_DESCRIPTOR_TYPE_CODE");
        assertThat(t.senseKeySpecific()).as("field pointer at the descriptor").isEqualTo(0x80_0000 | 16);
        assertThat(copy(list(1, 0, new byte[][] {target(lu0)}, streamToStream)).outcome())
                .isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / UNSUPPORTED_SEGMENT_DESCRIPTOR_TYPE_CODE");
    }

    @Test
    void luIdTypeIsIgnoredAsSpc4Says() {
        byte[] t = target(lu0);
        t[1] = (byte) 0x80; // LU ID TYPE 10b (reserved in SPC-3)

        assertThat(copy(list(1, 0, new byte[][] {t}, segment(0, 0, 1, 0, 1))).outcome()).isEqualTo("GOOD");
    }

    @Test
    void listIdUsageOneIsReservedAndNoListIdNeedsZero() {
        byte[] p = list(1, 0b01, new byte[][] {target(lu0)}, segment(0, 0, 1, 0, 1));
        assertThat(copy(p).outcome()).isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / INVALID_FIELD_IN_PARAMETER_LIST");

        p = list(1, 0b11, new byte[][] {target(lu0)}, segment(0, 0, 1, 0, 1));
        assertThat(copy(p).outcome()).isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / INVALID_FIELD_IN_PARAMETER_LIST");
    }

    // ---- segment errors (COPY ABORTED) ----

    @Test
    void aDescriptorIndexNamingNothingIsUnreachable() {
        TestTask t = copy(list(1, 0, new byte[][] {target(lu0)}, segment(0, 1, 8, 0, 8)));

        assertThat(t.outcome()).isEqualTo("CHECK_CONDITION COPY_ABORTED / UNREACHABLE_COPY_TARGET");
        assertThat(t.senseKeySpecific()).as("segment pointer: DESTINATION CSCD DESCRIPTOR INDEX")
                .isEqualTo(0x80_0000 | (16 + 32 + 6));
    }

    @Test
    void aDesignatorOfNoLogicalUnitIsUnreachable() {
        byte[] other = target(lu0);
        other[20] ^= 0x55;

        assertThat(copy(list(1, 0, new byte[][] {other}, segment(0, 0, 8, 0, 8))).outcome())
                .isEqualTo("CHECK_CONDITION COPY_ABORTED / UNREACHABLE_COPY_TARGET");
    }

    @Test
    void aWrongBlockLengthIsIncorrectDeviceType() {
        byte[] t = target(lu0);
        t[30] = 0x10; // 4096

        assertThat(copy(list(1, 0, new byte[][] {t}, segment(0, 0, 8, 0, 8))).outcome())
                .isEqualTo("CHECK_CONDITION COPY_ABORTED / INCORRECT_COPY_TARGET_DEVICE_TYPE");
    }

    @Test
    void beyondTheCapacityAbortsAfterTheEarlierSegments() {
        fill(store0, 0, 2, 'A');

        TestTask t = copy(list(1, 0, new byte[][] {target(lu0)},
                segment(0, 0, 2, 0, 10), segment(0, 0, 2, 0, 63)));

        assertThat(t.outcome()).isEqualTo("CHECK_CONDITION COPY_ABORTED / NO_ADDITIONAL_SENSE_INFORMATION");
        assertThat(t.senseKeySpecific()).as("segment pointer: the second segment's DESTINATION LBA")
                .isEqualTo(0x80_0000 | (16 + 32 + 28 + 20));
        assertThat(blocks(store0, 10, 2)).as("the first segment was copied").isEqualTo(filled(2, 'A'));
    }

    @Test
    void aWriteProtectedDestinationAborts() {
        LogicalUnit readOnly = Target.builder(store1).serial("SER-1").readOnly(true).build();
        ScsiDispatcher d = new ScsiDispatcher(Map.of(0, lu0, 1, readOnly));
        byte[] toReadOnly = list(0, 0b11, new byte[][] {target(lu0), target(readOnly)}, segment(0, 1, 2, 0, 0));
        byte[] fromReadOnly = list(0, 0b11, new byte[][] {target(lu0), target(readOnly)}, segment(1, 0, 2, 0, 0));

        assertThat(Target.checked(run(d, TestTask.of(extendedCopy(toReadOnly.length)).dataOut(toReadOnly)))
                .outcome()).isEqualTo("CHECK_CONDITION COPY_ABORTED / WRITE_PROTECTED");
        assertThat(Target.checked(run(d, TestTask.of(extendedCopy(fromReadOnly.length)).dataOut(fromReadOnly)))
                .outcome()).isEqualTo("GOOD");
    }

    @Test
    void aMediumErrorIsReportedAsTheReadWouldHave() {
        store1.failWith(new MediumErrorException(3, "bad block"), false);

        TestTask t = copy(list(0, 0b11, new byte[][] {target(lu0), target(lu1)}, segment(1, 0, 4, 0, 0)));

        assertThat(t.outcome()).isEqualTo("CHECK_CONDITION COPY_ABORTED / UNRECOVERED_READ_ERROR");
    }

    @Test
    void aCopyTargetReservedByAnotherNexusConflicts() {
        run(TestTask.of(Cdbs.reserve(false)).nexus(B).lun(1));

        TestTask t = copy(list(0, 0b11, new byte[][] {target(lu0), target(lu1)}, segment(0, 1, 4, 0, 0)));

        assertThat(t.outcome()).isEqualTo("RESERVATION_CONFLICT");
        assertThat(store1.calls).isEmpty();
        assertThat(copy(list(0, 0b11, new byte[][] {target(lu0), target(lu1)}, segment(0, 0, 4, 0, 8)))
                .outcome()).as("a copy that stays off the reserved unit").isEqualTo("GOOD");
    }

    // ---- RECEIVE COPY RESULTS ----

    @Test
    void copyStatusOfAnUnknownListIdentifierIsInvalid() {
        TestTask t = run(TestTask.of(receiveCopyResults(0x00, 1)));

        assertThat(t.outcome()).isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / INVALID_FIELD_IN_CDB");
        assertThat(t.senseKeySpecific()).isEqualTo(0xC0_0000 | 2);
    }

    @Test
    void theStatusOfAHeldCopy() {
        copy(list(7, 0b00, new byte[][] {target(lu0)}, segment(0, 0, 4, 0, 8), segment(0, 0, 2, 0, 20)));

        TestTask t = run(TestTask.of(receiveCopyResults(0x00, 7)));

        assertThat(t.outcome()).isEqualTo("GOOD");
        byte[] d = t.dataIn();
        assertThat(d).hasSize(12);
        assertThat(Cdbs.u32(d, 0)).as("AVAILABLE DATA").isEqualTo(8);
        assertThat(d[4]).as("COPY MANAGER STATUS: completed").isEqualTo((byte) 0x01);
        assertThat(Cdbs.u16(d, 5)).as("SEGMENTS PROCESSED").isEqualTo(2);
        assertThat(d[7]).as("TRANSFER COUNT UNITS: bytes").isZero();
        assertThat(Cdbs.u32(d, 8)).isEqualTo(6L * BS);
    }

    @Test
    void aFailedCopyIsHeldAsCompletedWithErrors() {
        copy(list(7, 0b00, new byte[][] {target(lu0)}, segment(0, 0, 4, 0, 8), segment(0, 0, 2, 0, 63)));

        byte[] d = run(TestTask.of(receiveCopyResults(0x00, 7))).dataIn();

        assertThat(d[4]).isEqualTo((byte) 0x02);
        assertThat(Cdbs.u16(d, 5)).isEqualTo(1);
    }

    @Test
    void statusIsHeldOnlyForListIdUsageZeroAndOnlyForItsNexus() {
        copy(list(7, 0b10, new byte[][] {target(lu0)}, segment(0, 0, 4, 0, 8)));
        assertThat(run(TestTask.of(receiveCopyResults(0x00, 7))).outcome())
                .isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / INVALID_FIELD_IN_CDB");

        copy(list(7, 0b00, new byte[][] {target(lu0)}, segment(0, 0, 4, 0, 8)));
        assertThat(run(TestTask.of(receiveCopyResults(0x00, 7)).nexus(B)).outcome())
                .isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / INVALID_FIELD_IN_CDB");
        assertThat(run(TestTask.of(receiveCopyResults(0x00, 7)).lun(1)).outcome()).as("another copy manager")
                .isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / INVALID_FIELD_IN_CDB");
        assertThat(run(TestTask.of(receiveCopyResults(0x00, 7))).outcome()).isEqualTo("GOOD");
    }

    @Test
    void heldStatusEndsWithTheNexusAndWithResets() {
        copy(list(7, 0b00, new byte[][] {target(lu0)}, segment(0, 0, 4, 0, 8)));
        dispatcher.nexusLost(A);
        assertThat(run(TestTask.of(Cdbs.testUnitReady())).outcome()).as("the nexus loss is reported first")
                .isEqualTo("CHECK_CONDITION UNIT_ATTENTION / I_T_NEXUS_LOSS_OCCURRED");
        assertThat(run(TestTask.of(receiveCopyResults(0x00, 7))).outcome())
                .isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / INVALID_FIELD_IN_CDB");

        copy(list(7, 0b00, new byte[][] {target(lu0)}, segment(0, 0, 4, 0, 8)));
        dispatcher.logicalUnitReset(0);
        run(TestTask.of(Cdbs.testUnitReady())); // the reset's unit attention
        assertThat(run(TestTask.of(receiveCopyResults(0x00, 7))).outcome())
                .isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / INVALID_FIELD_IN_CDB");
    }

    @Test
    void operatingParameters() {
        TestTask t = run(TestTask.of(receiveCopyResults(0x03, 0)));

        assertThat(t.outcome()).isEqualTo("GOOD");
        byte[] d = t.dataIn();
        assertThat(Cdbs.u32(d, 0)).isEqualTo(d.length - 4);
        assertThat(d[4]).as("SNLID").isEqualTo((byte) 0x01);
        assertThat(Cdbs.u16(d, 8)).isEqualTo(ThirdPartyCopy.MAX_TARGET_DESCRIPTORS);
        assertThat(Cdbs.u16(d, 10)).isEqualTo(ThirdPartyCopy.MAX_SEGMENT_DESCRIPTORS);
        assertThat(Cdbs.u32(d, 12)).isEqualTo(ThirdPartyCopy.MAX_DESCRIPTOR_LIST_LENGTH);
        assertThat(Cdbs.u32(d, 16)).as("MAXIMUM SEGMENT LENGTH").isEqualTo(0xFFFFL * BS);
        assertThat(d[37]).as("DATA SEGMENT GRANULARITY").isEqualTo((byte) 9);
        assertThat(d[43]).isEqualTo((byte) 2);
        assertThat(Arrays.copyOfRange(d, 44, 46)).containsExactly(0x02, 0xE4);
    }

    @Test
    void unknownServiceActionsAreInvalid() {
        assertThat(run(TestTask.of(receiveCopyResults(0x01, 0))).outcome()).as("RECEIVE DATA")
                .isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / INVALID_FIELD_IN_CDB");
        byte[] lid4 = extendedCopy(0);
        lid4[1] = 0x01;
        assertThat(run(TestTask.of(lid4)).outcome()).as("EXTENDED COPY (LID4)")
                .isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / INVALID_FIELD_IN_CDB");
    }
}
