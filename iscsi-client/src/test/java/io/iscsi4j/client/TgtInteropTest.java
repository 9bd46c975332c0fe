package io.iscsi4j.client;

import io.iscsi4j.core.testsupport.NativeTools;
import io.iscsi4j.initiator.BlockDevice;
import io.iscsi4j.initiator.ChapAlgorithm;
import io.iscsi4j.initiator.IscsiInitiator;
import io.iscsi4j.initiator.IscsiSession;
import io.iscsi4j.initiator.IscsiUrl;
import io.iscsi4j.initiator.LoginOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The iscsi4j initiator, through the command-line client and its API, against tgt (the Linux SCSI target framework,
 * an independent target), started by {@code scripts/tgt.sh} on loopback: discovery, login without and with CHAP (MD5,
 * one-way and mutual), a 64 MiB image copied in and out with SHA-256 checks, CRC32C header and data digests, and 64
 * commands in flight. Without tgtd (Debian package {@code tgt}) or root the test is skipped, or fails under
 * {@code CI=true}. Tagged {@code interop}: it runs in the surefire execution of that name.
 */
@Tag("interop")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TgtInteropTest {

    private static final String IQN = "iqn.2026-12.io.iscsi4j:interop";
    private static final String CHAP_IQN = IQN + "-chap";
    private static final String USER = "interop-user";
    private static final String SECRET = "interop-secret-1";
    private static final String TARGET_USER = "interop-target";
    private static final String TARGET_SECRET = "interop-target-2";
    private static final Duration SCRIPT_TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    static Path state;

    private static Path script;
    private static String hostPort;

    @BeforeAll
    static void startTgt() throws IOException {
        NativeTools.require("tgtd", "tgt");
        NativeTools.require("tgtadm", "tgt");
        if (!"root".equals(System.getProperty("user.name"))) {
            NativeTools.missing("tgtd needs root; run the interop tests as root", null);
        }
        script = Path.of("..", "scripts", "tgt.sh").toAbsolutePath().normalize();
        assertThat(script).as("the project's tgt script").isRegularFile();
        NativeTools.Result r = NativeTools.run(SCRIPT_TIMEOUT, Map.of("TGT_IQN", IQN, "TGT_SIZE_MIB", "64",
                "TGT_CHAP_USER", USER, "TGT_CHAP_SECRET", SECRET, "TGT_MUTUAL_USER", TARGET_USER,
                "TGT_MUTUAL_SECRET", TARGET_SECRET,
                // tgt's default is None only; with this list it accepts CRC32C and still logs in those without
                "TGT_PARAMS", "HeaderDigest=CRC32C,None DataDigest=CRC32C,None"), List.of("bash", script.toString(), "start", state.toString()));
        r.assertSuccess();
        IscsiUrl url = IscsiUrl.parse(r.stdout().strip());
        hostPort = url.host() + ":" + url.port();
    }

    @AfterAll
    static void stopTgt() throws IOException {
        if (script == null) {
            return;
        }
        Path pidFile = state.resolve("tgtd.pid");
        long pid = Files.exists(pidFile) ? Long.parseLong(Files.readString(pidFile).strip()) : -1;
        NativeTools.run(SCRIPT_TIMEOUT, Map.of(), List.of("bash", script.toString(), "stop", state.toString()));
        if (pid > 0) {   // the script waits at most 5 s and then kills it; make sure, by its pid
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    private static String url(String iqn) {
        return "iscsi://" + hostPort + "/" + iqn + "/1";
    }

    private static void assertOk(ClientRun r) {
        assertThat(r.status()).as(r.describe()).isZero();
        assertThat(r.stderr()).as(r.describe()).isEmpty();
    }

    private static String sha256(Path file) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (InputStream in = Files.newInputStream(file)) {
            byte[] b = new byte[1 << 20];
            for (int n; (n = in.read(b)) > 0; ) {
                md.update(b, 0, n);
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    @Test
    void discoveryListsBothTargetsAndTheLunsOfTheOpenOne() {
        ClientRun r = ClientRun.run("ls", "iscsi://" + hostPort);
        assertThat(r.out()).as(r.describe())
                .contains("Target: " + IQN + "  Portal: " + hostPort + ",1\n  LUN 0: controller IET Controller\n"
                        + "  LUN 1: disk IET VIRTUAL-DISK, 131072 blocks of 512 bytes (64.0 MiB)\n")
                .contains("Target: " + CHAP_IQN + "  Portal: " + hostPort + ",1\n  (login to " + CHAP_IQN + " at "
                        + hostPort + " failed");
        assertThat(r.status()).as("the CHAP target cannot be listed without credentials").isEqualTo(Main.FAILED);
        assertThat(r.stderr()).isEqualTo("iscsi4j-client: some targets could not be listed\n");
    }

    @Test
    void discoveryWithMutualChapCredentialsListsTheChapTarget() {
        // tgt's discovery session does not authenticate itself: the client asks mutual CHAP of normal sessions only
        ClientRun r = ClientRun.run("ls", "iscsi://" + hostPort, "--chap-user", USER, "--chap-secret", SECRET,
                "--target-user", TARGET_USER, "--target-secret", TARGET_SECRET);
        assertThat(r.out()).as(r.describe())
                .contains("Target: " + CHAP_IQN + "  Portal: " + hostPort + ",1\n  LUN 0: controller IET Controller\n"
                        + "  LUN 1: disk IET VIRTUAL-DISK, 32768 blocks of 512 bytes (16.0 MiB)\n")
                .contains("Target: " + IQN + "  Portal: " + hostPort + ",1\n  (login to " + IQN + " at " + hostPort
                        + " failed: mutual CHAP was required but the target chose AuthMethod=None");
        assertThat(r.status()).as("the open target cannot authenticate itself").isEqualTo(Main.FAILED);
    }

    @Test
    void loginWithoutChap() {
        ClientRun inq = ClientRun.run("inquiry", url(IQN));
        assertOk(inq);
        assertThat(inq.out()).contains("Device type: disk\n", "Vendor: IET\n", "Product: VIRTUAL-DISK\n",
                "Identifier: NAA (logical unit): 0x");
        ClientRun cap = ClientRun.run("capacity", url(IQN));
        assertOk(cap);
        assertThat(cap.out()).isEqualTo("Blocks: 131072\nBlock size: 512\nCapacity: 67108864 bytes (64.0 MiB)\n");
    }

    @Test
    void loginWithChapMd5OneWayAndMutual() {
        String withCredentials = "iscsi://" + USER + "%" + SECRET + "@" + url(CHAP_IQN).substring(8);
        ClientRun oneWay = ClientRun.run("capacity", withCredentials);
        assertOk(oneWay);
        assertThat(oneWay.out()).startsWith("Blocks: 32768\n");
        assertOk(ClientRun.run(Map.of("LIBISCSI_CHAP_USERNAME", USER, "LIBISCSI_CHAP_PASSWORD", SECRET,
                "LIBISCSI_CHAP_TARGET_USERNAME", TARGET_USER, "LIBISCSI_CHAP_TARGET_PASSWORD", TARGET_SECRET),
                new byte[0], "capacity", url(CHAP_IQN)));

        ClientRun none = ClientRun.run("capacity", url(CHAP_IQN));
        assertThat(none.status()).as(none.describe()).isEqualTo(Main.FAILED);
        assertThat(none.stderr()).startsWith("iscsi4j-client: login to " + CHAP_IQN).contains("authentication");
        ClientRun wrongTarget = ClientRun.run("capacity", withCredentials, "--target-user", TARGET_USER,
                "--target-secret", "not-the-secret-3");
        assertThat(wrongTarget.status()).as(wrongTarget.describe()).isEqualTo(Main.FAILED);
        assertThat(wrongTarget.stderr().lines().count()).isEqualTo(1);
        assertThat(wrongTarget.stderr()).doesNotContain("not-the-secret-3").doesNotContain(SECRET);
    }

    @Test
    void imageOf64MibCopiedInAndOutWithChecksumsAndDigests(@TempDir Path dir) throws Exception {
        Path image = dir.resolve("in.img");
        byte[] chunk = new byte[1 << 20];
        Random random = new Random(13);
        try (var out = Files.newOutputStream(image)) {
            for (int i = 0; i < 64; i++) {
                random.nextBytes(chunk);
                out.write(chunk);
            }
        }
        String expected = sha256(image);

        ClientRun in = ClientRun.run("cp", image.toString(), url(IQN), "--verify");       // 1 MiB x 8 in flight
        assertOk(in);
        assertThat(in.out()).contains("copied 67108864 bytes (64.0 MiB)", "verified: SHA-256 " + expected);

        Path back = dir.resolve("out.img");
        ClientRun out = ClientRun.run("cp", url(IQN), back.toString(), "--verify", "--bs", "64k", "--qd", "32",
                "--header-digest", "crc32c", "--data-digest", "crc32c");
        assertOk(out);
        assertThat(sha256(back)).isEqualTo(expected);
        assertThat(out.out()).contains("verified: SHA-256 " + expected);

        ClientRun bench = ClientRun.run("bench", url(IQN), "--rw", "randread", "--qd", "32", "--seconds", "1", "--ramp", "0",
                "--header-digest", "crc32c", "--data-digest", "crc32c");
        assertOk(bench);
        assertThat(bench.out()).startsWith("randread bs=4k qd=32 ");
    }

    @Test
    void digestsAreNegotiatedAndSixtyFourCommandsRunInFlight() throws Exception {
        LoginOptions options = LoginOptions.builder().headerDigest(true).dataDigest(true)
                .chap(USER, SECRET).chapAlgorithms(ChapAlgorithm.MD5).build();
        try (IscsiInitiator initiator = IscsiInitiator.builder().build();
             IscsiSession session = initiator.login(IscsiUrl.parse(url(CHAP_IQN)), options)
                     .toCompletableFuture().get(30, TimeUnit.SECONDS)) {
            assertThat(session.parameters().headerDigest()).isTrue();
            assertThat(session.parameters().dataDigest()).isTrue();
            BlockDevice disk = session.lun(1);
            int commands = 64;
            int bytes = 64 << 10;
            byte[][] data = new byte[commands][bytes];
            Random random = new Random(7);
            List<CompletableFuture<Void>> writes = new ArrayList<>();
            for (int i = 0; i < commands; i++) {
                random.nextBytes(data[i]);
                writes.add(disk.write((long) i * (bytes / 512), ByteBuffer.wrap(data[i])).toCompletableFuture());
            }
            int inFlight = session.outstandingCommands();
            CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            assertThat(inFlight).as("commands outstanding right after submitting %d", commands)
                    .isGreaterThanOrEqualTo(32);

            List<ByteBuffer> buffers = new ArrayList<>();
            List<CompletableFuture<Void>> reads = new ArrayList<>();
            for (int i = commands - 1; i >= 0; i--) {
                ByteBuffer b = ByteBuffer.allocate(bytes);
                buffers.add(0, b);
                reads.add(disk.read((long) i * (bytes / 512), b).toCompletableFuture());
            }
            CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            for (int i = 0; i < commands; i++) {
                assertThat(buffers.get(i).array()).as("block range %d", i).isEqualTo(data[i]);
            }
        }
    }
}
