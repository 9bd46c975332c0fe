package io.iscsi4j.core.session;

import io.iscsi4j.CommandDecision;
import io.iscsi4j.InterceptedCommand;
import io.iscsi4j.TargetInterceptor;
import io.iscsi4j.core.pdu.DataOut;
import io.iscsi4j.core.pdu.EventLoopWork;
import io.iscsi4j.core.pdu.LogoutRequest;
import io.iscsi4j.core.pdu.NopOut;
import io.iscsi4j.core.pdu.Opcode;
import io.iscsi4j.core.pdu.Pdu;
import io.iscsi4j.core.pdu.PduException;
import io.iscsi4j.core.pdu.RejectReason;
import io.iscsi4j.core.pdu.ScsiCommand;
import io.iscsi4j.core.pdu.TaskManagementRequest;
import io.iscsi4j.core.pdu.TextRequest;
import io.iscsi4j.scsi.AdditionalSense;
import io.iscsi4j.scsi.ItNexus;
import io.iscsi4j.scsi.LogicalUnit;
import io.iscsi4j.scsi.Lun;
import io.iscsi4j.scsi.ScsiDispatcher;
import io.iscsi4j.scsi.ScsiStatus;
import io.iscsi4j.scsi.SenseData;
import io.iscsi4j.scsi.SenseKey;
import io.iscsi4j.scsi.TaskOrdering;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.IntObjectMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BiConsumer;
import java.util.function.Predicate;

/**
 * One iSCSI session in full feature phase (RFC 7143 §3.2, §4): the task table, and the life of each SCSI command
 * from its CmdSN turn to its end. One connection per session (MaxConnections=1); all state lives on that
 * connection's event loop. The jobs around the task table are classes of their own: command ordering
 * ({@link CommandSequencer}), admission to the SCSI layer ({@link BufferBudget}), responses and Data-In sequencing
 * ({@link ResponseSender}), Data-Out sequencing ({@link WriteTransfer}), task management ({@link TaskManagement});
 * a task's states are {@link ScsiCommandTask}'s.
 *
 * <p>Fences: {@link #fence} aborts or awaits tasks and completes once every one of them has ended, so a task
 * management function, a PREEMPT AND ABORT or a new session of the same I_T nexus can wait for them. After the
 * connection closed the session stays in the {@link SessionRegistry} until its last task has ended ({@link
 * #drained()}): a new session of the same I_T nexus sends nothing to the SCSI layer before that.
 */
final class Session implements WriteTransfer.IntSupplierTag {

    private static final Logger LOG = LoggerFactory.getLogger(Session.class);
    private static final int NO_TAG = 0xFFFFFFFF;

    final SessionKey key;
    final int tsih;
    final int cid;
    private final IscsiConnection connection;
    private final ScsiDispatcher dispatcher;
    private final ItNexus nexus;
    final SessionParams params;
    private final CommandSequencer sequencer;
    private final ResponseSender responses;
    private final BufferBudget budget;
    private final IntObjectMap<ScsiCommandTask> tasks = new IntObjectHashMap<>();
    private final TaskManagement taskManagement;
    private final InFlight inFlight;
    /** The target's sessions, for task management functions that reach other I_T nexuses. */
    private final SessionRegistry registry;
    private int nextTransferTag = 1;
    /** The target's interceptor, or {@code null}: one null check per command when none is set. */
    private final TargetInterceptor interceptor;
    /** The view handed to the interceptor, reused for every command (event loop only); null without one. */
    private final CommandView commandView;
    /** Immediate SCSI commands in the task table (capped by {@link io.iscsi4j.ResourceLimits#maxImmediateCommands()}). */
    private int immediateTasks;
    /** Set when the connection closed: no command reaches the SCSI layer any more. */
    private boolean closed;
    private boolean startingQueued;
    /**
     * Tags of SCSI Commands whose immediate data failed its digest, until they are started; at most
     * {@link #MAX_LOST_IMMEDIATE} (older ones are forgotten). {@code null} until the first such command.
     */
    private Set<Integer> lostImmediateData;
    private static final int MAX_LOST_IMMEDIATE = 64;
    /** Completes once the connection closed and every task has ended. */
    private final CompletableFuture<Void> drained = new CompletableFuture<>();
    /** Commands and bytes answered; written on the event loop, read by {@link LiveSession} on any thread. */
    final SessionCounters counters = new SessionCounters();
    /** Tasks in the task table, for {@link LiveSession}; written on the event loop only. */
    private final java.util.concurrent.atomic.AtomicInteger taskCount = new java.util.concurrent.atomic.AtomicInteger();
    /** What {@link LiveSession} shows, set once the session entered full feature phase; {@code null} before. */
    volatile LiveSession.Details details;

