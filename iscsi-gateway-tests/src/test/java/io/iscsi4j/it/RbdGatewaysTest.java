package io.iscsi4j.it;

import static io.iscsi4j.it.Pipelined.QUIET;
import static io.iscsi4j.it.Pipelined.block;
import static io.iscsi4j.it.Pipelined.prout;
import static io.iscsi4j.it.Pipelined.readKeys;
import static io.iscsi4j.it.Pipelined.sendWrite;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.iscsi4j.IscsiTarget;
import io.iscsi4j.backstore.Backstore;
import io.iscsi4j.backstore.rbd.CephCluster;
import io.iscsi4j.backstore.rbd.RbdBackstore;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two gateways serve one RBD image of the local Ceph cluster, each with its own RADOS client, its own port group and
 * the image's {@code sharedState()}: real initiators (libiscsi's persistent reservation and multipath suites with one
 * URL per gateway), a write held back in gateway B's backstore while gateway A preempts its host (B answers, or B
 * stays silent and Ceph blocklists it), and gateway A killed with SIGKILL in the middle of FUA writes, the data then
 * read and rewritten through gateway B. The bytes are checked with {@code rbd export}.
 */
@Timeout(600)
@Tag("interop")
class RbdGatewaysTest {

    /** The target name every gateway serves. */
    static final String IQN = "iqn.2026-12.io.iscsi4j:gateways";

    private static final int MIB = 1 << 20;
    private static final byte OLD = (byte) 0xAA;
    private static final byte NEW = (byte) 0xBB;
    private static final String HOST_A = "iqn.2026-12.io.iscsi4j:host-a";
    private static final String HOST_B = "iqn.2026-12.io.iscsi4j:host-b";
    private static final int REGISTER = 0x00;
    private static final int RESERVE = 0x01;
    private static final int PREEMPT_AND_ABORT = 0x05;
    private static final int WRITE_EXCLUSIVE = 1;
    private static final long KEY_A = 0xA11CEL;
    private static final long KEY_B = 0xB0BL;

    private final Deque<AutoCloseable> toClose = new ArrayDeque<>();
    private final ExecutorService background = Executors.newCachedThreadPool();
    private String image;

    @BeforeEach
    void createImage() {
        image = CephCluster.createImage(16L * MIB);
    }

    @AfterEach
    void cleanUp() throws Exception {
        background.shutdownNow();
        while (!toClose.isEmpty()) {
            toClose.pop().close();
        }
        CephCluster.removeImage(image);
    }

    /** A gateway in this JVM: its own RADOS client, port group {@code group}, the image's shared state. */
    private IscsiTarget gateway(int group, Duration peerTimeout, UnaryOperator<Backstore> wrap) throws IOException {
        RbdBackstore rbd = RbdBackstore.builder().conf(CephCluster.conf()).image(image).option("rbd_cache", "false").timeoutSeconds(30).open();
        toClose.push(rbd);
        var shared = rbd.sharedState();
        IscsiTarget target = IscsiTarget.builder()
                .portal("127.0.0.1", 0)
                .portGroup(group)
                .target(IQN, t -> t.lun(0, wrap.apply(rbd), o -> o.sharedState(shared, peerTimeout)))
                .build()
                .start();
        toClose.push(target);
        return target;
    }

    private static String url(IscsiTarget target) {
        return "iscsi://127.0.0.1:" + target.localAddress().getPort() + "/" + IQN + "/0";
    }

    private static String url(int port) {
        return "iscsi://127.0.0.1:" + port + "/" + IQN + "/0";
    }

    private static TestInitiator login(IscsiTarget gateway, String initiator) throws IOException {
        TestInitiator ini = TestInitiator.connect(gateway.localAddress());
        ini.login(initiator, IQN, Map.of());
        return ini;
    }

