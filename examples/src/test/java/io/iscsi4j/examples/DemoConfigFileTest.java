package io.iscsi4j.examples;

import io.iscsi4j.core.auth.ChapAlgorithm;
import io.iscsi4j.examples.DemoConfig.Acl;
import io.iscsi4j.examples.DemoConfig.Auth;
import io.iscsi4j.examples.DemoConfig.Lun;
import io.iscsi4j.examples.DemoConfig.Memory;
import io.iscsi4j.examples.DemoConfig.PortalGroup;
import io.iscsi4j.examples.DemoConfig.Rbd;
import io.iscsi4j.examples.DemoConfig.Target;
import io.iscsi4j.examples.DemoConfigFile.ConfigException;
import io.iscsi4j.examples.DemoOptions.Credentials;
import io.iscsi4j.examples.DemoOptions.Portal;
import io.iscsi4j.scsi.AccessState;
import io.iscsi4j.scsi.LunFeature;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

class DemoConfigFileTest {

    static final String FULL = """
            # every key the demo reads
            portals: ["127.0.0.1:3260", "[::1]:3261"]
            portGroup: 2
            portGroupState: non-optimized
            stateDirectory: /var/lib/iscsi4j
            jmx: demo
            busyPoll: 20us
            ceph: { conf: /etc/ceph/ceph.conf, id: gateway }
            discovery:
              chap: { user: discovery, secret: discovery-secret-1 }
              chapAlgorithms: [SHA3_256]
            targets:
              - name: iqn.2026-11.io.iscsi4j:disk
                alias: disk
                chap: { user: alice, secret: alice-secret-0123 }
                mutualChap: { user: disk, secret: target-secret-456 }
                chapAlgorithms: [SHA256, MD5]
                luns:
                  - lun: 0
                    memory: 64MiB
                  - lun: 1
                    file: { path: /srv/a.img, size: 10GiB }
                    blockSize: 4096
                    physicalBlockSize: 16384
                    readOnly: true
                    writeBack: false
                    serial: "0001"
                    vendor: ACME
                    product: ARCHIVE
                    revision: "7"
                    rotationRate: 7200
                    maxTransferBytes: 1MiB
                    optimalTransferBytes: 262144
                    maxUnmapBlocks: 2097152
                    disable: [COMPARE_AND_WRITE, EXTENDED_COPY]
                    backstoreTimeout: 30s
                    softThreshold: 80
                  - lun: 2
                    file: /srv/existing.img
                  - lun: 3
                    rbd: { image: rbd/gw0, sharedState: true }
                acls:
                  - initiator: "iqn.1993-08.org.debian:01:db1"
                    chap: { user: db1, secret: db1-long-secret }
                    map: { 0: 1, 1: 0 }
                    readOnlyLuns: [1]
                  - initiator: "iqn.1993-08.org.debian:*"
                    readOnly: true
              - name: iqn.2026-11.io.iscsi4j:scratch
                allowShortSecrets: true
                chap: { user: bob, secret: short }
                luns:
                  - { lun: 0, memory: 1G, backstoreTimeout: 500ms }
            portalGroups:
              - tag: 7
                portals: ["10.0.0.5:3260", "[fd00::5]:3260"]
                targets: [iqn.2026-11.io.iscsi4j:scratch]
                discovery:
                  chap: { user: finder, secret: finder-secret-1 }
              - tag: 8
                portals: ["10.0.1.5:3260"]
            """;

