package io.iscsi4j.scsi;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;

/**
 * How a logical unit shared by several gateways has the transport end or await its tasks when another gateway asks
 * (a PREEMPT AND ABORT, CLEAR or LOGICAL UNIT RESET received there): the SCSI layer cannot end tasks it does not own.
 * The transport aborts (SAM-5, TAS 0: no responses) or only awaits every task for the logical unit, on every session
 * of this gateway, received on an I_T nexus that {@code nexuses} accepts; the stage completes once all of them have
 * ended, an aborted task whose backstore call was in flight only once that call has completed.
 *
 * <p>Called on a thread of the {@link io.iscsi4j.backstore.SharedState}; must not block.
 *
 * @since 0.2
 */
@FunctionalInterface
public interface UnitTaskFence {

    /** Ends nothing and waits for nothing (a logical unit no transport serves). */
    UnitTaskFence NONE = (unit, nexuses, abort) -> CompletableFuture.completedFuture(null);

    /**
     * @param unit the logical unit
     * @param nexuses accepts the I_T nexuses whose tasks are covered
     * @param abort {@code true} to abort the tasks, {@code false} to wait for the tasks under way
     * @return a stage completing when every covered task has ended
     */
    CompletionStage<Void> fence(LogicalUnit unit, Predicate<ItNexus> nexuses, boolean abort);
}
