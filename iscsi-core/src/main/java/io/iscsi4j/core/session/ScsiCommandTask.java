package io.iscsi4j.core.session;

import io.iscsi4j.backstore.BackstoreCapability;
import io.iscsi4j.core.pdu.ScsiCommand;
import io.iscsi4j.scsi.AdditionalSense;
import io.iscsi4j.scsi.ItNexus;
import io.iscsi4j.scsi.LogicalUnit;
import io.iscsi4j.scsi.ScsiStatus;
import io.iscsi4j.scsi.ScsiTask;
import io.iscsi4j.scsi.SenseData;
import io.iscsi4j.scsi.SenseKey;
import io.iscsi4j.scsi.TaskAttribute;
import io.iscsi4j.scsi.TaskOrdering;
import io.iscsi4j.scsi.UnitStatistics;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.function.BiConsumer;

/**
 * One SCSI command of a session, seen from the SCSI layer as a {@link ScsiTask}, and the one owner of the command's
 * life. Holds the Data-In buffer for reads and the {@link WriteTransfer} for writes.
 *
 * <h2>Lifecycle</h2>
 * A command waiting for its CmdSN is a PDU in the {@link CommandSequencer}, not a task yet. From then on:
 * <pre>
 *  QUEUED ──dispatched──► EXECUTING ◄──dataOutArrived── WAITING_FOR_DATA_OUT
 *    │                     │  │  └────awaitDataOut──────────►  │
 *    │                     │  └──background──► BACKGROUND      │
 *    │                     ▼                    │              │
 *    │               scsiCompleted ◄────────────┘              │
 *    │                     │ (response waits for unsolicited data: COMPLETED)
 *    └───────────────► ENDED ◄─────────────────────────────────┘ (aborted: the Data-Out callback fails)
 * </pre>
 * <ul>
 *   <li>QUEUED: accepted, waiting for data buffer budget, or for the tasks of the I_T nexus this session replaced
 *       to end ({@link BufferBudget}); then, in the logical unit's task set, for its turn by task attribute
 *       ({@link TaskOrdering}: an ORDERED task, or a task after one, waits for the tasks before it to end).</li>
 *   <li>EXECUTING: with the SCSI layer. Once the SCSI layer was allowed a backstore call
 *       ({@link #startingBackstoreCall}) the task is <em>in the backstore</em> until the SCSI layer completes it.</li>
 *   <li>WAITING_FOR_DATA_OUT: the SCSI layer waits for Data-Out and has no backstore call running.</li>
 *   <li>BACKGROUND: the SCSI layer only waits for an operation of the logical unit (SANITIZE).</li>
 *   <li>COMPLETED: the SCSI layer completed without taking the data; the response waits for the unsolicited data
 *       still arriving.</li>
 *   <li>ENDED: answered or aborted; buffers released; the tasks waiting for it ({@link #whenEnded}) run.</li>
 * </ul>
 * Aborted (by a task management function, a PREEMPT AND ABORT, a session reinstatement or the loss of the
 * connection) is a flag reachable from every state but ENDED; {@link #abort} says whether the task may end at once.
 * The rules: a backstore call never starts for an aborted task (the abort and {@link #startingBackstoreCall} race on
 * one atomic word); a task whose backstore call may be running ends only when the SCSI layer completed it; an
 * aborted task never sends status.
 *
 * <p>Buffers: the task owns its Data-In buffer and its Data-Out ({@link WriteTransfer}) and releases them when it
 * ends. A backstore call that exceeded its logical unit's backstore timeout outlives the task (the task ended with NOT
 * READY): the SCSI layer then takes its own reference to both with {@link #retainBuffers} before completing the
 * task, and drops it when the call has completed, so the pooled memory is not reused under the call.
 *
 * <p>Task set: a task enters its logical unit's {@link TaskOrdering} when the budget lets it go to the SCSI layer
 * ({@link #enterTaskSet}) and leaves it when it ends ({@link #leaveTaskSet}): a task aborted while it waits for its
 * turn is withdrawn, so the tasks after it do not wait for it.
 *
 * <p>Threads: everything but {@link #complete}, {@link #receiveDataOut}, {@link #continuesInBackground},
 * {@link #onTurn}, {@link #startingBackstoreCall} and {@link #retainBuffers} runs on the session's event loop.
 * {@link #complete} hands the task back to the event loop (the task is its own {@link Runnable}, so no allocation on
 * that path); once the event loop has stopped (the target closed) it releases the task's buffers itself.
 */