    @Test
    void aFullFileIsReadKeyByKey() throws Exception {
        DemoConfig c = DemoConfigFile.parse("full.yaml", FULL).config();

        assertThat(c.portals()).containsExactly(new Portal("127.0.0.1", 3260), new Portal("::1", 3261));
        assertThat(c.portGroup()).isEqualTo(2);
        assertThat(c.portGroupState()).isEqualTo(AccessState.ACTIVE_NON_OPTIMIZED);
        assertThat(c.stateDirectory()).isEqualTo(Path.of("/var/lib/iscsi4j"));
        assertThat(c.jmx()).isEqualTo("demo");
        assertThat(c.busyPoll()).isEqualTo(Duration.ofNanos(20_000));
        assertThat(c.ceph()).isEqualTo(new DemoConfig.Ceph("/etc/ceph/ceph.conf", "gateway"));
        assertThat(c.discovery()).isEqualTo(new Auth(new Credentials("discovery", "discovery-secret-1"), null, false,
                Set.of(ChapAlgorithm.SHA3_256)));
        assertThat(c.targets()).hasSize(2);

        Target disk = c.targets().get(0);
        assertThat(disk.name()).isEqualTo("iqn.2026-11.io.iscsi4j:disk");
        assertThat(disk.alias()).isEqualTo("disk");
        assertThat(disk.auth()).isEqualTo(new Auth(new Credentials("alice", "alice-secret-0123"),
                new Credentials("disk", "target-secret-456"), false, Set.of(ChapAlgorithm.MD5, ChapAlgorithm.SHA256)));
        assertThat(disk.luns()).containsExactly(
                Lun.of(0, new Memory(64L << 20), 512, null),
                new Lun(1, new DemoConfig.File(Path.of("/srv/a.img"), 10L << 30), 4096, true, false, "0001", "ACME",
                        "ARCHIVE", "7", 7200, 1 << 20, 262144, 2097152L,
                        Set.of(LunFeature.COMPARE_AND_WRITE, LunFeature.EXTENDED_COPY), Duration.ofSeconds(30), 16384,
                        80),
                Lun.of(2, new DemoConfig.File(Path.of("/srv/existing.img"), 0), 512, null),
                Lun.of(3, new Rbd("rbd/gw0", true), 512, null));
        assertThat(disk.acls()).containsExactly(
                new Acl("iqn.1993-08.org.debian:01:db1", new Auth(new Credentials("db1", "db1-long-secret"), null,
                        false), false, Map.of(0, 1, 1, 0), Set.of(1)),
                new Acl("iqn.1993-08.org.debian:*", Auth.NONE, true, Map.of(), Set.of()));

        Target scratch = c.targets().get(1);
        assertThat(scratch.auth()).isEqualTo(new Auth(new Credentials("bob", "short"), null, true));
        assertThat(scratch.luns()).singleElement().satisfies(l -> {
            assertThat(l.storage()).isEqualTo(new Memory(1L << 30));
            assertThat(l.backstoreTimeout()).isEqualTo(Duration.ofMillis(500));
        });
        assertThat(scratch.auth().chapAlgorithms()).isEmpty();
        assertThat(c.portalGroups()).containsExactly(
                new PortalGroup(7, List.of(new Portal("10.0.0.5", 3260), new Portal("fd00::5", 3260)),
                        List.of("iqn.2026-11.io.iscsi4j:scratch"), new Credentials("finder", "finder-secret-1")),
                new PortalGroup(8, List.of(new Portal("10.0.1.5", 3260)), List.of(), null));
    }

    @Test
    void portalGroupsAndTheNewAttributesPassTheLibrarysTrialBuild() throws Exception {
        DemoConfigFile.Loaded loaded = DemoConfigFile.parse("groups.yaml", """
                portals: ["127.0.0.1:0"]
                discovery:
                  chap: { user: discovery, secret: discovery-secret-1 }
                  chapAlgorithms: [SHA256, SHA3_256]
                targets:
                  - name: iqn.2026-11.io.iscsi4j:a
                    acls:
                      - initiator: iqn.1993-08.org.debian:01:db1
                        chap: { user: db1, secret: db1-long-secret }
                    chapAlgorithms: [SHA1]
                    luns:
                      - { lun: 0, memory: 1MiB, physicalBlockSize: 4096, softThreshold: 90 }
                  - name: iqn.2026-11.io.iscsi4j:b
                    luns: [{ lun: 0, memory: 1MiB }]
                portalGroups:
                  - tag: 2
                    portals: ["127.0.0.1:0"]
                    targets: [IQN.2026-11.io.iscsi4j:B]
                    discovery: { chap: { user: finder, secret: finder-secret-1 } }
                """);

        DemoTarget.check(loaded.config(), loaded.locations());

        assertThat(loaded.config().targets().get(0).auth().chapAlgorithms()).containsExactly(ChapAlgorithm.SHA1);
        assertThat(DemoTarget.describe(loaded.config())).endsWith(
                ", portal group 2 on 127.0.0.1:0 for IQN.2026-11.io.iscsi4j:B");
    }

