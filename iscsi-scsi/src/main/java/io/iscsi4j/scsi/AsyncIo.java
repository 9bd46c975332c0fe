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

    private AsyncIo() {
    }

    /**
     * Runs {@code call} on the logical unit's executor on behalf of {@code task}, like {@link #submit(LogicalUnit,
     * Supplier)}, unless the task was aborted by the time the call would start ({@link
     * ScsiTask#startingBackstoreCall}): then the call does not start and the future completes with {@link Aborted}.
     */
    static <T> CompletableFuture<T> submit(ScsiTask task, LogicalUnit lu,
                                           Supplier<? extends CompletionStage<T>> call) {
        return submit(lu, () -> {
            if (!task.startingBackstoreCall()) {
                throw new Aborted();
            }
            return call.get();
        });
    }

    /**
     * Runs {@code call} on the logical unit's executor, for work that is not a task's own (a background SANITIZE).
     * The returned future completes like the call's stage; it
     * completes exceptionally when the call throws or returns {@code null}, and with {@link Busy} when the executor
     * rejects the call.
     */
    static <T> CompletableFuture<T> submit(LogicalUnit lu, Supplier<? extends CompletionStage<T>> call) {
        CompletableFuture<T> result = new CompletableFuture<>();
        try {
            lu.executor().execute(() -> {
                CompletionStage<T> stage;
                try {
                    stage = call.get();
                } catch (Throwable t) {
                    result.completeExceptionally(t);
                    return;
                }
                if (stage == null) {
                    result.completeExceptionally(new IllegalStateException("backstore returned a null stage"));
                    return;
                }
                stage.whenComplete((value, failure) -> {
                    if (failure != null) {
                        result.completeExceptionally(failure);
                    } else {
                        result.complete(value);
                    }
                });
            });
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(new Busy(e));
        }
        return result;
    }

    /**
     * Claims {@code blocks} blocks from {@code lba} (see {@link LbaLocks}), runs {@code chain} once granted and
     * releases the claim when the chain's stage completes. A chain that throws completes the result exceptionally.
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
                lu.locks().release(claim);
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
