package io.iscsi4j.core.session;

import io.iscsi4j.TargetListener;
import io.iscsi4j.core.pdu.TaskManagementRequest;
import io.iscsi4j.scsi.LogicalUnit;
import io.iscsi4j.scsi.Lun;
import io.iscsi4j.scsi.ScsiDispatcher;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.IntObjectMap;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/**
 * Task management functions of one session (RFC 7143 §11.5, §11.6; functions 9 to 12 as RFC 7144 §4 adds them). An
 * aborted task never gets a SCSI response. "Function complete" is sent only once every task the function covers has
 * ended, on every session it covers, including tasks another function was already aborting: a task whose backstore
 * call was in flight ends when that call has completed (its result is dropped); a task that only waits for a
 * background operation of its logical unit, such as a SANITIZE, ends at once. So once the initiator has the
 * response, no write of a covered task lands on the medium any more.
 *
 * <p>What each function covers (SAM-5; one task set per logical unit, TST 000b):
 * <ul>
 *   <li>ABORT TASK: the referenced task of this session;</li>
 *   <li>ABORT TASK SET: this session's tasks on the logical unit;</li>
 *   <li>CLEAR TASK SET: every session's tasks on the logical unit; the other I_T nexuses that lost tasks get
 *       COMMANDS CLEARED BY ANOTHER INITIATOR;</li>
 *   <li>LOGICAL UNIT RESET: every session's tasks on the logical unit (every I_T nexus of the unit, the sessions
 *       whose connection closed but whose tasks still run included);</li>
 *   <li>TARGET WARM RESET and TARGET COLD RESET: every session's tasks on every logical unit of the target; after
 *       a cold reset's response every connection to the target is dropped;</li>
 *   <li>I_T NEXUS RESET: this session's tasks on every logical unit.</li>
 * </ul>
 *
 * <p>The functions RFC 7144 adds, with SAM-5's service responses mapped to "Function succeeded" (7) and "Function
 * complete" (0):
 * <ul>
 *   <li>QUERY TASK: "Function succeeded" when the referenced task is live (not aborted) on this session for the
 *       request's LUN, else "Function complete";</li>
 *   <li>QUERY TASK SET: "Function succeeded" when any live task of this session is for the request's LUN;</li>
 *   <li>I_T NEXUS RESET: this session's tasks on every LUN are aborted and each logical unit performs the I_T nexus
 *       loss for this nexus (SPC-2 reservations, EXTENDED COPY statuses and pending unit attentions dropped, an I_T
 *       NEXUS LOSS OCCURRED unit attention established); "Function complete" once the tasks are terminated. The
 *       session stays logged in, so that unit attention reaches the initiator on its next command;</li>
 *   <li>QUERY ASYNCHRONOUS EVENT: "Function succeeded" when a unit attention condition is pending for this nexus at
 *       the LUN, which is not cleared, with SAM-5's ADDITIONAL RESPONSE INFORMATION (UADE DEPTH, SENSE KEY, ASC,
 *       ASCQ of the oldest condition) in bytes 8 to 10 of the response (RFC 7144); else "Function complete".</li>
 * </ul>
 * The QUERY functions and QUERY ASYNCHRONOUS EVENT answer "LUN does not exist" for a LUN without a logical unit.
 * Event loop only.
 */
final class TaskManagement {

    static final int ABORT_TASK = 1;
    static final int ABORT_TASK_SET = 2;
    static final int CLEAR_ACA = 3;
    static final int CLEAR_TASK_SET = 4;
    static final int LOGICAL_UNIT_RESET = 5;
    static final int TARGET_WARM_RESET = 6;
    static final int TARGET_COLD_RESET = 7;
    static final int TASK_REASSIGN = 8;
    static final int QUERY_TASK = 9;
    static final int QUERY_TASK_SET = 10;
    static final int I_T_NEXUS_RESET = 11;
    static final int QUERY_ASYNCHRONOUS_EVENT = 12;

    static final int FUNCTION_COMPLETE = 0;
    static final int TASK_DOES_NOT_EXIST = 1;
    static final int LUN_DOES_NOT_EXIST = 2;
    static final int ALLEGIANCE_REASSIGNMENT_NOT_SUPPORTED = 4;
    static final int FUNCTION_NOT_SUPPORTED = 5;
    /** RFC 7144 §4.2: SAM-5's FUNCTION SUCCEEDED service response (QUERY functions). */
    static final int FUNCTION_SUCCEEDED = 7;
    static final int FUNCTION_REJECTED = 255;

