package io.iscsi4j.core.session;

import io.iscsi4j.core.pdu.ScsiCommand;
import io.iscsi4j.scsi.AdditionalSense;
import io.iscsi4j.scsi.ItNexus;
import io.iscsi4j.scsi.LogicalUnit;
import io.iscsi4j.scsi.ScsiStatus;
import io.iscsi4j.scsi.ScsiTask;
import io.iscsi4j.scsi.SenseData;
import io.iscsi4j.scsi.SenseKey;
import io.iscsi4j.scsi.TaskAttribute;
import io.iscsi4j.scsi.UnitStatistics;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * One SCSI command of a session, seen from the SCSI layer as a {@link ScsiTask}. Holds the Data-In buffer for
 * reads and the {@link WriteTransfer} for writes. {@link #complete} may run on any thread; it hands the task back
 * to the connection's event loop (the task is its own {@link Runnable}, so no allocation on that path).
 */
final class ScsiCommandTask implements ScsiTask, Runnable, WriteTransfer.R2TSender {

    private final Session session;
    final int initiatorTaskTag;
    final int cmdSN;
    final boolean immediate;
    private final long lun;
    private final ByteBuffer cdb;
    private final TaskAttribute attribute;
    private final boolean read;
    private final boolean write;
    final long expectedLength;
    final WriteTransfer writeTransfer;

    ByteBuf dataIn;
    private CompletableFuture<ByteBuffer> dataOutWaiter;

    // Completion, written by the completing thread and read on the event loop after the hand-off.
    ScsiStatus status;
    SenseData sense;
    int dataLength;
    private boolean completed;
    /** Set by task management: the task ends without a SCSI response. */
    boolean aborted;
    /** The task management response waiting for this aborted task's I/O to finish, or {@code null}. */
    TaskManagement.PendingResponse abortResponse;
    /** Set on the event loop when the SCSI layer's completion reached it. */
    boolean scsiDone;
    /** Set on the event loop when the connection is gone: the result is dropped, buffers released. */
    boolean abandoned;
    /**
     * Set on the event loop once the SCSI layer only waits for a background operation of the logical unit
     * ({@link #continuesInBackground()}): aborting the task or losing the connection ends it at once.
     */
    boolean background;
    /** Set on the event loop when the session ended the task: a completion arriving later is ignored. */
    boolean ended;
    /** When the command arrived ({@link System#nanoTime()}). */
    private final long arrivalNanos;
    /** The counters of the logical unit the command addressed when it arrived, or {@code null}. */
    private UnitStatistics statistics;
    /** Bytes of the session's data buffer budget this task holds (0 when none). */
    int bufferBytes;

    ScsiCommandTask(Session session, ScsiCommand pdu, WriteTransfer writeTransfer) {
        this.session = session;
        this.initiatorTaskTag = pdu.initiatorTaskTag();
        this.cmdSN = pdu.cmdSN();
        this.immediate = pdu.immediate();
        this.lun = pdu.lun();
        this.cdb = ByteBuffer.wrap(pdu.cdb()).asReadOnlyBuffer();
        this.attribute = attributeOf(pdu.attribute());
        this.read = pdu.read();
        this.write = pdu.write();
        this.expectedLength = pdu.expectedDataTransferLength();
        this.writeTransfer = writeTransfer;
        this.arrivalNanos = System.nanoTime();
    }

    /** Event loop: the command was accepted for a logical unit (or {@code null}: none at its LUN). */
    void unitStarted(LogicalUnit unit) {
        if (unit != null) {
            statistics = unit.statistics();
            statistics.commandStarted();
        }
    }

    /** Event loop, exactly once per accepted command: the command let go of its logical unit. */
    void unitEnded() {
        if (statistics != null) {
            statistics.commandEnded();
            statistics = null;
        }
    }

    /** Event loop: the command is answered now; counts it. No allocation. */
    void recordStatistics() {
        UnitStatistics s = statistics;
        if (s != null) {
            boolean good = status == ScsiStatus.GOOD || status == ScsiStatus.CONDITION_MET;
            long bytes = good ? Math.max(0, Math.min(dataLength, expectedLength)) : 0;
            s.record(cdb.limit() > 0 ? cdb.get(0) & 0xFF : -1, status, bytes, System.nanoTime() - arrivalNanos);
        }
    }

    private static TaskAttribute attributeOf(int code) {
        return code <= 4 ? TaskAttribute.fromCode(code) : TaskAttribute.SIMPLE;
    }

    @Override
    public ByteBuffer cdb() {
        return cdb.duplicate();
    }

    @Override
    public long lun() {
        return lun;
    }

    @Override
    public ItNexus nexus() {
        return session.nexus();
    }

    @Override
    public TaskAttribute attribute() {
        return attribute;
    }

    @Override
    public boolean isWrite() {
        return write;
    }

    @Override
    public boolean isRead() {
        return read;
    }

    @Override
    public long expectedTransferLength() {
        return expectedLength;
    }

    @Override
    public ByteBuffer allocateDataIn(int length) {
        if (length < 0 || length > expectedLength) {
            throw new IllegalArgumentException("Data-In length " + length + " outside 0.." + expectedLength);
        }
        if (dataIn != null) {
            throw new IllegalStateException("Data-In buffer already allocated");
        }
        if (length == 0) {
            dataIn = Unpooled.EMPTY_BUFFER;
            return ByteBuffer.allocate(0);
        }
        ByteBuf buf = session.alloc().directBuffer(length, length);
        buf.writerIndex(length);
        dataIn = buf;
        return buf.nioBuffer(0, length);
    }

    @Override
    public CompletionStage<ByteBuffer> receiveDataOut(int length) {
        if (writeTransfer == null) {
            // A CDB that transfers data to the target in a SCSI Command without the W bit (RFC 7143 §11.3.1.1):
            // no Data-Out will come. Answer the command here; the failed stage keeps the SCSI layer from doing so.
            complete(ScsiStatus.CHECK_CONDITION,
                    SenseData.of(SenseKey.ILLEGAL_REQUEST, AdditionalSense.INVALID_FIELD_IN_CDB), 0);
            return CompletableFuture.failedFuture(new IllegalStateException(
                    "the SCSI Command carries no Data-Out (W bit clear)"));
        }
        if (length < 0 || length > expectedLength) {
            throw new IllegalArgumentException("Data-Out length " + length + " outside 0.." + expectedLength);
        }
        CompletableFuture<ByteBuffer> f = new CompletableFuture<>();
        if (session.inEventLoop()) {
            session.startDataOut(this, length, f);
        } else {
            session.execute(() -> session.startDataOut(this, length, f));
        }
        return f;
    }

    void setDataOutWaiter(CompletableFuture<ByteBuffer> f) {
        dataOutWaiter = f;
    }

    /** Completes a waiting receiveDataOut stage when all data arrived. */
    void dataOutProgress() {
        CompletableFuture<ByteBuffer> f = dataOutWaiter;
        if (f != null) {
            ByteBuffer b = writeTransfer.completeIfDone();
            if (b != null) {
                dataOutWaiter = null;
                f.complete(b.duplicate());
            }
        }
    }

    /** Fails a waiting receiveDataOut stage: the SCSI layer will not complete the task; we do. */
    boolean failDataOut(Throwable cause) {
        CompletableFuture<ByteBuffer> f = dataOutWaiter;
        if (f != null) {
            dataOutWaiter = null;
            f.completeExceptionally(cause);
            return true;
        }
        return false;
    }

    @Override
    public void complete(ScsiStatus status, SenseData sense, int dataLength) {
        synchronized (this) {
            if (completed) {
                throw new IllegalStateException("task 0x" + Integer.toHexString(initiatorTaskTag)
                        + " completed twice");
            }
            completed = true;
        }
        this.status = status;
        this.sense = sense;
        this.dataLength = dataLength;
        if (session.inEventLoop()) {
            run();
        } else {
            session.execute(this);
        }
    }

    @Override
    public void continuesInBackground() {
        if (session.inEventLoop()) {
            session.continuesInBackground(this);
        } else {
            session.execute(() -> session.continuesInBackground(this));
        }
    }

    /** On the event loop: the SCSI layer finished; send the response. */
    @Override
    public void run() {
        session.finish(this);
    }

    @Override
    public void sendR2T(int targetTransferTag, int r2tSN, int offset, int length) {
        session.sendR2T(this, targetTransferTag, r2tSN, offset, length);
    }

    /** Releases the task's buffers. Idempotent. */
    void releaseBuffers() {
        if (dataIn != null) {
            dataIn.release();
            dataIn = null;
        }
        if (writeTransfer != null) {
            writeTransfer.release();
        }
    }
}
