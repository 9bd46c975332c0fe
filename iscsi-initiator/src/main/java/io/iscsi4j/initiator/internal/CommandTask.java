package io.iscsi4j.initiator.internal;

import io.iscsi4j.core.pdu.DataIn;
import io.iscsi4j.core.pdu.DataOut;
import io.iscsi4j.core.pdu.Pdu;
import io.iscsi4j.core.pdu.ReadyToTransfer;
import io.iscsi4j.core.pdu.ScsiCommand;
import io.iscsi4j.core.pdu.ScsiResponse;
import io.iscsi4j.initiator.IscsiException;
import io.iscsi4j.initiator.ScsiRequest;
import io.iscsi4j.initiator.ScsiResult;
import io.iscsi4j.initiator.SenseData;
import io.iscsi4j.initiator.SessionParameters;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * One SCSI command's life on the initiator (RFC 7143 §10): the state machine and its data transfer. Confined to
 * the session's event loop.
 *
 * <pre>
 * QUEUED ──issue──► ISSUED ──SCSI Response / Data-In with S──► COMPLETED
 *   ▲                 │ └──R2T──► Data-Out (stays ISSUED)
 *   └──requeue────────┘ (connection lost, recovery on)
 * QUEUED, ISSUED ──fail (connection lost, reject, abort, logout)──► FAILED
 * </pre>
 *
 * <p>Buffers: the data to write is wrapped once (no copy) and sent as retained slices; the wrapper is released
 * when the task ends. Read data is copied from each Data-In into the request's buffer.
 */
public final class CommandTask {

    /** The task's states. */
    public enum State {
        /** Waiting for the CmdSN window or for a connection. */
        QUEUED,
        /** Sent; waiting for R2Ts, Data-In and status. */
        ISSUED,
        /** The target answered; the future is complete. */
        COMPLETED,
        /** Ended without an answer; the future failed. */
        FAILED
    }

    private final ScsiRequest request;
    private final long sequence;
    private final CompletableFuture<ScsiResult> future;
    private final ByteBuf outData;
    private final int expectedLength;
    /** {@link System#nanoTime()} by which the task must have ended, else it is aborted. */
    private final long deadline;
    /** Past its deadline: an ABORT TASK is under way (or the connection is being dropped); never reissued. */
    private boolean timedOut;
    private State state = State.QUEUED;
    private int itt;
    private int cmdSN;
    private int nextDataSN;
    private int received;
    /** The buffer last handed to the decoder over part of the caller's read buffer (identity only; not owned). */
    private ByteBuf placed;

    /**
     * A new task.
     *
     * @param request the command
     * @param sequence its submission order, for reissue after recovery
     * @param future completed with the result
     * @param deadline the {@link System#nanoTime()} by which it must have ended
     */
    public CommandTask(ScsiRequest request, long sequence, CompletableFuture<ScsiResult> future, long deadline) {
        this.request = request;
        this.sequence = sequence;
        this.future = future;
        this.deadline = deadline;
        this.expectedLength = request.expectedLength();
        this.outData = request.dataOut() != null && expectedLength > 0
                ? Unpooled.wrappedBuffer(request.dataOut().duplicate()) : null;
    }

    /**
     * The state.
     *
     * @return the state
     */
    public State state() {
        return state;
    }

    /**
     * The task tag of the current issue.
     *
     * @return the ITT
     */
    public int itt() {
        return itt;
    }

    /**
     * The CmdSN of the current issue.
     *
     * @return the CmdSN
     */
    public int cmdSN() {
        return cmdSN;
    }

    /**
     * The submission order.
     *
     * @return the sequence number
     */
    public long sequence() {
        return sequence;
    }

    /**
     * The operation code of the task's CDB, for messages.
     *
     * @return the first CDB byte
     */
    public int opcode() {
        return request.cdb()[0] & 0xFF;
    }

    /**
     * Whether running the command twice has the effect of running it once, so that recovery may send it again after
     * a lost connection. COMPARE AND WRITE is not (a second run after a first that wrote reports a miscompare), nor
     * PERSISTENT RESERVE OUT (a second REGISTER or RESERVE conflicts with the first).
     *
     * @return {@code false} for those
     */
    public boolean reissuable() {
        int opcode = opcode();
        return opcode != 0x89 && opcode != 0x5F;
    }

    /**
     * When the task must have ended.
     *
     * @return a {@link System#nanoTime()} value
     */
    public long deadline() {
        return deadline;
    }

    /**
     * Whether the task passed its deadline and is being ended.
     *
     * @return {@code true} once {@link #markTimedOut()} was called
     */
    public boolean timedOut() {
        return timedOut;
    }