    @Test
    void printedWithSecretsAFileReadsBackToTheSameConfiguration() throws Exception {
        DemoConfig c = DemoConfigFile.parse("full.yaml", FULL).config();

        String printed = DemoConfigFile.write(c, true);

        assertThat(DemoConfigFile.parse("printed.yaml", printed).config()).isEqualTo(c);
        assertThat(printed).contains("alice-secret-0123", "memory: 64MiB", "backstoreTimeout: 30s", "busyPoll: 20us",
                "serial: '0001'", "finder-secret-1", "physicalBlockSize: 16384", "softThreshold: 80", "tag: 7");
        assertThat(printed.lines()).containsSubsequence("    chapAlgorithms:", "      - MD5", "      - SHA256");
    }

    @Test
    void theCommandLineOptionsPrintAsAFileThatReadsBackToThem() throws Exception {
        DemoOptions o = DemoOptions.parse("--portal", "127.0.0.1:3260", "--portal", "[::1]:3260", "--iqn",
                "iqn.2026-11.com.example:disk", "--size", "512M", "--luns", "3", "--read-only", "--chap",
                "alice:alice-secret-0123", "--mutual-chap", "disk:target-secret-456", "--allow",
                "iqn.1993-08.org.debian:*", "--alua-group", "3", "--alua-state", "standby", "--state-dir", "/tmp/s",
                "--busy-poll", "20us");
        DemoConfig c = DemoConfig.of(o);

        DemoConfig back = DemoConfigFile.parse("printed.yaml", DemoConfigFile.write(c, true)).config();

        assertThat(back).isEqualTo(c);
        assertThat(back.busyPoll()).isEqualTo(Duration.ofNanos(20_000));
        assertThat(back.targets()).singleElement().satisfies(t -> {
            assertThat(t.luns()).hasSize(3).allSatisfy(l -> assertThat(l.readOnly()).isTrue());
            assertThat(t.acls()).extracting(Acl::initiator).containsExactly("iqn.1993-08.org.debian:*");
        });
        DemoOptions rbd = DemoOptions.parse("--rbd", "rbd/a", "--rbd", "rbd/ns/b", "--shared-state", "rbd",
                "--ceph-id", "gw");
        assertThat(DemoConfigFile.parse("rbd.yaml", DemoConfigFile.write(DemoConfig.of(rbd), false)).config())
                .isEqualTo(DemoConfig.of(rbd));
        DemoOptions file = DemoOptions.parse("--file", "/srv/lun0.img", "--size", "1M", "--block-size", "4096");
        assertThat(DemoConfigFile.parse("file.yaml", DemoConfigFile.write(DemoConfig.of(file), false)).config())
                .isEqualTo(DemoConfig.of(file));
    }

    @Test
    void busyPollIsOptionalTakesMicrosecondsAndPrintsBackAsGiven() throws Exception {
        DemoConfig none = DemoConfigFile.parse("d.yaml", GROUP_TARGET).config();
        assertThat(none.busyPoll()).as("the library's default").isNull();
        assertThat(DemoConfigFile.write(none, false)).doesNotContain("busyPoll");
        for (String text : List.of("0", "20us", "1ms", "250us", "1000us")) {
            DemoConfigFile.Loaded loaded = DemoConfigFile.parse("b.yaml", "busyPoll: " + text + "\n" + GROUP_TARGET);
            DemoConfig c = loaded.config();
            DemoTarget.check(c, loaded.locations());

            assertThat(c.busyPoll()).isNotNull().isEqualTo(DemoConfigFile.parseDuration(text));
            assertThat(DemoConfigFile.parse("printed.yaml", DemoConfigFile.write(c, false)).config()).isEqualTo(c);
        }
        assertThat(DemoConfigFile.parseDuration("0")).isZero();
        assertThat(DemoConfigFile.parseDuration("50us")).isEqualTo(Duration.ofNanos(50_000));
        assertThat(DemoConfigFile.parseDuration("1000us")).isEqualTo(Duration.ofMillis(1));
        assertThat(DemoConfigFile.parseDuration("50ns")).isNull();
        assertThat(DemoConfigFile.durationText(Duration.ofNanos(50_000))).isEqualTo("50us");
        assertThat(DemoConfigFile.durationText(Duration.ofMillis(1))).isEqualTo("1ms");
        assertThat(DemoConfigFile.durationText(Duration.ofNanos(1_500_500_000L))).isEqualTo("1500500us");
    }