    Session(SessionKey key, int tsih, int cid, IscsiConnection connection, ScsiDispatcher dispatcher, ItNexus nexus,
            SessionParams params, int initialCmdSN, InFlight inFlight, SessionRegistry registry) {
        this.key = key;
        this.tsih = tsih;
        this.cid = cid;
        this.connection = connection;
        this.dispatcher = dispatcher;
        this.nexus = nexus;
        this.params = params;
        this.sequencer = new CommandSequencer(params.commandWindow(), initialCmdSN, this::deliver, connection);
        this.responses = new ResponseSender(connection, params, sequencer);
        this.budget = new BufferBudget(connection.limits().maxDataBufferBytesPerSession(),
                connection.limits().maxPendingOutputBytes());
        this.inFlight = inFlight;
        this.registry = registry;
        this.taskManagement = new TaskManagement(this, connection);
        this.interceptor = connection.interceptor();
        this.commandView = interceptor == null ? null : new CommandView();
    }

    ItNexus nexus() {
        return nexus;
    }

    /** The SCSI dispatcher of this session (its ACL's LUN map), {@code null} for a discovery session. */
    ScsiDispatcher dispatcher() {
        return dispatcher;
    }

    /** The target's sessions. */
    SessionRegistry registry() {
        return registry;
    }

    /** Asks the initiator to log out within {@code seconds} (Async Message, AsyncEvent 1); drops it after. */
    void requestLogout(int seconds) {
        execute(() -> connection.requestLogout(seconds));
    }

    ByteBufAllocator alloc() {
        return connection.alloc();
    }

    /** A direct buffer of {@code length} bytes for a read's Data-In ({@link DataInBuffers}). */
    ByteBuf allocateDataIn(int length) {
        return connection.dataInBuffers().allocate(alloc(), length);
    }

    boolean inEventLoop() {
        return connection.inEventLoop();
    }

    /**
     * Runs {@code r} on the session's event loop; once the event loop has stopped, runs nothing.
     *
     * @return {@code false} when the event loop has stopped and {@code r} will not run
     */
    boolean execute(Runnable r) {
        try {
            connection.execute(r);
            return true;
        } catch (RejectedExecutionException e) {
            LOG.debug("{}: event loop stopped, dropping a task", connection);
            return false;
        }
    }

    int expCmdSN() {
        return sequencer.expCmdSN();
    }

    int maxCmdSN() {
        return sequencer.maxCmdSN();
    }

    boolean isDiscovery() {
        return dispatcher == null;
    }

    @Override
    public int nextTag() {
        int t = nextTransferTag++;
        if (nextTransferTag == NO_TAG) {
            nextTransferTag = 1;
        }
        return t;
    }

    // ---- command ordering (RFC 7143 §3.2.2.1) ----

    /**
     * Takes a command-type PDU (SCSI Command, NOP-Out, Text, Logout, Task Management); see {@link CommandSequencer}.
     * The session owns the PDU from here.
     */
    void onCommand(Pdu pdu, int cmdSN, boolean immediate) {
        sequencer.onCommand(pdu, cmdSN, immediate);
    }