    /** The task passed its deadline: it is being aborted and must not be sent again. */
    public void markTimedOut() {
        timedOut = true;
    }

    /**
     * The LUN.
     *
     * @return the LUN
     */
    public int lun() {
        return request.lun();
    }

    /**
     * The future the user holds.
     *
     * @return the future
     */
    public CompletableFuture<ScsiResult> future() {
        return future;
    }

    /**
     * The LUN field of a BHS (SAM-5 §4.7: peripheral addressing below 256, flat space addressing above).
     *
     * @param lun the LUN
     * @return the 8-byte field
     */
    public static long encodeLun(int lun) {
        if (lun < 256) {
            return (long) lun << 48;
        }
        return (0x40L | (lun >> 8)) << 56 | (lun & 0xFFL) << 48;
    }

    /**
     * Sends the command and its unsolicited data: QUEUED → ISSUED.
     *
     * @param connection where to write (not flushed)
     * @param newItt the task tag
     * @param newCmdSN the CmdSN
     * @param expStatSN the ExpStatSN
     * @param p the session's parameters
     */
    public void issue(PduConnection connection, int newItt, int newCmdSN, int expStatSN, SessionParameters p) {
        checkState(State.QUEUED);
        this.itt = newItt;
        this.cmdSN = newCmdSN;
        this.nextDataSN = 0;
        this.received = 0;
        this.placed = null;
        state = State.ISSUED;
        ScsiCommand.Builder command = ScsiCommand.builder()
                .initiatorTaskTag(itt).cmdSN(cmdSN).expStatSN(expStatSN)
                .lun(encodeLun(request.lun()))
                .attribute(1) // SIMPLE
                .cdb(request.cdb())
                .expectedDataTransferLength(Integer.toUnsignedLong(expectedLength));
        if (outData == null) {
            connection.write(command.finalFlag(true).read(request.dataIn() != null && expectedLength > 0).build());
            return;
        }
        int immediate = p.immediateData()
                ? Math.min(expectedLength, Math.min(p.firstBurstLength(), p.targetMaxRecvDataSegmentLength())) : 0;
        int unsolicitedEnd = p.initialR2T() ? immediate : Math.min(expectedLength, p.firstBurstLength());
        connection.write(command.write(true).finalFlag(unsolicitedEnd == immediate)
                .data(immediate == 0 ? Unpooled.EMPTY_BUFFER : outData.retainedSlice(0, immediate)).build());
        if (unsolicitedEnd > immediate) {
            sendData(connection, Pdu.RESERVED_TAG, immediate, unsolicitedEnd - immediate, expStatSN, p);
        }
    }

    /**
     * Answers an R2T with Data-Out PDUs.
     *
     * @param connection where to write (not flushed)
     * @param r2t the R2T
     * @param expStatSN the ExpStatSN
     * @param p the session's parameters
     * @throws IscsiException if the R2T does not fit this command (a protocol error)
     */
    public void onR2T(PduConnection connection, ReadyToTransfer r2t, int expStatSN, SessionParameters p)
            throws IscsiException {
        checkState(State.ISSUED);
        long offset = Integer.toUnsignedLong(r2t.bufferOffset());
        long length = r2t.desiredDataTransferLength();
        if (outData == null || length == 0 || offset + length > expectedLength) {
            throw new IscsiException("R2T for bytes " + offset + "+" + length + " of a command that writes "
                    + (outData == null ? 0 : expectedLength));
        }
        sendData(connection, r2t.targetTransferTag(), (int) offset, (int) length, expStatSN, p);
    }

    private void sendData(PduConnection connection, int ttt, int offset, int length, int expStatSN,
                          SessionParameters p) {
        int max = p.targetMaxRecvDataSegmentLength();
        int dataSN = 0;
        for (int done = 0; done < length; ) {
            int chunk = Math.min(max, length - done);
            connection.write(DataOut.builder()
                    .initiatorTaskTag(itt)
                    .lun(encodeLun(request.lun()))
                    .targetTransferTag(ttt)
                    .expStatSN(expStatSN)
                    .dataSN(dataSN++)
                    .bufferOffset(offset + done)
                    .finalFlag(done + chunk == length)
                    .data(outData.retainedSlice(offset + done, chunk))
                    .build());
            done += chunk;
        }
    }

