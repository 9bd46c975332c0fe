package io.iscsi4j.examples;

import io.iscsi4j.IscsiTarget;
import io.iscsi4j.core.auth.Authenticator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

@Timeout(60)
class DemoTargetTest {

    private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
    private final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);

    @Test
    void startsOnAFreePortAndPrintsExactlyOneListeningLine() throws Exception {
        DemoOptions options = DemoOptions.parse("--portal", "127.0.0.1:0", "--size", "16M");

        try (IscsiTarget target = DemoTarget.start(DemoTarget.build(options), out)) {
            int port = target.localAddress().getPort();

            assertThat(port).isPositive();
            assertThat(stdout()).isEqualTo("listening on 127.0.0.1:" + port + System.lineSeparator());
            assertThat(DemoTarget.url(target)).isEqualTo(
                    "iscsi://127.0.0.1:" + port + "/iqn.2026-11.io.iscsi4j:demo/0");
            assertThat(target.targets()).singleElement().satisfies(t -> {
                assertThat(t.name()).isEqualTo("iqn.2026-11.io.iscsi4j:demo");
                assertThat(t.luns()).singleElement().satisfies(lun -> {
                    assertThat(lun.lun()).isZero();
                    assertThat(lun.backstore().blockSize()).isEqualTo(512);
                    assertThat(lun.backstore().blockCount()).isEqualTo((16L << 20) / 512);
                });
            });
        }
    }

    @Test
    void repeatedPortalsServeTheSameTargetAndPrintOneLine() throws Exception {
        DemoOptions options = DemoOptions.parse("--portal", "127.0.0.1:0", "--portal", "127.0.0.1:0", "--size", "1M");

        try (IscsiTarget target = DemoTarget.start(DemoTarget.build(options), out)) {
            List<InetSocketAddress> bound = target.boundAddresses();

            assertThat(bound).hasSize(2);
            int first = bound.get(0).getPort();
            int second = bound.get(1).getPort();
            assertThat(first).isPositive().isNotEqualTo(second);
            assertThat(stdout()).isEqualTo(
                    "listening on 127.0.0.1:" + first + " 127.0.0.1:" + second + System.lineSeparator());
            assertThat(DemoTarget.urls(target)).containsExactly(
                    "iscsi://127.0.0.1:" + first + "/iqn.2026-11.io.iscsi4j:demo/0",
                    "iscsi://127.0.0.1:" + second + "/iqn.2026-11.io.iscsi4j:demo/0");
            assertThat(target.targets()).hasSize(1);
            for (InetSocketAddress address : bound) {
                try (Socket socket = new Socket(address.getAddress(), address.getPort())) {
                    assertThat(socket.isConnected()).isTrue();
                }
            }
        }
    }

    @Test
    void readOnlyMarksEveryLunReadOnly() throws Exception {
        DemoOptions options = DemoOptions.parse("--portal", "127.0.0.1:0", "--size", "1M", "--read-only",
                "--luns", "2");

        try (IscsiTarget target = DemoTarget.build(options)) {
            assertThat(target.targets().get(0).luns()).hasSize(2).allSatisfy(lun ->
                    assertThat(lun.readOnly()).isTrue());
        }
        try (IscsiTarget target = DemoTarget.build(DemoOptions.parse("--portal", "127.0.0.1:0", "--size", "1M"))) {
            assertThat(target.targets().get(0).luns()).singleElement().satisfies(lun ->
                    assertThat(lun.readOnly()).isFalse());
        }
    }

    @Test
    void lunsServesThatManyMemoryLunsNumberedFromZero() throws Exception {
        DemoOptions options = DemoOptions.parse("--portal", "127.0.0.1:0", "--size", "2M", "--luns", "3");

        try (IscsiTarget target = DemoTarget.build(options)) {
            assertThat(target.targets().get(0).luns())
                    .extracting(lun -> lun.lun(), lun -> lun.backstore().blockCount())
                    .containsExactly(tuple(0, 4096L), tuple(1, 4096L), tuple(2, 4096L));
        }
        assertThat(DemoTarget.describe(options)).isEqualTo("LUNs 0 to 2 (2 MiB each in memory, 512-byte blocks)");
    }

    @Test
    void allowAdmitsOnlyTheGivenInitiatorsWithTheirPatterns() throws Exception {
        DemoOptions options = DemoOptions.parse("--portal", "127.0.0.1:0", "--size", "1M", "--allow",
                "iqn.1993-08.org.debian:*", "--allow", "iqn.2026-11.com.example:db1");

        try (IscsiTarget target = DemoTarget.build(options)) {
            io.iscsi4j.TargetConfig t = target.targets().get(0);
            assertThat(t.acls()).extracting(io.iscsi4j.AclConfig::initiatorPattern)
                    .containsExactly("iqn.1993-08.org.debian:*", "iqn.2026-11.com.example:db1");
            assertThat(t.aclFor("iqn.1993-08.org.debian:01:abc")).isNotNull();
            assertThat(t.aclFor("iqn.2026-11.com.example:db1")).isNotNull();
            assertThat(t.aclFor("iqn.2026-11.com.example:db2")).isNull();
        }
        try (IscsiTarget target = DemoTarget.build(DemoOptions.parse("--portal", "127.0.0.1:0", "--size", "1M"))) {
            assertThat(target.targets().get(0).aclFor("iqn.2026-11.com.example:anyone")).isNotNull();
        }
        assertThat(DemoTarget.describe(options)).isEqualTo("LUN 0 (1 MiB in memory, 512-byte blocks, only for"
                + " iqn.1993-08.org.debian:*, iqn.2026-11.com.example:db1)");
    }

    @Test
    void aluaGroupIsTheTargetsPortGroup() throws Exception {
        DemoOptions options = DemoOptions.parse("--portal", "127.0.0.1:0", "--size", "1M", "--alua-group", "7");

        try (IscsiTarget target = DemoTarget.build(options)) {
            assertThat(target.portGroups().id()).isEqualTo(7);
        }
        try (IscsiTarget target = DemoTarget.build(DemoOptions.parse("--portal", "127.0.0.1:0", "--size", "1M"))) {
            assertThat(target.portGroups().id()).isEqualTo(1);
        }
        assertThat(DemoTarget.describe(options)).isEqualTo("LUN 0 (1 MiB in memory, 512-byte blocks, ALUA group 7)");
    }

    @Test
    void theDescriptionNamesReadOnly() throws Exception {
        assertThat(DemoTarget.describe(DemoOptions.parse("--size", "1G", "--read-only")))
                .isEqualTo("LUN 0 (1 GiB in memory, 512-byte blocks, read-only)");
    }

    @Test
    void chapOptionsConfigureTheTargetsAuthentication() throws Exception {
        DemoOptions options = DemoOptions.parse("--portal", "127.0.0.1:0", "--size", "1M",
                "--chap", "alice:alice-secret-0123", "--mutual-chap", "disk:target-secret-456");

        try (IscsiTarget target = DemoTarget.build(options)) {
            Authenticator authenticator = target.targets().get(0).authenticator();

            assertThat(authenticator.acceptedMethods("iqn.2000-01.com.example:i",
                    Optional.of("iqn.2026-11.io.iscsi4j:demo"))).containsExactly("CHAP");
            assertThat(authenticator.toString()).contains("alice", "disk")
                    .doesNotContain("alice-secret-0123", "target-secret-456");
        }
        assertThat(DemoTarget.describe(options))
                .isEqualTo("LUN 0 (1 MiB in memory, 512-byte blocks, CHAP user alice, mutual CHAP as disk)");
    }

    @Test
    void withoutChapTheTargetIsOpen() throws Exception {
        try (IscsiTarget target = DemoTarget.build(DemoOptions.parse("--portal", "127.0.0.1:0", "--size", "1M"))) {
            assertThat(target.targets().get(0).authenticator()).isSameAs(Authenticator.none());
        }
    }

    @Test
    void aShortSecretExitsTwoWithoutEchoingIt() {
        int status = DemoTarget.launch(new String[] {"--chap", "alice:hunter2", "--size", "1M"}, out, err);

        assertThat(status).isEqualTo(2);
        assertThat(stderr()).startsWith("iscsi4j-demo: bad --chap: the CHAP secret of user alice has 7 characters")
                .doesNotContain("hunter2");
    }

    @Test
    void servesAFileCreatedAtTheRequestedSize(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("lun0.img");
        DemoOptions options = DemoOptions.parse("--portal", "127.0.0.1:0", "--file", file.toString(),
                "--size", "1M", "--block-size", "4096");

        try (IscsiTarget target = DemoTarget.start(DemoTarget.build(options), out)) {
            assertThat(stdout()).startsWith("listening on 127.0.0.1:");
            assertThat(target.targets().get(0).luns().get(0).backstore().blockCount()).isEqualTo(256);
        }
        assertThat(file).exists();
        assertThat(Files.size(file)).isEqualTo(1L << 20);
    }

    @Test
    void helpGoesToStdoutAndExitsZero() {
        int status = DemoTarget.launch(new String[] {"--help"}, out, err);

        assertThat(status).isZero();
        assertThat(stdout()).contains("Usage:", "--portal HOST:PORT", "--block-size");
        assertThat(stderr()).isEmpty();
    }

    @Test
    void anUnknownOptionExitsTwoWithOneLineAndAHint() {
        int status = DemoTarget.launch(new String[] {"--bogus"}, out, err);

        assertThat(status).isEqualTo(2);
        assertThat(stdout()).isEmpty();
        assertThat(stderr().lines()).containsExactly(
                "iscsi4j-demo: unknown option --bogus",
                "Try 'iscsi4j-demo --help' for the options.");
    }

    @Test
    void badValuesExitTwo() {
        assertThat(DemoTarget.launch(new String[] {"--size"}, out, err)).isEqualTo(2);
        assertThat(DemoTarget.launch(new String[] {"--size", "huge"}, out, err)).isEqualTo(2);
        assertThat(DemoTarget.launch(new String[] {"--block-size", "1024"}, out, err)).isEqualTo(2);
        assertThat(DemoTarget.launch(new String[] {"--portal", "127.0.0.1:99999"}, out, err)).isEqualTo(2);

        assertThat(stdout()).isEmpty();
        assertThat(stderr()).contains(
                "option --size needs a value",
                "bad --size huge",
                "bad --block-size 1024",
                "bad --portal 127.0.0.1:99999");
    }

    @Test
    void anInvalidTargetNameExitsTwo() {
        int status = DemoTarget.launch(new String[] {"--iqn", "not-an-iqn", "--size", "1M"}, out, err);

        assertThat(status).isEqualTo(2);
        assertThat(stderr()).startsWith("iscsi4j-demo: bad --iqn not-an-iqn");
    }

    @Test
    void aBusyPollTheLibraryRefusesExitsTwoNamingTheOption() throws Exception {
        int status = DemoTarget.launch(new String[] {"--busy-poll", "2s", "--portal", "127.0.0.1:0", "--size", "1M"},
                out, err);

        assertThat(status).isEqualTo(2);
        assertThat(stdout()).isEmpty();
        assertThat(stderr()).startsWith("iscsi4j-demo: bad --busy-poll 2s: busyPoll must be 0 to 1 ms");
        for (String ok : List.of("0", "20us", "1ms")) {
            DemoTarget.build(DemoOptions.parse("--busy-poll", ok, "--portal", "127.0.0.1:0", "--size", "1M")).close();
        }
    }

    @Test
    void aPortInUseExitsOneWithoutBlocking() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            String portal = "127.0.0.1:" + taken.getLocalPort();

            int status = DemoTarget.launch(new String[] {"--portal", portal, "--size", "1M"}, out, err);

            assertThat(status).isEqualTo(1);
            assertThat(stdout()).isEmpty();
            assertThat(stderr()).startsWith("iscsi4j-demo: cannot listen on " + portal);
        }
    }

    @Test
    void sizesAreDescribedInBinaryUnits() {
        assertThat(DemoTarget.humanSize(1L << 30)).isEqualTo("1 GiB");
        assertThat(DemoTarget.humanSize(1536L << 20)).isEqualTo("1536 MiB");
        assertThat(DemoTarget.humanSize(4096)).isEqualTo("4 KiB");
        assertThat(DemoTarget.humanSize(1000)).isEqualTo("1000 bytes");
    }

    private String stdout() {
        return outBytes.toString(StandardCharsets.UTF_8);
    }

    private String stderr() {
        return errBytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void stateDirKeepsTheReservationsInTheDirectoryAndASecondDemoOnItFailsToStart(@TempDir Path dir)
            throws Exception {
        Path states = dir.resolve("states");
        DemoOptions options = DemoOptions.parse("--portal", "127.0.0.1:0", "--file", dir.resolve("lun0.img").toString(),
                "--size", "1M", "--state-dir", states.toString());
        assertThat(options.stateDir()).isEqualTo(states);
        assertThat(DemoTarget.describe(options)).endsWith(", reservations kept in " + states + ")");

        try (IscsiTarget target = DemoTarget.start(DemoTarget.build(options), out)) {
            assertThat(states.resolve("iqn.2026-11.io.iscsi4j%3Ademo").resolve("0").resolve("lock"))
                    .as("LUN 0's state directory, held").exists();
            int status = DemoTarget.launch(new String[] {"--portal", "127.0.0.1:0", "--size", "1M",
                "--state-dir", states.toString()}, out, err);
            assertThat(status).isEqualTo(1);
            assertThat(stderr()).startsWith("iscsi4j-demo: cannot start: ")
                    .contains(states.resolve("iqn.2026-11.io.iscsi4j%3Ademo").resolve("0").toString())
                    .contains("in use");
            assertThat(target.localAddress().getPort()).as("the first one still serves").isPositive();
        }
    }
}
