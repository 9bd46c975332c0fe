package io.iscsi4j.it;

import static io.iscsi4j.it.Pipelined.assertSilent;
import static io.iscsi4j.it.Pipelined.block;
import static io.iscsi4j.it.Pipelined.prout;
import static io.iscsi4j.it.Pipelined.send;
import static io.iscsi4j.it.Pipelined.sendRead;
import static io.iscsi4j.it.Pipelined.sendWrite;
import static io.iscsi4j.it.Pipelined.start;

import io.iscsi4j.IscsiTarget;
import io.iscsi4j.backstore.Backstore;
import io.iscsi4j.backstore.ForwardingBackstore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SAM-5 task attributes over iSCSI (the ATTR field, BHS byte 1 bits 0-2): one task set per logical unit, shared by
 * every I_T nexus. A SIMPLE write of {@code 0xAA} is held in the backstore (a slow remote store); an ORDERED write of
 * {@code 0xBB} to another block must not reach the backstore before it ends, a SIMPLE read sent after the ORDERED
 * write waits for it (and reads {@code 0xBB}), and a HEAD OF QUEUE TEST UNIT READY is answered at once. The tests
 * assert the order of the backstore calls, the order of the responses and the bytes on the medium.
 */
@Timeout(60)
class TaskOrderingIscsiTest {

    private static final int SIMPLE = 1;
    private static final int ORDERED = 2;
    private static final int HEAD_OF_QUEUE = 3;
    private static final byte HELD = (byte) 0xAA;
    private static final byte NEW = (byte) 0xBB;
    private static final int ABORT_TASK = 1;
    private static final int FUNCTION_COMPLETE = 0;
    private static final String OTHER_INITIATOR = "iqn.2026-11.io.iscsi4j:other-host";

    /** Records which block each read and write call of the backstore starts at, in call order. */
    private static final class RecordingBackstore extends ForwardingBackstore {

        private final List<String> calls = new ArrayList<>();

        RecordingBackstore(Backstore delegate) {
            super(delegate);
        }

        @Override
        public CompletionStage<Void> read(long lba, ByteBuffer dst) {
            record("read " + lba);
            return super.read(lba, dst);
        }

        @Override
        public CompletionStage<Void> write(long lba, ByteBuffer src, boolean fua) {
            record("write " + lba);
            return super.write(lba, src, fua);
        }

        private void record(String call) {
            synchronized (calls) {
                calls.add(call);
            }
        }

        List<String> calls() {
            synchronized (calls) {
                return List.copyOf(calls);
            }
        }
    }

    /** A SCSI command's status as it arrived: a SCSI Response, or Data-In with the S bit (and the data before it). */
    private record Answer(int itt, int status, byte[] data) {
    }

    private static int sendTestUnitReady(TestInitiator ini, int attribute) throws IOException {
        return send(ini, attribute, new byte[6], 0, null);
    }

    /** Reads the next command's status (within 10 s), with the Data-In before it. */
    private static Answer answer(TestInitiator ini) throws IOException {
        ini.readTimeout(Duration.ofSeconds(10));
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        for (int i = 0; i < 100; i++) {
            RawPdu p = ini.readPdu();
            if (p.opcode() == Bhs.DATA_IN) {
                data.write(p.data(), 0, p.data().length);
                if ((p.flags() & 0x01) == 0) {
                    continue; // no status yet
                }
            } else {
                assertThat(p.opcode()).as("expected a SCSI Response, got %s", p).isEqualTo(Bhs.SCSI_RESPONSE);
            }
            ini.acceptStatus(p);
            return new Answer(p.itt(), p.u8(3), data.toByteArray());
        }
        throw new AssertionError("no status in 100 PDUs");
    }

    /** Reads {@code n} answers, by tag, checking that each tag is answered once. */
    private static Map<Integer, Answer> answers(TestInitiator ini, int n, List<Integer> order) throws IOException {
        Map<Integer, Answer> byTag = new HashMap<>();
        for (int i = 0; i < n; i++) {
            Answer a = answer(ini);
            assertThat(byTag.put(a.itt(), a)).as("tag 0x%s answered twice", Integer.toHexString(a.itt())).isNull();
            order.add(a.itt());
        }
        return byTag;
    }

