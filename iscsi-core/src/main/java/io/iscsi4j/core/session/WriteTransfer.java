package io.iscsi4j.core.session;

import io.iscsi4j.core.pdu.DataOut;
import io.iscsi4j.core.pdu.RejectReason;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The Data-Out side of one write command (RFC 7143 §4.2.2, §11.7, §11.8): immediate data, unsolicited Data-Out
 * up to FirstBurstLength, then R2T-solicited bursts of at most MaxBurstLength with at most MaxOutstandingR2T
 * outstanding. Checks every Data-Out's target transfer tag, DataSN and buffer offset (in-order data is negotiated)
 * and assembles the bytes the SCSI layer asked for into one pooled buffer.
 *
 * <p>Not thread-safe: used on the connection's event loop only.
 */
final class WriteTransfer {

    /** Sends R2Ts for this transfer. */
    interface R2TSender {
        /**
         * Sends one R2T.
         *
         * @param targetTransferTag the tag the initiator echoes in the burst's Data-Out PDUs
         * @param r2tSN the R2T's sequence number within the command
         * @param offset buffer offset of the burst
         * @param length bytes solicited
         */
        void sendR2T(int targetTransferTag, int r2tSN, int offset, int length);
    }

    private static final int NO_TAG = 0xFFFFFFFF;

    private final long expectedLength;
    private final int immediateLength;
    private final int unsolicitedEnd;
    private final int maxBurstLength;
    private final int maxOutstandingR2T;

    /**
     * Unsolicited Data-Out PDUs kept without a copy before the SCSI layer asks for the data. A kept PDU holds the
     * whole receive buffer its data segment is a slice of, so only this many are kept per command.
     */
    private static final int MAX_EARLY_PDUS = 1;

    private ByteBuf immediate;
    private List<DataOut> early;
    /**
     * Early unsolicited data copied out of its PDUs once more than {@link #MAX_EARLY_PDUS} arrived, so that many
     * small PDUs cannot hold many receive buffers: bytes [immediateLength, unsolicitedNextOffset).
     */
    private ByteBuf earlyCopy;
    private ByteBuf assembly;
    private ByteBuffer result;
    private int wanted = -1;
    private int received;

    private boolean unsolicitedDone;
    private int unsolicitedNextOffset;
    private int unsolicitedNextDataSN;

    /** A Data-Out was lost (data digest or sequence error): the command ends in CHECK CONDITION (§7.8). */
    private boolean dataLost;

    /** The solicited bursts under way; the shared empty list until the first R2T (most writes need none). */
    private List<Burst> bursts = List.of();
    private int nextSolicitOffset;
    private int r2tSN;

    /**
     * @param expectedLength the command's expected data transfer length
     * @param immediate immediate data from the command PDU (a reference this transfer now owns), may be empty
     * @param unsolicitedFollows whether the command's F bit was 0 (unsolicited Data-Out follows)
     * @param firstBurstLength negotiated FirstBurstLength
     * @param maxBurstLength negotiated MaxBurstLength
     * @param maxOutstandingR2T negotiated MaxOutstandingR2T
     */
    WriteTransfer(long expectedLength, ByteBuf immediate, boolean unsolicitedFollows, int firstBurstLength,
                  int maxBurstLength, int maxOutstandingR2T) {
        this.expectedLength = expectedLength;
        this.immediate = immediate;
        this.immediateLength = immediate.readableBytes();
        this.unsolicitedEnd = unsolicitedFollows
                ? (int) Math.min(firstBurstLength, expectedLength)
                : immediateLength;
        this.unsolicitedDone = !unsolicitedFollows || immediateLength >= unsolicitedEnd;
        this.unsolicitedNextOffset = immediateLength;
        this.maxBurstLength = maxBurstLength;
        this.maxOutstandingR2T = maxOutstandingR2T;
    }

    /** Whether the immediate data exceeds what the command may carry. */
    boolean immediateTooLong() {
        return immediateLength > expectedLength;
    }

