package io.iscsi4j.core.session;

import io.iscsi4j.core.pdu.DataOut;
import io.iscsi4j.core.pdu.RejectReason;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class WriteTransferTest {

    private static final int NO_TAG = 0xFFFFFFFF;
    private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
    private final List<int[]> r2ts = new ArrayList<>();
    private int tag = 100;
    private final WriteTransfer.IntSupplierTag tags = () -> tag++;
    private final WriteTransfer.R2TSender sender = (ttt, sn, off, len) -> r2ts.add(new int[] {ttt, sn, off, len});
    private WriteTransfer wt;

    @AfterEach
    void release() {
        if (wt != null) {
            wt.release();
        }
    }

    private static ByteBuf pattern(int offset, int len) {
        ByteBuf b = Unpooled.buffer(len);
        for (int i = 0; i < len; i++) {
            b.writeByte((offset + i) * 7);
        }
        return b;
    }

    private static void assertPattern(ByteBuffer data, int len) {
        assertThat(data.remaining()).isEqualTo(len);
        for (int i = 0; i < len; i++) {
            assertThat(data.get(data.position() + i)).as("byte %d", i).isEqualTo((byte) (i * 7));
        }
    }

    private static DataOut dataOut(int ttt, int dataSN, int offset, int len, boolean fin) {
        return DataOut.builder().initiatorTaskTag(1).targetTransferTag(ttt).dataSN(dataSN).bufferOffset(offset)
                .finalFlag(fin).data(pattern(offset, len)).build();
    }

    private RejectReason feed(DataOut d) {
        try {
            return wt.onDataOut(d, tags, sender);
        } finally {
            d.release();
        }
    }

    @Test
    void immediateDataOnlyIsHandedOutWithoutCopy() {
        ByteBuf imm = pattern(0, 4096);
        wt = new WriteTransfer(4096, imm, false, 65536, 262144, 4);
        ByteBuffer b = wt.start(4096, alloc, tags, sender);
        assertThat(b).isNotNull();
        assertPattern(b, 4096);
        assertThat(r2ts).isEmpty();
    }

    @Test
    void immediateDataIsAViewOfItsOwnThatTheReceiveBuffersLaterUseDoesNotMove() {
        // As the frame decoder leaves it: the immediate data is a slice of a pooled receive buffer, which the socket
        // goes on reading into through the buffer's internal NIO view.
        ByteBuf receive = alloc.directBuffer(3 * 4096);
        receive.writeZero(100).writeBytes(pattern(0, 4096)).writeZero(100);
        wt = new WriteTransfer(4096, receive.retainedSlice(100, 4096), false, 65536, 262144, 4);
        try {
            ByteBuffer b = wt.start(4096, alloc, tags, sender);

            ByteBuffer internal = receive.internalNioBuffer(receive.writerIndex(), 4096);
            internal.put(new byte[4096]); // a socket read of 4096 more bytes
            receive.writerIndex(receive.writerIndex() + 4096);

            assertThat(b.position()).isZero();
            assertThat(b.limit()).isEqualTo(4096);
            assertThat(b.capacity()).as("the view reaches no other bytes of the receive buffer").isEqualTo(4096);
            assertPattern(b, 4096);
            receive.setByte(100, 0x55);
            assertThat(b.get(0)).as("a view, not a copy").isEqualTo((byte) 0x55);
        } finally {
            receive.release();
        }
    }

    @Test
    void manySmallEarlyDataOutsAreCopiedNotKeptAndEmptyOnesIgnored() {
        // 1 KiB immediate, then 3 KiB of unsolicited data in 96 PDUs of 32 bytes and 1000 empty PDUs, all before
        // the SCSI layer asks: only a bounded number of PDUs may be kept (each would hold a receive buffer).
        wt = new WriteTransfer(4096, pattern(0, 1024), true, 4096, 65536, 1);
        int dataSN = 0;
        int offset = 1024;
        for (int i = 0; i < 1000; i++) {
            DataOut empty = dataOut(NO_TAG, dataSN++, offset, 0, false);
            assertThat(feed(empty)).isNull();
            assertThat(empty.refCnt()).as("an empty PDU is not kept").isZero();
        }
        List<DataOut> sent = new ArrayList<>();
        while (offset < 4096) {
            DataOut d = dataOut(NO_TAG, dataSN++, offset, 32, offset + 32 == 4096);
            sent.add(d);
            assertThat(feed(d)).isNull();
            offset += 32;
        }
        long kept = sent.stream().filter(d -> d.refCnt() > 0).count();
        assertThat(kept).as("PDUs still referenced").isZero();
        assertThat(wt.unsolicitedComplete()).isTrue();
        ByteBuffer b = wt.start(4096, alloc, tags, sender);
        assertThat(b).isNotNull();
        assertPattern(b, 4096);
        assertThat(r2ts).isEmpty();
    }

    @Test
    void unsolicitedThenSolicitedBurstsAssembleInOrder() {
        // 8 KiB immediate, unsolicited up to FirstBurstLength 16 KiB, then R2Ts of MaxBurstLength 16 KiB, 2 outstanding
        wt = new WriteTransfer(65536, pattern(0, 8192), true, 16384, 16384, 2);
        assertThat(wt.start(65536, alloc, tags, sender)).isNull();
        assertThat(r2ts).hasSize(2);
        assertThat(r2ts.get(0)).containsExactly(100, 0, 16384, 16384);
        assertThat(r2ts.get(1)).containsExactly(101, 1, 32768, 16384);

        assertThat(feed(dataOut(NO_TAG, 0, 8192, 8192, true))).isNull();
        assertThat(feed(dataOut(100, 0, 16384, 8192, false))).isNull();
        assertThat(feed(dataOut(100, 1, 24576, 8192, true))).isNull();
        assertThat(r2ts).as("a finished burst frees a slot for the next R2T").hasSize(3);
        assertThat(r2ts.get(2)).containsExactly(102, 2, 49152, 16384);
        assertThat(feed(dataOut(101, 0, 32768, 16384, true))).isNull();
        assertThat(wt.completeIfDone()).isNull();
        assertThat(feed(dataOut(102, 0, 49152, 16384, true))).isNull();
        assertPattern(wt.completeIfDone(), 65536);
    }

    @Test
    void unsolicitedDataBeforeStartIsKept() {
        wt = new WriteTransfer(8192, Unpooled.EMPTY_BUFFER, true, 65536, 262144, 1);
        assertThat(feed(dataOut(NO_TAG, 0, 0, 4096, false))).isNull();
        assertThat(feed(dataOut(NO_TAG, 1, 4096, 4096, true))).isNull();
        ByteBuffer b = wt.start(8192, alloc, tags, sender);
        assertPattern(b, 8192);
        assertThat(r2ts).isEmpty();
    }

    @Test
    void unknownTagOrDataOutsideTheBurstIsRejected() {
        wt = new WriteTransfer(32768, Unpooled.EMPTY_BUFFER, false, 65536, 16384, 1);
        wt.start(32768, alloc, tags, sender);
        assertThat(feed(dataOut(999, 0, 0, 512, false))).isEqualTo(RejectReason.INVALID_PDU_FIELD);
        assertThat(feed(dataOut(100, 0, 0, 16384 + 512, false))).as("beyond the burst")
                .isEqualTo(RejectReason.PROTOCOL_ERROR);
        assertThat(feed(dataOut(NO_TAG, 0, 0, 512, false))).as("no unsolicited data was announced")
                .isEqualTo(RejectReason.PROTOCOL_ERROR);
        assertThat(wt.dataLost()).isFalse();
    }

    @Test
    void dataSnGapCountsAsLostDataAndSettlesWithTheFinalBit() {
        // RFC 7143 §7.9: a DataSN gap means a PDU was lost (digest error) and is handled as in §7.8.
        wt = new WriteTransfer(32768, Unpooled.EMPTY_BUFFER, false, 65536, 16384, 1);
        wt.start(32768, alloc, tags, sender);
        assertThat(r2ts).hasSize(1);
        assertThat(feed(dataOut(100, 0, 0, 4096, false))).isNull();
        assertThat(feed(dataOut(100, 2, 8192, 4096, false))).as("DataSN 1 missing").isNull();
        assertThat(wt.dataLost()).isTrue();
        assertThat(wt.lostAndSettled()).as("the burst is still being sent").isFalse();
        assertThat(feed(dataOut(100, 3, 12288, 4096, true))).isNull();
        assertThat(wt.lostAndSettled()).isTrue();
        assertThat(r2ts).as("no further R2T once data was lost").hasSize(1);
        assertThat(wt.completeIfDone()).isNull();
    }

    @Test
    void lostUnsolicitedPduSettlesWhenItWasTheLast() {
        wt = new WriteTransfer(8192, Unpooled.EMPTY_BUFFER, true, 8192, 65536, 1);
        wt.start(8192, alloc, tags, sender);
        wt.markLost(NO_TAG, true);
        assertThat(wt.lostAndSettled()).isTrue();
    }

    @Test
    void lessWantedThanExpectedSolicitsOnlyWhatIsWanted() {
        wt = new WriteTransfer(1 << 20, Unpooled.EMPTY_BUFFER, false, 65536, 262144, 4);
        wt.start(4096, alloc, tags, sender);
        assertThat(r2ts).hasSize(1);
        assertThat(r2ts.get(0)).containsExactly(100, 0, 0, 4096);
    }

    @Test
    void aPlacedSegmentFillsTheAssemblyInPlaceAndIsNotCopiedAgain() {
        wt = new WriteTransfer(8192, Unpooled.EMPTY_BUFFER, false, 65536, 4096, 2);
        assertThat(wt.placement(NO_TAG, 0, 0, 4096)).as("before the SCSI layer asked: nowhere to put it").isNull();
        assertThat(wt.start(8192, alloc, tags, sender)).isNull();
        assertThat(r2ts).hasSize(2);
        int first = r2ts.get(0)[0];
        int second = r2ts.get(1)[0];
        for (int[] pdu : new int[][] {{first, 0, 0}, {first, 1, 2048}, {second, 0, 4096}, {second, 1, 6144}}) {
            ByteBuf placed = wt.placement(pdu[0], pdu[1], pdu[2], 2048);
            assertThat(placed).as("placement of %d", pdu[2]).isNotNull();
            assertThat(placed.writableBytes()).isEqualTo(2048);
            ByteBuf bytes = pattern(pdu[2], 2048);
            placed.writeBytes(bytes); // what the frame decoder (or the socket) does
            bytes.release();
            assertThat(feed(DataOut.builder().initiatorTaskTag(1).targetTransferTag(pdu[0]).dataSN(pdu[1])
                    .bufferOffset(pdu[2]).finalFlag(pdu[1] == 1).data(placed).build())).isNull();
        }
        ByteBuffer data = wt.completeIfDone();
        assertThat(data).isNotNull();
        assertPattern(data, 8192);
    }

    @Test
    void onlyTheNextExpectedBytesOfAnOpenSequenceArePlaced() {
        wt = new WriteTransfer(16384, Unpooled.EMPTY_BUFFER, true, 4096, 4096, 1);
        assertThat(wt.start(8192, alloc, tags, sender)).isNull(); // the SCSI layer wants only half
        int ttt = r2ts.get(0)[0];
        assertThat(wt.placement(NO_TAG, 1, 0, 1024)).as("unsolicited, wrong DataSN").isNull();
        assertThat(wt.placement(NO_TAG, 0, 512, 1024)).as("unsolicited, wrong offset").isNull();
        assertThat(wt.placement(NO_TAG, 0, 0, 8192)).as("beyond FirstBurstLength").isNull();
        assertThat(wt.placement(ttt + 1, 0, 4096, 1024)).as("unknown tag").isNull();
        assertThat(wt.placement(ttt, 1, 4096, 1024)).as("solicited, wrong DataSN").isNull();
        assertThat(wt.placement(ttt, 0, 5120, 1024)).as("solicited, wrong offset").isNull();
        assertThat(wt.placement(ttt, 0, 4096, 8192)).as("beyond the burst").isNull();
        ByteBuf ok = wt.placement(NO_TAG, 0, 0, 1024);
        assertThat(ok).as("the next unsolicited bytes").isNotNull();
        ok.release();
        wt.markLost(NO_TAG, false);
        assertThat(wt.placement(ttt, 0, 4096, 1024)).as("after lost data").isNull();
    }
}