    @Test
    void anOrderedWriteWaitsForTheHeldWriteAndALaterSimpleReadWaitsForIt() throws Exception {
        HoldingBackstore holding = HoldingBackstore.asynchronousHold();
        RecordingBackstore backstore = new RecordingBackstore(holding);
        try (IscsiTarget target = start(backstore, 2);
             TestInitiator ini = Targets.login(target, Map.of())) {
            assertThat(ini.testUnitReady().status()).isZero();
            holding.holdWritesStartingWith(HELD);
            int held = sendWrite(ini, SIMPLE, 0, HELD);
            HoldingBackstore.Held write = holding.awaitHeld();

            int ordered = sendWrite(ini, ORDERED, 8, NEW);
            int read = sendRead(ini, SIMPLE, 8);
            int headOfQueue = sendTestUnitReady(ini, HEAD_OF_QUEUE);

            Answer tur = answer(ini);
            assertThat(tur.itt()).as("the HEAD OF QUEUE command is answered first").isEqualTo(headOfQueue);
            assertThat(tur.status()).as("GOOD").isZero();
            assertSilent(ini, "a command after the held write answered while it is in the backstore");
            assertThat(backstore.calls()).as("neither the ORDERED write nor the read reached the backstore")
                    .containsExactly("write 0");

            holding.release(write);
            List<Integer> order = new ArrayList<>();
            Map<Integer, Answer> answers = answers(ini, 3, order);
            assertThat(order).as("held write, ORDERED write, SIMPLE read").containsExactly(held, ordered, read);
            assertThat(answers.values()).allSatisfy(a -> assertThat(a.status()).as("GOOD").isZero());
            assertThat(answers.get(read).data()).as("the read sees the ORDERED write").isEqualTo(block(NEW));
            assertThat(backstore.calls()).containsExactly("write 0", "write 8", "read 8");
            assertThat(holding.onMedium(0, 1)).isEqualTo(block(HELD));
            assertThat(holding.onMedium(8, 1)).isEqualTo(block(NEW));
        }
    }

    @Test
    void theTaskSetIsSharedByEveryNexus() throws Exception {
        HoldingBackstore holding = HoldingBackstore.asynchronousHold();
        RecordingBackstore backstore = new RecordingBackstore(holding);
        try (IscsiTarget target = start(backstore, 2);
             TestInitiator first = Targets.login(target, Map.of());
             TestInitiator second = TestInitiator.connect(target.localAddress())) {
            second.login(OTHER_INITIATOR, Targets.IQN, Map.of());
            assertThat(first.testUnitReady().status()).isZero();
            assertThat(second.testUnitReady().status()).isZero();
            holding.holdWritesStartingWith(HELD);
            int held = sendWrite(first, SIMPLE, 0, HELD);
            HoldingBackstore.Held write = holding.awaitHeld();

            int ordered = sendWrite(second, ORDERED, 8, NEW);
            assertSilent(second, "the other host's ORDERED write answered while the held write is in the backstore");
            int read = sendRead(first, SIMPLE, 8);
            int headOfQueue = sendTestUnitReady(second, HEAD_OF_QUEUE);
            Answer tur = answer(second);
            assertThat(tur.itt()).isEqualTo(headOfQueue);
            assertThat(tur.status()).isZero();
            assertSilent(first, "the read sent after the other host's ORDERED write answered before it");
            assertThat(backstore.calls()).containsExactly("write 0");

            holding.release(write);
            Answer heldAnswer = answer(first);
            assertThat(heldAnswer.itt()).isEqualTo(held);
            Answer orderedAnswer = answer(second);
            assertThat(orderedAnswer.itt()).isEqualTo(ordered);
            assertThat(orderedAnswer.status()).isZero();
            Answer readAnswer = answer(first);
            assertThat(readAnswer.itt()).isEqualTo(read);
            assertThat(readAnswer.data()).isEqualTo(block(NEW));
            assertThat(backstore.calls()).containsExactly("write 0", "write 8", "read 8");
            assertThat(holding.onMedium(8, 1)).isEqualTo(block(NEW));
        }
    }

