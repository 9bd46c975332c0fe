package io.iscsi4j.examples;

import io.iscsi4j.examples.DemoOptions.Credentials;
import io.iscsi4j.examples.DemoOptions.Portal;
import io.iscsi4j.examples.DemoOptions.UsageException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DemoOptionsTest {

    @Test
    void noArgumentsGiveTheDefaults() throws Exception {
        DemoOptions o = DemoOptions.parse();

        assertThat(o.portals()).containsExactly(new Portal("127.0.0.1", 3260));
        assertThat(o.iqn()).isEqualTo("iqn.2026-11.io.iscsi4j:demo");
        assertThat(o.sizeBytes()).isEqualTo(1L << 30);
        assertThat(o.file()).isNull();
        assertThat(o.blockSize()).isEqualTo(512);
        assertThat(o.readOnly()).isFalse();
        assertThat(o.luns()).isEqualTo(1);
        assertThat(o.chap()).isNull();
        assertThat(o.mutualChap()).isNull();
        assertThat(o.allowShortSecrets()).isFalse();
        assertThat(o.allow()).isEmpty();
        assertThat(o.help()).isFalse();
        assertThat(o.aluaGroup()).isEqualTo(1);
    }

    @Test
    void everyOptionIsRead() throws Exception {
        DemoOptions o = DemoOptions.parse("--portal", "10.0.0.5:3261", "--iqn", "iqn.2026-11.com.example:disk",
                "--size", "512M", "--file", "/tmp/lun.img", "--block-size", "4096", "--read-only", "--luns", "1",
                "--chap", "alice:pw", "--mutual-chap", "disk:pw2", "--allow-short-secrets",
                "--allow", "iqn.1993-08.org.debian:01:abc", "--alua-group", "2");

        assertThat(o).isEqualTo(new DemoOptions(List.of(new Portal("10.0.0.5", 3261)),
                "iqn.2026-11.com.example:disk", 512L << 20, Path.of("/tmp/lun.img"), 4096, true, 1,
                new Credentials("alice", "pw"), new Credentials("disk", "pw2"), true,
                List.of("iqn.1993-08.org.debian:01:abc"), false, null, 2));
    }

    @Test
    void rbdServesImagesAsLunsInTheOrderGiven() throws Exception {
        DemoOptions o = DemoOptions.parse("--rbd", "rbd/lun0", "--rbd=ssd/ns1/lun1", "--ceph-conf", "/etc/c.conf",
                "--ceph-id", "gateway");
        assertThat(o.rbd()).isEqualTo(new DemoOptions.Rbd(List.of("rbd/lun0", "ssd/ns1/lun1"), "/etc/c.conf",
                "gateway"));
        assertThat(o.file()).isNull();
        assertThat(DemoOptions.parse("--rbd", "rbd/lun0").rbd())
                .isEqualTo(new DemoOptions.Rbd(List.of("rbd/lun0"), null, "admin"));
        assertThat(DemoOptions.parse().rbd()).isNull();
        assertThat(DemoOptions.parse("--rbd", "rbd/lun0", "--shared-state", "rbd").rbd().sharedState()).isTrue();
        assertThat(DemoOptions.parse("--rbd", "rbd/lun0").rbd().sharedState()).isFalse();
        assertThat(DemoOptions.parse().aluaState()).isEqualTo(io.iscsi4j.scsi.AccessState.ACTIVE_OPTIMIZED);
        assertThat(DemoOptions.parse("--alua-state", "non-optimized").aluaState())
                .isEqualTo(io.iscsi4j.scsi.AccessState.ACTIVE_NON_OPTIMIZED);
        assertThat(DemoOptions.parse("--alua-state=standby").aluaState())
                .isEqualTo(io.iscsi4j.scsi.AccessState.STANDBY);
    }

    @Test
    void allowRepeatsAndTakesPatterns() throws Exception {
        DemoOptions o = DemoOptions.parse("--allow", "iqn.1993-08.org.debian:*", "--allow=iqn.2026-11.com.example:host?",
                "--allow", "iqn.2026-11.com.example:db1");

        assertThat(o.allow()).containsExactly("iqn.1993-08.org.debian:*", "iqn.2026-11.com.example:host?",
                "iqn.2026-11.com.example:db1");
    }

    @Test
    void portalRepeatsToServeSeveralAddressesInOrder() throws Exception {
        DemoOptions o = DemoOptions.parse("--portal", "127.0.0.1:3260", "--portal=[::1]:3261", "--portal",
                "127.0.0.1:0", "--portal", "127.0.0.1:0");

        assertThat(o.portals()).containsExactly(new Portal("127.0.0.1", 3260), new Portal("::1", 3261),
                new Portal("127.0.0.1", 0), new Portal("127.0.0.1", 0));
        assertThat(o.portals().get(1)).hasToString("[::1]:3261");
    }

    @Test
    void lunsServesSeveralMemoryLuns() throws Exception {
        assertThat(DemoOptions.parse("--luns", "4").luns()).isEqualTo(4);
        assertThat(DemoOptions.parse("--luns=16384", "--size", "1M").luns()).isEqualTo(16384);
    }

    @Test
    void aluaGroupTakesOneTo65535() throws Exception {
        assertThat(DemoOptions.parse("--alua-group", "1").aluaGroup()).isEqualTo(1);
        assertThat(DemoOptions.parse("--alua-group=65535").aluaGroup()).isEqualTo(65535);
        assertThat(DemoOptions.parse("--rbd", "rbd/lun0", "--alua-group", "2").aluaGroup()).isEqualTo(2);
    }

    @Test
    void optionsAlsoTakeTheEqualsForm() throws Exception {
        DemoOptions o = DemoOptions.parse("--portal=127.0.0.1:0", "--size=64K", "--block-size=512");

        assertThat(o.portals()).containsExactly(new Portal("127.0.0.1", 0));
        assertThat(o.sizeBytes()).isEqualTo(64L << 10);
    }

    @ParameterizedTest
    @CsvSource({
            "[::1]:3260, ::1, 3260",
            "[fe80::1%lo]:0, fe80::1%lo, 0",
            "localhost:65535, localhost, 65535",
            "0.0.0.0:3260, 0.0.0.0, 3260"})
    void portalsSplitIntoHostAndPort(String portal, String host, int port) throws Exception {
        DemoOptions o = DemoOptions.parse("--portal", portal);

        assertThat(o.portals()).containsExactly(new Portal(host, port));
    }

    @ParameterizedTest
    @CsvSource({"1T, 1099511627776", "2G, 2147483648", "64K, 65536", "512M, 536870912"})
    void sizesTakeBinarySuffixes(String size, long bytes) throws Exception {
        assertThat(DemoOptions.parse("--size", size).sizeBytes()).isEqualTo(bytes);
    }

    @Test
    void chapTakesUserAndSecret() throws Exception {
        DemoOptions o = DemoOptions.parse("--chap", "alice:alice-secret-0123");

        assertThat(o.chap()).isEqualTo(new Credentials("alice", "alice-secret-0123"));
        assertThat(o.mutualChap()).isNull();
    }

    @Test
    void chapSplitsAtTheLastColonSoTheUserMayBeAnIscsiName() throws Exception {
        DemoOptions o = DemoOptions.parse("--chap=iqn.1993-08.org.debian:01:abc:alice-secret-0123",
                "--mutual-chap", "iqn.2026-11.io.iscsi4j:demo:target-secret-456");

        assertThat(o.chap()).isEqualTo(new Credentials("iqn.1993-08.org.debian:01:abc", "alice-secret-0123"));
        assertThat(o.mutualChap()).isEqualTo(new Credentials("iqn.2026-11.io.iscsi4j:demo", "target-secret-456"));
    }

    @Test
    void shortSecretsNeedTheExplicitOption() throws Exception {
        DemoOptions o = DemoOptions.parse("--allow-short-secrets", "--chap", "alice:pw");

        assertThat(o.chap()).isEqualTo(new Credentials("alice", "pw"));
        assertThat(o.allowShortSecrets()).isTrue();
    }

    @Test
    void secretsNeverAppearInToStringOrMessages() throws Exception {
        DemoOptions o = DemoOptions.parse("--chap", "alice:alice-secret-0123", "--mutual-chap",
                "disk:target-secret-456");

        assertThat(o.toString()).contains("alice", "disk").doesNotContain("alice-secret-0123", "target-secret-456");
        for (String[] bad : new String[][] {
                {"--chap", "alice:hunter2"},
                {"--chap", "alice:alice-secret-0123", "--mutual-chap", "disk:hunter2"},
                {"--chap", "alice:alice-secret-0123", "--mutual-chap", "disk:alice-secret-0123"},
                {"--mutual-chap", "disk:hunter2-hunter2"}}) {
            assertThatThrownBy(() -> DemoOptions.parse(bad))
                    .isInstanceOf(UsageException.class)
                    .hasMessageNotContaining("hunter2")
                    .hasMessageNotContaining("alice-secret-0123");
        }
    }

    @Test
    void helpWinsOverEverythingElse() throws Exception {
        assertThat(DemoOptions.parse("--size", "1G", "--help").help()).isTrue();
        assertThat(DemoOptions.parse("-h").help()).isTrue();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "--frobnicate                 | unknown option --frobnicate",
            "--frobnicate=1               | unknown option --frobnicate",
            "extra                        | unexpected argument extra",
            "--size                       | option --size needs a value",
            "--size=                      | option --size needs a non-empty value",
            "--size 12X                   | bad --size 12X",
            "--size -1G                   | bad --size -1G",
            "--size 1000 --block-size 512 | multiple of the block size (512 bytes)",
            "--block-size 1024            | bad --block-size 1024: must be 512 or 4096",
            "--block-size four            | bad --block-size four",
            "--portal 127.0.0.1           | bad --portal 127.0.0.1: expected HOST:PORT",
            "--portal 127.0.0.1:65536     | bad --portal 127.0.0.1:65536: the port must be a number from 0 to 65535",
            "--portal 127.0.0.1:-1        | the port must be a number",
            "--portal 127.0.0.1:iscsi     | the port must be a number",
            "--portal :3260               | the host is empty",
            "--portal ::1:3260            | write an IPv6 address in brackets",
            "--iqn                        | option --iqn needs a value",
            "--read-only=yes              | option --read-only takes no value",
            "--portal 127.0.0.1:3260 --portal 127.0.0.1:3260 | bad --portal 127.0.0.1:3260: given twice",
            "--luns 0                     | bad --luns 0: must be a number from 1 to 16384",
            "--luns 16385                 | bad --luns 16385",
            "--luns two                   | bad --luns two",
            "--luns 2 --file /tmp/x.img   | several LUNs are served from memory only",
            "--chap                       | option --chap needs a value",
            "--chap alice                 | bad --chap: expected USER:SECRET",
            "--chap :alice-secret-0123    | bad --chap: the user before the last ':' is empty",
            "--chap alice:                | bad --chap: the secret after the last ':' is empty",
            "--chap alice:short           | bad --chap: the CHAP secret of user alice has 5 characters; use at least 12",
            "--chap alice:short           | add --allow-short-secrets for a test",
            "--mutual-chap disk:target-secret-456 | option --mutual-chap needs --chap",
            "--chap alice:alice-secret-0123 --mutual-chap disk:short | bad --mutual-chap: the CHAP target secret of disk has 5",
            "--chap alice:alice-secret-0123 --mutual-chap disk:alice-secret-0123 | bad --mutual-chap: the mutual CHAP secret",
            "--allow-short-secrets=yes    | option --allow-short-secrets takes no value",
            "--allow                      | option --allow needs a value",
            "--allow=                     | option --allow needs a non-empty value",
            "--allow iqn.x:a/b            | bad --allow iqn.x:a/b: only letters, digits",
            "--allow iqn.x:a --allow IQN.X:A | bad --allow IQN.X:A: given twice",
            "--rbd lun0                   | bad --rbd lun0: expected POOL/IMAGE",
            "--rbd rbd/                   | bad --rbd rbd/: expected POOL/IMAGE",
            "--rbd a/b/c/d                | bad --rbd a/b/c/d: expected POOL/IMAGE",
            "--rbd rbd/a --rbd rbd/a      | bad --rbd rbd/a: given twice",
            "--rbd rbd/a --file /tmp/x    | option --rbd serves Ceph images, not --file",
            "--rbd rbd/a --size 1G        | option --size does not apply to --rbd",
            "--rbd rbd/a --luns 2         | option --luns does not apply to --rbd",
            "--ceph-conf /etc/c.conf      | option --ceph-conf needs --rbd",
            "--ceph-id admin              | option --ceph-id needs --rbd",
            "--shared-state rbd           | option --shared-state needs --rbd",
            "--rbd rbd/a --shared-state x | bad --shared-state x: expected rbd",
            "--alua-group                 | option --alua-group needs a value",
            "--alua-group 0               | bad --alua-group 0: must be a number from 1 to 65535",
            "--alua-group 65536           | bad --alua-group 65536: must be a number from 1 to 65535",
            "--alua-group two             | bad --alua-group two: must be a number from 1 to 65535",
            "--alua-state active          | bad --alua-state active: expected optimized, non-optimized or standby",
            "--busy-poll                  | option --busy-poll needs a value",
            "--busy-poll=                 | option --busy-poll needs a non-empty value",
            "--busy-poll fast             | bad --busy-poll fast: expected a duration, as 50us, 1ms or 0",
            "--busy-poll 50               | bad --busy-poll 50: expected a duration, as 50us, 1ms or 0",
            "--busy-poll -1us             | bad --busy-poll -1us: expected a duration"})
    void badOptionsAreNamedInOneLine(String commandLine, String message) {
        String[] args = commandLine.trim().split(" +");

        assertThatThrownBy(() -> DemoOptions.parse(args))
                .isInstanceOf(UsageException.class)
                .hasMessageContaining(message)
                .hasMessageNotContaining("\n");
    }

    @Test
    void usageMentionsEveryOption() {
        assertThat(DemoOptions.USAGE).contains("--portal", "--iqn", "--size", "--file", "--block-size", "--read-only",
                "--luns", "--chap", "--mutual-chap", "--allow-short-secrets", "--allow IQN", "--rbd POOL/IMAGE",
                "--ceph-conf", "--ceph-id", "--shared-state rbd", "--alua-group N", "--alua-state STATE",
                "--busy-poll DURATION", "--help");
    }

    @Test
    void stateDirNamesTheDirectoryOfTheReservations() throws Exception {
        assertThat(DemoOptions.parse("--state-dir", "/var/lib/iscsi4j").stateDir()).isEqualTo(Path.of("/var/lib/iscsi4j"));
        assertThat(DemoOptions.parse("--state-dir=/tmp/s", "--luns", "2").stateDir()).isEqualTo(Path.of("/tmp/s"));
        assertThat(DemoOptions.parse().stateDir()).isNull();
        assertThatThrownBy(() -> DemoOptions.parse("--state-dir")).isInstanceOf(UsageException.class)
                .hasMessage("option --state-dir needs a value");
        assertThat(DemoOptions.USAGE).contains("--state-dir DIR");
    }

    @Test
    void busyPollTakesADurationAsTheConfigurationFileDoes() throws Exception {
        assertThat(DemoOptions.parse("--busy-poll", "20us").busyPoll()).isEqualTo(Duration.ofNanos(20_000));
        assertThat(DemoOptions.parse("--busy-poll=1ms", "--luns", "2").busyPoll()).isEqualTo(Duration.ofMillis(1));
        assertThat(DemoOptions.parse("--busy-poll", "0").busyPoll()).isZero();
        assertThat(DemoOptions.parse().busyPoll()).as("the library's default").isNull();
        assertThat(DemoOptions.parse("--busy-poll", "2s").busyPoll()).as("the library checks the range")
                .isEqualTo(Duration.ofSeconds(2));
        assertThat(DemoConfig.of(DemoOptions.parse("--busy-poll", "20us")).busyPoll())
                .isEqualTo(Duration.ofNanos(20_000));
        assertThat(DemoConfig.of(DemoOptions.parse()).busyPoll()).isNull();
        assertThat(DemoOptions.USAGE).contains("--busy-poll DURATION");
    }

    @Test
    void configIsExclusiveWithEveryOptionThatDescribesTheTarget() throws Exception {
        DemoOptions o = DemoOptions.parse("--config", "/etc/iscsi4j/demo.yaml", "--print-config", "--show-secrets");
        assertThat(o.config()).isEqualTo(Path.of("/etc/iscsi4j/demo.yaml"));
        assertThat(o.printConfig()).isTrue();
        assertThat(o.showSecrets()).isTrue();
        assertThat(DemoOptions.parse("--config=demo.yaml").printConfig()).isFalse();
        assertThat(DemoOptions.parse("--print-config", "--luns", "2").printConfig()).isTrue();
        assertThat(DemoOptions.parse().config()).isNull();

        for (String option : List.of("--portal=127.0.0.1:0", "--iqn=iqn.2026-11.io.iscsi4j:x", "--size=1M",
                "--read-only", "--state-dir=/tmp/s", "--alua-group=2", "--allow=iqn.1993-08.org.debian:*",
                "--busy-poll=20us")) {
            String name = option.contains("=") ? option.substring(0, option.indexOf('=')) : option;
            assertThatThrownBy(() -> DemoOptions.parse(option, "--config", "demo.yaml"))
                    .isInstanceOf(UsageException.class)
                    .hasMessageStartingWith("option --config cannot be combined with " + name + ": ");
        }
        assertThatThrownBy(() -> DemoOptions.parse("--show-secrets")).isInstanceOf(UsageException.class)
                .hasMessage("option --show-secrets needs --print-config");
        assertThatThrownBy(() -> DemoOptions.parse("--print-config=yes")).isInstanceOf(UsageException.class)
                .hasMessage("option --print-config takes no value");
        assertThat(DemoOptions.USAGE).contains("--config FILE", "--print-config", "--show-secrets");
    }
}
