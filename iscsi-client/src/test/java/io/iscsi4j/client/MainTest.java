package io.iscsi4j.client;

import io.iscsi4j.TargetListener;
import io.iscsi4j.testing.InProcessTarget;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Every command of the client against an in-process iscsi4j target on loopback. */
@Timeout(60)
class MainTest {

    private static final String IQN = InProcessTarget.DEFAULT_IQN;

    @TempDir
    Path dir;

    private static InProcessTarget target(long bytes) {
        return InProcessTarget.builder().lun(bytes).start();
    }

    private static byte[] random(int bytes, long seed) {
        byte[] b = new byte[bytes];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }

    private static void assertOk(ClientRun r) {
        assertThat(r.status()).as(r.describe()).isZero();
        assertThat(r.stderr()).as(r.describe()).isEmpty();
    }

    /** Exactly one line {@code iscsi4j-client: ...} on stderr, nothing on stdout, the given status. */
    private static void assertOneLineFailure(ClientRun r, int status, String contains) {
        assertThat(r.status()).as(r.describe()).isEqualTo(status);
        assertThat(r.stderr()).as(r.describe()).startsWith("iscsi4j-client: ").contains(contains).endsWith("\n");
        assertThat(r.stderr().lines().count()).as(r.describe()).isEqualTo(1);
    }

    @Test
    void lsDiscoversTargetsAndListsLunsWithSizes() {
        try (InProcessTarget t = InProcessTarget.builder().lun(16 << 20).lunBlocks(4096, 256).start()) {
            ClientRun all = ClientRun.run("ls", "iscsi://" + t.hostPort());
            assertOk(all);
            assertThat(all.out()).contains("Target: " + IQN + "  Portal: " + t.hostPort())
                    .contains("  LUN 0: disk ISCSI4J ")
                    .contains("32768 blocks of 512 bytes (16.0 MiB)")
                    .contains("  LUN 1: disk ISCSI4J ")
                    .contains("256 blocks of 4096 bytes (1.00 MiB)");
            ClientRun one = ClientRun.run("ls", "iscsi://" + t.hostPort() + "/" + IQN);
            assertOk(one);
            assertThat(one.out()).startsWith("Target: " + IQN + "\n").contains("  LUN 1: ");
        }
    }

    @Test
    void inquiryPrintsIdentityAndDeviceIdentifiers() {
        try (InProcessTarget t = target(1 << 20)) {
            ClientRun r = ClientRun.run("inquiry", t.url(0));
            assertOk(r);
            assertThat(r.out()).contains("Device type: disk\n", "Vendor: ISCSI4J\n", "Product: ", "Revision: ",
                    "Serial: ", "Identifier: NAA (logical unit): 0x6",
                    "Identifier: SCSI name (target port): " + IQN + ",t,0x");
        }
    }

    @Test
    void capacityPrintsBlocksBlockSizeAndBytes() {
        try (InProcessTarget t = InProcessTarget.builder().lunBlocks(4096, 1000).start()) {
            ClientRun r = ClientRun.run("capacity", t.url(0));
            assertOk(r);
            assertThat(r.out()).isEqualTo("Blocks: 1000\nBlock size: 4096\nCapacity: 4096000 bytes (3.91 MiB)\n");
        }
    }

    @Test
    void writeFromStdinThenReadToStdout() {
        try (InProcessTarget t = target(4 << 20)) {
            byte[] data = random(3 * 1024 * 1024 + 512, 1);     // several pipelined chunks and a short last one
            assertOk(ClientRun.run(Map.of(), data, "write", t.url(0), "100", "--bs", "256k", "--qd", "4"));
            assertThat(t.backstore(0).readBlocks(100, data.length / 512)).isEqualTo(data);
            ClientRun r = ClientRun.run("read", t.url(0), "100", String.valueOf(data.length / 512), "--bs", "64k");
            assertOk(r);
            assertThat(r.stdout()).isEqualTo(data);
        }
    }

    @Test
    void writeWritesWholeBlocksAndFailsOnAPartialLastBlock() {
        try (InProcessTarget t = target(1 << 20)) {
            byte[] data = random(1000, 2);
            ClientRun r = ClientRun.run(Map.of(), data, "write", t.url(0), "0");
            assertOneLineFailure(r, Main.FAILED, "partial block of 488 bytes");
            assertThat(t.backstore(0).readBlocks(0, 1)).isEqualTo(Arrays.copyOf(data, 512));
            assertThat(t.backstore(0).readBlocks(1, 1)).isEqualTo(new byte[512]);
        }
    }