    /**
     * A SCSI Command whose immediate data failed its data digest, already answered with a Reject (RFC 7143 §7.8):
     * the command itself counts as correctly delivered and is processed in CmdSN order like any other, with its
     * immediate data lost. At ErrorRecoveryLevel 0 it then ends with CHECK CONDITION, ABORTED COMMAND / PROTOCOL
     * SERVICE CRC ERROR once the initiator has sent all the unsolicited data that follows it (unless it ends before
     * needing its data, with a unit attention for example); nothing of it is written. A command with an AHS cannot
     * be rebuilt from its BHS and is only rejected.
     *
     * @param bhs the command's BHS; not retained
     */
    void onCommandDataLost(ByteBuf bhs) {
        int base = bhs.readerIndex();
        if (bhs.getByte(base + 4) != 0) {
            LOG.debug("{}: SCSI Command with an AHS and a data digest error; only rejected", connection);
            return;
        }
        int length = bhs.getUnsignedMedium(base + 5);
        Pdu pdu;
        try {
            pdu = Pdu.decode(bhs.duplicate(), Unpooled.EMPTY_BUFFER, alloc().buffer(length).writeZero(length));
        } catch (PduException e) {
            LOG.debug("{}: SCSI Command with a data digest error does not decode: {}", connection, e.getMessage());
            return;
        }
        if (!(pdu instanceof ScsiCommand c)) {
            pdu.release();
            return;
        }
        if (lostImmediateData == null) {
            lostImmediateData = new LinkedHashSet<>();
        }
        if (lostImmediateData.size() >= MAX_LOST_IMMEDIATE) {
            Iterator<Integer> oldest = lostImmediateData.iterator();
            oldest.next();
            oldest.remove();
        }
        lostImmediateData.add(c.initiatorTaskTag());
        sequencer.onCommand(c, c.cmdSN(), c.immediate());
    }

    /** See {@link CommandSequencer#discardNotYetReceived}. */
    boolean discardNotYetReceived(int refCmdSN, int tmfCmdSN) {
        return sequencer.discardNotYetReceived(refCmdSN, tmfCmdSN);
    }

    private void deliver(Pdu pdu, boolean counted) {
        if (pdu instanceof ScsiCommand c) {
            startScsiCommand(c, counted);
            return;
        }
        boolean answeredNow = !(pdu instanceof TaskManagementRequest);
        if (counted && answeredNow) {
            // NOP-Out, Text and Logout are answered right here: their response already carries the MaxCmdSN of
            // the window without them (with a window of 1 or 2 it would otherwise look closed or one short).
            sequencer.completed();
        }
        try {
            if (pdu instanceof NopOut n) {
                connection.onNopOut(n);
            } else if (pdu instanceof TextRequest t) {
                connection.onText(t);
            } else if (pdu instanceof LogoutRequest l) {
                connection.onLogout(l);
            } else if (pdu instanceof TaskManagementRequest t) {
                taskManagement.onRequest(t);
            }
        } finally {
            pdu.release();
            if (counted && !answeredNow) {
                sequencer.completed();
            }
        }
    }

    // ---- SCSI commands ----

    private void startScsiCommand(ScsiCommand c, boolean counted) {
        boolean immediateDataLost = lostImmediateData != null && lostImmediateData.remove(c.initiatorTaskTag());
        try {
            if (dispatcher == null) {
                connection.sendReject(RejectReason.PROTOCOL_ERROR, c);
                completedUncounted(counted);
                return;
            }
            int itt = c.initiatorTaskTag();
            if (itt == NO_TAG || tasks.containsKey(itt)) {
                connection.sendReject(RejectReason.TASK_IN_PROGRESS, c);
                completedUncounted(counted);
                return;
            }
            int immediateLength = c.dataSegmentLength();
            if (immediateLength > 0 && (!c.write() || !params.immediateData()
                    || immediateLength > params.firstBurstLength())) {
                connection.sendReject(RejectReason.PROTOCOL_ERROR, c);
                completedUncounted(counted);
                return;
            }
            boolean unsolicitedFollows = c.write() && !c.finalFlag();
            if (unsolicitedFollows && params.initialR2T()) {
                connection.sendReject(RejectReason.PROTOCOL_ERROR, c);
                completedUncounted(counted);
                return;
            }
            CommandDecision decision = null;
            if (interceptor != null) {
                decision = intercept(c);
                if (decision.kind() == CommandDecision.Kind.DROP_CONNECTION) {
                    LOG.info("{}: connection dropped by the interceptor at ITT 0x{}", connection,
                            Integer.toHexString(itt));
                    connection.closeNow();
                    completedUncounted(counted);
                    return;
                }
            }
            WriteTransfer wt = null;
            if (c.write()) {
                wt = new WriteTransfer(c.expectedDataTransferLength(), c.data().retain(), unsolicitedFollows,
                        params.firstBurstLength(), params.maxBurstLength(), params.maxOutstandingR2T());
                if (wt.immediateTooLong()) {
                    wt.release();
                    connection.sendReject(RejectReason.PROTOCOL_ERROR, c);
                    completedUncounted(counted);
                    return;
                }
                if (immediateDataLost) {
                    wt.markLost(NO_TAG, c.finalFlag()); // the unsolicited sequence ends with the command or later
                }
            }
            if (!counted && immediateTasks >= connection.limits().maxImmediateCommands()) {
                // RFC 7143 §11.17.1 reason 0x06: too many immediate commands.
                if (wt != null) {
                    wt.release();
                }
                connection.sendReject(RejectReason.IMMEDIATE_COMMAND_REJECT, c);
                return;
            }
            ScsiCommandTask task = new ScsiCommandTask(this, c, wt);
            tasks.put(itt, task);
            taskCount.lazySet(tasks.size());
            if (!counted) {
                immediateTasks++;
            }
            inFlight.increment();
            EventLoopWork.current().begin();
            task.unitStarted(dispatcher.logicalUnit(Lun.decode(c.lun())));
            if (decision != null && decision.kind() == CommandDecision.Kind.RESPOND) {
                // Answered without running; data still arriving for it is taken and discarded by the transfer.
                task.dispatched();
                task.complete(decision.status(), decision.sense(), 0);
                return;
            }
            if (budget.admit(task, connection.channel().isWritable())) {
                dispatch(task);
            }
        } finally {
            c.release();
        }
    }