    /**
     * Where the data segment of a Data-In for this task goes as the decoder gathers it: straight into the caller's
     * read buffer, so that {@link #onDataIn} has nothing to copy. Bytes placed there before the Data-In is checked
     * are harmless: the buffer belongs to this read until its future completes.
     *
     * @param offset the Data-In's buffer offset
     * @param length its DataSegmentLength
     * @return a buffer over those bytes of the caller's buffer (writer index 0), or {@code null} when the task is
     *     not waiting for data there (the Data-In is then checked and refused as usual)
     */
    public ByteBuf placement(long offset, int length) {
        ByteBuffer dst = request.dataIn();
        if (state != State.ISSUED || dst == null || dst.isReadOnly() || offset + length > expectedLength) {
            return null;
        }
        ByteBuffer region = dst.duplicate();
        region.limit(dst.position() + (int) offset + length).position(dst.position() + (int) offset);
        placed = Unpooled.wrappedBuffer(region.slice()).clear();
        return placed;
    }

    /**
     * Takes a Data-In PDU: its bytes go into the request's buffer; with the S bit it completes the task.
     *
     * @param dataIn the PDU (not released here)
     * @return whether the task completed
     * @throws IscsiException on a protocol error (out of order, outside the buffer)
     */
    public boolean onDataIn(DataIn dataIn) throws IscsiException {
        checkState(State.ISSUED);
        ByteBuffer dst = request.dataIn();
        int length = dataIn.dataSegmentLength();
        long offset = Integer.toUnsignedLong(dataIn.bufferOffset());
        if (dataIn.dataSN() != nextDataSN) {
            throw new IscsiException("Data-In DataSN " + Integer.toUnsignedString(dataIn.dataSN()) + ", expected "
                    + nextDataSN);
        }
        nextDataSN++;
        if (length > 0) {
            if (dst == null || offset + length > expectedLength) {
                throw new IscsiException("Data-In for bytes " + offset + "+" + length + " of a command that reads "
                        + (dst == null ? 0 : expectedLength));
            }
            ByteBuf data = dataIn.data();
            if (data != placed) {
                ByteBuffer target = dst.duplicate();
                target.limit(dst.position() + (int) offset + length).position(dst.position() + (int) offset);
                data.getBytes(data.readerIndex(), target);
            }
            placed = null;
            received = Math.max(received, (int) offset + length);
        }
        if (dataIn.statusPresent()) {
            long residual = residual(dataIn.residualUnderflow(), dataIn.residualOverflow(), dataIn.residualCount());
            complete(new ScsiResult(dataIn.status(), null, readView(residual), residual));
            return true;
        }
        return false;
    }

    /**
     * Takes the SCSI Response: ISSUED → COMPLETED (or FAILED for a target failure response).
     *
     * @param response the PDU (not released here)
     */
    public void onResponse(ScsiResponse response) {
        checkState(State.ISSUED);
        if (response.response() != 0) {
            fail(new IscsiException("the target failed the command (iSCSI response 0x"
                    + Integer.toHexString(response.response()) + ")"));
            return;
        }
        long residual = residual(response.residualUnderflow(), response.residualOverflow(),
                response.residualCount());
        byte[] sense = response.sense();
        complete(new ScsiResult(response.status(), sense.length == 0 ? null : SenseData.decode(sense),
                readView(residual), residual));
    }

    private static long residual(boolean underflow, boolean overflow, long count) {
        return underflow ? count : overflow ? -count : 0;
    }

    private ByteBuffer readView(long residual) {
        ByteBuffer dst = request.dataIn();
        if (dst == null) {
            return ByteBuffer.allocate(0);
        }
        int length = residual > 0 ? (int) Math.max(0, expectedLength - residual) : received;
        length = Math.min(length, expectedLength);
        ByteBuffer view = dst.duplicate();
        view.limit(dst.position() + length);
        return view.slice();
    }

    /** ISSUED → QUEUED: the connection was lost and the session will issue the command again. */
    public void requeue() {
        checkState(State.ISSUED);
        state = State.QUEUED;
    }

    private void complete(ScsiResult result) {
        state = State.COMPLETED;
        release();
        future.complete(result);
    }

    /**
     * Ends the task without an answer (from QUEUED or ISSUED; ignored once ended).
     *
     * @param cause the failure
     */
    public void fail(Throwable cause) {
        if (state == State.COMPLETED || state == State.FAILED) {
            return;
        }
        state = State.FAILED;
        release();
        future.completeExceptionally(cause);
    }

    private void release() {
        if (outData != null) {
            outData.release();
        }
    }

    private void checkState(State expected) {
        if (state != expected) {
            throw new IllegalStateException("task 0x" + Integer.toHexString(itt) + " is " + state + ", not "
                    + expected);
        }
    }

    @Override
    public String toString() {
        return "CommandTask[itt=0x" + Integer.toHexString(itt) + ", cmdSN=" + Integer.toUnsignedString(cmdSN) + ", "
                + state + ", " + request + "]";
    }
}