    @Test
    void readAndWriteRefuseRangesBeyondTheEnd() {
        try (InProcessTarget t = target(1 << 20)) {
            assertOneLineFailure(ClientRun.run("read", t.url(0), "2040", "9"), Main.FAILED, "beyond the end");
            assertOneLineFailure(ClientRun.run(Map.of(), new byte[1024], "write", t.url(0), "2047"), Main.FAILED,
                    "beyond the end");
        }
    }

    @Test
    void cpCopiesAnImageInAndOutWithChecksums() throws Exception {
        try (InProcessTarget t = target(8 << 20)) {
            byte[] image = random(6 << 20, 3);
            Path in = Files.write(dir.resolve("in.img"), image);
            ClientRun up = ClientRun.run("cp", in.toString(), t.url(0), "--verify", "--qd", "4");
            assertOk(up);
            assertThat(up.out()).matches("(?s)copied 6291456 bytes \\(6\\.00 MiB\\) in [0-9.]+ s, [0-9.]+ MiB/s\n"
                    + "verified: SHA-256 " + sha256(image) + "\n");
            assertThat(t.backstore(0).readBlocks(0, image.length / 512)).isEqualTo(image);

            Path out = dir.resolve("out.img");
            ClientRun down = ClientRun.run("cp", t.url(0), out.toString(), "--verify", "--bs", "512k");
            assertOk(down);
            byte[] whole = Files.readAllBytes(out);
            assertThat(whole).hasSize(8 << 20);
            assertThat(Arrays.copyOf(whole, image.length)).isEqualTo(image);
            assertThat(down.out()).contains("copied 8388608 bytes (8.00 MiB)", "verified: SHA-256 " + sha256(whole));
        }
    }

    @Test
    void cpRefusesFilesThatDoNotFit() throws Exception {
        try (InProcessTarget t = target(1 << 20)) {
            Path odd = Files.write(dir.resolve("odd.img"), new byte[1000]);
            assertOneLineFailure(ClientRun.run("cp", odd.toString(), t.url(0)), Main.FAILED,
                    "not a whole number of 512-byte blocks");
            Path big = Files.write(dir.resolve("big.img"), new byte[(1 << 20) + 512]);
            assertOneLineFailure(ClientRun.run("cp", big.toString(), t.url(0)), Main.FAILED, "larger than the LUN");
            assertOneLineFailure(ClientRun.run("cp", dir.resolve("missing").toString(), t.url(0)), Main.FAILED,
                    "no such file");
        }
    }

    @Test
    void chapCredentialsFromTheUrlTheOptionsOrTheEnvironment() {
        String secret = "client-secret-1";
        try (InProcessTarget t = InProcessTarget.builder().lun(1 << 20).chap("alice", secret).start()) {
            String url = t.url(0);
            assertOk(ClientRun.run("capacity", "iscsi://alice%" + secret + "@" + url.substring(8)));
            assertOk(ClientRun.run("capacity", url, "--chap-user", "alice", "--chap-secret", secret));
            assertOk(ClientRun.run(Map.of("LIBISCSI_CHAP_USERNAME", "alice", "LIBISCSI_CHAP_PASSWORD", secret),
                    new byte[0], "capacity", url));
            assertOk(ClientRun.run(Map.of("LIBISCSI_CHAP_PASSWORD", secret), new byte[0], "capacity", url,
                    "--chap-user", "alice", "--chap-algorithms", "sha256,md5"));

            ClientRun none = ClientRun.run("capacity", url);
            assertOneLineFailure(none, Main.FAILED, "login to " + IQN);
            ClientRun wrong = ClientRun.run("capacity", url, "--chap-user", "alice", "--chap-secret",
                    "wrong-secret-22");
            assertOneLineFailure(wrong, Main.FAILED, "login to " + IQN);
            assertThat(wrong.stderr()).doesNotContain("wrong-secret-22");
        }
    }