    /** Asks the interceptor about a command; a failing or null-returning interceptor lets it proceed. */
    private CommandDecision intercept(ScsiCommand c) {
        commandView.command = c;
        try {
            CommandDecision d = interceptor.beforeCommand(commandView);
            return d != null ? d : CommandDecision.proceed();
        } catch (RuntimeException e) {
            LOG.warn("{}: command interceptor failed, running the command", connection, e);
            return CommandDecision.proceed();
        } finally {
            commandView.command = null;
        }
    }

    /** The interceptor's view of the current command. */
    private final class CommandView implements InterceptedCommand {

        ScsiCommand command;

        private ScsiCommand current() {
            ScsiCommand c = command;
            if (c == null) {
                throw new IllegalStateException("an intercepted command is valid only during beforeCommand");
            }
            return c;
        }

        @Override
        public String initiatorName() {
            current();
            return key.initiatorName();
        }

        @Override
        public String targetName() {
            current();
            return key.targetName();
        }

        @Override
        public int lun() {
            return Lun.decode(current().lun());
        }

        @Override
        public int operationCode() {
            return current().cdbByte(0) & 0xFF;
        }

        @Override
        public ByteBuffer cdb() {
            return ByteBuffer.wrap(current().cdb()).asReadOnlyBuffer();
        }

        @Override
        public SocketAddress remoteAddress() {
            current();
            return connection.channel().remoteAddress();
        }
    }

    private void completedUncounted(boolean counted) {
        if (counted) {
            sequencer.completed();
        }
    }

    /**
     * Hands a task to the SCSI layer once its task attribute lets it start in the logical unit's task set
     * ({@link TaskOrdering}); until then it stays QUEUED and {@link #turnCame} brings it back here. Whatever the SCSI
     * layer throws (an {@link Error} too, but a {@link VirtualMachineError}, which is rethrown) ends the task with
     * CHECK CONDITION, HARDWARE ERROR / INTERNAL TARGET FAILURE unless it was answered already, so no task is left in
     * the table.
     *
     * <p>A task enters the task set after the data buffer budget admitted it, in the order the budget releases tasks,
     * so it waits there only for tasks that entered before it, which hold their budget already: a task holding budget
     * never waits for a later one, and the two waits cannot deadlock.
     */
    private void dispatch(ScsiCommandTask task) {
        if (!task.enterTaskSet()) {
            return;
        }
        task.dispatched();
        try {
            dispatcher.execute(task);
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable e) {
            LOG.error("{}: SCSI dispatcher failed on ITT 0x{}", connection, Integer.toHexString(task.initiatorTaskTag),
                    e);
            task.tryComplete(ScsiStatus.CHECK_CONDITION, SenseData.of(
                    SenseKey.HARDWARE_ERROR,
                    AdditionalSense.INTERNAL_TARGET_FAILURE), 0);
        }
    }