    @Test
    void withoutShowSecretsEverySecretIsAPlaceholderThatAFileMayNotHold() throws Exception {
        DemoConfig c = DemoConfigFile.parse("full.yaml", FULL).config();

        String printed = DemoConfigFile.write(c, false);

        assertThat(printed).doesNotContain("alice-secret-0123", "target-secret-456", "discovery-secret-1",
                "db1-long-secret", "secret: short", "finder-secret-1").contains(DemoConfigFile.HIDDEN_SECRET);
        assertThat(printed).contains("user: alice", "user: disk", "user: db1");
        int line = lineOf(printed, DemoConfigFile.HIDDEN_SECRET);
        assertThatThrownBy(() -> DemoConfigFile.parse("printed.yaml", printed))
                .isInstanceOf(ConfigException.class)
                .hasMessage("printed.yaml:" + line + ": discovery.chap.secret: the secret was hidden by --print-config;"
                        + " write the real secret here (--print-config --show-secrets prints it)");
    }

    @Test
    void aPortalGroupsDiscoverySecretIsHiddenToo() throws Exception {
        DemoConfig c = DemoConfigFile.parse("g.yaml", """
                targets:
                  - name: iqn.2026-11.io.iscsi4j:a
                    luns: [{ lun: 0, memory: 1MiB }]
                portalGroups:
                  - tag: 2
                    portals: ["10.0.0.5:3260"]
                    discovery: { chap: { user: finder, secret: finder-secret-1 } }
                """).config();

        String printed = DemoConfigFile.write(c, false);

        assertThat(printed).doesNotContain("finder-secret-1").contains("user: finder");
        int line = lineOf(printed, DemoConfigFile.HIDDEN_SECRET);
        assertThatThrownBy(() -> DemoConfigFile.parse("printed.yaml", printed))
                .isInstanceOf(ConfigException.class)
                .hasMessage("printed.yaml:" + line + ": portalGroups[0].discovery.chap.secret: the secret was hidden by"
                        + " --print-config; write the real secret here (--print-config --show-secrets prints it)");
        assertThat(DemoConfigFile.parse("shown.yaml", DemoConfigFile.write(c, true)).config()).isEqualTo(c);
    }

