package io.iscsi4j.scsi;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Building blocks for commands whose I/O is a short chain of backstore calls (VERIFY, COMPARE AND WRITE, WRITE SAME,
 * UNMAP, SANITIZE, ...): run a call on the logical unit's executor, hold an {@link LbaLocks} claim around a chain,
 * and finish the task from the chain's outcome. READ and WRITE use the allocation-free {@link BlockIo} instead.
 *
 * <p>On a logical unit with a {@linkplain LogicalUnit.Builder#backstoreTimeout backstore timeout} each call is timed
 * ({@link TimedStage}): a call that exceeds it fails its future with {@link Stalled} at once (the chain stops there
 * and the command ends NOT READY), while the claim {@link #locked} holds stays held, and the task's buffers kept,
 * until the call really completes; and no call starts while the logical unit is not ready (its future fails with
 * {@link Stalled} too). Without the option nothing of this is allocated.
 */
final class AsyncIo {

    private static final Logger LOG = LoggerFactory.getLogger(AsyncIo.class);

    /** The logical unit's executor rejected a backstore call: the command ends with BUSY. */
    static final class Busy extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Busy(Throwable cause) {
            super("backstore executor rejected the call", cause, false, false);
        }
    }

    /** The task was aborted before a backstore call could start: the call did not start. */
    static final class Aborted extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Aborted() {
            super("task aborted before its backstore call", null, false, false);
        }
    }

    /**
     * The logical unit is not ready because a backstore call exceeded its backstore timeout: this call (then
     * {@link #running} completes when it does), or an earlier one (then this call did not start and {@link #running}
     * is {@code null}). {@link SenseMapper} reports it as {@link BackstoreTimeouts#NOT_READY}.
     */
    static final class Stalled extends RuntimeException {
        private static final long serialVersionUID = 1L;

        /** Completes when this command's own call past the timeout completes; {@code null} when none started. */
        final transient CompletableFuture<Void> running;

        Stalled(CompletableFuture<Void> running) {
            super(running != null ? "backstore call exceeded the backstore timeout"
                    : "logical unit not ready: a backstore call exceeded the backstore timeout", null, false, false);
            this.running = running;
        }
    }

    private AsyncIo() {
    }

    /**
     * Runs {@code call} on the logical unit's executor on behalf of {@code task}, like {@link #submit(LogicalUnit,
     * Supplier)}, unless the task was aborted by the time the call would start ({@link
     * ScsiTask#startingBackstoreCall}): then the call does not start and the future completes with {@link Aborted}.
     */
    static <T> CompletableFuture<T> submit(ScsiTask task, LogicalUnit lu,
                                           Supplier<? extends CompletionStage<T>> call) {
        return submit(lu, task, call);
    }

    /**
     * Runs {@code call} on the logical unit's executor, for work that is not a task's own (a background SANITIZE).
     * The returned future completes like the call's stage; it
     * completes exceptionally when the call throws or returns {@code null}, with {@link Busy} when the executor
     * rejects the call, and with {@link Stalled} when the logical unit's backstore timeout passed first or the
     * logical unit is not ready.
     */
    static <T> CompletableFuture<T> submit(LogicalUnit lu, Supplier<? extends CompletionStage<T>> call) {
        return submit(lu, null, call);
    }

    private static <T> CompletableFuture<T> submit(LogicalUnit lu, ScsiTask task,
                                                   Supplier<? extends CompletionStage<T>> call) {
        CompletableFuture<T> result = new CompletableFuture<>();
        BackstoreTimeouts timeouts = lu.backstoreTimeouts();
        try {
            lu.executor().execute(() -> {
                if (task != null && !task.startingBackstoreCall()) {
                    result.completeExceptionally(new Aborted());
                    return;
                }
                TimedStage timing = null;
                CompletableFuture<Void> running = null;
                if (timeouts != null) {
                    if (timeouts.notReady()) {
                        result.completeExceptionally(new Stalled(null)); // nothing joins a stalled backstore
                        return;
                    }
                    CompletableFuture<Void> late = new CompletableFuture<>();
                    running = late;
                    timing = new TimedStage(timeouts, task, () -> result.completeExceptionally(new Stalled(late)));
                    timing.start();
                }
                CompletionStage<T> stage;
                try {
                    stage = call.get();
                } catch (Throwable t) {
                    settle(result, timing, running, null, t);
                    return;
                }
                if (stage == null) {
                    settle(result, timing, running, null,
                            new IllegalStateException("backstore returned a null stage"));
                    return;
                }
                TimedStage timed = timing;
                CompletableFuture<Void> late = running;
                stage.whenComplete((value, failure) -> settle(result, timed, late, value, failure));
            });
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(new Busy(e));
        }
        return result;
    }

    /** A call completed: completes its future, unless it completed after its timeout (its future failed then). */
    private static <T> void settle(CompletableFuture<T> result, TimedStage timing, CompletableFuture<Void> running,
                                   T value, Throwable failure) {
        if (timing != null && !timing.completedOnTime()) {
            running.complete(null); // releases the claim held for the call (see locked)
            timing.lateCompletion(failure);
            return;
        }
        if (failure != null) {
            result.completeExceptionally(failure);
        } else {
            result.complete(value);
        }
    }

    /**
     * Claims {@code blocks} blocks from {@code lba} (see {@link LbaLocks}), runs {@code chain} once granted and
     * releases the claim when the chain's stage completes, or, when it failed because one of its calls exceeded the
     * backstore timeout ({@link Stalled}), once that call has completed. A chain that throws completes the result
     * exceptionally.
     */
    static <T> CompletableFuture<T> locked(LogicalUnit lu, long lba, long blocks, boolean exclusive,
                                          Supplier<? extends CompletionStage<T>> chain) {
        CompletableFuture<T> result = new CompletableFuture<>();
        lu.locks().acquire(lba, blocks, exclusive, claim -> {
            CompletionStage<T> stage;
            try {
                stage = chain.get();
            } catch (Throwable t) {
                lu.locks().release(claim);
                result.completeExceptionally(t);
                return;
            }
            stage.whenComplete((value, failure) -> {
                CompletableFuture<Void> running = runningPastTimeout(failure);
                if (running != null) {
                    running.whenComplete((v, e) -> lu.locks().release(claim));
                } else {
                    lu.locks().release(claim);
                }
                if (failure != null) {
                    result.completeExceptionally(failure);
                } else {
                    result.complete(value);
                }
            });
        });
        return result;
    }

    /**
     * The call past the backstore timeout that made a chain fail, found among the failure's causes (chains may wrap
     * it), or {@code null}.
     */
    private static CompletableFuture<Void> runningPastTimeout(Throwable failure) {
        Throwable t = failure;
        for (int depth = 0; t != null && depth < 16; depth++, t = t.getCause()) {
            if (t instanceof Stalled s) {
                return s.running;
            }
        }
        return null;
    }

    /**
     * Completes the task from a chain's outcome: GOOD reporting {@code dataLength} bytes, BUSY when the executor
     * rejected a call, otherwise CHECK CONDITION with the sense data {@link SenseMapper} chooses.
     *
     * @param writing whether a medium error is reported as a write error (otherwise as a read error)
     */
    static void finish(ScsiTask task, Throwable failure, boolean writing, int dataLength) {
        if (failure == null) {
            task.complete(ScsiStatus.GOOD, null, dataLength);
            return;
        }
        Throwable cause = SenseMapper.unwrap(failure);
        if (cause instanceof Aborted) {
            task.complete(ScsiStatus.TASK_ABORTED, null, 0); // not sent: the transport aborted the task
            return;
        }
        if (cause instanceof Busy) {
            LOG.debug("backstore executor rejected a command; reporting BUSY", cause.getCause());
            task.complete(ScsiStatus.BUSY, null, 0);
            return;
        }
        if (cause instanceof CheckCondition check) {
            Sense.fail(task, check.sense);
            return;
        }
        Sense.fail(task, SenseMapper.map(cause, writing));
    }

    /**
     * Ends a chain with specific sense data decided inside it (for example a VERIFY miscompare found by the SCSI
     * layer itself); {@link #finish} reports {@link #sense} as is.
     */
    static final class CheckCondition extends RuntimeException {
        private static final long serialVersionUID = 1L;

        final transient SenseData sense;

        CheckCondition(SenseData sense) {
            super(sense.toString(), null, false, false);
            this.sense = sense;
        }
    }
}
