package io.iscsi4j.it;

import static io.iscsi4j.it.Pipelined.block;
import static io.iscsi4j.it.Pipelined.sendTmf;
import static io.iscsi4j.it.Pipelined.sendWrite;

import io.iscsi4j.IscsiTarget;
import io.iscsi4j.backstore.ForwardingBackstore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A LUN with a backstore timeout over a store that stops answering (a held write of {@code 0xAA}): the write ends
 * with NOT READY / LOGICAL UNIT NOT READY, OPERATION IN PROGRESS (04h/07h) after the timeout, the LUN stays NOT READY
 * for every session until the held write really completes, task management is answered without waiting for the held
 * write, and once it completed a newer write of {@code 0xBB} lands on top of it, never under it (the bytes on the
 * medium are asserted). And {@link IscsiTarget#close()} returns in bounded time behind a write that never completes,
 * with or without the option.
 */
@Timeout(60)
class BackstoreTimeoutTest {

    private static final byte OLD = (byte) 0xAA;
    private static final byte NEW = (byte) 0xBB;
    private static final Duration TIMEOUT = Duration.ofMillis(500);
    private static final int LOGICAL_UNIT_RESET = 5;
    private static final int FUNCTION_COMPLETE = 0;
    private static final int CHECK_CONDITION = 2;
    private static final int NOT_READY = 2;
    private static final String OTHER_INITIATOR = "iqn.2026-11.io.iscsi4j:other-host";

    private static IscsiTarget start(io.iscsi4j.backstore.Backstore backstore, Duration backstoreTimeout,
                                     Duration closeTimeout) throws IOException {
        return IscsiTarget.builder()
                .portal("127.0.0.1", 0)
                .target(Targets.IQN, t -> t.lun(0, backstore, o -> o.backstoreTimeout(backstoreTimeout)))
                .eventLoopThreads(2)
                .ioThreads(1)
                .closeTimeout(closeTimeout)
                .build()
                .start();
    }

    private static IscsiTarget start(HoldingBackstore backstore) throws IOException {
        return start(backstore, TIMEOUT, Duration.ofSeconds(30));
    }

    /** Asserts CHECK CONDITION, NOT READY / LOGICAL UNIT NOT READY, OPERATION IN PROGRESS. */
    private static void assertNotReady(ScsiResult r, String what) {
        assertThat(r.status()).as(what + ": CHECK CONDITION, %s", r).isEqualTo(CHECK_CONDITION);
        assertThat(r.senseKey()).as(what + ": NOT READY").isEqualTo(NOT_READY);
        assertThat(r.asc()).as(what + ": ASC").isEqualTo(0x04);
        assertThat(r.ascq()).as(what + ": ASCQ OPERATION IN PROGRESS").isEqualTo(0x07);
    }

    /** Reads the SCSI Response for {@code tag} and asserts NOT READY / OPERATION IN PROGRESS. */
    private static void awaitNotReadyResponse(TestInitiator ini, int tag) throws IOException {
        ini.readTimeout(Duration.ofSeconds(10));
        RawPdu r = ini.readPdu();
        assertThat(r.opcode()).as("a SCSI Response, got %s", r).isEqualTo(Bhs.SCSI_RESPONSE);
        assertThat(r.itt()).isEqualTo(tag);
        ini.acceptStatus(r);
        assertThat(r.u8(3)).as("status CHECK CONDITION").isEqualTo(CHECK_CONDITION);
        byte[] sense = Arrays.copyOfRange(r.data(), 2, r.data().length); // after the SenseLength field
        assertThat(sense[2] & 0x0F).as("NOT READY").isEqualTo(NOT_READY);
        assertThat(sense[12] & 0xFF).as("ASC").isEqualTo(0x04);
        assertThat(sense[13] & 0xFF).as("ASCQ").isEqualTo(0x07);
    }

    /** Reads PDUs until the TMF response for {@code tag} (skipping a SCSI Response) and returns its Response field. */
    private static int tmfResponse(TestInitiator ini, int tag) throws IOException {
        ini.readTimeout(Duration.ofSeconds(10));
        while (true) {
            RawPdu r = ini.readPdu();
            ini.acceptStatus(r);
            if (r.opcode() == Bhs.TASK_MANAGEMENT_RESPONSE) {
                assertThat(r.itt()).isEqualTo(tag);
                return r.bhs()[2] & 0xFF;
            }
            assertThat(r.opcode()).as("only the timed-out write's status may come first: %s", r)
                    .isEqualTo(Bhs.SCSI_RESPONSE);
        }
    }

    /** Takes the pending unit attentions with TEST UNIT READY (at most 4); returns how many there were. */
    private static int takeUnitAttentions(TestInitiator ini) throws IOException {
        int n = 0;
        while (n < 4 && ini.testUnitReady().senseKey() == 6) {
            n++;
        }
        return n;
    }

    /** Waits until the log holds {@code text} (a WARN of another thread may come a moment later); at most 5 s. */
    private static void awaitLogged(StandardErrorCapture log, String text) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!log.text().contains(text) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(log.text()).contains(text);
    }

    /** TEST UNIT READY until GOOD (the late completion may still be on its way); at most 5 s. */
    private static void awaitReady(TestInitiator ini) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        ScsiResult r = ini.testUnitReady();
        while (!r.good() && System.nanoTime() < deadline) {
            Thread.sleep(20);
            r = ini.testUnitReady();
        }
        assertThat(r.good()).as("ready again: %s", r).isTrue();
    }

    @Test
    void aHungWriteEndsNotReadyAndTheLunStaysNotReadyForEveryoneUntilItCompletes() throws Exception {
        HoldingBackstore backstore = HoldingBackstore.asynchronousHold();
        try (IscsiTarget target = start(backstore);
             TestInitiator first = Targets.login(target, Map.of());
             TestInitiator second = TestInitiator.connect(target.localAddress())) {
            second.login(OTHER_INITIATOR, Targets.IQN, Map.of());
            assertThat(first.testUnitReady().status()).isZero();
            assertThat(second.testUnitReady().status()).isZero();
            backstore.holdWritesStartingWith(OLD);
            long sent = System.nanoTime();

            assertNotReady(first.write16(0, block(OLD)), "the hung write");
            assertThat(System.nanoTime() - sent).as("not before the timeout")
                    .isGreaterThanOrEqualTo(TIMEOUT.toNanos() - TimeUnit.MILLISECONDS.toNanos(10));
            HoldingBackstore.Held old = backstore.awaitHeld();

            assertNotReady(first.write16(0, block(NEW)), "the retry of the same block");
            assertNotReady(first.read16(0, 1), "a read");
            assertNotReady(second.write16(0, block(NEW)), "another session's write");
            assertNotReady(second.testUnitReady(), "another session's TEST UNIT READY");
            assertThat(second.inquiry().good()).as("INQUIRY still answers").isTrue();
            ScsiResult sense = second.execute(0, new byte[] {0x03, 0, 0, 0, 18, 0}, 18, null);
            assertThat(sense.good()).as("REQUEST SENSE: GOOD").isTrue();
            assertThat(sense.data()[12] & 0xFF).as("REQUEST SENSE: ASC").isEqualTo(0x04);
            assertThat(sense.data()[13] & 0xFF).as("REQUEST SENSE: ASCQ").isEqualTo(0x07);
            assertThat(backstore.writeCalls()).as("only the hung write reached the backstore").isEqualTo(1);
            assertThat(backstore.onMedium(0, 1)).isEqualTo(new byte[512]);

            backstore.release(old);
            awaitReady(first);
            assertThat(backstore.onMedium(0, 1)).as("the hung write landed late").isEqualTo(block(OLD));
            assertThat(second.write16(0, block(NEW)).good()).as("the newer write").isTrue();

            assertThat(backstore.onMedium(0, 1)).as("the newer data stays on top").isEqualTo(block(NEW));
            assertThat(first.read16(0, 1).data()).isEqualTo(block(NEW));
        }
    }

    @Test
    void aLogicalUnitResetIsAnsweredWhileTheWriteStillHangs() throws Exception {
        HoldingBackstore backstore = HoldingBackstore.asynchronousHold();
        try (IscsiTarget target = start(backstore);
             TestInitiator first = Targets.login(target, Map.of());
             TestInitiator second = TestInitiator.connect(target.localAddress())) {
            second.login(OTHER_INITIATOR, Targets.IQN, Map.of());
            assertThat(first.testUnitReady().status()).isZero();
            assertThat(second.testUnitReady().status()).isZero();
            backstore.holdWritesStartingWith(OLD);
            sendWrite(first, 0, OLD);
            HoldingBackstore.Held old = backstore.awaitHeld();

            // Sent while the write is in the backstore (most likely before its timeout): the reset aborts it and is
            // answered once the timeout ended the command, not when the backstore answers.
            int reset = sendTmf(second, LOGICAL_UNIT_RESET, 0xFFFFFFFF, 0);
            assertThat(tmfResponse(second, reset)).as("Function complete").isEqualTo(FUNCTION_COMPLETE);
            assertThat(old.done()).as("answered while the write still hangs").isNotDone();

            // After the command's status: a second reset covers no task and is answered at once.
            int again = sendTmf(first, LOGICAL_UNIT_RESET, 0xFFFFFFFF, 0);
            assertThat(tmfResponse(first, again)).as("Function complete").isEqualTo(FUNCTION_COMPLETE);
            assertThat(old.done()).isNotDone();

            assertThat(takeUnitAttentions(second)).as("the resets' unit attentions come first").isPositive();
            assertNotReady(second.write16(0, block(NEW)), "a write after the reset, while the old one hangs");
            assertThat(backstore.writeCalls()).isEqualTo(1);

            backstore.release(old);
            awaitReady(second);
            assertThat(second.write16(0, block(NEW)).good()).isTrue();
            assertThat(backstore.onMedium(0, 1)).isEqualTo(block(NEW));
        }
    }

    @Test
    void aReinstatedSessionGetsNotReadyInsteadOfWaitingForTheHungWrite() throws Exception {
        HoldingBackstore backstore = HoldingBackstore.asynchronousHold();
        try (IscsiTarget target = start(backstore);
             TestInitiator first = Targets.login(target, Map.of());
             TestInitiator second = TestInitiator.connect(target.localAddress())) {
            assertThat(first.testUnitReady().status()).isZero();
            backstore.holdWritesStartingWith(OLD);
            int write = sendWrite(first, 0, OLD);
            HoldingBackstore.Held old = backstore.awaitHeld();
            awaitNotReadyResponse(first, write);

            second.useIsidOf(first);
            second.login(TestInitiator.INITIATOR_NAME, Targets.IQN, Map.of());
            ScsiResult ua = second.testUnitReady();
            assertThat(ua.asc()).as("I_T NEXUS LOSS OCCURRED first: %s", ua).isEqualTo(0x29);
            assertNotReady(second.write16(0, block(NEW)), "the new session's write");

            backstore.release(old);
            awaitReady(second);
            assertThat(second.write16(0, block(NEW)).good()).isTrue();
            assertThat(backstore.onMedium(0, 1)).isEqualTo(block(NEW));
        }
    }

    /**
     * Over a {@link HoldingBackstore}: a flush that never completes, and a close that blocks until {@link #unblock}.
     */
    private static final class UnresponsiveBackstore extends ForwardingBackstore {
        private final CountDownLatch closeMayReturn = new CountDownLatch(1);

        UnresponsiveBackstore(HoldingBackstore delegate) {
            super(delegate);
        }

        @Override
        public CompletionStage<Void> flush() {
            return new CompletableFuture<>();
        }

        @Override
        public void close() throws IOException {
            try {
                closeMayReturn.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            super.close();
        }

        void unblock() {
            closeMayReturn.countDown();
        }
    }

    @Test
    void closeIsBoundedBehindAWriteThatNeverCompletesWithoutTheOption() throws Exception {
        HoldingBackstore holding = HoldingBackstore.asynchronousHold();
        UnresponsiveBackstore backstore = new UnresponsiveBackstore(holding);
        IscsiTarget target = start(backstore, Duration.ZERO, Duration.ofSeconds(1));
        HoldingBackstore.Held held = null;
        try (TestInitiator ini = Targets.login(target, Map.of());
             StandardErrorCapture log = new StandardErrorCapture()) {
            assertThat(ini.testUnitReady().status()).isZero();
            holding.holdWritesStartingWith(OLD);
            sendWrite(ini, 0, OLD);
            held = holding.awaitHeld();

            long started = System.nanoTime();
            target.close();
            long took = System.nanoTime() - started;

            assertThat(Duration.ofNanos(took)).as("close() is bounded").isLessThan(Duration.ofSeconds(20));
            assertThat(log.text()).as("WARN: still in flight").contains("WARN").contains("still in flight");
            assertThat(log.text()).as("WARN: the close was left behind").contains("leaving it behind");
            awaitLogged(log, "flush of " + Targets.IQN + " failed while closing"); // logged by the closing thread
        } finally {
            target.close();
            backstore.unblock();
            if (held != null) {
                held.done().complete(null); // lets the task's buffers go (the target has stopped)
            }
        }
    }

    @Test
    void closeIsBoundedBehindAWriteThatNeverCompletesWithTheOption() throws Exception {
        HoldingBackstore backstore = HoldingBackstore.asynchronousHold();
        IscsiTarget target = start(backstore, TIMEOUT, Duration.ofSeconds(30));
        HoldingBackstore.Held held = null;
        try (TestInitiator ini = Targets.login(target, Map.of());
             StandardErrorCapture log = new StandardErrorCapture()) {
            assertThat(ini.testUnitReady().status()).isZero();
            backstore.holdWritesStartingWith(OLD);
            int write = sendWrite(ini, 0, OLD);
            held = backstore.awaitHeld();
            awaitNotReadyResponse(ini, write);

            long started = System.nanoTime();
            target.close();
            long took = System.nanoTime() - started;

            assertThat(Duration.ofNanos(took)).as("close() does not wait for the hung write")
                    .isLessThan(Duration.ofSeconds(15));
            assertThat(log.text()).as("WARN: a call is still running").contains("WARN")
                    .contains("still running after the backstore timeout");
        } finally {
            target.close();
            if (held != null) {
                held.done().complete(null); // the late completion releases the buffers kept for the call
            }
        }
    }
}