    /**
     * Any thread: the turn of a task waiting in its logical unit's task set came; it goes to the SCSI layer on this
     * session's event loop, unless it was aborted meanwhile. Once the event loop has stopped, the ticket is given back.
     */
    void turnCame(ScsiCommandTask task, TaskOrdering.Ticket ticket) {
        try {
            connection.execute(() -> {
                if (task.turnCame(ticket)) {
                    dispatch(task);
                }
            });
        } catch (RejectedExecutionException e) {
            task.unit().taskOrdering().ended(ticket);
        }
    }

    /**
     * Dispatches queued commands in order while they may start (see {@link BufferBudget}). Called when a task ends
     * and when the connection's output drops below its low water mark.
     */
    void startDeferred() {
        if (startingQueued || closed) {
            return;
        }
        startingQueued = true;
        try {
            ScsiCommandTask next;
            while (!closed && (next = budget.pollReady(connection.channel().isWritable())) != null) {
                dispatch(next);
            }
        } finally {
            startingQueued = false;
        }
    }

    /**
     * On the event loop, before any command arrives: no command of this session reaches the SCSI layer before
     * {@code predecessorsEnded} completes (the tasks of the earlier sessions of this I_T nexus have ended).
     */
    void awaitPredecessors(CompletionStage<Void> predecessorsEnded) {
        if (predecessorsEnded.toCompletableFuture().isDone()) {
            return;
        }
        budget.closeGate();
        predecessorsEnded.whenComplete((v, e) -> execute(this::openGate));
    }

    /** The tasks of the sessions this one replaced have ended: queued commands may go to the SCSI layer. */
    private void openGate() {
        budget.openGate();
        startDeferred();
    }

    /** On the event loop: the SCSI layer asked for Data-Out bytes, to be handed to {@code waiter}. */
    void startDataOut(ScsiCommandTask task, int length, BiConsumer<? super ByteBuffer, ? super Throwable> waiter) {
        if (task.aborted()) {
            // Aborted while the SCSI layer was on its way here: it will not complete the task now; we end it.
            ScsiCommandTask.refuseDataOut(waiter, new CancellationException("task aborted"));
            endTask(task);
            return;
        }
        task.awaitDataOut(waiter);
        task.writeTransfer.start(length, alloc(), this, task);
        connection.flushSoon();
        if (task.writeTransfer.dataLost()) {
            failIfLostAndSettled(task);
        } else {
            task.dataOutProgress();
        }
    }

    /**
     * A Data-Out PDU was discarded for a data digest error (already answered with a Reject): the task's data is
     * incomplete. RFC 7143 §7.8 at ErrorRecoveryLevel 0: once the initiator finished its sequences, end the task
     * with CHECK CONDITION, ABORTED COMMAND / PROTOCOL SERVICE CRC ERROR.
     *
     * @param itt the task
     * @param ttt the lost PDU's target transfer tag
     * @param finalFlag the lost PDU's F bit
     */
    void onDataOutLost(int itt, int ttt, boolean finalFlag) {
        ScsiCommandTask task = tasks.get(itt);
        if (task == null || task.writeTransfer == null || task.aborted()) {
            return;
        }
        task.writeTransfer.markLost(ttt, finalFlag);
        failIfLostAndSettled(task);
    }

    private void failIfLostAndSettled(ScsiCommandTask task) {
        WriteTransfer wt = task.writeTransfer;
        if (!wt.lostAndSettled()) {
            return;
        }
        if (task.state() == ScsiCommandTask.State.COMPLETED) {
            respond(task);
        } else if (task.failDataOut(new IOException("Data-Out lost to a data digest error"))) {
            task.status = ScsiStatus.CHECK_CONDITION;
            task.sense = SenseData.of(SenseKey.ABORTED_COMMAND,
                    AdditionalSense.PROTOCOL_SERVICE_CRC_ERROR);
            task.dataLength = 0;
            respond(task);
        }
        // Otherwise the SCSI layer has not asked for the data yet: startDataOut fails it then.
    }

    /** Sends one R2T of a task (RFC 7143 §11.8). */
    void sendR2T(ScsiCommandTask task, int ttt, int r2tSN, int offset, int length) {
        responses.sendR2T(task, ttt, r2tSN, offset, length);
    }

