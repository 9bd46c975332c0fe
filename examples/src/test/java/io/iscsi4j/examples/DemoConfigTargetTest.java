package io.iscsi4j.examples;

import io.iscsi4j.AclConfig;
import io.iscsi4j.IscsiTarget;
import io.iscsi4j.TargetConfig;
import io.iscsi4j.examples.DemoConfigFile.Loaded;
import io.iscsi4j.initiator.ChapAlgorithm;
import io.iscsi4j.initiator.DiscoveredTarget;
import io.iscsi4j.initiator.IscsiInitiator;
import io.iscsi4j.initiator.IscsiSession;
import io.iscsi4j.initiator.LoginOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The demo started from a configuration file: what it serves, and its exit status and one line on a mistake. */
@Timeout(120)
class DemoConfigTargetTest {

    private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
    private final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);

    private static String twoTargets(Path dir) {
        return """
                portals: ["127.0.0.1:0"]
                portGroup: 3
                targets:
                  - name: iqn.2026-11.io.iscsi4j:open
                    luns:
                      - lun: 0
                        file: { path: %s, size: 1MiB }
                        serial: cfg-open-0
                        vendor: ACME
                  - name: iqn.2026-11.io.iscsi4j:guarded
                    chap: { user: alice, secret: alice-secret-0123 }
                    luns:
                      - { lun: 0, memory: 2MiB, readOnly: true }
                      - { lun: 1, memory: 1MiB }
                    acls:
                      - initiator: "iqn.2008-11.org.linux-kvm*"
                        map: { 0: 1 }
                      - initiator: "iqn.1993-08.org.debian:*"
                        readOnly: true
                """.formatted(dir.resolve("open.img"));
    }

    @Test
    void aTargetBuiltFromAFileHasWhatTheFileSays(@TempDir Path dir) throws Exception {
        Loaded loaded = DemoConfigFile.parse("two.yaml", twoTargets(dir));

        try (IscsiTarget target = DemoTarget.start(DemoTarget.build(loaded.config(), loaded.locations()), out)) {
            assertThat(target.portGroups().id()).isEqualTo(3);
            assertThat(target.targets()).extracting(TargetConfig::name)
                    .containsExactly("iqn.2026-11.io.iscsi4j:open", "iqn.2026-11.io.iscsi4j:guarded");
            TargetConfig open = target.targets().get(0);
            assertThat(open.luns()).singleElement().satisfies(l -> {
                assertThat(l.serial()).isEqualTo("cfg-open-0");
                assertThat(l.backstore().blockCount()).isEqualTo(2048);
            });
            TargetConfig guarded = target.targets().get(1);
            assertThat(guarded.luns()).extracting(l -> l.lun(), l -> l.readOnly())
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(0, true),
                            org.assertj.core.groups.Tuple.tuple(1, false));
            assertThat(guarded.acls()).extracting(AclConfig::initiatorPattern)
                    .containsExactly("iqn.2008-11.org.linux-kvm*", "iqn.1993-08.org.debian:*");
            assertThat(guarded.aclFor("iqn.2026-11.com.example:other")).isNull();
            assertThat(stdout()).startsWith("listening on 127.0.0.1:");
        }
        assertThat(dir.resolve("open.img")).hasSize(1L << 20);
    }

    @Test
    void qemuReadsAndWritesWhatTheFileServes(@TempDir Path dir) throws Exception {
        Loaded loaded = DemoConfigFile.parse("two.yaml", twoTargets(dir));

        try (IscsiTarget target = DemoTarget.start(DemoTarget.build(loaded.config(), loaded.locations()), out)) {
            String portal = Addresses.hostPort(target.localAddress());
            QemuIo.Result open = QemuIo.run("iscsi://" + portal + "/iqn.2026-11.io.iscsi4j:open/0",
                    "write -P 0x5a 0 4k", "read -P 0x5a 0 4k");
            assertThat(open.allSucceeded()).as(open.toString()).isTrue();

            // CHAP from the file; the ACL shows QEMU's initiator target LUN 1 (1 MiB, writable) as its LUN 0, not the
            // target's read-only 2 MiB LUN 0 (QEMU would refuse to open that one read-write).
            String guarded = "iscsi://alice%alice-secret-0123@" + portal + "/iqn.2026-11.io.iscsi4j:guarded/0";
            QemuIo.Result length = QemuIo.run(guarded, "length", "write -P 0x11 0 4k", "read -P 0x11 0 4k");
            assertThat(length.allSucceeded()).as(length.toString()).isTrue();
            assertThat(length.output()).as(length.toString()).contains("1 MiB");
            assertThat(target.targets().get(1).luns().get(1).backstore().blockCount()).isEqualTo(2048);
            QemuIo.Result wrongSecret = QemuIo.run(
                    "iscsi://alice%not-the-secret-000@" + portal + "/iqn.2026-11.io.iscsi4j:guarded/0", "length");
            assertThat(wrongSecret.allSucceeded()).as(wrongSecret.toString()).isFalse();
        }
        byte[] head = new byte[4096];
        try (var in = Files.newInputStream(dir.resolve("open.img"))) {
            assertThat(in.readNBytes(head, 0, head.length)).isEqualTo(head.length);
        }
        for (byte b : head) {
            assertThat(b).isEqualTo((byte) 0x5a);
        }
    }

    @Test
    void discoveryOnAPortalGroupsPortalListsOnlyItsTargetBehindItsOwnChap(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("groups.yaml");
        Files.writeString(file, """
                portals: ["127.0.0.1:0"]
                targets:
                  - name: iqn.2026-11.io.iscsi4j:front
                    chap: { user: alice, secret: alice-secret-0123 }
                    chapAlgorithms: [SHA256]
                    luns:
                      - { lun: 0, memory: 1MiB, physicalBlockSize: 4096, softThreshold: 90 }
                  - name: iqn.2026-11.io.iscsi4j:backup
                    luns: [{ lun: 0, memory: 1MiB }]
                portalGroups:
                  - tag: 2
                    portals: ["127.0.0.1:0"]
                    targets: [iqn.2026-11.io.iscsi4j:backup]
                    discovery:
                      chap: { user: finder, secret: finder-secret-1 }
                """);
        Loaded loaded = DemoConfigFile.read(file);

        try (IscsiTarget target = DemoTarget.start(DemoTarget.build(loaded.config(), loaded.locations()), out);
             IscsiInitiator initiator = IscsiInitiator.builder().build()) {
            assertThat(target.boundAddresses()).hasSize(2);
            InetSocketAddress main = target.boundAddresses().get(0);
            InetSocketAddress group = target.boundAddresses().get(1);
            LoginOptions finder = LoginOptions.builder().chap("finder", "finder-secret-1").build();

            List<DiscoveredTarget> throughGroup = initiator.discover(group, finder).toCompletableFuture()
                    .get(30, TimeUnit.SECONDS);
            assertThat(throughGroup).singleElement().satisfies(t -> {
                assertThat(t.name()).isEqualTo("iqn.2026-11.io.iscsi4j:backup");
                assertThat(t.addresses()).containsExactly(Addresses.hostPort(group) + ",2");
            });
            assertThat(initiator.discover(group, LoginOptions.defaults()).toCompletableFuture())
                    .as("the group's discovery CHAP").failsWithin(30, TimeUnit.SECONDS);
            assertThat(initiator.discover(main, LoginOptions.defaults()).toCompletableFuture()
                    .get(30, TimeUnit.SECONDS)).extracting(DiscoveredTarget::name)
                    .containsExactly("iqn.2026-11.io.iscsi4j:front", "iqn.2026-11.io.iscsi4j:backup");

            // chapAlgorithms: [SHA256] refuses an initiator that offers MD5 only
            LoginOptions alice = LoginOptions.builder().chap("alice", "alice-secret-0123").build();
            try (IscsiSession session = initiator.login(main, "iqn.2026-11.io.iscsi4j:front", alice)
                    .toCompletableFuture().get(30, TimeUnit.SECONDS)) {
                assertThat(session.lun(0).blockCount()).isEqualTo(2048);
            }
            LoginOptions md5 = LoginOptions.builder().chap("alice", "alice-secret-0123")
                    .chapAlgorithms(ChapAlgorithm.MD5).build();
            assertThat(initiator.login(main, "iqn.2026-11.io.iscsi4j:front", md5).toCompletableFuture())
                    .failsWithin(30, TimeUnit.SECONDS);
            assertThat(target.targets().get(0).luns().get(0).physicalBlockSize()).isEqualTo(4096);
        }
    }

    @Test
    void aMistakeInTheFileExitsTwoWithOneLineNamingFileLineAndKey(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, """
                portals: ["127.0.0.1:0"]
                targets:
                  - name: iqn.2026-11.io.iscsi4j:a
                    luns:
                      - lun: 0
                        memroy: 1GiB
                """);

        int status = DemoTarget.launch(new String[] {"--config", file.toString()}, out, err);

        assertThat(status).isEqualTo(2);
        assertThat(stdout()).isEmpty();
        assertThat(stderr().lines()).containsExactly(file + ":6: targets[0].luns[0].memroy: unknown key; expected one"
                + " of lun, memory, file, rbd, blockSize, physicalBlockSize, readOnly, writeBack, serial, vendor,"
                + " product, revision, rotationRate, maxTransferBytes, optimalTransferBytes, maxUnmapBlocks, disable,"
                + " backstoreTimeout, softThreshold");
    }

    @Test
    void aMistakeOnlyTheLibraryFindsExitsTwoBeforeAnyFileIsCreated(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("bad.yaml");
        Path image = dir.resolve("never.img");
        Files.writeString(file, """
                portals: ["127.0.0.1:0"]
                targets:
                  - name: iqn.2026-11.io.iscsi4j:a
                    luns:
                      - lun: 0
                        file: { path: %s, size: 1MiB }
                        vendor: MUCH-TOO-LONG
                """.formatted(image));

        int status = DemoTarget.launch(new String[] {"--config", file.toString()}, out, err);

        assertThat(status).isEqualTo(2);
        assertThat(stderr().lines()).singleElement().asString()
                .isEqualTo(file + ":7: targets[0].luns[0].vendor: vendor must be 1 to 8 characters: MUCH-TOO-LONG");
        assertThat(image).doesNotExist();
    }

    @Test
    void configIsExclusiveWithTheOptionsThatDescribeATarget(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("c.yaml");
        Files.writeString(file, twoTargets(dir));

        int status = DemoTarget.launch(new String[] {"--config", file.toString(), "--iqn",
            "iqn.2026-11.io.iscsi4j:x"}, out, err);

        assertThat(status).isEqualTo(2);
        assertThat(stderr()).startsWith("iscsi4j-demo: option --config cannot be combined with --iqn");
        assertThat(DemoTarget.launch(new String[] {"--config", dir.resolve("missing.yaml").toString()}, out, err))
                .isEqualTo(2);
        assertThat(stderr()).contains("bad --config " + dir.resolve("missing.yaml") + ": no such file");
        assertThat(DemoTarget.launch(new String[] {"--show-secrets"}, out, err)).isEqualTo(2);
        assertThat(stderr()).contains("option --show-secrets needs --print-config");
    }

    @Test
    void printConfigWritesTheFileBackWithoutSecretsAndExitsZero(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("c.yaml");
        Files.writeString(file, twoTargets(dir));

        int status = DemoTarget.launch(new String[] {"--config", file.toString(), "--print-config"}, out, err);

        assertThat(status).isZero();
        assertThat(stderr()).isEmpty();
        assertThat(stdout()).contains("user: alice", DemoConfigFile.HIDDEN_SECRET).doesNotContain("alice-secret-0123");
        assertThat(dir.resolve("open.img")).as("nothing opened").doesNotExist();

        outBytes.reset();
        assertThat(DemoTarget.launch(new String[] {"--config", file.toString(), "--print-config", "--show-secrets"},
                out, err)).isZero();
        Path printed = dir.resolve("printed.yaml");
        Files.writeString(printed, stdout());
        assertThat(DemoConfigFile.read(printed).config()).isEqualTo(DemoConfigFile.read(file).config());
    }

    @Test
    void printConfigFromOptionsDescribesWhatTheOptionsServe() {
        int status = DemoTarget.launch(new String[] {"--portal", "127.0.0.1:0", "--size", "16M", "--luns", "2",
            "--chap", "alice:alice-secret-0123", "--print-config"}, out, err);

        assertThat(status).isZero();
        assertThat(stdout()).contains("portals:", "'127.0.0.1:0'".replace("'", ""), "name: iqn.2026-11.io.iscsi4j:demo",
                "memory: 16MiB", "lun: 1", "user: alice").doesNotContain("alice-secret-0123");
    }

    private String stdout() {
        return outBytes.toString(StandardCharsets.UTF_8);
    }

    private String stderr() {
        return errBytes.toString(StandardCharsets.UTF_8);
    }
}