    @Test
    void mutualChapAuthenticatesTheTarget() {
        try (InProcessTarget t = InProcessTarget.builder().lun(1 << 20).chap("alice", "client-secret-1")
                .mutualChap("target", "target-secret-2").start()) {
            String url = t.url(0);
            assertOk(ClientRun.run("capacity", url, "--chap-user", "alice", "--chap-secret", "client-secret-1",
                    "--target-user", "target", "--target-secret", "target-secret-2"));
            ClientRun wrong = ClientRun.run("capacity", url, "--chap-user", "alice", "--chap-secret",
                    "client-secret-1", "--target-user", "target", "--target-secret", "not-the-target-3");
            assertOneLineFailure(wrong, Main.FAILED, "login to " + IQN);
            assertThat(wrong.stderr()).doesNotContain("not-the-target-3").doesNotContain("client-secret-1");
        }
    }

    @Test
    void headerAndDataDigests() throws Exception {
        try (InProcessTarget t = target(4 << 20)) {
            byte[] image = random(2 << 20, 4);
            Path in = Files.write(dir.resolve("d.img"), image);
            ClientRun r = ClientRun.run("cp", in.toString(), t.url(0), "--header-digest", "crc32c", "--data-digest",
                    "crc32c", "--verify");
            assertOk(r);
            assertThat(r.out()).contains("verified: SHA-256 " + sha256(image));
            assertThat(t.backstore(0).readBlocks(0, image.length / 512)).isEqualTo(image);
        }
    }

    @Test
    void benchPrintsIopsAndThroughput() {
        try (InProcessTarget t = target(8 << 20)) {
            ClientRun r = ClientRun.run("bench", t.url(0), "--seconds", "1", "--ramp", "0", "--qd", "16");
            assertOk(r);
            assertThat(r.out()).matches("randread bs=4k qd=16 1\\.[0-9] s: [1-9][0-9]* IOPS, [0-9.]+ MiB/s \\([0-9]+"
                    + " commands, [0-9.]+ us of CPU each\\)\n");
            ClientRun w = ClientRun.run("bench", t.url(0), "--seconds", "1", "--ramp", "0", "--rw", "write", "--bs", "1M", "--qd",
                    "4", "--write-ok");
            assertOk(w);
            assertThat(w.out()).startsWith("write bs=1M qd=4 ");
        }
    }

    @Test
    void loginToAnUnknownTargetFailsWithOneLine() {
        try (InProcessTarget t = target(1 << 20)) {
            assertOneLineFailure(ClientRun.run("capacity", "iscsi://" + t.hostPort() + "/iqn.2000-01.no:such/0"),
                    Main.FAILED, "login to iqn.2000-01.no:such at " + t.hostPort() + " failed");
        }
    }

    @Test
    void connectionRefusedFailsWithOneLine() {
        int port;
        try (InProcessTarget t = target(1 << 20)) {
            port = t.port();
        }
        assertOneLineFailure(ClientRun.run("ls", "iscsi://127.0.0.1:" + port, "--timeout", "5"), Main.FAILED,
                "discovery at 127.0.0.1:" + port + " failed");
    }

    @Test
    void initiatorNameIsTheOneGiven() throws Exception {
        BlockingQueue<String> names = new LinkedBlockingQueue<>();
        try (InProcessTarget t = InProcessTarget.builder().lun(1 << 20)
                .configure(b -> b.listener(new TargetListener() {
                    @Override
                    public void loginSucceeded(SessionInfo session) {
                        names.add(session.initiatorName());
                    }
                })).start()) {
            assertOk(ClientRun.run("capacity", t.url(0), "--initiator-name", "iqn.2026-12.com.example:backup-1"));
            assertThat(names.poll(10, TimeUnit.SECONDS)).isEqualTo("iqn.2026-12.com.example:backup-1");
        }
    }

    @Test
    void unknownHostFailsWithOneLine() {
        assertOneLineFailure(ClientRun.run("capacity", "iscsi://no-such-host.invalid/iqn.x/0", "--timeout", "5"),
                Main.FAILED, "unknown host no-such-host.invalid");
    }

