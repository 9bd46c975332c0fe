package io.iscsi4j.initiator.internal;

import io.iscsi4j.core.pdu.AsyncMessage;
import io.iscsi4j.core.pdu.DataIn;
import io.iscsi4j.core.pdu.FramingError;
import io.iscsi4j.core.pdu.LogoutRequest;
import io.iscsi4j.core.pdu.LogoutResponse;
import io.iscsi4j.core.pdu.MalformedPdu;
import io.iscsi4j.core.pdu.NopIn;
import io.iscsi4j.core.pdu.NopOut;
import io.iscsi4j.core.pdu.Opcode;
import io.iscsi4j.core.pdu.Pdu;
import io.iscsi4j.core.pdu.ReadyToTransfer;
import io.iscsi4j.core.pdu.Reject;
import io.iscsi4j.core.pdu.ScsiResponse;
import io.iscsi4j.core.pdu.TaskManagementRequest;
import io.iscsi4j.core.pdu.TaskManagementResponse;
import io.iscsi4j.initiator.BlockDevice;
import io.iscsi4j.initiator.CommandTimeoutException;
import io.iscsi4j.initiator.ConnectionLostException;
import io.iscsi4j.initiator.IscsiException;
import io.iscsi4j.initiator.IscsiSession;
import io.iscsi4j.initiator.LoginOptions;
import io.iscsi4j.initiator.ScsiRequest;
import io.iscsi4j.initiator.ScsiResult;
import io.iscsi4j.initiator.SessionParameters;
import io.iscsi4j.initiator.TaskManagementFunction;
import io.iscsi4j.initiator.TaskManagementResult;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One session in full feature phase (RFC 7143 §3.2, §4.2.2): the CmdSN window and the queue of commands that wait
 * for it, the table of issued tasks by task tag, status numbering, NOP-In answers, task management, logout, and ERL
 * 0 recovery by session reinstatement. All state is confined to one event loop; public methods hop onto it.
 *
 * <pre>
 * FULL_FEATURE ──connection lost, recovery on──► RECOVERING ──login again (same ISID, TSIH 0)──► FULL_FEATURE
 *      │                                              └──recovery timeout──► CLOSED
 *      ├──logout──► LOGGING_OUT ──response / close──► CLOSED
 *      └──connection lost, recovery off──► CLOSED
 * </pre>
 */
public final class SessionEngine implements IscsiSession, PduListener {

    private static final Logger LOG = LoggerFactory.getLogger(SessionEngine.class);

    /** The session's states. */
    public enum State {
        /** Commands flow. */
        FULL_FEATURE,
        /** The connection was lost; logging in again. */
        RECOVERING,
        /** A Logout Request was sent. */
        LOGGING_OUT,
        /** Ended; nothing is accepted. */
        CLOSED
    }

    private final EventLoop loop;
    private final SocketAddress portal;
    private final LoginOptions options;
    private final String initiatorName;
    private final Runnable onClose;

    private PduConnection connection;
    private volatile SessionParameters parameters;
    private volatile State state = State.FULL_FEATURE;
    private final AtomicInteger outstanding = new AtomicInteger();
    private volatile int recoveries;
    private int cmdSN;
    private int expCmdSN;
    private int maxCmdSN;
    private int expStatSN;
    private int nextItt = 1;
    private long nextSequence;

    private final ArrayDeque<CommandTask> queued = new ArrayDeque<>();
    private final Map<Integer, CommandTask> issued = new HashMap<>();
    private final Map<CompletionStage<ScsiResult>, CommandTask> byFuture = new IdentityHashMap<>();
    private final Map<Integer, PendingTmf> tmfs = new HashMap<>();
    private final Map<Integer, PendingPing> pings = new HashMap<>();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    /** Checks the deadlines of the session's commands (one timer for all, not one per command). */
    private final ScheduledFuture<?> timeoutSweep;
    private int logoutItt = -1;
    private long recoveryDeadline;
    private long recoveryBackoffMillis;

    private record PendingTmf(CompletableFuture<TaskManagementResult> future, TaskManagementFunction function,
                              Predicate<CommandTask> affected) {
    }

