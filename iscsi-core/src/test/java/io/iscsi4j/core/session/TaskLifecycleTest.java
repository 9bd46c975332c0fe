package io.iscsi4j.core.session;

import io.iscsi4j.core.pdu.ScsiCommand;
import io.iscsi4j.core.session.ScsiCommandTask.State;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The task lifecycle of {@link ScsiCommandTask} on its own, without a session or a network: every state's answer to
 * an abort, the waiters of a task's end, illegal transitions, and the race between an abort and the SCSI layer
 * starting a backstore call.
 */
class TaskLifecycleTest {

    private static ScsiCommandTask task() {
        return DetachedTasks.task(false, 512, 7);
    }

    @Test
    void aQueuedTaskEndsAtOnceWhenAborted() {
        ScsiCommandTask t = task();
        assertThat(t.state()).isEqualTo(State.QUEUED);
        assertThat(t.abort()).as("the SCSI layer never had it").isTrue();
        assertThat(t.aborted()).isTrue();
        assertThat(t.startingBackstoreCall()).as("no backstore call for an aborted task").isFalse();
    }

    @Test
    void anExecutingTaskEndsOnlyWhenTheScsiLayerCompletesIt() {
        ScsiCommandTask t = task();
        t.dispatched();
        assertThat(t.startingBackstoreCall()).as("in the backstore").isTrue();
        assertThat(t.abort()).as("its backstore call may be running").isFalse();
        assertThat(t.state()).isEqualTo(State.EXECUTING);
        assertThat(t.scsiCompleted()).isTrue();
        assertThat(t.state()).isEqualTo(State.COMPLETED);
    }

    @Test
    void anExecutingTaskAbortedBeforeItsBackstoreCallNeverStartsIt() {
        ScsiCommandTask t = task();
        t.dispatched();
        assertThat(t.abort()).as("still with the SCSI layer").isFalse();
        assertThat(t.startingBackstoreCall()).isFalse();
        assertThat(t.startingBackstoreCall()).as("nor any later call").isFalse();
    }

    @Test
    void aTaskWaitingForDataOutHasItsCallbackFailedAndEndsAtOnce() {
        ScsiCommandTask t = task();
        t.dispatched();
        List<Object> calls = new ArrayList<>();
        t.awaitDataOut((data, failure) -> calls.add(data == null ? failure : data));
        assertThat(t.state()).isEqualTo(State.WAITING_FOR_DATA_OUT);

        assertThat(t.abort()).isTrue();

        assertThat(calls).singleElement().isInstanceOf(CancellationException.class);
        assertThat(t.failDataOut(new IllegalStateException())).as("called once").isFalse();
        assertThat(calls).hasSize(1);
    }

    @Test
    void aTaskWaitingForDataOutAfterABackstoreCallWaitsForTheScsiLayer() {
        ScsiCommandTask t = task();
        t.dispatched();
        assertThat(t.startingBackstoreCall()).isTrue(); // e.g. a read before the data (ORWRITE's)
        List<Object> calls = new ArrayList<>();
        t.awaitDataOut((data, failure) -> calls.add(failure));
        assertThat(t.abort()).as("a backstore call started: the SCSI layer must complete the task").isFalse();
        assertThat(calls).isEmpty();
    }

    @Test
    void aDataOutCallbackThatThrowsIsLoggedAndLeavesTheTaskToTheScsiLayer() {
        ScsiCommand pdu = ScsiCommand.builder().finalFlag(true).write(true).initiatorTaskTag(3).cmdSN(3)
                .expectedDataTransferLength(512).cdb(new byte[] {0x2A, 0, 0, 0, 0, 0, 0, 0, 1, 0})
                .data(Unpooled.wrappedBuffer(new byte[512])).build();
        WriteTransfer wt = new WriteTransfer(512, pdu.data().retain(), false, 65536, 262144, 1);
        ScsiCommandTask t = new ScsiCommandTask(null, pdu, wt);
        pdu.release();
        try {
            t.dispatched();
            List<ByteBuffer> handed = new ArrayList<>();
            t.awaitDataOut((data, failure) -> {
                handed.add(data);
                throw new IllegalStateException("a bug in the SCSI layer");
            });
            wt.start(512, ByteBufAllocator.DEFAULT, () -> 1, (ttt, sn, offset, length) -> { });

            t.dataOutProgress(); // does not throw into the session

            assertThat(handed).singleElement().satisfies(b -> assertThat(b.remaining()).isEqualTo(512));
            assertThat(t.state()).as("the SCSI layer still has it").isEqualTo(State.EXECUTING);
            assertThat(t.abort()).as("so it ends when the SCSI layer completes it").isFalse();
        } finally {
            t.releaseBuffers();
        }
    }

    @Test
    void backgroundAndCompletedTasksEndAtOnce() {
        ScsiCommandTask background = task();
        background.dispatched();
        assertThat(background.background()).isTrue();
        assertThat(background.abort()).isTrue();

        ScsiCommandTask completed = task();
        completed.dispatched();
        completed.scsiCompleted();
        assertThat(completed.abort()).as("its response only waits for unsolicited data").isTrue();
    }

    @Test
    void aCompletionAfterTheTaskEndedIsIgnored() {
        ScsiCommandTask t = task();
        t.dispatched();
        t.background();
        t.abort();
        t.end();
        assertThat(t.scsiCompleted()).as("the background operation finished later").isFalse();
        assertThat(t.state()).isEqualTo(State.ENDED);
        assertThat(t.abort()).as("nothing left to abort").isFalse();
    }

    @Test
    void waitersRunOnceWhenTheTaskEndsAndAtOnceAfterwards() {
        ScsiCommandTask t = task();
        List<String> ran = new ArrayList<>();
        t.whenEnded(() -> ran.add("first"));
        t.whenEnded(() -> ran.add("second"));
        assertThat(ran).isEmpty();
        t.end();
        t.end();
        assertThat(ran).containsExactly("first", "second");
        t.whenEnded(() -> ran.add("late"));
        assertThat(ran).containsExactly("first", "second", "late");
    }

    @Test
    void illegalTransitionsAreRefused() {
        ScsiCommandTask t = task();
        assertThatThrownBy(() -> t.awaitDataOut((data, failure) -> { })).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(t::scsiCompleted).isInstanceOf(IllegalStateException.class);
        t.dispatched();
        assertThatThrownBy(t::dispatched).isInstanceOf(IllegalStateException.class);
        assertThat(t.background()).isTrue();
        assertThat(t.background()).as("only from EXECUTING").isFalse();
    }

    @Test
    void anAbortAndABackstoreCallNeverBothWin() throws Exception {
        for (int round = 0; round < 2_000; round++) {
            ScsiCommandTask t = task();
            t.dispatched();
            CountDownLatch go = new CountDownLatch(1);
            AtomicBoolean started = new AtomicBoolean();
            Thread io = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                started.set(t.startingBackstoreCall());
            });
            io.start();
            go.countDown();
            t.abort();
            io.join(5_000);
            assertThat(io.isAlive()).isFalse();
            // Whichever won, the abort is now visible to every later call, and a started call means the task
            // stays EXECUTING until the SCSI layer completes it.
            assertThat(t.startingBackstoreCall()).isFalse();
            assertThat(t.state()).isEqualTo(State.EXECUTING);
            if (started.get()) {
                assertThat(t.scsiCompleted()).isTrue();
            }
        }
    }
}
