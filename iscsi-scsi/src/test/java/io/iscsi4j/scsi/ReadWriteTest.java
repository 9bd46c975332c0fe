package io.iscsi4j.scsi;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ReadWriteTest {

    private static final int READ_6 = 0x08;
    private static final int WRITE_6 = 0x0A;
    private static final int READ_10 = 0x28;
    private static final int WRITE_10 = 0x2A;
    private static final int READ_16 = 0x88;
    private static final int WRITE_16 = 0x8A;
    private static final int FUA = 0x08;
    private static final int DPO = 0x10;

    /** Block size, READ opcode, WRITE opcode. */
    static Stream<Arguments> sizesAndOpcodes() {
        return Stream.of(512, 4096).flatMap(bs -> Stream.of(
                Arguments.of(bs, READ_6, WRITE_6),
                Arguments.of(bs, READ_10, WRITE_10),
                Arguments.of(bs, 0xA8, 0xAA),
                Arguments.of(bs, READ_16, WRITE_16)));
    }

    @ParameterizedTest(name = "block size {0}, READ {1}, WRITE {2}")
    @MethodSource("sizesAndOpcodes")
    void writeThenReadRoundTrip(int blockSize, int read, int write) {
        Target target = Target.of(blockSize, 64);
        byte[] data = pattern(3 * blockSize, 7);

        TestTask w = target.run(TestTask.of(Cdbs.readWrite(write, 10, 3, 0)).dataOut(data));
        assertThat(w.outcome()).isEqualTo("GOOD");
        assertThat(w.dataLength()).isEqualTo(data.length);
        assertThat(w.dataOutRequested()).isEqualTo(data.length);
        assertThat(Arrays.copyOfRange(target.backstore.bytes(), 10 * blockSize, 13 * blockSize)).isEqualTo(data);

        TestTask r = target.run(Cdbs.readWrite(read, 10, 3, 0));
        assertThat(r.outcome()).isEqualTo("GOOD");
        assertThat(r.dataLength()).isEqualTo(data.length);
        assertThat(r.dataIn()).isEqualTo(data);
        assertThat(target.backstore.calls).containsExactly("write 10+3", "read 10+3");
    }

    @ParameterizedTest
    @ValueSource(ints = {512, 4096})
    void readReturnsWhatTheBackstoreHolds(int blockSize) {
        Target target = Target.of(blockSize, 16);
        byte[] content = pattern(16 * blockSize, 1);
        System.arraycopy(content, 0, target.backstore.bytes(), 0, content.length);

        TestTask r = target.run(Cdbs.readWrite(READ_16, 15, 1, 0));

        assertThat(r.dataIn()).isEqualTo(Arrays.copyOfRange(content, 15 * blockSize, 16 * blockSize));
    }

    @Test
    void fuaReachesTheBackstore() {
        Target target = Target.of(512, 64);

        target.run(TestTask.of(Cdbs.readWrite(WRITE_10, 0, 1, FUA)).dataOut(new byte[512]));
        target.run(TestTask.of(Cdbs.readWrite(WRITE_16, 1, 1, FUA | DPO)).dataOut(new byte[512]));
        target.run(TestTask.of(Cdbs.readWrite(WRITE_10, 2, 1, DPO)).dataOut(new byte[512]));
        target.run(TestTask.of(Cdbs.readWrite(WRITE_6, 3, 1, 0)).dataOut(new byte[512]));

        assertThat(target.backstore.calls).containsExactly("write 0+1 fua", "write 1+1 fua", "write 2+1",
                "write 3+1");
    }

    @Test
    void writeThroughMakesEveryWriteFua() {
        TestBackstore b = new TestBackstore(512, 8);
        Target target = new Target(b, Target.builder(b).writeBack(false).build());

        TestTask t = target.run(TestTask.of(Cdbs.write10(0, 1)).dataOut(new byte[512]));

        assertThat(t.outcome()).isEqualTo("GOOD");
        assertThat(b.calls).containsExactly("write 0+1 fua");
    }

    @Test
    void zeroTransferLengthMovesNothing() {
        Target target = Target.of(512, 8);

        TestTask r = target.run(Cdbs.read10(3, 0));
        TestTask w = target.run(TestTask.of(Cdbs.write10(3, 0)).expected(0));

        assertThat(r.outcome()).isEqualTo("GOOD");
        assertThat(r.dataLength()).isZero();
        assertThat(r.dataInAllocated()).isFalse();
        assertThat(w.outcome()).isEqualTo("GOOD");
        assertThat(w.dataOutRequested()).isEqualTo(-1);
        assertThat(target.backstore.calls).isEmpty();
    }

    @Test
    void sixByteTransferLengthZeroMeans256Blocks() {
        Target target = Target.of(512, 512);

        TestTask r = target.run(Cdbs.readWrite(READ_6, 1, 0, 0));

        assertThat(r.outcome()).isEqualTo("GOOD");
        assertThat(r.dataLength()).isEqualTo(256 * 512);
        assertThat(target.backstore.calls).containsExactly("read 1+256");
    }

    @Test
    void sixByteLbaUsesTwentyOneBits() {
        TestBackstore b = TestBackstore.huge(512, 0x1_0000_0000L);
        Target target = new Target(b, Target.builder(b).build());
        byte[] cdb = Cdbs.readWrite(READ_6, 0x1F_FFFF, 1, 0);
        cdb[1] |= (byte) 0xE0; // bits 7-5 of byte 1 are not part of the LBA

        TestTask r = target.run(cdb);

        assertThat(r.outcome()).isEqualTo("GOOD");
        assertThat(b.calls).containsExactly("read 2097151+1");
    }

    static Stream<Arguments> outOfRange() {
        return Stream.of(
                Arguments.of("first LBA past the end", Cdbs.readWrite(READ_10, 64, 1, 0)),
                Arguments.of("range crosses the end", Cdbs.readWrite(READ_10, 63, 2, 0)),
                Arguments.of("zero blocks past the end", Cdbs.readWrite(READ_10, 65, 0, 0)),
                Arguments.of("write crosses the end", Cdbs.readWrite(WRITE_16, 60, 8, 0)),
                Arguments.of("64-bit LBA wraps", Cdbs.readWrite(READ_16, -1L, 2, 0)),
                Arguments.of("LBA 2^63", Cdbs.readWrite(READ_16, Long.MIN_VALUE, 1, 0)),
                Arguments.of("LBA Long.MAX_VALUE", Cdbs.readWrite(WRITE_16, Long.MAX_VALUE, 1, 0)),
                Arguments.of("32-bit LBA", Cdbs.readWrite(0xA8, 0xFFFF_FFFFL, 1, 0)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("outOfRange")
    void outOfRangeIsRejectedBeforeAnyTransfer(String name, byte[] cdb) {
        Target target = Target.of(512, 64);

        TestTask t = target.run(TestTask.of(cdb).dataOut(new byte[8 * 512]));

        assertThat(t.outcome()).isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / LOGICAL_BLOCK_ADDRESS_OUT_OF_RANGE");
        assertThat(t.dataOutRequested()).isEqualTo(-1);
        assertThat(t.dataInAllocated()).isFalse();
        assertThat(target.backstore.calls).isEmpty();
    }

    @Test
    void lastBlockIsInRange() {
        Target target = Target.of(512, 64);

        assertThat(target.run(Cdbs.readWrite(READ_16, 63, 1, 0)).outcome()).isEqualTo("GOOD");
        assertThat(target.run(Cdbs.read10(64, 0)).outcome()).isEqualTo("GOOD");
    }

    @Test
    void writeToReadOnlyLogicalUnitIsWriteProtectedBeforeData() {
        TestBackstore b = new TestBackstore(512, 8);
        Target target = new Target(b, Target.builder(b).readOnly(true).build());

        TestTask w = target.run(TestTask.of(Cdbs.write10(0, 1)).dataOut(new byte[512]));
        TestTask r = target.run(Cdbs.read10(0, 1));

        assertThat(w.outcome()).isEqualTo("CHECK_CONDITION DATA_PROTECT / WRITE_PROTECTED");
        assertThat(w.dataOutRequested()).isEqualTo(-1);
        assertThat(r.outcome()).isEqualTo("GOOD");
        assertThat(b.calls).containsExactly("read 0+1");
    }

    @Test
    void readOnlyBackstoreMakesTheLogicalUnitReadOnly() {
        TestBackstore b = new TestBackstore(512, 8).readOnly(true);
        Target target = new Target(b, Target.builder(b).build());

        TestTask w = target.run(TestTask.of(Cdbs.readWrite(WRITE_6, 0, 1, 0)).dataOut(new byte[512]));

        assertThat(w.outcome()).isEqualTo("CHECK_CONDITION DATA_PROTECT / WRITE_PROTECTED");
        assertThat(b.calls).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(ints = {512, 4096})
    void readWithLessExpectedSendsOnlyExpectedAndReportsFullLength(int blockSize) {
        Target target = Target.of(blockSize, 8);
        byte[] content = pattern(8 * blockSize, 3);
        System.arraycopy(content, 0, target.backstore.bytes(), 0, content.length);
        int expected = blockSize + blockSize / 2;

        TestTask r = target.run(TestTask.of(Cdbs.read10(2, 4)).expected(expected));

        assertThat(r.outcome()).isEqualTo("GOOD");
        assertThat(r.dataLength()).as("bytes per CDB: the transport reports the overflow").isEqualTo(4 * blockSize);
        assertThat(r.dataIn()).isEqualTo(Arrays.copyOfRange(content, 2 * blockSize, 2 * blockSize + expected));
        assertThat(target.backstore.calls).containsExactly("read 2+1", "read 3+1");
    }

    @Test
    void readWithLessThanOneBlockExpected() {
        Target target = Target.of(512, 8);
        byte[] content = pattern(8 * 512, 5);
        System.arraycopy(content, 0, target.backstore.bytes(), 0, content.length);

        TestTask r = target.run(TestTask.of(Cdbs.read10(1, 1)).expected(100));

        assertThat(r.dataIn()).isEqualTo(Arrays.copyOfRange(content, 512, 612));
        assertThat(r.dataLength()).isEqualTo(512);
        assertThat(target.backstore.calls).containsExactly("read 1+1");
    }

    @Test
    void readWithNothingExpectedReadsNothing() {
        Target target = Target.of(512, 8);

        TestTask r = target.run(TestTask.of(Cdbs.read10(1, 2)).expected(0));

        assertThat(r.outcome()).isEqualTo("GOOD");
        assertThat(r.dataLength()).isEqualTo(1024);
        assertThat(r.dataInAllocated()).isFalse();
        assertThat(target.backstore.calls).isEmpty();
    }

    @Test
    void writeWithLessExpectedWritesOnlyTheExpectedBlocksAndReportsFullLength() {
        // As Linux LIO does and libiscsi's WriteNNResiduals tests expect: EDTL < transfer length writes EDTL's
        // whole blocks, GOOD, and the transport reports the difference as an overflow residual.
        Target target = Target.of(512, 8);
        byte[] data = pattern(512, 9);

        TestTask w = target.run(TestTask.of(Cdbs.write10(0, 2)).dataOut(data));

        assertThat(w.outcome()).isEqualTo("GOOD");
        assertThat(w.dataLength()).as("the length the CDB needs, for the overflow residual").isEqualTo(1024);
        assertThat(w.dataOutRequested()).isEqualTo(512);
        byte[] expected = new byte[8 * 512];
        System.arraycopy(data, 0, expected, 0, 512);
        assertThat(target.backstore.bytes()).isEqualTo(expected);
    }

    @Test
    void writeWithLessThanOneBlockExpectedWritesNothing() {
        Target target = Target.of(512, 8);

        TestTask w = target.run(TestTask.of(Cdbs.write10(0, 1)).expected(0));

        assertThat(w.outcome()).isEqualTo("GOOD");
        assertThat(w.dataLength()).isEqualTo(512);
        assertThat(w.dataOutRequested()).isEqualTo(-1);
        assertThat(target.backstore.calls).isEmpty();
    }

    @Test
    void writeWithMoreExpectedTakesOnlyWhatTheCommandNeeds() {
        Target target = Target.of(512, 8);
        byte[] data = pattern(1024, 4);

        TestTask w = target.run(TestTask.of(Cdbs.write10(1, 1)).dataOut(data));

        assertThat(w.outcome()).isEqualTo("GOOD");
        assertThat(w.dataOutRequested()).isEqualTo(512);
        assertThat(w.dataLength()).isEqualTo(512);
        assertThat(Arrays.copyOfRange(target.backstore.bytes(), 512, 1024)).isEqualTo(Arrays.copyOf(data, 512));
    }

    @Test
    void failedDataOutLeavesCompletionToTheTransport() {
        Target target = Target.of(512, 8);
        TestTask w = TestTask.of(Cdbs.write10(0, 1)).expected(512)
                .dataOutFailure(new IllegalStateException("connection lost"));

        target.dispatcher.execute(w);

        assertThat(w.isCompleted()).isFalse();
        assertThat(w.violations()).isEmpty();
        assertThat(target.backstore.calls).isEmpty();
    }

    @Test
    void transferLengthAboveMaximumIsInvalidField() {
        Target target = Target.of(4096, 8);
        int max = target.lu.maxTransferBlocks();

        TestTask t = target.run(Cdbs.readWrite(READ_16, 0, max + 1, 0));

        assertThat(max).isEqualTo(2048);
        assertThat(t.outcome()).isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / INVALID_FIELD_IN_CDB");
        assertThat(t.senseKeySpecific()).isEqualTo(0xC0_0000 | 10);
        assertThat(target.backstore.calls).isEmpty();
    }

    @Test
    void protectionInformationIsNotSupported() {
        Target target = Target.of(512, 8);

        TestTask r = target.run(Cdbs.readWrite(READ_10, 0, 1, 0x20));
        TestTask w = target.run(TestTask.of(Cdbs.readWrite(WRITE_16, 0, 1, 0x60)).dataOut(new byte[512]));

        for (TestTask t : new TestTask[] {r, w}) {
            assertThat(t.outcome()).isEqualTo("CHECK_CONDITION ILLEGAL_REQUEST / INVALID_FIELD_IN_CDB");
            assertThat(t.senseKeySpecific()).as("byte 1, bit 7").isEqualTo(0xC0_0000 | 0x08_0000 | (7 << 16) | 1);
        }
        assertThat(target.backstore.calls).isEmpty();
    }

    @Test
    void sixteenByteCdbFieldCarriesAPaddedTenByteCdb() {
        Target target = Target.of(512, 8);
        byte[] padded = Arrays.copyOf(Cdbs.read10(2, 1), 16); // iSCSI carries CDBs in a 16-byte field

        assertThat(target.run(padded).outcome()).isEqualTo("GOOD");
        assertThat(target.backstore.calls).containsExactly("read 2+1");
    }

    static byte[] pattern(int length, int seed) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (i * 31 + seed + (i >>> 9));
        }
        return b;
    }
}