    private static final int NO_TAG = 0xFFFFFFFF;

    private final Session session;
    private final IscsiConnection connection;
    /** Tags of recently aborted tasks: Data-Out still in flight for them is dropped silently, not rejected. */
    private final int[] recentlyAborted = new int[64];
    private int recentIndex;
    /** Requests waiting for their response, kept only when listeners observe the target. */
    private final IntObjectMap<TargetListener.TaskManagementInfo> observed = new IntObjectHashMap<>(4);

    TaskManagement(Session session, IscsiConnection connection) {
        this.session = session;
        this.connection = connection;
        Arrays.fill(recentlyAborted, NO_TAG);
    }

    void onRequest(TaskManagementRequest t) {
        int function = t.function();
        int itt = t.initiatorTaskTag();
        if (connection.listening()) {
            observed.put(itt, new TargetListener.TaskManagementInfo(function, Lun.decode(t.lun()),
                    t.referencedTaskTag(), -1));
        }
        LogicalUnit unit = session.unit(t.lun());
        boolean needsUnit = function == ABORT_TASK_SET || function == CLEAR_TASK_SET
                || function == LOGICAL_UNIT_RESET || function == QUERY_TASK || function == QUERY_TASK_SET
                || function == QUERY_ASYNCHRONOUS_EVENT;
        if (needsUnit && unit == null) {
            respond(itt, LUN_DOES_NOT_EXIST);
            return;
        }
        switch (function) {
            case ABORT_TASK -> abortTask(t);
            case ABORT_TASK_SET -> respondWhenEnded(itt, session.fenceHere(task -> task.unit() == unit, true), false);
            case CLEAR_TASK_SET -> clearTaskSet(itt, unit, Lun.decode(t.lun()));
            case LOGICAL_UNIT_RESET -> {
                session.logicalUnitReset(t.lun());
                respondWhenEnded(itt, afterOtherGateways(everySession(task -> task.unit() == unit),
                        unit.resetOtherGateways()), false);
            }
            case TARGET_WARM_RESET, TARGET_COLD_RESET -> {
                session.targetReset();
                respondWhenEnded(itt, afterOtherGateways(everySession(task -> true),
                        session.targetResetOtherGateways()), function == TARGET_COLD_RESET);
            }
            case CLEAR_ACA -> respond(itt, FUNCTION_NOT_SUPPORTED); // NACA is refused
            case TASK_REASSIGN -> respond(itt, ALLEGIANCE_REASSIGNMENT_NOT_SUPPORTED); // ERL 0
            case QUERY_TASK -> {
                ScsiCommandTask task = session.task(t.referencedTaskTag());
                boolean live = task != null && !task.aborted() && task.lun() == t.lun();
                respond(itt, live ? FUNCTION_SUCCEEDED : FUNCTION_COMPLETE);
            }
            case QUERY_TASK_SET -> {
                boolean any = session.liveTasks().stream().anyMatch(x -> !x.aborted() && x.unit() == unit);
                respond(itt, any ? FUNCTION_SUCCEEDED : FUNCTION_COMPLETE);
            }
            case I_T_NEXUS_RESET -> {
                session.itNexusReset();
                respondWhenEnded(itt, session.fenceHere(task -> true, true), false);
            }
            case QUERY_ASYNCHRONOUS_EVENT -> {
                int info = session.queryAsynchronousEvent(t.lun());
                connection.sendTaskManagementResponse(itt, info < 0 ? FUNCTION_COMPLETE : FUNCTION_SUCCEEDED,
                        Math.max(0, info));
                connection.flushSoon();
            }
            default -> respond(itt, FUNCTION_REJECTED);
        }
    }

    /**
     * ABORT TASK (RFC 7143 §11.5.1): a task in the table is aborted, or was already, and "Function complete" is sent
     * once it has ended; a task not (yet) received whose RefCmdSN lies in the window before the request is
     * considered received and dropped when it arrives ("Function complete"); otherwise it already completed ("Task
     * does not exist").
     */
    private void abortTask(TaskManagementRequest t) {
        ScsiCommandTask task = session.task(t.referencedTaskTag());
        if (task != null) {
            rememberAborted(task.initiatorTaskTag);
            respondWhenEnded(t.initiatorTaskTag(), session.fenceHere(x -> x == task, true), false);
            return;
        }
        if (session.discardNotYetReceived(t.refCmdSN(), t.cmdSN())) {
            rememberAborted(t.referencedTaskTag());
            respond(t.initiatorTaskTag(), FUNCTION_COMPLETE);
            return;
        }
        respond(t.initiatorTaskTag(), TASK_DOES_NOT_EXIST);
    }