    /**
     * Called when the SCSI layer asks for the first {@code length} bytes; sends the first R2Ts.
     *
     * @return the data when it is already complete, else {@code null} (then {@link #onDataOut} completes it)
     */
    ByteBuffer start(int length, ByteBufAllocator alloc, IntSupplierTag tags, R2TSender sender) {
        wanted = length;
        if (length <= immediateLength && unsolicitedDone) {
            // Everything came as immediate data: hand out the received buffer itself, no copy.
            // A slice of the receive buffer, not a buffer of our own: nioBuffer (see NioViews).
            result = immediate.nioBuffer(immediate.readerIndex(), length);
            received = length;
            return result;
        }
        assembly = alloc.directBuffer(length, length);
        assembly.writerIndex(length);
        int imm = Math.min(immediateLength, length);
        if (imm > 0) {
            assembly.setBytes(0, immediate, immediate.readerIndex(), imm);
            received = imm;
        }
        immediate.release();
        immediate = null;
        if (earlyCopy != null) {
            copy(immediateLength, earlyCopy);
            earlyCopy.release();
            earlyCopy = null;
        }
        if (early != null) {
            for (DataOut d : early) {
                copy(d.bufferOffset(), d.data());
                d.release();
            }
            early = null;
        }
        nextSolicitOffset = Math.max(unsolicitedEnd, 0);
        solicit(tags, sender);
        return completeIfDone();
    }

    /**
     * Where the data segment of a Data-Out for this command goes as the frame decoder gathers it: straight into the
     * assembly buffer, when the PDU is the next one its sequence expects (tag, DataSN, offset) and its bytes are ones
     * the SCSI layer asked for and that have not arrived. Bytes placed there before the PDU is checked can only fill
     * that gap: if the PDU turns out bad (a data digest error) the data counts as lost and the command fails, as it
     * would without placement.
     *
     * @param ttt the PDU's target transfer tag
     * @param dataSN its DataSN
     * @param offset its buffer offset
     * @param length its DataSegmentLength
     * @return a buffer over those bytes of the assembly buffer (writer index 0, one reference for the caller), or
     *     {@code null} to gather elsewhere
     */
    ByteBuf placement(int ttt, int dataSN, int offset, int length) {
        if (assembly == null || dataLost || offset < 0 || (long) offset + length > wanted) {
            return null;
        }
        if (ttt == NO_TAG) {
            if (unsolicitedDone || dataSN != unsolicitedNextDataSN || offset != unsolicitedNextOffset
                    || (long) offset + length > unsolicitedEnd) {
                return null;
            }
        } else {
            Burst b = findBurst(ttt);
            if (b == null || dataSN != b.nextDataSN || offset != b.offset + b.received
                    || length > b.length - b.received) {
                return null;
            }
        }
        return assembly.retainedSlice(offset, length).clear();
    }

    /**
     * Takes one Data-Out PDU for this command. The caller releases the PDU afterwards.
     *
     * @return {@code null} when accepted, else the reason to reject the PDU
     */
    RejectReason onDataOut(DataOut pdu, IntSupplierTag tags, R2TSender sender) {
        int ttt = pdu.targetTransferTag();
        int offset = pdu.bufferOffset();
        int len = pdu.dataSegmentLength();
        if (ttt == NO_TAG) {
            if (unsolicitedDone || (long) offset + len > unsolicitedEnd) {
                return RejectReason.PROTOCOL_ERROR;
            }
            if (dataLost || pdu.dataSN() != unsolicitedNextDataSN || offset != unsolicitedNextOffset) {
                // RFC 7143 §7.9: a gap means an earlier PDU was lost; handled as a digest error (§7.8).
                markLost(NO_TAG, pdu.finalFlag());
                return null;
            }
            unsolicitedNextDataSN++;
            unsolicitedNextOffset += len;
            if (pdu.finalFlag() || unsolicitedNextOffset == unsolicitedEnd) {
                unsolicitedDone = true;
            }
            if (wanted < 0) {
                keepEarly(pdu, offset, len);
                return null;
            }
            copy(offset, pdu.data());
            return null;
        }
        Burst b = findBurst(ttt);
        if (b == null) {
            return RejectReason.INVALID_PDU_FIELD;
        }
        if (len > b.length - b.received || offset < b.offset || (long) offset + len > (long) b.offset + b.length) {
            return RejectReason.PROTOCOL_ERROR;
        }
        if (dataLost || pdu.dataSN() != b.nextDataSN || offset != b.offset + b.received) {
            markLost(ttt, pdu.finalFlag());
            return null;
        }
        b.nextDataSN++;
        b.received += len;
        copy(offset, pdu.data());
        if (b.received == b.length) {
            bursts.remove(b);
            solicit(tags, sender);
        }
        return null;
    }

    /**
     * Keeps unsolicited data that arrived before the SCSI layer asked for it (in order, checked by the caller):
     * the first {@link #MAX_EARLY_PDUS} PDUs as they are, everything after that copied into one buffer of at most
     * FirstBurstLength bytes. Empty PDUs carry nothing to keep.
     */
    private void keepEarly(DataOut pdu, int offset, int len) {
        if (len == 0) {
            return;
        }
        if (earlyCopy == null && (early == null || early.size() < MAX_EARLY_PDUS)) {
            if (early == null) {
                early = new ArrayList<>(4);
            }
            pdu.retain();
            early.add(pdu);
            return;
        }
        if (earlyCopy == null) {
            earlyCopy = pdu.data().alloc().buffer(unsolicitedEnd - immediateLength);
            for (DataOut d : early) {
                earlyCopy.writeBytes(d.data(), d.data().readerIndex(), d.dataSegmentLength());
                d.release();
            }
            early = null;
        }
        earlyCopy.writeBytes(pdu.data(), pdu.data().readerIndex(), len);
    }