final class ScsiCommandTask implements ScsiTask, Runnable, WriteTransfer.R2TSender, TaskOrdering.Turn {

    private static final Logger LOG = LoggerFactory.getLogger(ScsiCommandTask.class);

    /** Where a task is in its life; see the class comment. */
    enum State {
        /** Accepted; waiting for data buffer budget, for a replaced nexus's tasks to end, or for its turn. */
        QUEUED,
        /** With the SCSI layer (perhaps in the backstore). */
        EXECUTING,
        /** The SCSI layer waits for Data-Out; no backstore call of the task is running. */
        WAITING_FOR_DATA_OUT,
        /** The SCSI layer only waits for a background operation of the logical unit. */
        BACKGROUND,
        /** The SCSI layer completed; the response waits for unsolicited Data-Out still to come. */
        COMPLETED,
        /** Answered or aborted; nothing of the task runs any more. */
        ENDED
    }

    /** {@link #io} bit: the task was aborted; no backstore call may start. */
    private static final int IO_ABORTED = 1;
    /** {@link #io} bit: a backstore call was allowed to start. */
    private static final int IO_STARTED = 2;
    private static final VarHandle IO;

    static {
        try {
            IO = MethodHandles.lookup().findVarHandle(ScsiCommandTask.class, "io", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

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
    /** The SCSI layer's Data-Out callback while WAITING_FOR_DATA_OUT, else {@code null}; event loop only. */
    private BiConsumer<? super ByteBuffer, ? super Throwable> dataOutWaiter;

    // Completion, written by the completing thread and read on the event loop after the hand-off.
    ScsiStatus status;
    SenseData sense;
    int dataLength;
    private boolean completed;

    /** Event loop only. */
    private State state = State.QUEUED;
    /** Event loop only: set by {@link #abort}; the task ends without a SCSI response. */
    private boolean aborted;
    /** {@link #IO_ABORTED} and {@link #IO_STARTED}; any thread, through {@link #IO}. */
    @SuppressWarnings("unused")
    private volatile int io;
    /** What runs when the task ends (fences waiting for it), or {@code null}; event loop only. */
    private List<Runnable> endWaiters;
    /** When the command arrived ({@link System#nanoTime()}). */
    private final long arrivalNanos;
    /** The logical unit the command addressed when it arrived, or {@code null}. */
    private LogicalUnit unit;
    /** {@link #unit}'s storage only copies memory ({@link BackstoreCapability#NON_BLOCKING}); see {@link BufferBudget}. */
    private boolean memorySpeed;
    /** The counters of {@link #unit} until the task let go of it, or {@code null}. */
    private UnitStatistics statistics;
    /** Bytes of the session's data buffer budget this task holds (0 when none). */
    int bufferBytes;
    /** The task's place in {@link #unit}'s task set once it may start, or {@code null}; event loop only. */
    private TaskOrdering.Ticket ticket;
    /** Event loop only: admitted to {@link #unit}'s task set, waiting for its turn (no ticket yet). */
    private boolean waitingForTurn;

    ScsiCommandTask(Session session, ScsiCommand pdu, WriteTransfer writeTransfer) {
        this.session = session;
        this.initiatorTaskTag = pdu.initiatorTaskTag();
        this.cmdSN = pdu.cmdSN();
        this.immediate = pdu.immediate();
        this.lun = pdu.lun();
        this.cdb = pdu.cdbView();
        this.attribute = attributeOf(pdu.attribute());
        this.read = pdu.read();
        this.write = pdu.write();
        this.expectedLength = pdu.expectedDataTransferLength();
        this.writeTransfer = writeTransfer;
        this.arrivalNanos = System.nanoTime();
    }

    /** Event loop: the command was accepted for a logical unit (or {@code null}: none at its LUN). */
    void unitStarted(LogicalUnit unit) {
        this.unit = unit;
        this.memorySpeed = unit != null
                && unit.backstore().capabilities().contains(BackstoreCapability.NON_BLOCKING);
        if (unit != null) {
            statistics = unit.statistics();
            statistics.commandStarted();
        }
    }

    /** {@return the logical unit the command addressed when it arrived, or {@code null}} */
    LogicalUnit unit() {
        return unit;
    }

    // ---- the logical unit's task set (event loop, but onTurn) ----

    /**
     * Enters the logical unit's task set, or finds the task's turn already come.
     *
     * @return whether the task may go to the SCSI layer now; {@code false} when it waits for its turn
     *     ({@link #onTurn}); {@code true} too when no logical unit is addressed
     */
    boolean enterTaskSet() {
        if (ticket != null || unit == null) {
            return true;
        }
        ticket = unit.taskOrdering().admit(attribute, this);
        waitingForTurn = ticket == null;
        return !waitingForTurn;
    }

    /** Any thread: the task's turn came; the session takes it on its event loop. */
    @Override
    public void onTurn(TaskOrdering.Ticket t) {
        session.turnCame(this, t);
    }

    /**
     * Event loop: the task's turn came ({@link #onTurn}).
     *
     * @return whether the task goes to the SCSI layer now; {@code false} when it ended meanwhile (aborted while its
     *     turn was on its way), and its ticket is given back
     */
    boolean turnCame(TaskOrdering.Ticket t) {
        if (state == State.ENDED) {
            unit.taskOrdering().ended(t);
            return false;
        }
        ticket = t;
        waitingForTurn = false;
        return true;
    }

    /** Whether the task waits for its turn in the task set: it reaches the SCSI layer only once its turn came. */
    boolean waitingForTurn() {
        return waitingForTurn;
    }

    /**
     * Event loop, once, as the task ends: leaves the task set. A task still waiting for its turn is withdrawn; if its
     * turn is on its way already, {@link #turnCame} gives the ticket back.
     */
    void leaveTaskSet() {
        if (ticket != null) {
            unit.taskOrdering().ended(ticket);
            ticket = null;
        } else if (waitingForTurn) {
            unit.taskOrdering().withdraw(this);
        }
        waitingForTurn = false;
    }

    // ---- lifecycle (event loop) ----

    State state() {
        return state;
    }

    boolean aborted() {
        return aborted;
    }

    /** QUEUED to EXECUTING: the task goes to the SCSI layer now. */
    void dispatched() {
        expect(state == State.QUEUED, "dispatched");
        state = State.EXECUTING;
    }

    /** EXECUTING to WAITING_FOR_DATA_OUT: the SCSI layer waits for {@code waiter} to be called. */
    void awaitDataOut(BiConsumer<? super ByteBuffer, ? super Throwable> waiter) {
        expect(state == State.EXECUTING, "awaitDataOut");
        state = State.WAITING_FOR_DATA_OUT;
        dataOutWaiter = waiter;
    }

    /** Hands the data to a waiting Data-Out callback when all of it arrived (back to EXECUTING). */
    void dataOutProgress() {
        BiConsumer<? super ByteBuffer, ? super Throwable> w = dataOutWaiter;
        if (w != null) {
            ByteBuffer b = writeTransfer.completeIfDone();
            if (b != null) {
                dataOutWaiter = null;
                state = State.EXECUTING;
                call(w, b, null); // handed out once: the SCSI layer owns its position and limit
            }
        }
    }

    /**
     * Fails a waiting Data-Out callback: the SCSI layer will not complete the task. From WAITING_FOR_DATA_OUT back to
     * EXECUTING, where the caller ends or answers the task.
     *
     * @return whether a callback was waiting
     */
    boolean failDataOut(Throwable cause) {
        BiConsumer<? super ByteBuffer, ? super Throwable> w = dataOutWaiter;
        if (w == null) {
            return false;
        }
        dataOutWaiter = null;
        state = State.EXECUTING;
        refuseDataOut(w, cause);
        return true;
    }

    /** Tells a Data-Out callback that no data comes: the transport ends or answers the task itself. */
    static void refuseDataOut(BiConsumer<? super ByteBuffer, ? super Throwable> waiter, Throwable cause) {
        call(waiter, null, cause);
    }

    /**
     * Calls a Data-Out callback. What it throws is logged and goes no further: the task is still completed by what
     * the callback started, if anything; ending it here could release its buffers under a backstore call the callback
     * started before it threw.
     */
    private static void call(BiConsumer<? super ByteBuffer, ? super Throwable> waiter, ByteBuffer data,
                             Throwable failure) {
        try {
            waiter.accept(data, failure);
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable e) {
            LOG.error("the SCSI layer's Data-Out callback failed", e);
        }
    }

    /**
     * EXECUTING to BACKGROUND: the SCSI layer only waits for an operation of the logical unit.
     *
     * @return whether the task moved (it may have ended or completed meanwhile)
     */
    boolean background() {
        if (state != State.EXECUTING) {
            return false;
        }
        state = State.BACKGROUND;
        return true;
    }

    /**
     * The SCSI layer's completion reached the event loop.
     *
     * @return {@code false} when the task had already ended (it waited for a background operation), so the
     *     completion is ignored
     */
    boolean scsiCompleted() {
        if (state == State.ENDED) {
            return false;
        }
        expect(state == State.EXECUTING || state == State.BACKGROUND, "scsiCompleted");
        state = State.COMPLETED;
        return true;
    }

    /**
     * Marks the task aborted: it will never send status, and no backstore call starts for it from now on.
     *
     * @return whether it may end at once: the SCSI layer never had it (QUEUED), no longer touches it (BACKGROUND,
     *     COMPLETED) or only waited for Data-Out (its stage is failed here, so the SCSI layer will not complete it);
     *     {@code false} when it runs in the SCSI layer, perhaps in the backstore, and ends when the SCSI layer
     *     completes it, or when it has ended already
     */
    boolean abort() {
        if (state == State.ENDED) {
            return false;
        }
        aborted = true;
        int bits = (int) IO.getAndBitwiseOr(this, IO_ABORTED);
        return switch (state) {
            case QUEUED, BACKGROUND, COMPLETED -> true;
            case WAITING_FOR_DATA_OUT -> (bits & IO_STARTED) == 0
                    && failDataOut(new CancellationException("task aborted"));
            default -> false;
        };
    }

    /** To ENDED: runs what waited for the end. Idempotent. */
    void end() {
        if (state == State.ENDED) {
            return;
        }
        state = State.ENDED;
        List<Runnable> waiters = endWaiters;
        endWaiters = null;
        if (waiters != null) {
            for (Runnable r : waiters) {
                r.run();
            }
        }
    }

    /** Runs {@code r} on the event loop when the task has ended (at once when it has). */
    void whenEnded(Runnable r) {
        if (state == State.ENDED) {
            r.run();
            return;
        }
        if (endWaiters == null) {
            endWaiters = new ArrayList<>(2);
        }
        endWaiters.add(r);
    }

    private void expect(boolean legal, String transition) {
        if (!legal) {
            throw new IllegalStateException("task 0x" + Integer.toHexString(initiatorTaskTag) + ": " + transition
                    + " in state " + state);
        }
    }

    @Override
    public boolean startingBackstoreCall() {
        int bits;
        do {
            bits = io;
            if ((bits & IO_ABORTED) != 0) {
                return false;
            }
        } while (!IO.compareAndSet(this, bits, bits | IO_STARTED));
        return true;
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
        boolean good = status == ScsiStatus.GOOD || status == ScsiStatus.CONDITION_MET;
        long bytes = good ? Math.max(0, Math.min(dataLength, expectedLength)) : 0;
        UnitStatistics s = statistics;
        if (s != null) {
            s.record(cdb.limit() > 0 ? cdb.get(0) & 0xFF : -1, status, bytes, System.nanoTime() - arrivalNanos);
        }
        session.counters.answered(read, write, bytes, status == ScsiStatus.CHECK_CONDITION);
    }

    private static TaskAttribute attributeOf(int code) {
        return code <= 4 ? TaskAttribute.fromCode(code) : TaskAttribute.SIMPLE;
    }

    @Override
    public ByteBuffer cdb() {
        return cdb; // read-only; callers read it with absolute gets (ScsiTask#cdb)
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

    /** {@return whether the addressed logical unit's storage only copies memory: its reads complete at once} */
    boolean atMemorySpeed() {
        return memorySpeed;
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
        ByteBuf buf = session.allocateDataIn(length);
        buf.writerIndex(length);
        dataIn = buf;
        return NioViews.ofOwn(buf, 0, length); // the buffer is new and ours, so any thread may take its view
    }

    @Override
    public void receiveDataOut(int length, BiConsumer<? super ByteBuffer, ? super Throwable> whenReceived) {
        if (writeTransfer == null) {
            // A CDB that transfers data to the target in a SCSI Command without the W bit (RFC 7143 §11.3.1.1):
            // no Data-Out will come. Answer the command here; the failure keeps the SCSI layer from doing so.
            complete(ScsiStatus.CHECK_CONDITION,
                    SenseData.of(SenseKey.ILLEGAL_REQUEST, AdditionalSense.INVALID_FIELD_IN_CDB), 0);
            refuseDataOut(whenReceived, new IllegalStateException(
                    "the SCSI Command carries no Data-Out (W bit clear)"));
            return;
        }
        if (length < 0 || length > expectedLength) {
            throw new IllegalArgumentException("Data-Out length " + length + " outside 0.." + expectedLength);
        }
        if (session.inEventLoop()) {
            session.startDataOut(this, length, whenReceived);
        } else {
            session.execute(() -> session.startDataOut(this, length, whenReceived));
        }
    }

    @Override
    public void complete(ScsiStatus status, SenseData sense, int dataLength) {
        if (!tryComplete(status, sense, dataLength)) {
            throw new IllegalStateException("task 0x" + Integer.toHexString(initiatorTaskTag) + " completed twice");
        }
    }

    /**
     * Completes the task unless it was completed already (a failure inside the SCSI layer after it answered).
     *
     * @return whether this call completed it
     */
    boolean tryComplete(ScsiStatus status, SenseData sense, int dataLength) {
        synchronized (this) {
            if (completed) {
                return false;
            }
            completed = true;
        }
        this.status = status;
        this.sense = sense;
        this.dataLength = dataLength;
        if (session.inEventLoop()) {
            run();
        } else if (!session.execute(this)) {
            releaseBuffers(); // the event loop stopped: nothing else touches the task any more
        }
        return true;
    }

    /**
     * Any thread, before {@link #complete}: keeps the Data-In buffer and the Data-Out handed to the SCSI layer
     * valid until the returned action runs, whatever happens to the task (see the class comment). The SCSI layer
     * still holds the task (it has not completed it), so neither buffer has been released yet.
     */
    @Override
    public Runnable retainBuffers() {
        ByteBuf in = dataIn;
        ByteBuf out = writeTransfer == null ? null : writeTransfer.handedOut();
        if (in != null) {
            in.retain();
        }
        if (out != null) {
            out.retain();
        }
        return () -> {
            if (in != null) {
                in.release();
            }
            if (out != null) {
                out.release();
            }
        };
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