    private record PendingPing(CompletableFuture<Duration> future, long startNanos) {
    }

    /**
     * A session over a completed login; call on the login's event loop.
     *
     * @param login the login
     * @param portal where to reconnect
     * @param options the login options (recovery, timeouts)
     * @param initiatorName this initiator's name
     * @param onClose run once when the session ends
     */
    public SessionEngine(LoginResult login, SocketAddress portal, LoginOptions options, String initiatorName,
                         Runnable onClose) {
        this.connection = login.connection();
        this.loop = connection.eventLoop();
        this.portal = portal;
        this.options = options;
        this.initiatorName = initiatorName;
        this.onClose = onClose;
        install(login);
        long period = Math.max(10, Math.min(1000, options.commandTimeout().toMillis() / 4));
        timeoutSweep = loop.scheduleAtFixedRate(this::sweepTimeouts, period, period, TimeUnit.MILLISECONDS);
        closed.whenComplete((v, e) -> timeoutSweep.cancel(false));
    }

    private void install(LoginResult login) {
        connection = login.connection();
        parameters = login.parameters();
        cmdSN = login.cmdSN();
        expStatSN = login.expStatSN();
        expCmdSN = login.expCmdSN();
        maxCmdSN = login.maxCmdSN();
        connection.listener(this);
        connection.segmentPlacement(this::place);
    }

    /** Data-In segments go straight into the read buffer of their command (see {@link CommandTask#placement}). */
    private ByteBuf place(ByteBuf bhs, int length) {
        if (state != State.FULL_FEATURE || (bhs.getByte(0) & 0x3F) != Opcode.DATA_IN.code()) {
            return null;
        }
        CommandTask task = issued.get(bhs.getInt(16)); // Initiator Task Tag
        return task == null ? null : task.placement(Integer.toUnsignedLong(bhs.getInt(40)), length); // BufferOffset
    }

    @Override
    public SessionParameters parameters() {
        return parameters;
    }

    @Override
    public LoginOptions options() {
        return options;
    }

    @Override
    public boolean isOpen() {
        State s = state;
        return s == State.FULL_FEATURE || s == State.RECOVERING;
    }

    @Override
    public int outstandingCommands() {
        return outstanding.get();
    }

    @Override
    public int recoveries() {
        return recoveries;
    }

    /**
     * The session's state.
     *
     * @return the state
     */
    public State state() {
        return state;
    }

    // --- submission ---

    @Override
    public CompletionStage<ScsiResult> execute(ScsiRequest request) {
        CompletableFuture<ScsiResult> future = new CompletableFuture<>();
        outstanding.incrementAndGet();
        future.whenComplete((r, e) -> outstanding.decrementAndGet());
        onLoop(future, () -> {
            if (!isOpen()) {
                future.completeExceptionally(new IscsiException("the session is " + state));
                return;
            }
            CommandTask task = new CommandTask(request, nextSequence++, future,
                    System.nanoTime() + options.commandTimeout().toNanos());
            queued.add(task);
            byFuture.put(future, task);
            pump();
        });
        return future;
    }

    private void onLoop(CompletableFuture<?> future, Runnable action) {
        try {
            if (loop.inEventLoop()) {
                action.run();
            } else {
                loop.execute(() -> {
                    try {
                        action.run();
                    } catch (RuntimeException e) {
                        future.completeExceptionally(e);
                    }
                });
            }
        } catch (RejectedExecutionException e) {
            future.completeExceptionally(new IscsiException("the initiator is closed", e));
        }
    }

    /** Issues queued commands while the window is open. */
    private void pump() {
        if (state != State.FULL_FEATURE) {
            return;
        }
        boolean wrote = false;
        while (!queued.isEmpty() && maxCmdSN - cmdSN >= 0) {
            CommandTask task = queued.poll();
            int itt = allocateItt();
            task.issue(connection, itt, cmdSN, expStatSN, parameters);
            cmdSN++;
            issued.put(itt, task);
            wrote = true;
        }
        if (wrote) {
            connection.flush();
        }
    }