    @Test
    void helpPrintsTheUsage() {
        ClientRun r = ClientRun.run("--help");
        assertOk(r);
        assertThat(r.out()).startsWith("usage: iscsi4j-client COMMAND").contains("exit status: 0 success");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            ''                                              | no command (try --help)
            frobnicate                                      | unknown command frobnicate (try --help)
            ls                                              | ls: missing argument; usage: ls iscsi://host[:port][/target-iqn]
            ls iscsi://h iscsi://g                          | ls: unexpected argument iscsi://g; usage: ls iscsi://host[:port][/target-iqn]
            capacity http://h/iqn.x/0                       | bad URL: an iSCSI URL starts with iscsi://
            capacity iscsi://h:99999/iqn.x/0                | bad URL: port out of range: 99999
            capacity iscsi://h/iqn.x                        | capacity needs a URL naming a LUN: iscsi://host[:port]/target-iqn/lun
            capacity iscsi://h/iqn.x/0 --bogus              | unknown option --bogus (try --help)
            capacity iscsi://h/iqn.x/0 -x                   | unknown option -x (options start with --; try --help)
            capacity iscsi://h/iqn.x/0 --qd 3               | capacity does not take --qd
            capacity iscsi://h/iqn.x/0 --timeout            | --timeout needs a value
            capacity iscsi://h/iqn.x/0 --timeout 0          | --timeout must be 1 to 3600: 0
            capacity iscsi://h/iqn.x/0 --header-digest md5  | --header-digest must be crc32c or none: md5
            capacity iscsi://h/iqn.x/0 --chap-algorithms md4 | --chap-algorithms: unknown algorithm md4 (md5, sha1, sha256, sha3-256)
            capacity iscsi://h/iqn.x/0 --chap-user u        | CHAP user u needs a secret (--chap-secret, user%secret@ in the URL or LIBISCSI_CHAP_PASSWORD)
            capacity iscsi://h/iqn.x/0 --chap-secret s      | --chap-secret needs a user (--chap-user or LIBISCSI_CHAP_USERNAME)
            capacity iscsi://h/iqn.x/0 --target-user t      | mutual CHAP needs both --target-user and --target-secret (or LIBISCSI_CHAP_TARGET_USERNAME and LIBISCSI_CHAP_TARGET_PASSWORD)
            capacity iscsi://u%s@h/iqn.x/0 --target-user t --target-secret s2 --verify | capacity does not take --verify
            read iscsi://h/iqn.x/0 10                       | read: missing argument; usage: read URL LBA COUNT
            read iscsi://h/iqn.x/0 ten 1                    | LBA is not a number: ten
            read iscsi://h/iqn.x/0 0 0                      | COUNT must be at least 1: 0
            write iscsi://h/iqn.x/0 -5                      | unknown option -5 (options start with --; try --help)
            cp a b                                          | cp copies between a file and an iscsi:// URL; neither argument is a URL
            cp iscsi://h/i/0 iscsi://h/i/1                  | cp copies between a file and an iscsi:// URL; both arguments are URLs
            cp a iscsi://h/i/0 --bs 3x                      | --bs is not a size (like 4k or 1M): 3x
            cp a iscsi://h/i/0 --bs 32M                     | --bs must be at most 16M: 32M
            cp a iscsi://h/i/0 --progress --no-progress     | --progress and --no-progress contradict each other
            bench iscsi://h/i/0 --rw sideways               | --rw must be read, write, randread or randwrite: sideways
            bench iscsi://h/i/0 --rw randwrite              | --rw randwrite overwrites the LUN's data; add --write-ok to allow it
            bench iscsi://h/i/0 --qd 0                      | --qd must be 1 to 1024: 0
            bench iscsi://h/i/0 --seconds=x                 | --seconds is not a number: x
            bench iscsi://h/i/0 --write-ok=yes              | --write-ok takes no value
            bench iscsi://h/i/0 --qd 1 --qd 2               | --qd is given twice
            ls iscsi://h --initiator-name Bad:Name          | --initiator-name is not an iSCSI name (iqn.YYYY-MM.reversed.domain[:suffix], eui. or naa. and hex digits; lower case): Bad:Name
            """)
    void badArgumentsPrintOneLineAndExitWithStatusTwo(String line, String message) {
        String[] args = line.isEmpty() ? new String[0] : line.trim().split(" +");
        ClientRun r = ClientRun.run(args);
        assertThat(r.status()).as(r.describe()).isEqualTo(Main.USAGE);
        assertThat(r.stderr()).as(r.describe()).isEqualTo("iscsi4j-client: " + message + "\n");
        assertThat(r.stdout()).isEmpty();
    }
}
