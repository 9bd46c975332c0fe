package io.iscsi4j.examples;

import io.iscsi4j.examples.DemoOptions.UsageException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DemoOptionsTest {

    @Test
    void noArgumentsGiveTheDefaults() throws Exception {
        DemoOptions o = DemoOptions.parse();

        assertThat(o.host()).isEqualTo("127.0.0.1");
        assertThat(o.port()).isEqualTo(3260);
        assertThat(o.iqn()).isEqualTo("iqn.2026-11.io.iscsi4j:demo");
        assertThat(o.sizeBytes()).isEqualTo(1L << 30);
        assertThat(o.file()).isNull();
        assertThat(o.blockSize()).isEqualTo(512);
        assertThat(o.help()).isFalse();
    }

    @Test
    void everyOptionIsRead() throws Exception {
        DemoOptions o = DemoOptions.parse("--portal", "10.0.0.5:3261", "--iqn", "iqn.2026-11.com.example:disk",
                "--size", "512M", "--file", "/tmp/lun.img", "--block-size", "4096");

        assertThat(o).isEqualTo(new DemoOptions("10.0.0.5", 3261, "iqn.2026-11.com.example:disk", 512L << 20,
                Path.of("/tmp/lun.img"), 4096, false));
    }

    @Test
    void optionsAlsoTakeTheEqualsForm() throws Exception {
        DemoOptions o = DemoOptions.parse("--portal=127.0.0.1:0", "--size=64K", "--block-size=512");

        assertThat(o.port()).isZero();
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

        assertThat(o.host()).isEqualTo(host);
        assertThat(o.port()).isEqualTo(port);
    }

    @ParameterizedTest
    @CsvSource({"1T, 1099511627776", "2G, 2147483648", "64K, 65536", "512M, 536870912"})
    void sizesTakeBinarySuffixes(String size, long bytes) throws Exception {
        assertThat(DemoOptions.parse("--size", size).sizeBytes()).isEqualTo(bytes);
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
            "--iqn                        | option --iqn needs a value"})
    void badOptionsAreNamedInOneLine(String commandLine, String message) {
        String[] args = commandLine.trim().split(" +");

        assertThatThrownBy(() -> DemoOptions.parse(args))
                .isInstanceOf(UsageException.class)
                .hasMessageContaining(message)
                .hasMessageNotContaining("\n");
    }

    @Test
    void usageMentionsEveryOption() {
        assertThat(DemoOptions.USAGE).contains("--portal", "--iqn", "--size", "--file", "--block-size", "--help");
    }
}