    private int allocateItt() {
        for (;;) {
            int itt = nextItt++;
            if (itt != Pdu.RESERVED_TAG && itt != 0 && !issued.containsKey(itt) && !tmfs.containsKey(itt)
                    && !pings.containsKey(itt)) {
                return itt;
            }
        }
    }

    private void finished(CommandTask task) {
        issued.remove(task.itt());
        byFuture.remove(task.future());
    }

    // --- inbound ---

    @Override
    public void onMessage(Object message) {
        try {
            if (message instanceof FramingError error) {
                connection.close(new IscsiException("framing error: " + error.description()));
            } else if (message instanceof MalformedPdu malformed) {
                connection.close(new IscsiException("malformed PDU from the target: " + malformed.description()));
            } else if (message instanceof Pdu pdu) {
                dispatch(pdu);
            }
        } catch (IscsiException e) {
            LOG.debug("protocol error from {}, closing the connection", connection.remoteAddress(), e);
            connection.close(e);
        } finally {
            ReferenceCountUtil.release(message);
        }
        pump();
    }

    private void dispatch(Pdu pdu) throws IscsiException {
        if (state == State.RECOVERING || state == State.CLOSED) {
            return;
        }
        int itt = pdu.initiatorTaskTag();
        if (pdu instanceof DataIn d) {
            window(d.expCmdSN(), d.maxCmdSN());
            if (d.statusPresent()) {
                statSN(d.statSN());
            }
            CommandTask task = issued.get(itt);
            if (task == null) {
                LOG.debug("Data-In for unknown task 0x{}", Integer.toHexString(itt));
                return;
            }
            if (task.onDataIn(d)) {
                finished(task);
            }
        } else if (pdu instanceof ScsiResponse r) {
            window(r.expCmdSN(), r.maxCmdSN());
            statSN(r.statSN());
            CommandTask task = issued.get(itt);
            if (task == null) {
                LOG.debug("SCSI Response for unknown task 0x{}", Integer.toHexString(itt));
                return;
            }
            task.onResponse(r);
            finished(task);
        } else if (pdu instanceof ReadyToTransfer r2t) {
            window(r2t.expCmdSN(), r2t.maxCmdSN());
            CommandTask task = issued.get(itt);
            if (task == null) {
                throw new IscsiException("R2T for unknown task 0x" + Integer.toHexString(itt));
            }
            task.onR2T(connection, r2t, expStatSN, parameters);
            connection.flush();
        } else if (pdu instanceof NopIn nop) {
            window(nop.expCmdSN(), nop.maxCmdSN());
            onNopIn(nop);
        } else if (pdu instanceof TaskManagementResponse tmf) {
            window(tmf.expCmdSN(), tmf.maxCmdSN());
            statSN(tmf.statSN());
            onTmfResponse(tmf);
        } else if (pdu instanceof LogoutResponse logout) {
            statSN(logout.statSN());
            if (itt == logoutItt) {
                LOG.debug("logged out of {} (response {})", parameters.targetName(), logout.response());
                connection.close(null);
            }
        } else if (pdu instanceof Reject reject) {
            statSN(reject.statSN());
            onReject(reject);
        } else if (pdu instanceof AsyncMessage async) {
            window(async.expCmdSN(), async.maxCmdSN());
            statSN(async.statSN());
            onAsync(async);
        } else {
            throw new IscsiException("unexpected " + pdu.opcode() + " in full feature phase");
        }
    }

    private void window(int newExpCmdSN, int newMaxCmdSN) {
        if (newMaxCmdSN - newExpCmdSN < -1) {
            return; // invalid window: ignore (RFC 7143 §4.2.2.1)
        }
        if (newExpCmdSN - expCmdSN > 0) {
            expCmdSN = newExpCmdSN;
        }
        if (newMaxCmdSN - maxCmdSN > 0) {
            maxCmdSN = newMaxCmdSN;
        }
    }

    private void statSN(int statSN) {
        if (statSN + 1 - expStatSN > 0) {
            expStatSN = statSN + 1;
        }
    }