    /**
     * The frame decoder's {@link io.iscsi4j.core.pdu.PduFrameDecoder.SegmentPlacement} in full feature phase: a
     * Data-Out segment that spans socket reads goes straight into its command's write buffer (see
     * {@link WriteTransfer#placement}).
     */
    ByteBuf placeDataOut(ByteBuf bhs, int length) {
        if ((bhs.getByte(0) & 0x3F) != Opcode.DATA_OUT.code()) {
            return null;
        }
        ScsiCommandTask task = tasks.get(bhs.getInt(16)); // Initiator Task Tag
        if (task == null || task.aborted() || task.writeTransfer == null) {
            return null;
        }
        // Target Transfer Tag, DataSN, Buffer Offset (RFC 7143 §11.7)
        return task.writeTransfer.placement(bhs.getInt(20), bhs.getInt(36), bhs.getInt(40), length);
    }

    /** A Data-Out PDU; the session releases it. */
    void onDataOut(DataOut d) {
        try {
            ScsiCommandTask task = tasks.get(d.initiatorTaskTag());
            if (task == null || task.aborted() || task.writeTransfer == null) {
                if (task == null && taskManagement.recentlyAborted(d.initiatorTaskTag())
                        || task != null && task.aborted()) {
                    return; // data still in flight for an aborted task: dropped silently
                }
                connection.sendReject(RejectReason.INVALID_PDU_FIELD, d);
                return;
            }
            RejectReason r = task.writeTransfer.onDataOut(d, this, task);
            if (r != null) {
                connection.sendReject(r, d);
                return;
            }
            if (task.writeTransfer.dataLost()) {
                failIfLostAndSettled(task);
                return;
            }
            task.dataOutProgress();
            if (task.state() == ScsiCommandTask.State.COMPLETED) {
                // The SCSI layer completed early (an error before all data arrived): finish once data is in.
                maybeFinishAfterData(task);
            }
        } finally {
            d.release();
        }
    }

    /**
     * On the event loop: the SCSI layer only waits for a background operation now (SANITIZE without IMMED). A task
     * already aborted ends at once; later aborts end it at once too, and its completion is ignored.
     */
    void continuesInBackground(ScsiCommandTask task) {
        if (task.background() && task.aborted()) {
            endTask(task);
        }
    }

    /** On the event loop: the SCSI layer completed the task. */
    void finish(ScsiCommandTask task) {
        if (!task.scsiCompleted()) {
            return; // ended while it waited for a background operation
        }
        if (task.aborted()) {
            endTask(task); // no status for an aborted task
            return;
        }
        WriteTransfer wt = task.writeTransfer;
        if (wt != null && !wt.started() && !wt.unsolicitedComplete()) {
            // Completed without taking the data (e.g. CHECK CONDITION): answer once the unsolicited data the
            // initiator is still sending has arrived, so no Data-Out comes for a finished task.
            return;
        }
        respond(task);
    }

    private void maybeFinishAfterData(ScsiCommandTask task) {
        if (!task.writeTransfer.started() && task.writeTransfer.unsolicitedComplete()) {
            respond(task);
        }
    }

    private void respond(ScsiCommandTask task) {
        task.recordStatistics();
        if (!task.immediate) {
            sequencer.completed(); // the response carries the window with this command's slot open
        }
        responses.sendResponse(task);
        release(task);
    }

    /** Ends a task without a response (aborted, or the connection is gone). */
    private void endTask(ScsiCommandTask task) {
        if (!task.immediate) {
            sequencer.completed();
        }
        release(task);
    }

    private void release(ScsiCommandTask task) {
        assert inEventLoop() : "a task released off its event loop";
        if (tasks.get(task.initiatorTaskTag) == task) {
            tasks.remove(task.initiatorTaskTag);
            taskCount.lazySet(tasks.size());
            if (task.immediate) {
                immediateTasks--;
            }
        }
        task.releaseBuffers();
        inFlight.decrement();
        EventLoopWork.current().end();
        task.unitEnded();
        budget.release(task);
        task.leaveTaskSet();
        task.end();
        if (closed) {
            checkDrained();
        } else {
            startDeferred();
        }
    }

    // ---- task management and fences (RFC 7143 §11.5), driven by TaskManagement ----

    ScsiCommandTask task(int itt) {
        return tasks.get(itt);
    }

    List<ScsiCommandTask> liveTasks() {
        return new ArrayList<>(tasks.values());
    }

    /**
     * Aborts a task: it never gets a SCSI response, and ends at once when nothing of it runs in the SCSI layer,
     * otherwise when the SCSI layer completes it (its backstore call, if one started, has completed then).
     */
    void abort(ScsiCommandTask task) {
        if (task.abort()) {
            budget.remove(task);
            endTask(task);
        }
    }