    @Test
    void anAbortedWaitingOrderedWriteNeverRunsAndNoLongerHoldsTheReadAfterIt() throws Exception {
        HoldingBackstore holding = HoldingBackstore.asynchronousHold();
        RecordingBackstore backstore = new RecordingBackstore(holding);
        try (IscsiTarget target = start(backstore, 2);
             TestInitiator ini = Targets.login(target, Map.of())) {
            assertThat(ini.testUnitReady().status()).isZero();
            holding.holdWritesStartingWith(HELD);
            int held = sendWrite(ini, SIMPLE, 0, HELD);
            HoldingBackstore.Held write = holding.awaitHeld();
            int orderedCmdSN = ini.cmdSN();
            int ordered = sendWrite(ini, ORDERED, 8, NEW);
            int read = sendRead(ini, SIMPLE, 8);
            assertSilent(ini, "a command behind the ORDERED write answered");

            int abort = ini.nextTag();
            ini.send(Bhs.of(Bhs.TASK_MANAGEMENT_REQUEST).immediate(true).flags(0x80 | ABORT_TASK)
                    .lun(Bhs.encodeLun(0)).itt(abort).i32(20, ordered).i32(24, ini.cmdSN())
                    .i32(28, ini.expStatSN()).i32(32, orderedCmdSN), new byte[0]);
            // The TMF response and the read's status, in either order; the held write is still in the backstore.
            Answer readAnswer = null;
            boolean tmfAnswered = false;
            for (int i = 0; i < 2; i++) {
                ini.readTimeout(Duration.ofSeconds(10));
                RawPdu p = ini.readPdu();
                if (p.opcode() == Bhs.TASK_MANAGEMENT_RESPONSE) {
                    assertThat(p.itt()).isEqualTo(abort);
                    assertThat(p.bhs()[2]).as("Function complete").isEqualTo((byte) FUNCTION_COMPLETE);
                    ini.acceptStatus(p);
                    tmfAnswered = true;
                } else {
                    assertThat(p.opcode()).as("the read's Data-In, got %s", p).isEqualTo(Bhs.DATA_IN);
                    assertThat(p.itt()).isEqualTo(read);
                    assertThat(p.flags() & 0x01).as("status in the Data-In").isEqualTo(1);
                    ini.acceptStatus(p);
                    readAnswer = new Answer(p.itt(), p.u8(3), p.data());
                }
            }
            assertThat(tmfAnswered).isTrue();
            assertThat(readAnswer).isNotNull();
            assertThat(readAnswer.status()).isZero();
            assertThat(readAnswer.data()).as("the aborted ORDERED write never ran").isEqualTo(new byte[512]);
            assertThat(backstore.calls()).containsExactly("write 0", "read 8");

            holding.release(write);
            Answer heldAnswer = answer(ini);
            assertThat(heldAnswer.itt()).isEqualTo(held);
            assertThat(heldAnswer.status()).isZero();
            assertThat(ini.nopOut(new byte[] {7})).as("no status for the aborted write").containsExactly(7);
            assertThat(backstore.calls()).containsExactly("write 0", "read 8");
            assertThat(holding.onMedium(8, 1)).isEqualTo(new byte[512]);
            assertThat(holding.onMedium(0, 1)).isEqualTo(block(HELD));
        }
    }

    /**
     * PERSISTENT RESERVE OUT with CLEAR waits for the tasks under way of the nexuses whose registrations it removes,
     * but not for those waiting in the task set behind it: they wait for the CLEAR itself. Here the CLEAR enters the
     * task set, then waits for its parameter list (solicited by an R2T) while an ORDERED command of the other
     * registrant enters after it.
     */
    @Test
    void persistentReserveClearDoesNotWaitForTasksQueuedBehindIt() throws Exception {
        try (IscsiTarget target = Targets.start();
             TestInitiator first = Targets.login(target, Map.of());
             TestInitiator second = TestInitiator.connect(target.localAddress())) {
            second.login(OTHER_INITIATOR, Targets.IQN, Map.of("ImmediateData", "No", "InitialR2T", "Yes"));
            assertThat(prout(first, 0x00, 0, 0, 0xA).status()).as("REGISTER").isZero();
            assertThat(prout(second, 0x00, 0, 0, 0xB).status()).as("REGISTER").isZero();

            byte[] cdb = new byte[10];
            cdb[0] = 0x5F;
            cdb[1] = 0x03; // CLEAR
            cdb[8] = 24;
            int clear = second.nextTag();
            second.send(Bhs.of(Bhs.SCSI_COMMAND).flags(0x80 | 0x20 | SIMPLE).lun(Bhs.encodeLun(0)).itt(clear)
                    .i32(20, 24).i32(24, second.cmdSN()).i32(28, second.expStatSN()).bytes(32, cdb), new byte[0]);
            second.advanceCmdSN(1);
            RawPdu r2t = second.readPdu();
            assertThat(r2t.opcode()).as("an R2T for the parameter list, got %s", r2t).isEqualTo(Bhs.R2T);
            int ordered = sendTestUnitReady(first, ORDERED);
            assertSilent(first, "the ORDERED command answered before the CLEAR that entered before it");

            second.send(Bhs.of(Bhs.DATA_OUT).flags(0x80).lun(Bhs.encodeLun(0)).itt(clear).i32(20, r2t.ttt())
                    .i32(28, second.expStatSN()).i32(36, 0).i32(40, 0), // DataSN 0, Buffer Offset 0
                    ByteBuffer.allocate(24).putLong(0xB).array());
            Answer cleared = answer(second);
            assertThat(cleared.itt()).isEqualTo(clear);
            assertThat(cleared.status()).as("CLEAR").isZero();
            assertThat(answer(first).itt()).as("the ORDERED command runs after the CLEAR").isEqualTo(ordered);
        }
    }
}
