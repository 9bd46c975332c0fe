package io.iscsi4j.scsi;

import java.nio.ByteBuffer;
import java.util.function.BiConsumer;

/**
 * One SCSI command as the SCSI layer sees it, independent of the transport that carried it.
 *
 * <p>The transport (iSCSI) creates a task per command and hands it to the SCSI dispatcher. The SCSI
 * layer decodes the CDB, asks the transport for Data-Out bytes ({@link #receiveDataOut}) or for a Data-In buffer
 * ({@link #allocateDataIn}), and finishes with exactly one call to {@link #complete}. Buffers handed out by the
 * transport stay owned by the transport.
 *
 * <p>Threads: {@code execute} is called on a transport thread and must not block. {@code complete} may be called
 * from any thread, once.
 *
 * @since 0.1
 */
public interface ScsiTask {

    /**
     * {@return the command descriptor block: a read-only buffer, position 0, limit = CDB length (6 to 260 bytes)}
     * Every call may return the same buffer: read it with absolute gets and change neither its position nor its
     * limit (take a {@code duplicate()} to read it relatively).
     */
    ByteBuffer cdb();

    /** {@return the 8-byte SAM logical unit number field exactly as received (big-endian), see {@link Lun}} */
    long lun();

    /** {@return the I_T nexus the command arrived on: who sent it, and through which target port} */
    ItNexus nexus();

    /** {@return the task attribute (SIMPLE, ORDERED, HEAD OF QUEUE, ACA)} */
    TaskAttribute attribute();

    /** {@return whether the initiator announced a Data-Out (write) transfer} */
    boolean isWrite();

    /** {@return whether the initiator announced a Data-In (read) transfer} */
    boolean isRead();

    /**
     * The expected data transfer length the initiator announced, in bytes (0 to 2^32-1). The transport never
     * sends more Data-In than this nor accepts more Data-Out; differences to what the command needs are
     * reported as residuals.
     *
     * @return the expected data transfer length in bytes
     */
    long expectedTransferLength();

    /**
     * Returns a buffer of {@code length} bytes (position 0, limit {@code length}) to fill with Data-In. The
     * buffer belongs to the transport; it is sent when the task completes with {@link #complete}. Call at most
     * once per task. {@code length} must not exceed {@link #expectedTransferLength()}.
     *
     * @param length bytes of Data-In the command will produce
     * @return a buffer, possibly direct, with exactly {@code length} bytes remaining
     */
    ByteBuffer allocateDataIn(int length);

    /**
     * Asks the transport for the first {@code length} bytes of the command's Data-Out (immediate, unsolicited
     * and solicited data) and calls {@code whenReceived} once: with a buffer (position 0, limit {@code length})
     * owned by the transport and valid until the task completes, and {@code null}; or with {@code null} and the
     * failure when the transfer fails or the task is aborted (then the SCSI layer must not complete the task: the
     * transport already did). The call may come before this method returns, on the calling thread, or later on any
     * thread. {@code length} must not exceed {@link #expectedTransferLength()}.
     *
     * <p>A callback rather than a stage, so that a write allocates nothing for it; it has the shape of
     * {@link java.util.concurrent.CompletionStage#whenComplete}'s callback. It must not throw: the transport can only
     * log what it throws, as a stage would have kept it to itself.
     *
     * @param length bytes of Data-Out the command consumes
     * @param whenReceived called with the data, or with the failure
     */
    void receiveDataOut(int length, BiConsumer<? super ByteBuffer, ? super Throwable> whenReceived);

    /**
     * Finishes the task. For a command that produced Data-In, {@code dataLength} bytes of the buffer from
     * {@link #allocateDataIn} are sent (at most {@link #expectedTransferLength()}); for a write it is the number of
     * bytes the command needed. The transport reports the difference to {@link #expectedTransferLength()} as a
     * residual (underflow or overflow).
     *
     * @param status the SCSI status
     * @param sense sense data for CHECK CONDITION, otherwise {@code null}
     * @param dataLength bytes of data the command transferred or would have transferred per its CDB
     */
    void complete(ScsiStatus status, SenseData sense, int dataLength);

    /**
     * Tells the transport that the task now only waits for an operation of the logical unit that goes on without it
     * (SANITIZE without IMMED, SBC-4 §4.11): the SCSI layer no longer touches the task's buffers, and a task
     * management function or the loss of the I_T nexus may end the task at once, without a response, while the
     * operation continues. {@link #complete} is still called exactly once, when the operation ends; for a task the
     * transport ended meanwhile it must do nothing. Any thread; at most once, before {@link #complete}. The default
     * does nothing: ending the task then waits for the operation.
     *
     * @since 0.1
     */
    default void continuesInBackground() {
    }

    /**
     * Asks the transport whether a backstore call may start for this task; the SCSI layer calls it right before each
     * backstore call it makes on the task's behalf (not for work that outlives the task: the flush of a
     * SYNCHRONIZE CACHE with IMMED, a SANITIZE running in the background). {@code false} means the task was aborted:
     * the call must not start, and the SCSI layer completes the task without it (with any status; the transport
     * sends none for an aborted task). Once a call was allowed, an abort of the task waits for the task's
     * completion, so a task management function never reports a task ended while its backstore call still runs.
     * A transport makes the answer and its abort atomic with respect to each other. Any thread, any number of
     * times. The default allows every call.
     *
     * @return {@code true} when the backstore call may start
     * @since 0.1
     */
    default boolean startingBackstoreCall() {
        return true;
    }

    /**
     * Keeps the buffers this task handed out (the one from {@link #allocateDataIn}, the one {@link #receiveDataOut}
     * handed over) valid after the task completed, until the returned action runs: the transport neither frees
     * nor reuses them before. The SCSI layer calls it when a backstore call of the task exceeded the logical unit's
     * backstore timeout ({@link LogicalUnit.Builder#backstoreTimeout}): the task then completes with NOT READY while
     * the backstore may still read or write those buffers, and the action runs once that call has completed (perhaps
     * never, for a call that never completes). Called before {@link #complete}, at most once per backstore call; the
     * action runs exactly once, on any thread.
     *
     * <p>The default keeps nothing and returns an action that does nothing, which is right for a transport whose
     * buffers are plain heap buffers it never reuses (the backstore's reference keeps them alive). A transport that
     * pools, reuses or frees its buffers when a task ends must override this method.
     *
     * @return what releases the buffers kept; never {@code null}
     * @since 0.1
     */
    default Runnable retainBuffers() {
        return () -> {
        };
    }
}