    private void onNopIn(NopIn nop) {
        if (nop.initiatorTaskTag() == Pdu.RESERVED_TAG) {
            if (nop.targetTransferTag() != Pdu.RESERVED_TAG) {
                // a ping from the target: answer with its TTT and data (RFC 7143 §11.18.3)
                ByteBuf data = nop.data();
                connection.send(NopOut.builder()
                        .immediate(true)
                        .initiatorTaskTag(Pdu.RESERVED_TAG)
                        .targetTransferTag(nop.targetTransferTag())
                        .lun(nop.lun())
                        .cmdSN(cmdSN).expStatSN(expStatSN)
                        .data(data.readableBytes() == 0 ? Unpooled.EMPTY_BUFFER
                                : data.retainedSlice(data.readerIndex(), data.readableBytes()))
                        .build());
            }
            return;
        }
        statSN(nop.statSN());
        PendingPing ping = pings.remove(nop.initiatorTaskTag());
        if (ping != null) {
            ping.future().complete(Duration.ofNanos(System.nanoTime() - ping.startNanos()));
        }
    }

    private void onTmfResponse(TaskManagementResponse response) {
        PendingTmf tmf = tmfs.remove(response.initiatorTaskTag());
        if (tmf == null) {
            return;
        }
        TaskManagementResult result = TaskManagementResult.fromCode(response.response());
        boolean ended = result == TaskManagementResult.FUNCTION_COMPLETE
                // the target has no such task and its answer did not come before this one: it is not running
                || result == TaskManagementResult.TASK_DOES_NOT_EXIST && tmf.function() == null;
        if (ended) {
            for (CommandTask task : new ArrayList<>(issued.values())) {
                if (tmf.affected().test(task)) {
                    task.fail(task.timedOut() ? timedOut(task, "aborted")
                            : tmf.function() == null ? new CancellationException("aborted by ABORT TASK")
                            : new IscsiException("ended by " + tmf.function()));
                    finished(task);
                }
            }
        }
        tmf.future().complete(result);
    }

    private void onReject(Reject reject) throws IscsiException {
        ByteBuf header = reject.data();
        if (header.readableBytes() < Pdu.BHS_LENGTH) {
            throw new IscsiException("Reject (" + reject.reason() + ") without the rejected header");
        }
        int rejectedItt = header.getInt(header.readerIndex() + 16);
        IscsiException cause = new IscsiException("the target rejected the PDU: " + reject.reason());
        CommandTask task = issued.get(rejectedItt);
        if (task != null) {
            task.fail(cause);
            finished(task);
            return;
        }
        PendingTmf tmf = tmfs.remove(rejectedItt);
        if (tmf != null) {
            tmf.future().completeExceptionally(cause);
            return;
        }
        PendingPing ping = pings.remove(rejectedItt);
        if (ping != null) {
            ping.future().completeExceptionally(cause);
            return;
        }
        LOG.debug("the target rejected a PDU: {}", reject.reason());
    }

    private void onAsync(AsyncMessage async) {
        switch (async.asyncEvent()) {
            case 1 -> {
                LOG.debug("the target asks for a logout of {}", parameters.targetName());
                logout();
            }
            case 2, 3 -> LOG.debug("the target will drop the connection or session (event {})", async.asyncEvent());
            default -> LOG.debug("async event {} from the target", async.asyncEvent());
        }
    }

    // --- connection loss and recovery ---

    @Override
    public void onClosed(Throwable cause) {
        if (state == State.LOGGING_OUT || state == State.CLOSED) {
            end(new IscsiException("the session was logged out"));
            return;
        }
        IscsiException pendingFailure = new IscsiException("the connection was lost", cause);
        failPings(pendingFailure);
        if (!options.recovery()) {
            end(new ConnectionLostException("the connection to " + portal + " was lost before the target answered"
                    + (cause != null ? ": " + cause.getMessage() : "") + " (recovery is off)", cause));
            return;
        }
        LOG.debug("connection to {} lost; recovering {} commands", portal, issued.size() + queued.size(), cause);
        state = State.RECOVERING;
        List<CommandTask> all = new ArrayList<>();
        for (CommandTask task : issued.values()) {
            if (task.timedOut()) {
                task.fail(timedOut(task, "its connection was closed"));
                byFuture.remove(task.future());
            } else if (!task.reissuable()) {
                task.fail(new ConnectionLostException("the connection to " + portal + " was lost before the target"
                        + " answered; the command (CDB opcode 0x" + Integer.toHexString(task.opcode()) + ") is not"
                        + " sent again because running it twice differs from running it once: it may have run",
                        cause));
                byFuture.remove(task.future());
            } else {
                task.requeue();
                all.add(task);
            }
        }
        issued.clear();
        all.addAll(queued);
        all.sort(Comparator.comparingLong(CommandTask::sequence));
        queued.clear();
        queued.addAll(all);
        recoveryDeadline = System.nanoTime() + options.recoveryTimeout().toNanos();
        recoveryBackoffMillis = 50;
        // RFC 7143 §13.15: DefaultTime2Wait is the least time to wait after an unexpected connection termination
        // before the implicit logout that the reinstating login is.
        int time2Wait = parameters.defaultTime2Wait();
        if (time2Wait > 0) {
            loop.schedule(this::reconnect, time2Wait, TimeUnit.SECONDS);
        } else {
            reconnect();
        }
    }

