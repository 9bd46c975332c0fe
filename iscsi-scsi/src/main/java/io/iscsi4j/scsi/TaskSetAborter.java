package io.iscsi4j.scsi;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;

/**
 * What the transport does when a PERSISTENT RESERVE OUT removes other I_T nexuses' registrations: with PREEMPT AND
 * ABORT it aborts those nexuses' tasks for the logical unit, as an ABORT TASK SET received on each of them would
 * (SPC-5, PREEMPT AND ABORT; SAM-5); with CLEAR it only waits for their tasks already under way. The SCSI layer
 * cannot end tasks it does not own; the transport owns the task sets of every session.
 *
 * <p>The PERSISTENT RESERVE OUT completes (GOOD) only when the returned stage completes, that is once every task
 * covered has ended: an aborted task whose backstore call was in flight ends only when that call has completed. So
 * once the preemptor sees GOOD, no write of a preempted host lands on the medium any more.
 *
 * <p>Called on the thread completing the PERSISTENT RESERVE OUT; must not block. The requesting task itself is never
 * among the tasks covered. The default, {@link #NONE}, aborts nothing and waits for nothing: the preempted nexuses'
 * commands already in flight then finish normally, and every later one gets the REGISTRATIONS PREEMPTED unit
 * attention and the reservation's conflicts.
 *
 * @since 0.1
 */
@FunctionalInterface
public interface TaskSetAborter {

    /** Aborts nothing and waits for nothing. */
    TaskSetAborter NONE = (requester, lun, preempted) -> CompletableFuture.completedFuture(null);

    /**
     * Aborts every task for logical unit {@code lun} received on an I_T nexus that {@code preempted} accepts, except
     * {@code requester}; the stage completes once all of them have ended.
     *
     * @param requester the PERSISTENT RESERVE OUT task asking
     * @param lun the logical unit number (0 to {@link Lun#MAX}) as the requester addressed it
     * @param preempted accepts the nexuses whose registrations were removed (matched by initiator port name and
     *     target port name; a registration made with ALL_TG_PT matches the initiator port through every target port)
     * @return a stage completing when every covered task has ended
     */
    CompletionStage<Void> abortTasks(ScsiTask requester, int lun, Predicate<ItNexus> preempted);

    /**
     * Waits, without aborting them, for every task for logical unit {@code lun} under way on an I_T nexus that
     * {@code nexuses} accepts, except {@code requester} (PERSISTENT RESERVE OUT with CLEAR). The default waits for
     * nothing.
     *
     * @param requester the PERSISTENT RESERVE OUT task asking
     * @param lun the logical unit number as the requester addressed it
     * @param nexuses accepts the nexuses whose registrations were removed
     * @return a stage completing when every covered task has ended
     */
    default CompletionStage<Void> awaitTasks(ScsiTask requester, int lun, Predicate<ItNexus> nexuses) {
        return CompletableFuture.completedFuture(null);
    }
}