    static Stream<org.junit.jupiter.params.provider.Arguments> mistakes() {
        return Stream.of(
                arguments("""
                        targets:
                          - name: iqn.2026-11.io.iscsi4j:a
                            lunz: []
                        """, "m.yaml:3: targets[0].lunz: unknown key; expected one of name, alias, chap, mutualChap,"
                        + " chapAlgorithms, allowShortSecrets, luns, acls"),
                arguments("""
                        portGroup: many
                        targets: []
                        """, "m.yaml:1: portGroup: expected a whole number from 1 to 65535, found a text"),
                arguments("""
                        portGroup: 70000
                        """, "m.yaml:1: portGroup: must be from 1 to 65535: 70000"),
                arguments("""
                        targets:
                          - name: iqn.2026-11.io.iscsi4j:a
                            luns:
                              - lun: 0
                                memory: 1GiB
                              - lun: 1
                                memory: lots
                        """, "m.yaml:7: targets[0].luns[1].memory: expected a size, as 64MiB, 1GiB or 4096 (bytes):"
                        + " lots"),
                arguments("""
                        targets:
                          - name: iqn.2026-11.io.iscsi4j:a
                            luns:
                              - lun: 0
                                memory: 1GiB
                              - lun: 0
                                memory: 1GiB
                        """, "m.yaml:6: targets[0].luns[1].lun: LUN 0 is defined twice (first on line 4)"),
                arguments("""
                        targets:
                          - name: iqn.2026-11.io.iscsi4j:a
                            luns: [{lun: 0, memory: 1M}]
                          - name: IQN.2026-11.io.iscsi4j:A
                            luns: [{lun: 0, memory: 1M}]
                        """, "m.yaml:4: targets[1].name: target IQN.2026-11.io.iscsi4j:A is defined twice (first on"
                        + " line 2)"),
                arguments("""
                        targets:
                          - name: iqn.2026-11.io.iscsi4j:a
                            luns:
                              - lun: 0
                                memory: 1M
                                file: /srv/a.img
                        """, "m.yaml:6: targets[0].luns[0].file: memory is given too: a LUN is one of memory, file"
                        + " or rbd"),
                arguments("""
                        targets:
                          - name: iqn.2026-11.io.iscsi4j:a
                            luns:
                              - lun: 0
                                memory: 1M
                                readOnly: yes
                        """, "m.yaml:6: targets[0].luns[0].readOnly: expected true or false, found a text"),
                arguments("""
                        targets:
                          - name: iqn.2026-11.io.iscsi4j:a
                            luns: [{lun: 0, memory: 1M}]
                            acls:
                              - initiator: iqn.1993-08.org.debian:01:db1
                                map: {0: 5}
                        """, "m.yaml:6: targets[0].acls[0].map.0: the target has no LUN 5"),
                arguments("""
                        targets:
                          - name: iqn.2026-11.io.iscsi4j:a
                            chap: {user: alice, secret: hunter2}
                            luns: [{lun: 0, memory: 1M}]
                        """, "m.yaml:3: targets[0].chap: the CHAP secret of user alice has 7 characters"),
                arguments("""
                        targets:
                          - name: iqn.2026-11.io.iscsi4j:a
                            luns: [{lun: 0, memory: 1M, backstoreTimeout: soon}]
                        """, "m.yaml:3: targets[0].luns[0].backstoreTimeout: expected a duration, as 30s, 500ms,"
                        + " 50us, 2m or 0: soon"),
                arguments("busyPoll: fast\n" + GROUP_TARGET, "m.yaml:1: busyPoll: expected a duration, as 30s, 500ms,"
                        + " 50us, 2m or 0: fast"),
                arguments("busyPoll: 20\n" + GROUP_TARGET, "m.yaml:1: busyPoll: expected a duration, as 30s, 500ms,"
                        + " 50us, 2m or 0: 20"),
                arguments("busyPoll: [1ms]\n" + GROUP_TARGET, "m.yaml:1: busyPoll: expected a duration, as 30s,"
                        + " 500ms, 50us, 2m or 0, found a list"),
                arguments("busyPoll: 1ms\nbusyPoll: 0\n" + GROUP_TARGET, "m.yaml:2: busyPoll: given twice (first on"
                        + " line 1)"),
                arguments("""
                        targets:
                          - name: iqn.2026-11.io.iscsi4j:a
                            luns:
                              - lun: 0
                                memory: 1M
                          blockSize: 512
                        """, "m.yaml:6: YAML syntax: expected <block end>, but found '?'"),
                arguments("""
                        portals: 127.0.0.1:3260
                        """, "m.yaml:1: portals: expected a list, found a text"),
                arguments("""
                        portals: ["127.0.0.1:99999"]
                        """, "m.yaml:1: portals[0]: 127.0.0.1:99999: the port must be a number from 0 to 65535"),
                arguments("""
                        jmx: demo
                        """, "m.yaml:1: targets: missing: the file must describe at least one target"),
                arguments("""
                        jmx: demo
                        jmx: again
                        targets: []
                        """, "m.yaml:2: jmx: given twice (first on line 1)"),
                arguments("""
                        targets:
                          - name: iqn.2026-11.io.iscsi4j:a
                            luns:
                              - lun: 0
                                memory: 1M
                                serial: "a serial much longer than the sixty-four characters that SPC-5 allows"
                        """, "m.yaml:6: targets[0].luns[0].serial: must be 1 to 64 printable ASCII characters"),
                arguments(GROUP_TARGET + """
                        portalGroups:
                          - tag: 0
                            portals: ["10.0.0.5:3260"]
                        """, "m.yaml:6: portalGroups[0].tag: must be from 1 to 65535: 0"),
                arguments(GROUP_TARGET + """
                        portalGroups:
                          - portals: ["10.0.0.5:3260"]
                        """, "m.yaml:6: portalGroups[0].tag: missing: every portal group needs its tag, 1 to 65535"),
                arguments("portGroup: 3\n" + GROUP_TARGET + """
                        portalGroups:
                          - tag: 3
                            portals: ["10.0.0.5:3260"]
                        """, "m.yaml:7: portalGroups[0].tag: tag 3 is the default group's (portGroup): give this"
                        + " group another tag, or list its portals under portals"),
                arguments(GROUP_TARGET + """
                        portalGroups:
                          - tag: 2
                            portals: ["10.0.0.5:3260"]
                          - tag: 2
                            portals: ["10.0.0.6:3260"]
                        """, "m.yaml:8: portalGroups[1].tag: portal group 2 is defined twice (first on line 6)"),
                arguments(GROUP_TARGET + """
                        portalGroups:
                          - tag: 2
                            targets: [iqn.2026-11.io.iscsi4j:a]
                        """, "m.yaml:6: portalGroups[0].portals: missing: every portal group needs at least one"
                        + " portal"),
                arguments(GROUP_TARGET + """
                        portalGroups:
                          - tag: 2
                            portals: []
                        """, "m.yaml:7: portalGroups[0].portals: the list is empty"),
                arguments(GROUP_TARGET + """
                        portalGroups:
                          - tag: 2
                            portals:
                              - "10.0.0.5:3260"
                              - "10.0.0.5:99999"
                        """, "m.yaml:9: portalGroups[0].portals[1]: 10.0.0.5:99999: the port must be a number from"
                        + " 0 to 65535"),
                arguments("portals: [\"10.0.0.5:3260\"]\n" + GROUP_TARGET + """
                        portalGroups:
                          - tag: 2
                            portals: ["10.0.0.6:3260", "10.0.0.5:3260"]
                        """, "m.yaml:8: portalGroups[0].portals[1]: 10.0.0.5:3260 is given twice"),
                arguments(GROUP_TARGET + """
                        portalGroups:
                          - tag: 2
                            portals: ["127.0.0.1:3260"]
                        """, "m.yaml:7: portalGroups[0].portals[0]: 127.0.0.1:3260 is the default group's portal"
                        + " when the file has no portals key; give it one"),
                arguments(GROUP_TARGET + """
                        portalGroups:
                          - tag: 2
                            portals: ["10.0.0.5:3260"]
                            targets:
                              - iqn.2026-11.io.iscsi4j:a
                              - iqn.2026-11.io.iscsi4j:missing
                        """, "m.yaml:10: portalGroups[0].targets[1]: no target iqn.2026-11.io.iscsi4j:missing is"
                        + " defined in this file"),
                arguments(GROUP_TARGET + """
                        portalGroups:
                          - tag: 2
                            portals: ["10.0.0.5:3260"]
                            targets: [iqn.2026-11.io.iscsi4j:a, IQN.2026-11.io.iscsi4j:A]
                        """, "m.yaml:8: portalGroups[0].targets[1]: target IQN.2026-11.io.iscsi4j:A is given twice"),
                arguments(GROUP_TARGET + """
                        portalGroups:
                          - tag: 2
                            portals: ["10.0.0.5:3260"]
                            portal: "10.0.0.6:3260"
                        """, "m.yaml:8: portalGroups[0].portal: unknown key; expected one of tag, portals, targets,"
                        + " discovery"),
                arguments(GROUP_TARGET + """
                        portalGroups:
                          - tag: 2
                            portals: ["10.0.0.5:3260"]
                            discovery:
                              mutualChap: { user: portal, secret: portal-secret-12 }
                        """, "m.yaml:9: portalGroups[0].discovery.mutualChap: unknown key; expected one of chap"),
                arguments(GROUP_TARGET + """
                        portalGroups:
                          - tag: 2
                            portals: ["10.0.0.5:3260"]
                            discovery:
                              chap: { user: finder, secret: hunter2 }
                        """, "m.yaml:9: portalGroups[0].discovery.chap: the CHAP secret of user finder has 7"
                        + " characters; use at least 12 (RFC 7143 §12.1.3: secrets of fewer than 96 random bits need"
                        + " IPsec) (a portal group's discovery CHAP accepts no short secrets)"),
                arguments(GROUP_TARGET + """
                        portalGroups:
                          tag: 2
                        """, "m.yaml:6: portalGroups: expected a list, found a mapping"),
                arguments("""
                        targets:
                          - name: iqn.2026-11.io.iscsi4j:a
                            chap: {user: alice, secret: alice-secret-0123}
                            chapAlgorithms: [SHA256, SHA512]
                            luns: [{lun: 0, memory: 1M}]
                        """, "m.yaml:4: targets[0].chapAlgorithms[1]: unknown algorithm SHA512; expected one of MD5,"
                        + " SHA1, SHA256, SHA3_256"),
                arguments("""
                        targets:
                          - name: iqn.2026-11.io.iscsi4j:a
                            chap: {user: alice, secret: alice-secret-0123}
                            chapAlgorithms:
                              - SHA256
                              - SHA256
                            luns: [{lun: 0, memory: 1M}]
                        """, "m.yaml:6: targets[0].chapAlgorithms[1]: SHA256 is given twice"),
                arguments("""
                        targets:
                          - name: iqn.2026-11.io.iscsi4j:a
                            chap: {user: alice, secret: alice-secret-0123}
                            chapAlgorithms: []
                            luns: [{lun: 0, memory: 1M}]
                        """, "m.yaml:4: targets[0].chapAlgorithms: the list is empty"),
                arguments("""
                        targets:
                          - name: iqn.2026-11.io.iscsi4j:a
                            chapAlgorithms: [SHA256]
                            luns: [{lun: 0, memory: 1M}]
                            acls:
                              - initiator: iqn.1993-08.org.debian:01:db1
                        """, "m.yaml:3: targets[0].chapAlgorithms: needs chap, here or in an ACL: the algorithms are"
                        + " those of CHAP logins"),
                arguments("""
                        discovery:
                          chapAlgorithms: [MD5]
                        """ + GROUP_TARGET, "m.yaml:2: discovery.chapAlgorithms: needs chap: the algorithms are"
                        + " those of CHAP logins"),
                arguments("""
                        targets:
                          - name: iqn.2026-11.io.iscsi4j:a
                            luns: [{lun: 0, memory: 1M}]
                            acls:
                              - initiator: iqn.1993-08.org.debian:01:db1
                                chap: {user: db1, secret: db1-long-secret}
                                chapAlgorithms: [MD5]
                        """, "m.yaml:7: targets[0].acls[0].chapAlgorithms: unknown key; expected one of initiator,"
                        + " chap, mutualChap, readOnly, map, readOnlyLuns"),
                arguments("""
                        targets:
                          - name: iqn.2026-11.io.iscsi4j:a
                            luns:
                              - lun: 0
                                memory: 1M
                                softThreshold: 100
                        """, "m.yaml:6: targets[0].luns[0].softThreshold: must be from 1 to 99: 100"),
                arguments("""
                        targets:
                          - name: iqn.2026-11.io.iscsi4j:a
                            luns:
                              - lun: 0
                                memory: 1M
                                softThreshold: 80%
                        """, "m.yaml:6: targets[0].luns[0].softThreshold: expected a whole number from 1 to 99,"
                        + " found a text"),
                arguments("""
                        targets:
                          - name: iqn.2026-11.io.iscsi4j:a
                            luns:
                              - lun: 0
                                memory: 1M
                                physicalBlockSize: 3000
                        """, "m.yaml:6: targets[0].luns[0].physicalBlockSize: must be a power of two from the block"
                        + " size (512) to 1048576, as 4096: 3000"),
                arguments("""
                        targets:
                          - name: iqn.2026-11.io.iscsi4j:a
                            luns:
                              - lun: 0
                                memory: 1M
                                blockSize: 4096
                                physicalBlockSize: 512
                        """, "m.yaml:7: targets[0].luns[0].physicalBlockSize: must be a power of two from the block"
                        + " size (4096) to 1048576, as 4096: 512"),
                arguments("""
                        targets:
                          - name: iqn.2026-11.io.iscsi4j:a
                            luns:
                              - lun: 0
                                memory: 1M
                                physicalBlockSize: 2097152
                        """, "m.yaml:6: targets[0].luns[0].physicalBlockSize: must be from 512 to 1048576: 2097152"));
    }

