package io.iscsi4j.core.session;

import io.iscsi4j.CommandDecision;
import io.iscsi4j.InterceptedCommand;
import io.iscsi4j.TargetInterceptor;
import io.iscsi4j.core.pdu.DataIn;
import io.iscsi4j.core.pdu.DataOut;
import io.iscsi4j.core.pdu.LogoutRequest;
import io.iscsi4j.core.pdu.NopOut;
import io.iscsi4j.core.pdu.Pdu;
import io.iscsi4j.core.pdu.ReadyToTransfer;
import io.iscsi4j.core.pdu.RejectReason;
import io.iscsi4j.core.pdu.ScsiCommand;
import io.iscsi4j.core.pdu.ScsiResponse;
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
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.IntObjectMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;

/**
 * One iSCSI session in full feature phase (RFC 7143 §3.2, §4): the command window and CmdSN ordering, the task
 * table, SCSI command execution with Data-In sequencing, and Data-Out routing. One connection per session
 * (MaxConnections=1); all state lives on that connection's event loop.
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
    private final CommandWindow window;
    private final IntObjectMap<ScsiCommandTask> tasks = new IntObjectHashMap<>();
    /** Out-of-order commands by CmdSN: a Pdu, or {@link #ABORTED} for a command aborted before it arrived. */
    private final IntObjectMap<Object> pending = new IntObjectHashMap<>();
    private static final Object ABORTED = new Object();
    private final TaskManagement taskManagement;
    private final InFlight inFlight;
    private int nextTransferTag = 1;
    /** The target's interceptor, or {@code null}: one null check per command when none is set. */
    private final TargetInterceptor interceptor;
    /** The view handed to the interceptor, reused for every command (event loop only); null without one. */
    private final CommandView commandView;
    /** Immediate SCSI commands in the task table (capped by {@link io.iscsi4j.ResourceLimits#maxImmediateCommands()}). */
    private int immediateTasks;
    /** Bytes of data buffers the session's commands hold (capped by maxDataBufferBytesPerSession). */
    private long dataBufferBytes;
    /** Commands not yet dispatched to the SCSI layer, waiting for data buffer budget, in arrival order. */
    private final ArrayDeque<Deferred> deferred = new ArrayDeque<>();
    private boolean drainingDeferred;

    /** A command waiting for {@code length} bytes of data buffer budget. */
    private record Deferred(ScsiCommandTask task, int length) {
    }

    Session(SessionKey key, int tsih, int cid, IscsiConnection connection, ScsiDispatcher dispatcher, ItNexus nexus,
            SessionParams params, int initialCmdSN, InFlight inFlight) {
        this.key = key;
        this.tsih = tsih;
        this.cid = cid;
        this.connection = connection;
        this.dispatcher = dispatcher;
        this.nexus = nexus;
        this.params = params;
        this.window = new CommandWindow(params.commandWindow(), initialCmdSN);
        this.inFlight = inFlight;
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

    /** Asks the initiator to log out within {@code seconds} (Async Message, AsyncEvent 1); drops it after. */
    void requestLogout(int seconds) {
        connection.execute(() -> connection.requestLogout(seconds));
    }

    ByteBufAllocator alloc() {
        return connection.alloc();
    }

    boolean inEventLoop() {
        return connection.inEventLoop();
    }

    void execute(Runnable r) {
        connection.execute(r);
    }

    int expCmdSN() {
        return window.expCmdSN();
    }

    int maxCmdSN() {
        return window.maxCmdSN();
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
     * Takes a command-type PDU (SCSI Command, NOP-Out, Text, Logout, Task Management). Immediate PDUs run at once;
     * others run in CmdSN order; PDUs outside the window or duplicates are silently dropped, as the RFC requires.
     * The session owns the PDU from here.
     */
    void onCommand(Pdu pdu, int cmdSN, boolean immediate) {
        if (immediate) {
            deliver(pdu, false);
            return;
        }
        Object slot = pending.get(cmdSN);
        if (slot == ABORTED) {
            // Aborted before it arrived (RFC 7143 §11.5.1): it already counts as received; drop it.
            pdu.release();
            return;
        }
        if (!window.inWindow(cmdSN) || slot != null) {
            if (LOG.isDebugEnabled()) {
                LOG.debug("{}: dropping {} with CmdSN {} outside [{}, {}] or duplicate", connection, pdu.opcode(),
                        Integer.toUnsignedString(cmdSN), Integer.toUnsignedString(window.expCmdSN()),
                        Integer.toUnsignedString(window.maxCmdSN()));
            }
            pdu.release();
            return;
        }
        if (!window.isNext(cmdSN)) {
            pending.put(cmdSN, pdu);
            return;
        }
        window.deliver();
        deliver(pdu, true);
        drainInOrder();
    }

    private void drainInOrder() {
        Object next;
        while ((next = pending.remove(window.expCmdSN())) != null) {
            window.deliver();
            if (next == ABORTED) {
                window.completed();
            } else {
                deliver((Pdu) next, true);
            }
        }
    }

    /**
     * For ABORT TASK of a command not received yet: when {@code refCmdSN} lies in [ExpCmdSN, tmfCmdSN) it is
     * considered received, and dropped if it arrives later.
     *
     * @return whether the command was in that range
     */
    boolean discardNotYetReceived(int refCmdSN, int tmfCmdSN) {
        if (!window.inWindow(refCmdSN) || Integer.toUnsignedLong(refCmdSN - window.expCmdSN())
                >= Integer.toUnsignedLong(tmfCmdSN - window.expCmdSN())) {
            return false;
        }
        Object old = pending.put(refCmdSN, ABORTED);
        if (old instanceof Pdu p) {
            p.release();
        }
        drainInOrder();
        return true;
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
            window.completed();
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
                window.completed();
            }
        }
    }

    // ---- SCSI commands ----

    private void startScsiCommand(ScsiCommand c, boolean counted) {
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
            if (!counted) {
                immediateTasks++;
            }
            inFlight.increment();
            if (decision != null && decision.kind() == CommandDecision.Kind.RESPOND) {
                // Answered without running; data still arriving for it is taken and discarded by the transfer.
                task.complete(decision.status(), decision.sense(), 0);
                return;
            }
            task.unitStarted(dispatcher.logicalUnit(Lun.decode(c.lun())));
            dispatchWithinBudget(task);
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
            window.completed();
        }
    }

    /** On the event loop: the SCSI layer asked for Data-Out bytes. */
    void startDataOut(ScsiCommandTask task, int length, CompletableFuture<ByteBuffer> waiter) {
        if (task.abandoned || task.aborted) {
            waiter.completeExceptionally(new CancellationException(task.aborted ? "task aborted" : "connection closed"));
            if (task.aborted) {
                terminate(task);
                if (task.abortResponse != null) {
                    taskManagement.terminated(task.abortResponse);
                }
            } else {
                endTask(task);
            }
            return;
        }
        task.setDataOutWaiter(waiter);
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
        if (task == null || task.writeTransfer == null) {
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
        if (task.scsiDone) {
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

    /** Sends one R2T of a task (RFC 7143 §11.8); StatSN is carried, not advanced. */
    void sendR2T(ScsiCommandTask task, int ttt, int r2tSN, int offset, int length) {
        connection.send(ReadyToTransfer.builder()
                .lun(task.lun())
                .initiatorTaskTag(task.initiatorTaskTag)
                .targetTransferTag(ttt)
                .statSN(connection.currentStatSN())
                .expCmdSN(window.expCmdSN())
                .maxCmdSN(window.maxCmdSN())
                .r2tSN(r2tSN)
                .bufferOffset(offset)
                .desiredDataTransferLength(length)
                .build());
    }

    /** A Data-Out PDU; the session releases it. */
    void onDataOut(DataOut d) {
        try {
            ScsiCommandTask task = tasks.get(d.initiatorTaskTag());
            if (task == null || task.aborted || task.writeTransfer == null) {
                if (task == null && taskManagement.recentlyAborted(d.initiatorTaskTag())
                        || task != null && task.aborted) {
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
            if (task.scsiDone) {
                // The SCSI layer completed early (an error before all data arrived): finish once data is in.
                maybeFinishAfterData(task);
            }
        } finally {
            d.release();
        }
    }

    /**
     * On the event loop: the SCSI layer only waits for a background operation now (SANITIZE without IMMED). A task
     * already aborted or abandoned ends at once; later aborts end it at once too, and its completion is ignored.
     */
    void continuesInBackground(ScsiCommandTask task) {
        if (task.ended || task.scsiDone) {
            return;
        }
        task.background = true;
        if (task.aborted && task.abortResponse != null) {
            TaskManagement.PendingResponse pending = task.abortResponse;
            task.abortResponse = null;
            terminate(task);
            taskManagement.terminated(pending);
        } else if (task.aborted) {
            terminate(task);
        } else if (task.abandoned) {
            endTask(task);
        }
    }

    /** On the event loop: the SCSI layer completed the task. */
    void finish(ScsiCommandTask task) {
        task.scsiDone = true;
        if (task.ended) {
            return; // ended while it waited for a background operation
        }
        if (task.abandoned) {
            endTask(task);
            return;
        }
        if (task.aborted) {
            terminate(task);
            if (task.abortResponse != null) {
                taskManagement.terminated(task.abortResponse);
            }
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
        if (!task.immediate) {
            window.completed();
        }
        task.recordStatistics();
        sendResponse(task);
        endTask(task);
    }

    private void endTask(ScsiCommandTask task) {
        task.ended = true;
        if (tasks.get(task.initiatorTaskTag) == task) {
            tasks.remove(task.initiatorTaskTag);
            if (task.immediate) {
                immediateTasks--;
            }
        }
        task.releaseBuffers();
        inFlight.decrement();
        task.unitEnded();
        releaseDataBuffer(task);
    }

    /**
     * Runs a command now, or queues it when its data buffer (its expected data transfer length, at most the
     * budget) does not fit the session's data buffer budget, when it reads and the connection's output is over its
     * high water mark, or when earlier commands wait. Commands reach the SCSI layer in arrival order and take
     * their budget then, so a command holding budget never waits for a later one: no deadlock, however the SCSI
     * layer orders overlapping commands.
     */
    private void dispatchWithinBudget(ScsiCommandTask task) {
        int length = task.isRead() || task.isWrite() ? (int) Math.min(task.expectedLength, budget()) : 0;
        if (!deferred.isEmpty() || !fits(length) || task.isRead() && !connection.channel().isWritable()) {
            deferred.add(new Deferred(task, length));
            return;
        }
        reserve(task, length);
        dispatch(task);
    }

    private void dispatch(ScsiCommandTask task) {
        try {
            dispatcher.execute(task);
        } catch (RuntimeException e) {
            LOG.error("{}: SCSI dispatcher failed on ITT 0x{}", connection, Integer.toHexString(task.initiatorTaskTag),
                    e);
            task.complete(ScsiStatus.CHECK_CONDITION, SenseData.of(
                    SenseKey.HARDWARE_ERROR,
                    AdditionalSense.INTERNAL_TARGET_FAILURE), 0);
        }
    }

    private long budget() {
        return connection.limits().maxDataBufferBytesPerSession();
    }

    private boolean fits(int length) {
        return length == 0 || dataBufferBytes == 0 || dataBufferBytes + length <= budget();
    }

    private void reserve(ScsiCommandTask task, int length) {
        dataBufferBytes += length;
        task.bufferBytes += length;
    }

    /** Gives a finished task's data buffer budget back and starts the commands waiting for it. */
    private void releaseDataBuffer(ScsiCommandTask task) {
        if (task.bufferBytes > 0) {
            dataBufferBytes -= task.bufferBytes;
            task.bufferBytes = 0;
        }
        startDeferred();
    }

    /**
     * Dispatches waiting commands in order while they fit the budget (reads also need the connection writable).
     * Called when a task ends and when the connection's output drops below its low water mark.
     */
    void startDeferred() {
        if (drainingDeferred) {
            return;
        }
        drainingDeferred = true;
        try {
            Deferred next;
            while ((next = deferred.peek()) != null && fits(next.length())
                    && (!next.task().isRead() || connection.channel().isWritable())) {
                deferred.poll();
                ScsiCommandTask task = next.task();
                if (task.abandoned || tasks.get(task.initiatorTaskTag) != task) {
                    continue; // aborted or the connection is gone
                }
                reserve(task, next.length());
                dispatch(task);
            }
        } finally {
            drainingDeferred = false;
        }
    }

    /** Removes a command that was never dispatched from the queue; {@code false} when it was not queued. */
    private boolean removeUndispatched(ScsiCommandTask task) {
        for (var it = deferred.iterator(); it.hasNext(); ) {
            if (it.next().task() == task) {
                it.remove();
                return true;
            }
        }
        return false;
    }

    private void sendResponse(ScsiCommandTask task) {
        long expected = task.expectedLength;
        int cmdLength = task.dataLength;
        boolean overflow = cmdLength > expected;
        boolean underflow = cmdLength < expected;
        long residual = overflow ? cmdLength - expected : expected - cmdLength;
        ByteBuf data = task.dataIn;
        boolean good = task.status == ScsiStatus.GOOD || task.status == ScsiStatus.CONDITION_MET;
        int toSend = data == null ? 0 : (int) Math.min(Math.min(cmdLength, data.readableBytes()), expected);
        if (toSend > 0 && good) {
            sendDataIn(task, data, toSend, overflow, underflow, residual);
        } else {
            ScsiResponse.Builder b = ScsiResponse.builder()
                    .initiatorTaskTag(task.initiatorTaskTag)
                    .response(0)
                    .status(task.status.code())
                    .statSN(connection.nextStatSN())
                    .expCmdSN(window.expCmdSN())
                    .maxCmdSN(window.maxCmdSN())
                    .expDataSN(0);
            if (task.status == ScsiStatus.CHECK_CONDITION && task.sense != null) {
                b.sense(task.sense.toBytes());
            }
            if (good || task.writeTransfer != null || task.isRead()) {
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
            DataIn.Builder b = DataIn.builder()
                    .finalFlag(endOfSequence)
                    .lun(0)
                    .initiatorTaskTag(task.initiatorTaskTag)
                    .targetTransferTag(NO_TAG)
                    .dataSN(dataSN++)
                    .bufferOffset(offset)
                    .expCmdSN(window.expCmdSN())
                    .data(data.retainedSlice(offset, n));
            if (last) {
                b.statusPresent(true)
                        .status(task.status.code())
                        .statSN(connection.nextStatSN())
                        .maxCmdSN(window.maxCmdSN())
                        .residualOverflow(overflow)
                        .residualUnderflow(underflow)
                        .residualCount(residual);
            } else {
                b.maxCmdSN(window.maxCmdSN());
            }
            connection.send(b.build());
            offset += n;
            if (burstLeft == 0) {
                burstLeft = burst;
            }
        }
    }

    // ---- task management (RFC 7143 §11.5), driven by TaskManagement ----

    ScsiCommandTask task(int itt) {
        return tasks.get(itt);
    }

    List<ScsiCommandTask> liveTasks() {
        return new ArrayList<>(tasks.values());
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

    /** Whether the LUN field addresses a logical unit of this session's target. */
    boolean hasLun(long lunField) {
        int lun = Lun.decode(lunField);
        return dispatcher != null && lun >= 0 && dispatcher.logicalUnits().containsKey(lun);
    }

    /**
     * Aborts a task: it will never get a SCSI response.
     *
     * @return {@code true} when it terminated at once; {@code false} when storage I/O is still running, in which
     *     case {@link TaskManagement#terminated} is called when it finishes
     */
    boolean abort(ScsiCommandTask task, TaskManagement.PendingResponse pending) {
        task.aborted = true;
        if (removeUndispatched(task)) {
            terminate(task); // the SCSI layer never saw it
            return true;
        }
        if (task.failDataOut(new CancellationException("task aborted")) || task.scsiDone || task.background) {
            terminate(task);
            return true;
        }
        task.abortResponse = pending;
        return false;
    }

    /**
     * Aborts every task of this session for a logical unit without any response (preempted by another nexus).
     * The unit may be mapped under a different LUN in this session (ACL LUN mapping).
     */
    void abortTasksSilently(LogicalUnit unit) {
        for (Map.Entry<Integer, LogicalUnit> e : dispatcher.logicalUnits().entrySet()) {
            if (e.getValue() != unit) {
                continue;
            }
            long lunField = Lun.encode(e.getKey());
            for (ScsiCommandTask task : liveTasks()) {
                if (!task.aborted && task.lun() == lunField) {
                    abort(task, null);
                }
            }
        }
    }

    private void terminate(ScsiCommandTask task) {
        if (!task.immediate) {
            window.completed();
        }
        endTask(task);
    }

    // ---- teardown ----

    /** The connection closed: fail waiting transfers, drop results still to come, release what we can. */
    void connectionClosed() {
        if (dispatcher != null) {
            dispatcher.nexusLost(nexus);
        }
        for (Object p : pending.values()) {
            if (p instanceof Pdu pdu) {
                pdu.release();
            }
        }
        pending.clear();
        List<ScsiCommandTask> undispatched = new ArrayList<>();
        for (Deferred d : deferred) {
            undispatched.add(d.task());
        }
        deferred.clear();
        List<ScsiCommandTask> all = new ArrayList<>(tasks.values());
        tasks.clear();
        for (ScsiCommandTask t : all) {
            t.abandoned = true;
            if (t.failDataOut(new CancellationException("connection closed")) || t.scsiDone || t.background
                    || undispatched.contains(t)) {
                // The SCSI layer will not complete this task (again), or only after a background operation.
                t.ended = true;
                t.releaseBuffers();
                inFlight.decrement();
                t.unitEnded();
            }
            // Otherwise the SCSI layer still owns the buffers; finish() releases them when it completes.
        }
    }

    /** Closes the session's connection (session reinstatement or target shutdown). Any thread. */
    void close() {
        connection.execute(connection::closeNow);
    }

    @Override
    public String toString() {
        return connection.toString();
    }
}
