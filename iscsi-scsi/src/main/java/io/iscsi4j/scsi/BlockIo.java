package io.iscsi4j.scsi;

import io.iscsi4j.backstore.Backstore;
import io.iscsi4j.backstore.Backstores;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One READ, WRITE or SYNCHRONIZE CACHE in flight: a small state machine that is the {@link Runnable} submitted to
 * the logical unit's executor (each backstore call runs there), the callback of everything it waits for (the
 * Data-Out, each backstore call's stage) and its own {@link LbaLocks.Claim} on its blocks. One object per command;
 * no other allocation on the data path except for a truncated read's last partial block.
 *
 * <p>Transfer length versus expected transfer length (the initiator's announcement): a READ that needs more
 * than expected reads and sends only the expected bytes (whole blocks, plus the head of one more block when the
 * expected length is not block-aligned) and reports the full length so the transport signals an overflow
 * residual. A WRITE that needs more than expected writes only the whole blocks the expected length covers and
 * ends GOOD, reporting the full length so the transport signals an overflow residual (what Linux LIO does and
 * libiscsi's residual tests expect); when not even one block is covered nothing is written. Needing less than
 * expected is an underflow the transport reports.
 *
 * <p>SYNCHRONIZE CACHE with IMMED ends with GOOD once its flush is queued on the executor (BUSY when the executor
 * rejects it). When that flush then fails, the failure becomes a deferred error of the I_T nexus that sent the
 * command ({@link UnitAttentions#establishDeferredError}): its next command to the logical unit reports it.
 *
 * <p>Every backstore call is submitted to the executor; when it rejects the task the command ends with BUSY.
 * Exception: for a backstore that declares {@link io.iscsi4j.backstore.BackstoreCapability#NON_BLOCKING}, the reads
 * and writes of a command of at most {@link #INLINE_LIMIT} bytes run inline, on the thread that started the command
 * or delivered its Data-Out (the transport's network thread), when the blocks' claim is granted at once: a memory
 * copy costs less than two thread switches. A claim granted later, by the release of a conflicting claim, submits
 * to the executor as usual, so completions never chain through another command's release on the stack.
 * A backstore call for an aborted task never starts ({@link ScsiTask#startingBackstoreCall}); the task then ends with
 * TASK ABORTED, which the transport does not send.
 * READs and WRITEs hold a shared {@link LbaLocks} claim on their blocks while their backstore calls run (a WRITE
 * takes it once its Data-Out has arrived), so they never interleave with an atomic command on the same blocks.
 *
 * <p>On a logical unit with a {@linkplain LogicalUnit.Builder#backstoreTimeout backstore timeout} each backstore call
 * is timed ({@link TimedStage}): a call that exceeds it ends the command with NOT READY / LOGICAL UNIT NOT READY,
 * OPERATION IN PROGRESS while the call keeps the claim and the task's buffers until it completes, and no call starts
 * while the logical unit is not ready (the command ends with the same sense instead). Without the option the only
 * cost is a null check per call.
 */
final class BlockIo extends LbaLocks.Claim implements Runnable, BiConsumer<Object, Throwable> {

    private static final Logger LOG = LoggerFactory.getLogger(BlockIo.class);

    /** The shared stage of calls that completed before they returned ({@link Backstores#completed()}). */
    private static final CompletionStage<Void> DONE = Backstores.completed();

    /** The largest transfer whose backstore calls may run inline on a non-blocking backstore. */
    static final int INLINE_LIMIT = 256 * 1024;

    /** Reading the whole blocks of a READ into the Data-In buffer. */
    private static final int READ = 1;
    /** Reading the partial last block of a READ truncated to a length that is not block-aligned. */
    private static final int READ_TAIL = 2;
    /** Waiting for the WRITE's Data-Out. */
    private static final int DATA_OUT = 3;
    /** Writing the Data-Out to the backstore. */
    private static final int WRITE = 4;
    /** SYNCHRONIZE CACHE: status after the flush. */
    private static final int FLUSH = 5;
    /** SYNCHRONIZE CACHE with IMMED: GOOD status is sent once the flush is queued; a failure is deferred. */
    private static final int FLUSH_IMMEDIATE = 6;

    private final ScsiTask task;
    /** The logical unit: its backstore, executor, block size, locks, unit attentions and backstore timeout. */
    private final LogicalUnit lu;
    private final long lba;
    /** Bytes the CDB asks for. */
    private final int needed;
    /** Bytes actually transferred: {@code min(needed, expected transfer length)}. */
    private final int length;
    private final boolean fua;
    /** The initiator port of an IMMED flush, taken before its task completes; otherwise {@code null}. */
    private String deferredErrorPort;
    /**
     * The thread inside {@link #lockAndSubmit}'s acquire (when inline calls are allowed): a claim granted on it was
     * granted at once. A thread releasing a conflicting claim never matches, even while this is still set.
     */
    private Thread acquiring;
    /** The claim was granted at once: the calls run inline. */
    private boolean inline;
    private int phase;
    /** This command holds its claim on the blocks (granted, not released yet): while backstore calls run. */
    private boolean holdingClaim;
    /** The Data-In buffer (reads) or the Data-Out buffer (writes); owned by the transport. */
    private ByteBuffer buffer;
    /** The last block of a truncated read. */
    private ByteBuffer tail;
    /** Times each backstore call when the logical unit has a backstore timeout, else {@code null}. */
    private final TimedStage timing;

    private BlockIo(ScsiTask task, LogicalUnit lu, long lba, int needed, int length, boolean fua, int phase) {
        this.task = task;
        this.lu = lu;
        this.lba = lba;
        this.needed = needed;
        this.length = length;
        this.fua = fua;
        this.phase = phase;
        BackstoreTimeouts timeouts = lu.backstoreTimeouts();
        // The flush of an IMMED SYNCHRONIZE CACHE outlives its task: it holds none of the task's buffers.
        this.timing = timeouts == null ? null
                : new TimedStage(timeouts, phase == FLUSH_IMMEDIATE ? null : task, this::timedOut);
    }

    /** Reads {@code needed} bytes from {@code lba} into Data-In and completes the task. */
    static void read(ScsiTask task, LogicalUnit lu, long lba, int needed) {
        int length = (int) Math.min(needed, task.expectedTransferLength());
        if (length == 0) {
            task.complete(ScsiStatus.GOOD, null, needed);
            return;
        }
        BlockIo io = new BlockIo(task, lu, lba, needed, length, false, length >= lu.blockSize() ? READ : READ_TAIL);
        io.buffer = task.allocateDataIn(length);
        io.lockAndSubmit();
    }

    /** Receives {@code needed} bytes of Data-Out, writes them at {@code lba} and completes the task. */
    static void write(ScsiTask task, LogicalUnit lu, long lba, int needed, boolean fua) {
        int length = (int) Math.min(needed, task.expectedTransferLength());
        length -= length % lu.blockSize();
        if (length == 0) {
            task.complete(ScsiStatus.GOOD, null, needed);
            return;
        }
        BlockIo io = new BlockIo(task, lu, lba, needed, length, fua, DATA_OUT);
        task.receiveDataOut(length, io);
    }

    /**
     * Flushes the backstore. With {@code immediate} (SBC-4 IMMED bit) completes the task with GOOD as soon as the
     * flush is queued, and turns a failure of the flush into a deferred error of the task's I_T nexus.
     */
    static void flush(ScsiTask task, LogicalUnit lu, boolean immediate) {
        if (!immediate) {
            new BlockIo(task, lu, 0, 0, 0, false, FLUSH).submit();
            return;
        }
        BlockIo io = new BlockIo(task, lu, 0, 0, 0, false, FLUSH_IMMEDIATE);
        io.deferredErrorPort = task.nexus().initiatorPortName();
        if (io.submit()) {
            Responses.good(task); // the flush may be running already: from here on it does not touch the task
        }
    }

    /** Claims the blocks the command reads or writes (shared), then submits the first backstore call. */
    private void lockAndSubmit() {
        int blockSize = lu.blockSize();
        long blocks = (length + blockSize - 1) / blockSize;
        // Inline calls only on a non-blocking backstore, and only for small transfers.
        acquiring = lu.nonBlocking() && length <= INLINE_LIMIT ? Thread.currentThread() : null;
        lu.locks().acquire(this, lba, blocks, false);
        acquiring = null;
    }

    /** The claim on the blocks was granted: at once (on the thread in {@link #lockAndSubmit}) or later. */
    @Override
    void granted() {
        holdingClaim = true;
        inline = acquiring == Thread.currentThread();
        submit();
    }

    /** Runs or queues the next backstore call; {@code false} when the executor rejected it (the task ended BUSY). */
    private boolean submit() {
        if (inline) {
            run();
            return true;
        }
        try {
            lu.executor().execute(this);
            return true;
        } catch (RejectedExecutionException e) {
            LOG.debug("backstore executor rejected a command; reporting BUSY", e);
            releaseClaim();
            task.complete(ScsiStatus.BUSY, null, 0);
            return false;
        }
    }

    private void releaseClaim() {
        if (holdingClaim) {
            holdingClaim = false;
            lu.locks().release(this);
        }
    }

    /** Runs on the logical unit's executor: one backstore call. */
    @Override
    public void run() {
        if (phase != FLUSH_IMMEDIATE && !task.startingBackstoreCall()) {
            // Aborted before its backstore call could start: the call never starts (the transport sends no status).
            releaseClaim();
            task.complete(ScsiStatus.TASK_ABORTED, null, 0);
            return;
        }
        if (timing != null) {
            if (phase != FLUSH_IMMEDIATE && lu.backstoreTimeouts().notReady()) {
                // A call past the timeout still runs: nothing joins it on the stalled backstore.
                releaseClaim();
                Sense.fail(task, BackstoreTimeouts.NOT_READY);
                return;
            }
            timing.start();
        }
        CompletionStage<Void> stage;
        try {
            stage = call();
        } catch (Throwable t) { // a synchronous failure counts as an exceptional completion
            accept(null, t);
            return;
        }
        if (stage == null) {
            accept(null, new IllegalStateException("backstore returned a null stage"));
        } else if (completedNormally(stage)) {
            accept(null, null); // no callback to register: nothing allocated for a call that finished inline
        } else {
            stage.whenComplete(this);
        }
    }

    /** Whether a stage is known, without a callback, to have completed normally. */
    private static boolean completedNormally(CompletionStage<?> stage) {
        if (stage == DONE) {
            return true;
        }
        // Only the plain class: a subclass (such as a minimal stage) may throw from isDone or change its meaning.
        return stage.getClass() == CompletableFuture.class
                && ((CompletableFuture<?>) stage).isDone()
                && !((CompletableFuture<?>) stage).isCompletedExceptionally();
    }

    private CompletionStage<Void> call() {
        Backstore backstore = lu.backstore();
        int blockSize = lu.blockSize();
        switch (phase) {
            case READ:
                buffer.limit(length - length % blockSize);
                return backstore.read(lba, buffer);
            case READ_TAIL:
                tail = ByteBuffer.allocate(blockSize);
                return backstore.read(lba + length / blockSize, tail);
            case WRITE:
                return backstore.write(lba, buffer, fua);
            default: // FLUSH, FLUSH_IMMEDIATE
                return backstore.flush();
        }
    }

    /**
     * The timer of the running backstore call fired (on the timer thread; the task's buffers are kept already): the
     * command ends NOT READY now, while the call keeps its claim until it completes.
     */
    private void timedOut() {
        if (phase != FLUSH_IMMEDIATE) { // an IMMED flush's GOOD status is out already
            Sense.fail(task, BackstoreTimeouts.NOT_READY);
        }
    }

    /** The callback of the Data-Out ({@link ScsiTask#receiveDataOut}) and of every backstore call's stage. */
    @Override
    public void accept(Object result, Throwable failure) {
        if (timing != null && phase != DATA_OUT && !timing.completedOnTime()) {
            // The command ended NOT READY when the timeout passed; only now does the call let go of its blocks and
            // of the task's buffers. A failed IMMED flush still becomes a deferred error below.
            releaseClaim();
            timing.lateCompletion(failure);
            if (phase != FLUSH_IMMEDIATE) {
                return;
            }
        }
        switch (phase) {
            case DATA_OUT:
                if (failure != null) {
                    // The transport failed or aborted the transfer and has completed the task itself.
                    if (LOG.isDebugEnabled()) {
                        LOG.debug("Data-Out failed; the transport completed the task: {}", failure.toString());
                    }
                    return;
                }
                buffer = (ByteBuffer) result;
                phase = WRITE;
                lockAndSubmit();
                return;
            case READ:
                if (failure != null) {
                    releaseClaim();
                    Sense.fail(task, SenseMapper.map(failure, false));
                    return;
                }
                buffer.limit(length);
                buffer.position(0);
                if (length % lu.blockSize() != 0) {
                    phase = READ_TAIL;
                    submit();
                    return;
                }
                releaseClaim();
                task.complete(ScsiStatus.GOOD, null, needed);
                return;
            case READ_TAIL:
                releaseClaim();
                if (failure != null) {
                    Sense.fail(task, SenseMapper.map(failure, false));
                    return;
                }
                int partial = length % lu.blockSize();
                buffer.put(length - partial, tail, 0, partial);
                task.complete(ScsiStatus.GOOD, null, needed);
                return;
            case WRITE:
                releaseClaim();
                if (failure != null) {
                    Sense.fail(task, SenseMapper.map(failure, true));
                    return;
                }
                task.complete(ScsiStatus.GOOD, null, needed);
                return;
            case FLUSH:
                if (failure != null) {
                    Sense.fail(task, SenseMapper.map(failure, true));
                    return;
                }
                Responses.good(task);
                return;
            default: // FLUSH_IMMEDIATE: GOOD may have been sent already; the nexus's next command reports a failure
                if (failure != null) {
                    SenseData sense = SenseMapper.map(failure, true);
                    lu.unitAttentions().establishDeferredError(deferredErrorPort, sense);
                    if (LOG.isDebugEnabled()) {
                        LOG.debug("SYNCHRONIZE CACHE with IMMED failed; deferred error for {}: {}",
                                deferredErrorPort, sense);
                    }
                }
        }
    }
}
