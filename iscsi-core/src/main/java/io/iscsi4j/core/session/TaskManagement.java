package io.iscsi4j.core.session;

import io.iscsi4j.TargetListener;
import io.iscsi4j.core.pdu.TaskManagementRequest;
import io.iscsi4j.scsi.Lun;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.IntObjectMap;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;

/**
 * Task management functions of one session (RFC 7143 §11.5, §11.6; functions 9 to 12 as RFC 7144 §4 adds them). An
 * aborted task never gets a SCSI response; the function's response is sent once every task it terminated has let go
 * of its buffers (storage I/O already handed to a backstore runs to completion first, its result is dropped; a task
 * that only waits for a background operation of its logical unit, such as a SANITIZE, ends at once).
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

    /** A function response waiting for its aborted tasks to terminate. */
    static final class PendingResponse {
        final int initiatorTaskTag;
        final boolean closeAfter;
        int remaining;

        PendingResponse(int initiatorTaskTag, boolean closeAfter) {
            this.initiatorTaskTag = initiatorTaskTag;
            this.closeAfter = closeAfter;
        }
    }

    TaskManagement(Session session, IscsiConnection connection) {
        this.session = session;
        this.connection = connection;
        Arrays.fill(recentlyAborted, NO_TAG);
    }

    void onRequest(TaskManagementRequest t) {
        int function = t.function();
        if (connection.sessionInfo() != null) {
            observed.put(t.initiatorTaskTag(), new TargetListener.TaskManagementInfo(function, Lun.decode(t.lun()),
                    t.referencedTaskTag(), -1));
        }
        switch (function) {
            case ABORT_TASK -> abortTask(t);
            case ABORT_TASK_SET, CLEAR_TASK_SET -> {
                if (!session.hasLun(t.lun())) {
                    respond(t.initiatorTaskTag(), LUN_DOES_NOT_EXIST);
                } else {
                    abortMatching(t.initiatorTaskTag(), task -> task.lun() == t.lun(), false);
                }
            }
            case LOGICAL_UNIT_RESET -> {
                if (!session.hasLun(t.lun())) {
                    respond(t.initiatorTaskTag(), LUN_DOES_NOT_EXIST);
                } else {
                    session.logicalUnitReset(t.lun());
                    abortMatching(t.initiatorTaskTag(), task -> task.lun() == t.lun(), false);
                }
            }
            case TARGET_WARM_RESET -> {
                session.targetReset();
                abortMatching(t.initiatorTaskTag(), task -> true, false);
            }
            case TARGET_COLD_RESET -> {
                session.targetReset();
                abortMatching(t.initiatorTaskTag(), task -> true, true);
            }
            case CLEAR_ACA -> respond(t.initiatorTaskTag(), FUNCTION_NOT_SUPPORTED); // NACA is refused
            case TASK_REASSIGN -> respond(t.initiatorTaskTag(), ALLEGIANCE_REASSIGNMENT_NOT_SUPPORTED); // ERL 0
            case QUERY_TASK -> {
                if (!session.hasLun(t.lun())) {
                    respond(t.initiatorTaskTag(), LUN_DOES_NOT_EXIST);
                } else {
                    ScsiCommandTask task = session.task(t.referencedTaskTag());
                    boolean live = task != null && !task.aborted && task.lun() == t.lun();
                    respond(t.initiatorTaskTag(), live ? FUNCTION_SUCCEEDED : FUNCTION_COMPLETE);
                }
            }
            case QUERY_TASK_SET -> {
                if (!session.hasLun(t.lun())) {
                    respond(t.initiatorTaskTag(), LUN_DOES_NOT_EXIST);
                } else {
                    boolean any = session.liveTasks().stream().anyMatch(x -> !x.aborted && x.lun() == t.lun());
                    respond(t.initiatorTaskTag(), any ? FUNCTION_SUCCEEDED : FUNCTION_COMPLETE);
                }
            }
            case I_T_NEXUS_RESET -> {
                session.itNexusReset();
                abortMatching(t.initiatorTaskTag(), task -> true, false);
            }
            case QUERY_ASYNCHRONOUS_EVENT -> {
                if (!session.hasLun(t.lun())) {
                    respond(t.initiatorTaskTag(), LUN_DOES_NOT_EXIST);
                } else {
                    int info = session.queryAsynchronousEvent(t.lun());
                    connection.sendTaskManagementResponse(t.initiatorTaskTag(),
                            info < 0 ? FUNCTION_COMPLETE : FUNCTION_SUCCEEDED, Math.max(0, info));
                    connection.flushSoon();
                }
            }
            default -> respond(t.initiatorTaskTag(), FUNCTION_REJECTED);
        }
    }

    /**
     * ABORT TASK (RFC 7143 §11.5.1): a live task is terminated ("Function complete"); a task not (yet) received
     * whose RefCmdSN lies in the window before the request is considered received and dropped when it arrives
     * ("Function complete"); otherwise it already completed ("Task does not exist").
     */
    private void abortTask(TaskManagementRequest t) {
        ScsiCommandTask task = session.task(t.referencedTaskTag());
        if (task != null && !task.aborted) {
            abortMatching(t.initiatorTaskTag(), x -> x == task, false);
            return;
        }
        if (session.discardNotYetReceived(t.refCmdSN(), t.cmdSN())) {
            rememberAborted(t.referencedTaskTag());
            respond(t.initiatorTaskTag(), FUNCTION_COMPLETE);
            return;
        }
        respond(t.initiatorTaskTag(), TASK_DOES_NOT_EXIST);
    }

    private void abortMatching(int tmfTag, Predicate<ScsiCommandTask> which, boolean closeAfter) {
        PendingResponse pending = new PendingResponse(tmfTag, closeAfter);
        List<ScsiCommandTask> victims = new ArrayList<>();
        for (ScsiCommandTask task : session.liveTasks()) {
            if (!task.aborted && which.test(task)) {
                victims.add(task);
            }
        }
        for (ScsiCommandTask task : victims) {
            rememberAborted(task.initiatorTaskTag);
            if (!session.abort(task, pending)) {
                pending.remaining++;
            }
        }
        if (pending.remaining == 0) {
            finish(pending);
        }
    }

    /** An aborted task whose I/O was in flight has now terminated. */
    void terminated(PendingResponse pending) {
        if (--pending.remaining == 0) {
            finish(pending);
        }
    }

    private void finish(PendingResponse pending) {
        respond(pending.initiatorTaskTag, FUNCTION_COMPLETE);
        if (pending.closeAfter) {
            // TARGET COLD RESET: the response goes out, then the connection is dropped (RFC 7143 §11.5.1).
            connection.flush();
            connection.closeAfterFlush();
        }
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