    /** The image's first {@code bytes} bytes, from {@code rbd export}. */
    private byte[] exported(int bytes) throws IOException {
        Path file = Files.createTempFile("rbd-export", ".img");
        try {
            Files.delete(file);
            CephCluster.run("rbd", "export", "--no-progress", "rbd/" + image, file.toString());
            return Arrays.copyOf(Files.readAllBytes(file), bytes);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void libiscsiReservationAndMultipathSuitesPassAcrossTheGateways() throws IOException {
        CephCluster.requireTool("iscsi-test-cu", "libiscsi-bin");
        IscsiTarget a = gateway(1, Duration.ofSeconds(10), UnaryOperator.identity());
        IscsiTarget b = gateway(2, Duration.ofSeconds(10), UnaryOperator.identity());
        int total = 0;
        for (String family : List.of("ALL.PrinReadKeys", "ALL.PrinServiceactionRange", "ALL.PrinReportCapabilities",
                "ALL.ProutRegister", "ALL.ProutReserve", "ALL.ProutClear", "ALL.ProutPreempt", "ALL.MultipathIO")) {
            String out = CephCluster.run("iscsi-test-cu", "--dataloss", "--test", family, url(a), url(b));
            Matcher m = Pattern.compile("tests\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)").matcher(out);
            assertThat(m.find()).as(family + ": a CUnit summary in\n" + out).isTrue();
            assertThat(Integer.parseInt(m.group(2))).as(family + ": tests run\n" + out).isPositive();
            assertThat(Integer.parseInt(m.group(4))).as(family + ": tests failed\n" + out).isZero();
            total += Integer.parseInt(m.group(3));
        }
        assertThat(total).as("tests passed across the gateways").isGreaterThanOrEqualTo(20);
    }

    @Test
    void preemptAndAbortThroughGatewayAWaitsForGatewayBsHeldWrite() throws Exception {
        HoldingBackstore[] heldB = new HoldingBackstore[1];
        IscsiTarget a = gateway(1, Duration.ofSeconds(20), UnaryOperator.identity());
        IscsiTarget b = gateway(2, Duration.ofSeconds(20), rbd -> heldB[0] = HoldingBackstore.viewOf(rbd));
        try (TestInitiator hostA = login(a, HOST_A); TestInitiator hostB = login(b, HOST_B)) {
            assertThat(prout(hostB, REGISTER, 0, 0, KEY_B).status()).isZero();
            assertThat(prout(hostB, RESERVE, WRITE_EXCLUSIVE, KEY_B, 0).status()).isZero();
            assertThat(prout(hostA, REGISTER, 0, 0, KEY_A).status()).isZero();
            assertThat(readKeys(hostA)).as("gateway A reads gateway B's registration from the image")
                    .containsExactly(KEY_B, KEY_A);
            assertThat(hostA.write16(0, block(NEW)).status()).as("gateway A refuses a write under B's reservation")
                    .isEqualTo(0x18);
            heldB[0].holdWritesStartingWith(OLD);
            sendWrite(hostB, 0, OLD);
            HoldingBackstore.Held old = heldB[0].awaitHeld();

            Future<ScsiResult> preempt = background.submit(
                    () -> prout(hostA, PREEMPT_AND_ABORT, WRITE_EXCLUSIVE, KEY_A, KEY_B));
            assertThatThrownBy(() -> preempt.get(QUIET.toMillis(), TimeUnit.MILLISECONDS))
                    .as("PREEMPT AND ABORT answered while gateway B's write is in its backstore")
                    .isInstanceOf(TimeoutException.class);
            heldB[0].release(old);
            assertThat(preempt.get(30, TimeUnit.SECONDS).status()).as("PREEMPT AND ABORT").isZero();
            assertThat(hostA.write16(0, block(NEW)).status()).isZero();
            assertThat(exported(512)).isEqualTo(block(NEW));
            ScsiResult ua = hostB.testUnitReady();
            assertThat(ua.senseKey()).as("UNIT ATTENTION through gateway B").isEqualTo(6);
            assertThat(ua.asc()).as("2Ah: registrations preempted").isEqualTo(0x2A);
            assertThat(hostB.write16(0, block(OLD)).status()).as("gateway B refuses the preempted host")
                    .isEqualTo(0x18);
            assertThat(exported(512)).isEqualTo(block(NEW));
        }
    }

    @Test
    void aSilentGatewayIsBlocklistedAndItsHeldWriteNeverLands() throws Exception {
        HoldingBackstore[] heldB = new HoldingBackstore[1];
        Duration peerTimeout = Duration.ofSeconds(2);
        IscsiTarget a = gateway(1, peerTimeout, UnaryOperator.identity());
        IscsiTarget b = gateway(2, peerTimeout, rbd -> heldB[0] = HoldingBackstore.viewOf(rbd));
        try (TestInitiator hostA = login(a, HOST_A); TestInitiator hostB = login(b, HOST_B)) {
            assertThat(prout(hostB, REGISTER, 0, 0, KEY_B).status()).isZero();
            assertThat(prout(hostB, RESERVE, WRITE_EXCLUSIVE, KEY_B, 0).status()).isZero();
            assertThat(prout(hostA, REGISTER, 0, 0, KEY_A).status()).isZero();
            heldB[0].holdWritesStartingWith(OLD);
            sendWrite(hostB, 0, OLD);
            HoldingBackstore.Held old = heldB[0].awaitHeld();

            long start = System.nanoTime();
            ScsiResult preempt = prout(hostA, PREEMPT_AND_ABORT, WRITE_EXCLUSIVE, KEY_A, KEY_B);
            long tookMs = (System.nanoTime() - start) / 1_000_000;
            assertThat(preempt.status()).as("PREEMPT AND ABORT once gateway B is blocklisted").isZero();
            assertThat(tookMs).as("gateway B had its timeout").isGreaterThanOrEqualTo(1900);
            assertThat(hostA.write16(0, block(NEW)).status()).isZero();

            heldB[0].release(old); // gateway B's client is blocklisted: the write reaches librbd and fails
            assertThat(old.done()).as("the held write, released after the fence")
                    .failsWithin(Duration.ofSeconds(30));
            assertThat(exported(512)).isEqualTo(block(NEW));
            System.out.printf("PREEMPT AND ABORT with a silent gateway: %d ms (peer timeout %d ms)%n", tookMs,
                    peerTimeout.toMillis());
        }
    }

    @Test
    void reservationsWithAptplSurviveARestartOfEveryGateway() throws Exception {
        IscsiTarget a = gateway(1, Duration.ofSeconds(10), UnaryOperator.identity());
        IscsiTarget b = gateway(2, Duration.ofSeconds(10), UnaryOperator.identity());
        try (TestInitiator hostA = login(a, HOST_A)) {
            byte[] capabilities = reportCapabilities(hostA);
            assertThat(capabilities[2] & 0x01).as("PTPL_C: the state lives on the image").isEqualTo(1);
            byte[] cdb = new byte[10];
            cdb[0] = 0x5F;
            cdb[1] = REGISTER;
            cdb[8] = 24;
            byte[] list = ByteBuffer.allocate(24).putLong(0).putLong(KEY_A).array();
            list[20] = 0x01; // APTPL
            assertThat(hostA.execute(0, cdb, 0, list).status()).as("REGISTER with APTPL").isZero();
            assertThat(prout(hostA, RESERVE, WRITE_EXCLUSIVE, KEY_A, 0).status()).isZero();
            assertThat(reportCapabilities(hostA)[3] & 0x01).as("PTPL_A").isEqualTo(1);
        }
        while (!toClose.isEmpty()) { // every gateway stops: targets, then their RADOS clients
            toClose.pop().close();
        }
        IscsiTarget again = gateway(2, Duration.ofSeconds(10), UnaryOperator.identity());
        try (TestInitiator hostB = login(again, HOST_B)) {
            assertThat(readKeys(hostB)).as("the registration, after every gateway restarted").containsExactly(KEY_A);
            assertThat(hostB.write16(0, block(NEW)).status()).as("the reservation too: WRITE EXCLUSIVE holds")
                    .isEqualTo(0x18);
        }
    }

    private static byte[] reportCapabilities(TestInitiator ini) throws IOException {
        byte[] cdb = new byte[10];
        cdb[0] = 0x5E;
        cdb[1] = 0x02; // REPORT CAPABILITIES
        cdb[8] = 8;
        ScsiResult r = ini.execute(0, cdb, 8, null);
        assertThat(r.status()).as("REPORT CAPABILITIES").isZero();
        return r.data();
    }

    @Test
    void compareAndWriteIsAtomicAcrossTheGateways() throws Exception {
        IscsiTarget a = gateway(1, Duration.ofSeconds(10), UnaryOperator.identity());
        IscsiTarget b = gateway(2, Duration.ofSeconds(10), UnaryOperator.identity());
        int perHost = 40;
        try (TestInitiator hostA = login(a, HOST_A); TestInitiator hostB = login(b, HOST_B)) {
            assertThat(hostA.write16(7, counterBlock(0)).status()).isZero();
            // Each host increments the counter in LBA 7 with COMPARE AND WRITE, through its own gateway, at once.
            Future<Integer> fromA = background.submit(() -> increment(hostA, perHost));
            Future<Integer> fromB = background.submit(() -> increment(hostB, perHost));
            int miscompares = fromA.get(240, TimeUnit.SECONDS) + fromB.get(240, TimeUnit.SECONDS);
            long counter = ByteBuffer.wrap(exported(8 * 512), 7 * 512, 8).getLong();
            assertThat(counter).as("every successful COMPARE AND WRITE counted once (%d miscompares on the way)",
                    miscompares).isEqualTo(2L * perHost);
            System.out.printf("COMPARE AND WRITE across two gateways: %d increments, %d miscompares%n",
                    2 * perHost, miscompares);
        }
    }

    private static byte[] counterBlock(long value) {
        return ByteBuffer.allocate(512).putLong(value).array();
    }

    /** Increments the counter in LBA 7 {@code times} times with COMPARE AND WRITE; returns the miscompares met. */
    private static int increment(TestInitiator host, int times) throws IOException {
        int miscompares = 0;
        for (int done = 0; done < times; ) {
            ScsiResult read = host.read16(7, 1);
            assertThat(read.status()).isZero();
            long value = ByteBuffer.wrap(read.data()).getLong();
            byte[] cdb = new byte[16];
            cdb[0] = (byte) 0x89;
            cdb[9] = 7;   // LBA
            cdb[13] = 1;  // NUMBER OF LOGICAL BLOCKS
            byte[] data = new byte[1024];
            System.arraycopy(counterBlock(value), 0, data, 0, 512);
            System.arraycopy(counterBlock(value + 1), 0, data, 512, 512);
            ScsiResult caw = host.execute(0, cdb, 0, data);
            if (caw.status() == 0) {
                done++;
            } else {
                assertThat(caw.senseKey()).as("MISCOMPARE, the only failure allowed").isEqualTo(0x0E);
                miscompares++;
            }
        }
        return miscompares;
    }

    @Test
    void gatewayAKilledMidWriteLosesNoAcknowledgedWriteAndGatewayBServesOn() throws Exception {
        CephCluster.requireTool("qemu-io", "qemu-utils and qemu-block-extra");
        CephCluster.requireTool("stdbuf", "coreutils");
        GatewayProcess gatewayA = GatewayProcess.start(image, 1, 1);
        toClose.push(gatewayA);
        int portA = gatewayA.ports().get(0);
        IscsiTarget b = gateway(2, Duration.ofSeconds(10), UnaryOperator.identity());

        CephCluster.run("qemu-io", "-f", "raw", "-c", "write -P 0x11 0 4M", "-c", "flush", url(portA));
        // 128 FUA writes of 64 KiB through gateway A, one at a time; A is killed after the 24th is acknowledged.
        List<String> command = new ArrayList<>(List.of("stdbuf", "-oL", "qemu-io", "-f", "raw"));
        for (int k = 0; k < 128; k++) {
            command.add("-c");
            command.add("write -f -P 0x22 " + (4 * MIB + k * 65536) + " 65536");
        }
        command.add(url(portA));
        Process writer = new ProcessBuilder(command).redirectErrorStream(true).start();
        List<Long> acknowledged = new ArrayList<>();
        Pattern wrote = Pattern.compile("wrote 65536/65536 bytes at offset (\\d+)");
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(writer.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                Matcher m = wrote.matcher(line);
                if (m.find()) {
                    acknowledged.add(Long.parseLong(m.group(1)));
                    if (acknowledged.size() == 24) {
                        gatewayA.kill(); // SIGKILL, with the 25th write in flight
                        break;
                    }
                }
            }
        }
        assertThat(gatewayA.kill()).as("gateway A is gone").isTrue();
        writer.destroyForcibly();
        writer.waitFor(10, TimeUnit.SECONDS);
        assertThat(acknowledged).hasSize(24);

        // Through gateway B: everything acknowledged through A is there.
        List<String> check = new ArrayList<>(List.of("qemu-io", "-f", "raw", "-c", "read -P 0x11 0 4M"));
        for (long offset : acknowledged) {
            check.add("-c");
            check.add("read -P 0x22 " + offset + " 65536");
        }
        check.add(url(b));
        String out = CephCluster.run(check.toArray(String[]::new));
        assertThat(out).as("acknowledged writes read through gateway B").doesNotContain("Pattern verification failed")
                .doesNotContain("failed");
        // Gateway B rewrites the whole range, and that is what the image holds.
        CephCluster.run("qemu-io", "-f", "raw", "-c", "write -P 0x33 0 12M", "-c", "flush", url(b));
        byte[] medium = exported(12 * MIB);
        byte[] expected = new byte[12 * MIB];
        Arrays.fill(expected, (byte) 0x33);
        assertThat(Arrays.equals(medium, expected)).as("the image after gateway B's rewrite").isTrue();
    }
}