    /** Four lines: a target, for the portal group mistakes that follow them. */
    private static final String GROUP_TARGET = """
            targets:
              - name: iqn.2026-11.io.iscsi4j:a
                luns:
                  - { lun: 0, memory: 1MiB }
            """;

    @ParameterizedTest
    @MethodSource("mistakes")
    void aMistakeIsOneLineNamingTheFileTheLineAndTheKey(String yaml, String expected) {
        assertThatThrownBy(() -> DemoConfigFile.parse("m.yaml", yaml))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> {
                    assertThat(e.getMessage()).startsWith(expected);
                    assertThat(e.getMessage()).doesNotContain("\n", "hunter2");
                });
    }

    static Stream<org.junit.jupiter.params.provider.Arguments> libraryMistakes() {
        return Stream.of(
                arguments("""
                        targets:
                          - name: not-an-iqn
                            luns: [{lun: 0, memory: 1M}]
                        """, "m.yaml:2: targets[0].name: not a valid iSCSI name: not-an-iqn"),
                arguments("""
                        targets:
                          - name: iqn.2026-11.io.iscsi4j:a
                            luns:
                              - lun: 0
                                memory: 1M
                                vendor: MUCH-TOO-LONG
                        """, "m.yaml:6: targets[0].luns[0].vendor: vendor must be 1 to 8 characters: MUCH-TOO-LONG"),
                arguments("""
                        targets:
                          - name: iqn.2026-11.io.iscsi4j:a
                            luns:
                              - lun: 0
                                memory: 1M
                                maxTransferBytes: 1KiB
                        """, "m.yaml:6: targets[0].luns[0].maxTransferBytes: max transfer bytes must be 4096.."),
                arguments("""
                        targets:
                          - name: iqn.2026-11.io.iscsi4j:a
                            luns:
                              - lun: 0
                                memory: 1M
                                rotationRate: 1000
                        """, "m.yaml:6: targets[0].luns[0].rotationRate: "),
                arguments("busyPoll: 2s\n" + GROUP_TARGET, "m.yaml:1: busyPoll: busyPoll must be 0 to 1 ms: PT2S"),
                arguments("busyPoll: 1001us\n" + GROUP_TARGET, "m.yaml:1: busyPoll: busyPoll must be 0 to 1 ms"));
    }

    @ParameterizedTest
    @MethodSource("libraryMistakes")
    void whatTheLibraryRefusesIsPlacedAtItsKey(String yaml, String expected) throws Exception {
        DemoConfigFile.Loaded loaded = DemoConfigFile.parse("m.yaml", yaml);

        assertThatThrownBy(() -> DemoTarget.check(loaded.config(), loaded.locations()))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(e.getMessage()).startsWith(expected).doesNotContain("\n"));
    }

    @Test
    void theReadmesExampleIsAValidFile() throws Exception {
        String readme = java.nio.file.Files.readString(Path.of("..", "README.md"));
        int section = readme.indexOf("#### Configuration file");
        int start = readme.indexOf("```yaml\n", section) + "```yaml\n".length();
        String yaml = readme.substring(start, readme.indexOf("```", start));

        DemoConfigFile.Loaded loaded = DemoConfigFile.parse("README.md", yaml);
        DemoTarget.check(loaded.config(), loaded.locations());

        assertThat(loaded.config().targets()).hasSize(2).first().satisfies(t -> {
            assertThat(t.luns()).hasSize(3);
            assertThat(t.acls()).hasSize(2);
            assertThat(t.auth().chapAlgorithms()).hasSize(2);
        });
        assertThat(loaded.config().portalGroups()).singleElement().satisfies(g -> {
            assertThat(g.tag()).isEqualTo(2);
            assertThat(g.targets()).containsExactly("iqn.2026-11.com.example:backup");
        });
        assertThat(DemoConfigFile.parse("again", DemoConfigFile.write(loaded.config(), true)).config())
                .isEqualTo(loaded.config());
    }

    private static int lineOf(String text, String needle) {
        List<String> lines = text.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(needle)) {
                return i + 1;
            }
        }
        throw new AssertionError(needle + " not in " + text);
    }
}
