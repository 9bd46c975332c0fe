package io.iscsi4j.core.session;

import io.iscsi4j.core.pdu.DataIn;
import io.iscsi4j.core.pdu.ReadyToTransfer;
import io.iscsi4j.core.pdu.ScsiResponse;
import io.iscsi4j.scsi.ScsiStatus;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * What one session sends about its SCSI commands: the SCSI Response, or the Data-In PDUs of a read with the status
 * in the last one (RFC 7143 §11.7), each at most the initiator's MaxRecvDataSegmentLength and each sequence at most
 * MaxBurstLength, with residuals; and R2Ts (§11.8). The connection stamps nothing itself: StatSN, ExpCmdSN and
 * MaxCmdSN are taken here when the PDU is built, on the event loop, in the order PDUs are written. Event loop only.
 *
 * <p>Data-In PDUs and SCSI Responses without sense data, one or more per command, are sent as encoded headers
 * ({@link IscsiConnection#sendEncoded}) rather than PDU objects, so a command costs no heap for them.
 */
final class ResponseSender {

    private static final int NO_TAG = 0xFFFFFFFF;

    private final IscsiConnection connection;
    private final SessionParams params;
    private final CommandSequencer sequencer;

    ResponseSender(IscsiConnection connection, SessionParams params, CommandSequencer sequencer) {
        this.connection = connection;
        this.params = params;
        this.sequencer = sequencer;
    }

    /** Sends a completed task's status (and its Data-In), then schedules a flush. */
    void sendResponse(ScsiCommandTask task) {
        long expected = task.expectedLength;
        int cmdLength = task.dataLength;
        boolean overflow = cmdLength > expected;
        boolean underflow = cmdLength < expected;
        long residual = overflow ? cmdLength - expected : expected - cmdLength;
        ByteBuf data = task.dataIn;
        boolean good = task.status == ScsiStatus.GOOD || task.status == ScsiStatus.CONDITION_MET;
        int toSend = data == null ? 0 : (int) Math.min(Math.min(cmdLength, data.readableBytes()), expected);
        boolean residuals = good || task.writeTransfer != null || task.isRead();
        if (toSend > 0 && good) {
            sendDataIn(task, data, toSend, overflow, underflow, residual);
        } else if (task.status != ScsiStatus.CHECK_CONDITION || task.sense == null) {
            connection.sendEncoded(ScsiResponse.encodeStatusHeader(connection.alloc(), task.initiatorTaskTag,
                    task.status.code(), residuals && overflow, residuals && underflow, residuals ? residual : 0,
                    connection.nextStatSN(), sequencer.expCmdSN(), sequencer.maxCmdSN()), Unpooled.EMPTY_BUFFER);
        } else {
            ScsiResponse.Builder b = ScsiResponse.builder()
                    .initiatorTaskTag(task.initiatorTaskTag)
                    .response(0)
                    .status(task.status.code())
                    .statSN(connection.nextStatSN())
                    .expCmdSN(sequencer.expCmdSN())
                    .maxCmdSN(sequencer.maxCmdSN())
                    .expDataSN(0);
            b.sense(task.sense.toBytes());
            if (residuals) {
                b.residualOverflow(overflow).residualUnderflow(underflow).residualCount(residual);
            }
            connection.send(b.build());
        }
        connection.flushSoon();
    }

    private void sendDataIn(ScsiCommandTask task, ByteBuf data, int total, boolean overflow, boolean underflow,
                            long residual) {
        int segment = params.maxSendDataSegmentLength();
        int burst = params.maxBurstLength();
        int dataSN = 0;
        int offset = 0;
        int burstLeft = burst;
        while (offset < total) {
            int n = Math.min(Math.min(segment, total - offset), burstLeft);
            boolean last = offset + n == total;
            burstLeft -= n;
            boolean endOfSequence = last || burstLeft == 0;
            ByteBuf header = last
                    ? DataIn.encodeReadHeader(connection.alloc(), endOfSequence, true, task.status.code(), overflow,
                            underflow, residual, task.initiatorTaskTag, dataSN++, offset, connection.nextStatSN(),
                            sequencer.expCmdSN(), sequencer.maxCmdSN(), n)
                    : DataIn.encodeReadHeader(connection.alloc(), endOfSequence, false, 0, false, false, 0,
                            task.initiatorTaskTag, dataSN++, offset, 0, sequencer.expCmdSN(), sequencer.maxCmdSN(), n);
            connection.sendEncoded(header, whole(data, offset, n) ? data.retain() : data.retainedSlice(offset, n));
            offset += n;
            if (burstLeft == 0) {
                burstLeft = burst;
            }
        }
    }

    /**
     * Whether a Data-In PDU carries the whole buffer: then the buffer itself goes to the channel (the encoder writes
     * it as it is; a pooled buffer needs no slice and no new {@link java.nio.ByteBuffer} for that) and the task
     * reads its indices no more.
     */
    private static boolean whole(ByteBuf data, int offset, int length) {
        return offset == 0 && data.readerIndex() == 0 && length == data.writerIndex();
    }

    /** Sends one R2T of a task (RFC 7143 §11.8); StatSN is carried, not advanced. */
    void sendR2T(ScsiCommandTask task, int ttt, int r2tSN, int offset, int length) {
        connection.send(ReadyToTransfer.builder()
                .lun(task.lun())
                .initiatorTaskTag(task.initiatorTaskTag)
                .targetTransferTag(ttt)
                .statSN(connection.currentStatSN())
                .expCmdSN(sequencer.expCmdSN())
                .maxCmdSN(sequencer.maxCmdSN())
                .r2tSN(r2tSN)
                .bufferOffset(offset)
                .desiredDataTransferLength(length)
                .build());
    }
}