    /**
     * A Data-Out of this command was discarded (data digest error, RFC 7143 §7.8) or arrived out of sequence.
     * No more R2Ts are sent; the sequence it belonged to ends with its F bit.
     *
     * @param ttt the lost PDU's target transfer tag
     * @param finalFlag the lost PDU's F bit
     */
    void markLost(int ttt, boolean finalFlag) {
        dataLost = true;
        if (!finalFlag) {
            return;
        }
        if (ttt == NO_TAG) {
            unsolicitedDone = true;
        } else {
            Burst b = findBurst(ttt);
            if (b != null) {
                bursts.remove(b);
            }
        }
    }

    /** Whether data was lost and every sequence the initiator had started has ended: time to fail the task. */
    boolean lostAndSettled() {
        return dataLost && unsolicitedDone && bursts.isEmpty();
    }

    boolean dataLost() {
        return dataLost;
    }

    /** The assembled data once every wanted byte and all unsolicited data arrived, else {@code null}. */
    ByteBuffer completeIfDone() {
        if (result == null && !dataLost && wanted >= 0 && received >= wanted && unsolicitedDone && bursts.isEmpty()
                && nextSolicitOffset >= wanted) {
            result = NioViews.ofOwn(assembly, 0, wanted);
        }
        return result;
    }

    /**
     * The buffer the data handed to the SCSI layer ({@link #completeIfDone}) is a view of: the assembly buffer, or
     * the immediate data itself; {@code null} before the data was handed out.
     */
    ByteBuf handedOut() {
        if (result == null) {
            return null;
        }
        return assembly != null ? assembly : immediate;
    }

    /** Whether all unsolicited Data-Out (if any was announced) has arrived. */
    boolean unsolicitedComplete() {
        return unsolicitedDone;
    }

    /** Whether the SCSI layer asked for the data. */
    boolean started() {
        return wanted >= 0;
    }

    /** Releases every buffer. Idempotent. */
    void release() {
        if (immediate != null) {
            immediate.release();
            immediate = null;
        }
        if (early != null) {
            for (DataOut d : early) {
                d.release();
            }
            early = null;
        }
        if (earlyCopy != null) {
            earlyCopy.release();
            earlyCopy = null;
        }
        if (assembly != null) {
            assembly.release();
            assembly = null;
        }
        result = null;
    }

    private void copy(int offset, ByteBuf data) {
        int n = Math.min(data.readableBytes(), wanted - offset);
        if (n > 0) {
            if (!inPlace(data, offset)) {
                assembly.setBytes(offset, data, data.readerIndex(), n);
            }
            received += n;
        }
    }

    /** Whether {@code data}'s bytes are already the assembly's at {@code offset} (see {@link #placement}). */
    private boolean inPlace(ByteBuf data, int offset) {
        return data.hasMemoryAddress() && assembly.hasMemoryAddress()
                && data.memoryAddress() + data.readerIndex() == assembly.memoryAddress() + offset;
    }

    private void solicit(IntSupplierTag tags, R2TSender sender) {
        while (!dataLost && bursts.size() < maxOutstandingR2T && nextSolicitOffset < wanted) {
            int len = Math.min(maxBurstLength, wanted - nextSolicitOffset);
            Burst b = new Burst(tags.nextTag(), nextSolicitOffset, len);
            if (!(bursts instanceof ArrayList)) {
                bursts = new ArrayList<>(2);
            }
            bursts.add(b);
            nextSolicitOffset += len;
            sender.sendR2T(b.tag, r2tSN++, b.offset, b.length);
        }
    }

    private Burst findBurst(int ttt) {
        for (int i = 0; i < bursts.size(); i++) {
            Burst b = bursts.get(i);
            if (b.tag == ttt) {
                return b;
            }
        }
        return null;
    }

    /** Source of target transfer tags, unique within the session. */
    interface IntSupplierTag {
        /** A new tag, never 0xffffffff. */
        int nextTag();
    }

    private static final class Burst {
        final int tag;
        final int offset;
        final int length;
        int received;
        int nextDataSN;

        Burst(int tag, int offset, int length) {
            this.tag = tag;
            this.offset = offset;
            this.length = length;
        }
    }
}