    private void failPings(IscsiException cause) {
        tmfs.values().forEach(t -> t.future().completeExceptionally(cause));
        tmfs.clear();
        pings.values().forEach(p -> p.future().completeExceptionally(cause));
        pings.clear();
    }

    private void reconnect() {
        if (state != State.RECOVERING) {
            return; // ended (logout, close) while waiting
        }
        LoginProcess.login(loop, portal, options, initiatorName, parameters.targetName(), parameters.isid(), cmdSN)
                .whenComplete((login, error) -> {
                    if (state != State.RECOVERING) {
                        if (login != null) {
                            login.connection().close(null);
                        }
                        return;
                    }
                    if (login != null) {
                        install(login);
                        recoveries++;
                        state = State.FULL_FEATURE;
                        LOG.debug("session with {} reinstated; reissuing {} commands", portal, queued.size());
                        pump();
                        return;
                    }
                    if (System.nanoTime() - recoveryDeadline >= 0) {
                        end(new ConnectionLostException("the connection to " + portal
                                + " was lost and recovery failed within " + options.recoveryTimeout(), error));
                        return;
                    }
                    LOG.debug("reconnecting to {} failed, retrying", portal, error);
                    long delay = recoveryBackoffMillis;
                    recoveryBackoffMillis = Math.min(1000, recoveryBackoffMillis * 2);
                    loop.schedule(this::reconnect, delay, TimeUnit.MILLISECONDS);
                });
    }

    /** Fails everything and ends the session. */
    private void end(IscsiException cause) {
        state = State.CLOSED;
        failPings(cause);
        List<CommandTask> all = new ArrayList<>(issued.values());
        all.addAll(queued);
        issued.clear();
        queued.clear();
        for (CommandTask task : all) {
            task.fail(cause);
        }
        byFuture.clear();
        if (connection.isOpen()) {
            connection.close(null);
        }
        if (closed.complete(null)) {
            onClose.run();
        }
    }

    // --- command timeouts ---

    /**
     * Ends the commands past their deadline: a queued one at once (the target never saw it); a sent one with an ABORT
     * TASK, and it fails once the target confirms the abort (or does not know the task). When the abort is not
     * answered within another command timeout, or cannot be sent, the connection is closed: on a closed connection
     * nothing more reaches the command's buffer, and recovery does not send it again. So when a command fails with
     * {@link CommandTimeoutException}, its buffer is the caller's again.
     */
    private void sweepTimeouts() {
        if (queued.isEmpty() && issued.isEmpty()) {
            return;
        }
        long now = System.nanoTime();
        for (Iterator<CommandTask> it = queued.iterator(); it.hasNext(); ) {
            CommandTask task = it.next();
            if (now - task.deadline() >= 0) {
                it.remove();
                byFuture.remove(task.future());
                task.fail(timedOut(task, "it was waiting to be sent"));
            }
        }
        if (state != State.FULL_FEATURE) {
            return; // recovering: its deadline is checked again after the reconnect (or the session ends)
        }
        long grace = options.commandTimeout().toNanos();
        boolean dropConnection = false;
        for (CommandTask task : issued.values()) {
            if (now - task.deadline() < 0) {
                continue;
            }
            if (!task.timedOut()) {
                task.markTimedOut();
                LOG.debug("command 0x{} passed its timeout of {}; aborting it", Integer.toHexString(task.itt()),
                        options.commandTimeout());
                CompletableFuture<TaskManagementResult> abort = new CompletableFuture<>();
                sendTmf(abort, null, 1, task.lun(), task.itt(), task.cmdSN(), t -> t == task);
                abort.whenComplete((r, e) -> {
                    if (e != null || r != TaskManagementResult.FUNCTION_COMPLETE
                            && r != TaskManagementResult.TASK_DOES_NOT_EXIST) {
                        LOG.debug("ABORT TASK for 0x{} failed ({}); closing the connection",
                                Integer.toHexString(task.itt()), e != null ? e.getMessage() : r);
                        dropTimedOut();
                    }
                });
            } else if (now - task.deadline() - grace >= 0) {
                dropConnection = true;
            }
        }
        if (dropConnection) {
            LOG.debug("an ABORT TASK was not answered within {}; closing the connection", options.commandTimeout());
            dropTimedOut();
        }
    }