    /**
     * CLEAR TASK SET (SAM-5; one task set per logical unit, TST 000b): the tasks of every I_T nexus on the logical
     * unit are aborted; the other nexuses that lost tasks get COMMANDS CLEARED BY ANOTHER INITIATOR (TAS 0).
     */
    private void clearTaskSet(int itt, LogicalUnit unit, int lun) {
        for (ScsiCommandTask task : session.liveTasks()) {
            if (task.unit() == unit) {
                rememberAborted(task.initiatorTaskTag);
            }
        }
        String target = session.key.targetName();
        CompletableFuture<Void> own = session.fenceHere(task -> task.unit() == unit, true);
        List<CompletableFuture<Void>> all = new ArrayList<>();
        all.add(own);
        for (Session other : session.registry().sessionsOf(target)) {
            if (other == session) {
                continue;
            }
            boolean[] lost = new boolean[1];
            all.add(other.fence(task -> {
                if (task.unit() == unit && !task.aborted()) {
                    lost[0] = true;
                }
                return task.unit() == unit;
            }, true).whenComplete((v, e) -> {
                if (lost[0]) {
                    ScsiDispatcher d = other.dispatcher();
                    for (Map.Entry<Integer, LogicalUnit> m : d.logicalUnits().entrySet()) {
                        if (m.getValue() == unit) {
                            d.commandsCleared(m.getKey(), other.nexus());
                        }
                    }
                }
            }));
        }
        respondWhenEnded(itt, CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)), false);
    }

    /**
     * Aborts the tasks {@code which} selects on every session of this session's target, live or draining (a
     * logical unit reset covers every I_T nexus of the unit; a target reset every unit of the target).
     */
    private CompletableFuture<Void> everySession(Predicate<ScsiCommandTask> which) {
        for (ScsiCommandTask task : session.liveTasks()) {
            if (which.test(task)) {
                rememberAborted(task.initiatorTaskTag);
            }
        }
        return session.registry().fence(session.key.targetName(), s -> true, which, true);
    }

    /**
     * Sends "Function complete" once {@code ended} completes (every covered task, on every session covered, has
     * ended), on this session's event loop. With {@code closeAfter} (TARGET COLD RESET, RFC 7143 §11.5.1) the
     * response goes out and then every connection of the target is dropped, this one last.
     */
    /**
     * Completes once the tasks here have ended and the other gateways serving the logical units have done their part
     * (each waits for its own tasks); fails when a gateway could neither answer nor be fenced.
     */
    private static CompletableFuture<Void> afterOtherGateways(CompletableFuture<Void> here,
                                                              java.util.concurrent.CompletionStage<Void> there) {
        CompletableFuture<Void> others = there.toCompletableFuture();
        return here.thenCombine(others.handle((v, e) -> e), (v, failure) -> {
            if (failure != null) {
                throw new java.util.concurrent.CompletionException(failure);
            }
            return null;
        });
    }

    private void respondWhenEnded(int itt, CompletableFuture<Void> ended, boolean closeAfter) {
        ended.whenComplete((v, e) -> session.execute(() -> {
            // Failed only when another gateway could neither answer nor be fenced: not "complete" then.
            respond(itt, e == null ? FUNCTION_COMPLETE : FUNCTION_REJECTED);
            if (closeAfter) {
                for (Session s : session.registry().liveSessionsOf(session.key.targetName())) {
                    if (s != session) {
                        s.close();
                    }
                }
                connection.flush();
                connection.closeAfterFlush();
            }
        }));
    }

    private void respond(int itt, int response) {
        connection.sendTaskManagementResponse(itt, response);
        connection.flushSoon();
        TargetListener.TaskManagementInfo asked = observed.remove(itt);
        if (asked != null) {
            connection.taskManagementAnswered(new TargetListener.TaskManagementInfo(asked.function(), asked.lun(),
                    asked.referencedTaskTag(), response));
        }
    }

    private void rememberAborted(int itt) {
        recentlyAborted[recentIndex] = itt;
        recentIndex = (recentIndex + 1) % recentlyAborted.length;
    }

    /** Whether Data-Out for this tag belongs to a task aborted a short while ago. */
    boolean recentlyAborted(int itt) {
        if (itt == NO_TAG) {
            return false;
        }
        for (int t : recentlyAborted) {
            if (t == itt) {
                return true;
            }
        }
        return false;
    }
}
