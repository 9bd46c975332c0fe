package io.iscsi4j.initiator;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * A logged-in iSCSI session with one target (one connection): runs SCSI commands, many in flight, within the
 * target's CmdSN window; commands beyond the window wait in order.
 *
 * <p>Thread-safe: any thread may submit; completions run on the session's I/O thread and must not block. With
 * recovery on ({@link LoginOptions.Builder#recovery}) a lost connection is replaced and unanswered commands are
 * reissued; otherwise they fail with {@link ConnectionLostException}.
 *
 * <p>{@link #close()} logs out (bounded by the command timeout) and releases the connection; it is idempotent.
 *
 * @since 0.1
 */
public interface IscsiSession extends AutoCloseable {

    /**
     * What the login negotiated (after a recovery, the latest login's values).
     *
     * @return the parameters
     */
    SessionParameters parameters();

    /**
     * The options the session logged in with.
     *
     * @return the options
     */
    LoginOptions options();

    /**
     * Sends a SCSI command.
     *
     * @param request the command and its buffers, which must not be touched until the stage completes
     * @return the target's answer (any status; CHECK CONDITION is a result, not a failure), or a failure with
     *     {@link IscsiException} when there is no answer
     */
    CompletionStage<ScsiResult> execute(ScsiRequest request);

    /**
     * Aborts a command this session is running (ABORT TASK). Its stage then fails with
     * {@link java.util.concurrent.CancellationException} if the target aborted it.
     *
     * @param command a stage returned by {@link #execute}
     * @return the target's answer; {@link TaskManagementResult#TASK_DOES_NOT_EXIST} if the command had ended
     */
    CompletionStage<TaskManagementResult> abort(CompletionStage<ScsiResult> command);

    /**
     * Sends a task management function for a LUN (or the target). Commands it ends fail with
     * {@link IscsiException}.
     *
     * @param function the function
     * @param lun the LUN (ignored by the target resets)
     * @return the target's answer
     */
    CompletionStage<TaskManagementResult> taskManagement(TaskManagementFunction function, int lun);

    /**
     * Sends a NOP-Out ping and waits for the NOP-In.
     *
     * @return the round-trip time
     */
    CompletionStage<Duration> ping();

    /**
     * REPORT LUNS (select report 0).
     *
     * @return the LUNs, in the target's order
     */
    CompletionStage<List<Integer>> reportLuns();

    /**
     * Opens a block-device view of a LUN: reads its capacity (READ CAPACITY 16, or 10) and its transfer limits
     * (Block Limits VPD page, if reported).
     *
     * @param lun the LUN
     * @return the device
     */
    CompletionStage<BlockDevice> openLun(int lun);

    /**
     * {@link #openLun} and wait (bounded by the command timeout).
     *
     * @param lun the LUN
     * @return the device
     * @throws IscsiException if the LUN cannot be opened
     */
    BlockDevice lun(int lun) throws IscsiException;

    /**
     * Logs out (reason: close the session) and closes the connection. Commands still waiting fail.
     *
     * @return completes when the target answered and the connection closed
     */
    CompletionStage<Void> logout();

    /**
     * Whether the session still accepts commands (not logged out, closed or failed).
     *
     * @return {@code true} if open
     */
    boolean isOpen();

    /**
     * How many commands were sent and not yet answered, plus those waiting for the window.
     *
     * @return the count (a snapshot)
     */
    int outstandingCommands();

    /**
     * How many times the session recovered from a lost connection.
     *
     * @return the count
     */
    int recoveries();

    /** Logs out (bounded by the command timeout) and closes; idempotent; never throws. */
    @Override
    void close();
}