    private void dropTimedOut() {
        if (state == State.FULL_FEATURE && connection.isOpen()) {
            connection.close(new IscsiException("a timed-out command could not be aborted"));
        }
    }

    private CommandTimeoutException timedOut(CommandTask task, String how) {
        return new CommandTimeoutException("the command (CDB opcode 0x" + Integer.toHexString(task.opcode())
                + ") did not complete within " + options.commandTimeout() + "; " + how);
    }

    // --- task management, ping, logout ---

    @Override
    public CompletionStage<TaskManagementResult> abort(CompletionStage<ScsiResult> command) {
        CompletableFuture<TaskManagementResult> future = new CompletableFuture<>();
        onLoop(future, () -> {
            CommandTask task = byFuture.get(command);
            if (task == null) {
                future.complete(TaskManagementResult.TASK_DOES_NOT_EXIST);
            } else if (task.state() == CommandTask.State.QUEUED) {
                queued.remove(task);
                task.fail(new CancellationException("aborted before it was sent"));
                byFuture.remove(task.future());
                future.complete(TaskManagementResult.FUNCTION_COMPLETE);
            } else {
                sendTmf(future, null, 1, task.lun(), task.itt(), task.cmdSN(), t -> t == task);
            }
        });
        return future;
    }

    @Override
    public CompletionStage<TaskManagementResult> taskManagement(TaskManagementFunction function, int lun) {
        CompletableFuture<TaskManagementResult> future = new CompletableFuture<>();
        onLoop(future, () -> {
            boolean targetWide = function == TaskManagementFunction.TARGET_WARM_RESET
                    || function == TaskManagementFunction.TARGET_COLD_RESET;
            sendTmf(future, function, function.code(), lun, Pdu.RESERVED_TAG, cmdSN,
                    t -> targetWide || t.lun() == lun);
        });
        return future;
    }

    private void sendTmf(CompletableFuture<TaskManagementResult> future, TaskManagementFunction function, int code,
                         int lun, int referencedTag, int refCmdSN, Predicate<CommandTask> affected) {
        if (state != State.FULL_FEATURE) {
            future.completeExceptionally(new IscsiException("the session is " + state));
            return;
        }
        int itt = allocateItt();
        tmfs.put(itt, new PendingTmf(future, function, affected));
        connection.send(TaskManagementRequest.builder()
                .immediate(true)
                .initiatorTaskTag(itt)
                .function(code)
                .lun(CommandTask.encodeLun(lun))
                .referencedTaskTag(referencedTag)
                .refCmdSN(refCmdSN)
                .cmdSN(cmdSN).expStatSN(expStatSN)
                .build());
    }

    @Override
    public CompletionStage<Duration> ping() {
        CompletableFuture<Duration> future = new CompletableFuture<>();
        onLoop(future, () -> {
            if (state != State.FULL_FEATURE) {
                future.completeExceptionally(new IscsiException("the session is " + state));
                return;
            }
            int itt = allocateItt();
            pings.put(itt, new PendingPing(future, System.nanoTime()));
            connection.send(NopOut.builder()
                    .immediate(true)
                    .initiatorTaskTag(itt)
                    .targetTransferTag(Pdu.RESERVED_TAG)
                    .cmdSN(cmdSN).expStatSN(expStatSN)
                    .build());
        });
        return future;
    }

