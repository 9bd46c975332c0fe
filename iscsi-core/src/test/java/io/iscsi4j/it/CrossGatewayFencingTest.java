package io.iscsi4j.it;

import static io.iscsi4j.it.Pipelined.QUIET;
import static io.iscsi4j.it.Pipelined.assertSilent;
import static io.iscsi4j.it.Pipelined.block;
import static io.iscsi4j.it.Pipelined.prout;
import static io.iscsi4j.it.Pipelined.readKeys;
import static io.iscsi4j.it.Pipelined.sendTmf;
import static io.iscsi4j.it.Pipelined.sendWrite;
import static io.iscsi4j.it.Pipelined.tmfResponse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.iscsi4j.IscsiTarget;
import io.iscsi4j.backstore.Backstore;
import io.iscsi4j.backstore.Backstores;
import io.iscsi4j.backstore.ForwardingBackstore;
import io.iscsi4j.backstore.InProcessSharedState;
import io.iscsi4j.backstore.SharedState;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Two gateways (two targets in this JVM) serve one medium through one {@link InProcessSharedState} group, as two
 * processes serve one RBD image. Host A logs in to gateway A, host B to gateway B. Each test holds a write of
 * {@code 0xAA} from host B in gateway B's backstore, runs on gateway A what must fence it (PREEMPT AND ABORT, LOGICAL
 * UNIT RESET), asserts that gateway A does not answer while the write can still land, writes {@code 0xBB} through
 * gateway A and asserts the bytes on the medium.
 */
@Timeout(60)
class CrossGatewayFencingTest {

    private static final byte OLD = (byte) 0xAA;
    private static final byte NEW = (byte) 0xBB;
    private static final String HOST_A = "iqn.2026-11.io.iscsi4j:host-a";
    private static final String HOST_B = "iqn.2026-11.io.iscsi4j:host-b";
    private static final int REGISTER = 0x00;
    private static final int RESERVE = 0x01;
    private static final int PREEMPT_AND_ABORT = 0x05;
    private static final int WRITE_EXCLUSIVE = 1;
    private static final int EXCLUSIVE_ACCESS = 3;
    private static final long KEY_A = 0xA11CEL;
    private static final long KEY_B = 0xB0BL;
    private static final int LOGICAL_UNIT_RESET = 5;
    private static final int FUNCTION_COMPLETE = 0;
    private static final int FUNCTION_REJECTED = 255;

    private final ExecutorService background = Executors.newCachedThreadPool();
    private final Backstore medium = Backstores.memory(Targets.LUN_SIZE);
    private final InProcessSharedState.Group group = InProcessSharedState.group();

    @AfterEach
    void stop() throws IOException {
        background.shutdownNow();
        medium.close();
    }

    /** A gateway: one target serving LUN 0 over {@code view}, sharing through {@code member}. */
    private static IscsiTarget gateway(Backstore view, SharedState member, Duration peerTimeout) throws IOException {
        return IscsiTarget.builder()
                .portal("127.0.0.1", 0)
                .target(Targets.IQN, t -> t.lun(0, view, o -> o.serial("shared-lun-0").sharedState(member,
                        peerTimeout)))
                .eventLoopThreads(2)
                .ioThreads(1)
                .build()
                .start();
    }

    /** A gateway's view of the medium: closing it leaves the medium open. */
    private static Backstore view(Backstore medium) {
        return new ForwardingBackstore(medium) {
            @Override
            public void close() {
            }
        };
    }

    private static TestInitiator login(IscsiTarget gateway, String initiator) throws IOException {
        TestInitiator ini = TestInitiator.connect(gateway.localAddress());
        ini.login(initiator, Targets.IQN, Map.of());
        return ini;
    }

    private static void assertNotDone(Future<?> f, String what) {
        assertThatThrownBy(() -> f.get(QUIET.toMillis(), TimeUnit.MILLISECONDS)).as(what)
                .isInstanceOf(TimeoutException.class);
    }

