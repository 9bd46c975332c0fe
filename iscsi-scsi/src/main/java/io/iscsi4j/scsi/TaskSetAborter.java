package io.iscsi4j.scsi;

import java.util.function.Predicate;

/**
 * What the transport does when a PERSISTENT RESERVE OUT with the PREEMPT AND ABORT service action removes other
 * I_T nexuses' registrations: abort those nexuses' tasks for the logical unit, as an ABORT TASK SET received on each
 * of them would (SPC-5, PREEMPT AND ABORT; SAM-5). The SCSI layer cannot end tasks it does not own; the transport
 * owns the task sets of every session.
 *
 * <p>Called on the thread completing the PERSISTENT RESERVE OUT, before it completes; it must not block. The
 * PERSISTENT RESERVE OUT task itself is never among the tasks to abort. The default,
 * {@link #NONE}, aborts nothing: the preempted nexuses' commands already in flight then finish normally, and every
 * later one gets the REGISTRATIONS PREEMPTED unit attention and the reservation's conflicts.
 *
 * @since 0.1
 */
@FunctionalInterface
public interface TaskSetAborter {

    /** Aborts nothing. */
    TaskSetAborter NONE = (lun, preempted) -> { };

    /**
     * Aborts every task for logical unit {@code lun} received on an I_T nexus that {@code preempted} accepts.
     *
     * @param lun the logical unit number (0 to {@link Lun#MAX})
     * @param preempted accepts the nexuses whose registrations were removed (matched by initiator port name and
     *     target port name; a registration made with ALL_TG_PT matches the initiator port through every target port)
     */
    void abortTasks(int lun, Predicate<ItNexus> preempted);
}