    @Override
    public CompletionStage<Void> logout() {
        CompletableFuture<Void> future = new CompletableFuture<>();
        onLoop(future, () -> {
            closed.whenComplete((v, e) -> future.complete(null));
            switch (state) {
                case CLOSED, LOGGING_OUT -> {
                    // already ending
                }
                case RECOVERING -> end(new IscsiException("the session was closed during recovery"));
                case FULL_FEATURE -> {
                    state = State.LOGGING_OUT;
                    IscsiException cause = new IscsiException("the session was logged out");
                    for (CommandTask task : queued) {
                        task.fail(cause);
                        byFuture.remove(task.future());
                    }
                    queued.clear();
                    logoutItt = allocateItt();
                    connection.send(LogoutRequest.builder()
                            .immediate(true)
                            .initiatorTaskTag(logoutItt)
                            .reasonCode(0)
                            .cid(0)
                            .cmdSN(cmdSN).expStatSN(expStatSN)
                            .build());
                    ScheduledFuture<?> timeout = loop.schedule(() -> connection.close(null),
                            options.commandTimeout().toMillis(), TimeUnit.MILLISECONDS);
                    closed.whenComplete((v, e) -> timeout.cancel(false));
                }
                default -> throw new IllegalStateException(state.toString());
            }
        });
        return future;
    }

    @Override
    public void close() {
        CompletionStage<Void> logout = logout();
        if (loop.inEventLoop()) {
            return;
        }
        try {
            logout.toCompletableFuture().get(options.commandTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.debug("logout of {} did not complete", portal, e);
        }
    }

    // --- LUNs ---

    @Override
    public CompletionStage<List<Integer>> reportLuns() {
        byte[] cdb = new byte[12];
        cdb[0] = (byte) 0xA0;
        int allocation = 8 + 8 * 1024;
        cdb[6] = (byte) (allocation >>> 24);
        cdb[7] = (byte) (allocation >>> 16);
        cdb[8] = (byte) (allocation >>> 8);
        cdb[9] = (byte) allocation;
        return execute(ScsiRequest.read(0, cdb, allocation)).thenApply(result -> {
            if (!result.isGood()) {
                throw new java.util.concurrent.CompletionException(
                        new io.iscsi4j.initiator.ScsiCommandException("REPORT LUNS", result));
            }
            ByteBuffer data = result.data();
            int listLength = data.remaining() >= 4 ? data.getInt(0) : 0;
            List<Integer> luns = new ArrayList<>();
            for (int off = 8; off + 8 <= Math.min(data.remaining(), 8 + listLength); off += 8) {
                int b0 = data.get(off) & 0xFF;
                int b1 = data.get(off + 1) & 0xFF;
                luns.add((b0 >> 6) == 1 ? (b0 & 0x3F) << 8 | b1 : b1);
            }
            return luns;
        });
    }

    @Override
    public CompletionStage<BlockDevice> openLun(int lun) {
        return BlockDevice.open(this, lun);
    }

    @Override
    public BlockDevice lun(int lun) throws IscsiException {
        if (loop.inEventLoop()) {
            throw new IllegalStateException("lun(int) blocks; on the I/O thread use openLun(int)");
        }
        try {
            return openLun(lun).toCompletableFuture().get(options.commandTimeout().toMillis(),
                    TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IscsiException("interrupted while opening LUN " + lun, e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IscsiException ie) {
                throw ie;
            }
            throw new IscsiException("cannot open LUN " + lun + ": " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new IscsiException("opening LUN " + lun + " timed out", e);
        }
    }

    /**
     * Completes when the session has ended.
     *
     * @return the stage
     */
    public CompletionStage<Void> closeFuture() {
        return closed;
    }

    @Override
    public String toString() {
        SessionParameters p = parameters;
        return "IscsiSession[" + p.targetName() + " at " + portal + ", " + state + "]";
    }
}