    private static byte[] onMedium(Backstore medium) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(512);
        medium.read(0, b).toCompletableFuture().get(5, TimeUnit.SECONDS);
        return b.array();
    }

    /**
     * Host B registers (and, when {@code reserve}, takes a Write Exclusive reservation), host A registers, then host
     * B's write of {@link #OLD} to LBA 0 is held in gateway B's backstore.
     */
    private static HoldingBackstore.Held holdTheHoldersWrite(TestInitiator hostA, TestInitiator hostB,
                                                             HoldingBackstore viewB, boolean reserve)
            throws Exception {
        assertThat(prout(hostB, REGISTER, 0, 0, KEY_B).status()).isZero();
        if (reserve) {
            assertThat(prout(hostB, RESERVE, WRITE_EXCLUSIVE, KEY_B, 0).status()).isZero();
        }
        assertThat(prout(hostA, REGISTER, 0, 0, KEY_A).status()).isZero();
        viewB.holdWritesStartingWith(OLD);
        sendWrite(hostB, 0, OLD);
        return viewB.awaitHeld();
    }

    /** The aborted write got no status (the next PDU answers a NOP-Out), then the next command reports the UA. */
    private static void assertAbortedThenUnitAttention(TestInitiator host, int asc, int ascq) throws IOException {
        assertThat(host.nopOut(new byte[] {4})).as("no status for the aborted write").containsExactly(4);
        ScsiResult ua = host.testUnitReady();
        assertThat(ua.senseKey()).as("UNIT ATTENTION").isEqualTo(6);
        assertThat(ua.asc()).isEqualTo(asc);
        assertThat(ua.ascq()).isEqualTo(ascq);
    }

    @Test
    void registrationsAndTheReservationAreTheSameOnBothGateways() throws Exception {
        try (IscsiTarget a = gateway(view(medium), group.join("a"), Duration.ofSeconds(5));
             IscsiTarget b = gateway(view(medium), group.join("b"), Duration.ofSeconds(5));
             TestInitiator hostA = login(a, HOST_A);
             TestInitiator hostB = login(b, HOST_B)) {
            assertThat(prout(hostA, REGISTER, 0, 0, KEY_A).status()).isZero();
            assertThat(readKeys(hostB)).as("gateway B reports gateway A's registration").containsExactly(KEY_A);
            assertThat(prout(hostA, RESERVE, EXCLUSIVE_ACCESS, KEY_A, 0).status()).isZero();
            // Host B is not registered: gateway B refuses its read (RESERVATION CONFLICT, 18h).
            assertThat(hostB.read16(0, 1).status()).as("read through gateway B").isEqualTo(0x18);
            assertThat(prout(hostB, REGISTER, 0, 0, KEY_B).status()).isZero();
            assertThat(readKeys(hostA)).containsExactly(KEY_A, KEY_B);
            // A second reservation through gateway B conflicts with gateway A's.
            assertThat(prout(hostB, RESERVE, WRITE_EXCLUSIVE, KEY_B, 0).status()).isEqualTo(0x18);
            assertThat(hostA.write16(0, block(NEW)).status()).as("the holder writes").isZero();
        }
    }

    @Test
    void preemptAndAbortOnOneGatewayWaitsForTheOtherGatewaysHeldWrite() throws Exception {
        HoldingBackstore viewB = HoldingBackstore.viewOf(medium);
        try (IscsiTarget a = gateway(view(medium), group.join("a"), Duration.ofSeconds(20));
             IscsiTarget b = gateway(viewB, group.join("b", viewB::fence), Duration.ofSeconds(20));
             TestInitiator hostA = login(a, HOST_A);
             TestInitiator hostB = login(b, HOST_B)) {
            HoldingBackstore.Held old = holdTheHoldersWrite(hostA, hostB, viewB, true);

            Future<ScsiResult> preempt = background.submit(
                    () -> prout(hostA, PREEMPT_AND_ABORT, WRITE_EXCLUSIVE, KEY_A, KEY_B));
            assertNotDone(preempt, "PREEMPT AND ABORT answered while gateway B's write is in its backstore");

            viewB.release(old);
            assertThat(preempt.get(10, TimeUnit.SECONDS).status()).as("PREEMPT AND ABORT").isZero();
            assertThat(onMedium(medium)).as("the old write ended before GOOD").isEqualTo(block(OLD));
            assertThat(hostA.write16(0, block(NEW)).status()).isZero();
            assertThat(onMedium(medium)).isEqualTo(block(NEW));

            // Host B's aborted write got no status; its next command reports the preemption, the next conflicts.
            assertAbortedThenUnitAttention(hostB, 0x2A, 0x05); // REGISTRATIONS PREEMPTED
            assertThat(hostB.write16(0, block(OLD)).status()).as("gateway B refuses the preempted host")
                    .isEqualTo(0x18);
            assertThat(onMedium(medium)).isEqualTo(block(NEW));
            assertThat(readKeys(hostB)).containsExactly(KEY_A);
        }
    }

    @Test
    void aGatewayThatDoesNotAnswerIsFencedAndItsHeldWriteNeverLands() throws Exception {
        HoldingBackstore viewB = HoldingBackstore.viewOf(medium);
        Duration peerTimeout = Duration.ofMillis(1500);
        try (IscsiTarget a = gateway(view(medium), group.join("a"), peerTimeout);
             IscsiTarget b = gateway(viewB, group.join("b", viewB::fence), peerTimeout);
             TestInitiator hostA = login(a, HOST_A);
             TestInitiator hostB = login(b, HOST_B)) {
            HoldingBackstore.Held old = holdTheHoldersWrite(hostA, hostB, viewB, true);

            long start = System.nanoTime();
            ScsiResult preempt = prout(hostA, PREEMPT_AND_ABORT, WRITE_EXCLUSIVE, KEY_A, KEY_B);
            long tookMs = (System.nanoTime() - start) / 1_000_000;
            assertThat(preempt.status()).as("PREEMPT AND ABORT, once gateway B is fenced").isZero();
            assertThat(tookMs).as("gateway B had its timeout to answer").isGreaterThanOrEqualTo(1400);
            assertThat(hostA.write16(0, block(NEW)).status()).isZero();

            viewB.release(old); // the old write is let go only now: fenced, it must not land
            assertThat(old.done()).failsWithin(Duration.ofSeconds(5));
            assertThat(onMedium(medium)).isEqualTo(block(NEW));
        }
    }

    @Test
    void whenTheSilentGatewayCannotBeFencedTheCommandFails() throws Exception {
        HoldingBackstore viewB = HoldingBackstore.viewOf(medium);
        Duration peerTimeout = Duration.ofMillis(500);
        try (IscsiTarget a = gateway(view(medium), group.join("a"), peerTimeout);
             IscsiTarget b = gateway(viewB, group.join("b"), peerTimeout); // no fence action
             TestInitiator hostA = login(a, HOST_A);
             TestInitiator hostB = login(b, HOST_B)) {
            HoldingBackstore.Held old = holdTheHoldersWrite(hostA, hostB, viewB, false);

            ScsiResult preempt = prout(hostA, PREEMPT_AND_ABORT, WRITE_EXCLUSIVE, KEY_A, KEY_B);
            assertThat(preempt.status()).as("CHECK CONDITION, not a GOOD that could be wrong").isEqualTo(2);
            assertThat(preempt.senseKey()).as("HARDWARE ERROR").isEqualTo(4);
            viewB.release(old);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"LOGICAL UNIT RESET, 5, 0x03", "TARGET WARM RESET, 6, 0x00"})
    void aResetOnOneGatewayAbortsTheOtherGatewaysTasks(String name, int function, int ascqOnB) throws Exception {
        HoldingBackstore viewB = HoldingBackstore.viewOf(medium);
        try (IscsiTarget a = gateway(view(medium), group.join("a"), Duration.ofSeconds(20));
             IscsiTarget b = gateway(viewB, group.join("b", viewB::fence), Duration.ofSeconds(20));
             TestInitiator hostA = login(a, HOST_A);
             TestInitiator hostB = login(b, HOST_B)) {
            assertThat(hostA.testUnitReady().status()).isZero();
            assertThat(hostB.testUnitReady().status()).isZero();
            viewB.holdWritesStartingWith(OLD);
            sendWrite(hostB, 0, OLD);
            HoldingBackstore.Held old = viewB.awaitHeld();

            int reset = sendTmf(hostA, function, 0xFFFFFFFF, 0);
            assertSilent(hostA, name + " answered while gateway B's write is in its backstore");
            viewB.release(old);
            assertThat(tmfResponse(hostA, reset)).as("Function complete").isEqualTo(FUNCTION_COMPLETE);
            assertThat(hostA.testUnitReady().asc()).as("29h: the reset, on gateway A").isEqualTo(0x29);
            assertThat(hostA.write16(0, block(NEW)).status()).isZero();
            assertThat(onMedium(medium)).isEqualTo(block(NEW));

            // 29h/03h BUS DEVICE RESET FUNCTION OCCURRED, or 29h/00h POWER ON, RESET, OR BUS DEVICE RESET OCCURRED
            assertAbortedThenUnitAttention(hostB, 0x29, ascqOnB);
        }
    }

    @Test
    void logicalUnitResetIsRejectedWhenASilentGatewayCannotBeFenced() throws Exception {
        HoldingBackstore viewB = HoldingBackstore.viewOf(medium);
        Duration peerTimeout = Duration.ofMillis(500);
        try (IscsiTarget a = gateway(view(medium), group.join("a"), peerTimeout);
             IscsiTarget b = gateway(viewB, group.join("b"), peerTimeout);
             TestInitiator hostA = login(a, HOST_A);
             TestInitiator hostB = login(b, HOST_B)) {
            assertThat(hostB.testUnitReady().status()).isZero();
            viewB.holdWritesStartingWith(OLD);
            sendWrite(hostB, 0, OLD);
            HoldingBackstore.Held old = viewB.awaitHeld();
            int reset = sendTmf(hostA, LOGICAL_UNIT_RESET, 0xFFFFFFFF, 0);
            assertThat(tmfResponse(hostA, reset)).as("Function rejected").isEqualTo(FUNCTION_REJECTED);
            viewB.release(old);
        }
    }
}