    /**
     * On the event loop: aborts (when {@code abort}) the live tasks {@code which} selects, and completes the result
     * once every selected task, those aborted before included, has ended. The result completes on this event loop.
     */
    CompletableFuture<Void> fenceHere(Predicate<ScsiCommandTask> which, boolean abort) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        int[] left = {1};
        Runnable oneEnded = () -> {
            if (--left[0] == 0) {
                done.complete(null);
            }
        };
        for (ScsiCommandTask task : liveTasks()) {
            if (!which.test(task)) {
                continue;
            }
            if (abort) {
                abort(task);
            }
            if (task.state() != ScsiCommandTask.State.ENDED) {
                left[0]++;
                task.whenEnded(oneEnded);
            }
        }
        oneEnded.run();
        return done;
    }

    /**
     * From any thread: {@link #fenceHere} on this session's event loop. Completes at once when the event loop has
     * stopped (the target is closing; nothing of the session runs any more).
     */
    CompletableFuture<Void> fence(Predicate<ScsiCommandTask> which, boolean abort) {
        if (inEventLoop()) {
            return fenceHere(which, abort);
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            connection.execute(() -> fenceHere(which, abort).whenComplete((v, e) -> done.complete(null)));
        } catch (RejectedExecutionException e) {
            done.complete(null);
        }
        return done;
    }

    /** Establishes the reset unit attention on every I_T nexus of the logical unit (SAM-5). */
    void logicalUnitReset(long lunField) {
        dispatcher.logicalUnitReset(Lun.decode(lunField));
    }

    /** Establishes the reset unit attention on every logical unit of the target. */
    void targetReset() {
        if (dispatcher != null) {
            dispatcher.targetReset();
        }
    }

    /** A target reset reaches the other gateways serving this session's shared logical units. */
    java.util.concurrent.CompletionStage<Void> targetResetOtherGateways() {
        return dispatcher == null ? CompletableFuture.completedFuture(null) : dispatcher.targetResetOtherGateways();
    }

    /** I_T NEXUS RESET: every logical unit performs the I_T nexus loss for this session's nexus (SAM-5). */
    void itNexusReset() {
        if (dispatcher != null) {
            dispatcher.itNexusReset(nexus);
        }
    }

    /** QUERY ASYNCHRONOUS EVENT: the pending unit attention's additional response information, or -1. */
    int queryAsynchronousEvent(long lunField) {
        return dispatcher == null ? -1 : dispatcher.queryAsynchronousEvent(Lun.decode(lunField), nexus);
    }

    /** The logical unit a LUN field addresses in this session, or {@code null}. */
    LogicalUnit unit(long lunField) {
        int lun = Lun.decode(lunField);
        return dispatcher == null || lun < 0 ? null : dispatcher.logicalUnit(lun);
    }

    // ---- teardown ----

    /**
     * The connection closed: every task is aborted (no status; those in the SCSI layer end when it completes them),
     * the I_T nexus is lost for the logical units, and the session is {@linkplain #drained() drained} once its last
     * task has ended.
     */
    void connectionClosed() {
        closed = true;
        sequencer.release();
        for (ScsiCommandTask t : budget.removeAll()) {
            t.abort();
            endTask(t);
        }
        for (ScsiCommandTask t : liveTasks()) {
            abort(t);
        }
        if (dispatcher != null) {
            dispatcher.nexusLost(nexus);
        }
        checkDrained();
    }

    private void checkDrained() {
        if (tasks.isEmpty() && !drained.isDone()) {
            drained.complete(null);
        }
    }

    /** Completes once the connection closed and every task of the session has ended; on the event loop. */
    CompletableFuture<Void> drained() {
        return drained;
    }

    /** Tasks in the task table now (received and not yet answered or ended). Any thread. */
    int taskCount() {
        return taskCount.get();
    }

    /** Whether the connection has closed. Any thread (a stale answer is possible, never a wrong one for long). */
    boolean isOpen() {
        return !drained.isDone() && connection.channel().isActive();
    }

    /** Closes the session's connection (session reinstatement or target shutdown). Any thread. */
    void close() {
        execute(connection::closeNow);
    }

    @Override
    public String toString() {
        return connection.toString();
    }
}
