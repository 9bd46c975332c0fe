package io.iscsi4j.examples;

import io.iscsi4j.core.testsupport.NativeTools;
import org.junit.jupiter.api.Assertions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs QEMU's {@code qemu-io} (an independent initiator, through its libiscsi block driver) against a LUN URL. A
 * missing tool or iSCSI driver skips the test, or fails it when the environment variable {@code CI} is
 * {@code true}. Every run has a hard timeout.
 */
final class QemuIo {

    private static final long TIMEOUT_SECONDS = 30;

    private QemuIo() {
    }

    /**
     * Runs one {@code qemu-io} process with the given commands ({@code -c} each) on a raw iSCSI LUN.
     *
     * @param url {@code iscsi://host:port/iqn/lun}
     * @param commands qemu-io commands, for example {@code "read -P 0xab 0 4k"}
     * @return what it printed and its exit status
     */
    static Result run(String url, String... commands) throws IOException, InterruptedException {
        List<String> line = new ArrayList<>(List.of(require("qemu-io").toString(), "-f", "raw"));
        for (String c : commands) {
            line.add("-c");
            line.add(c);
        }
        line.add(url);
        Path out = Files.createTempFile("iscsi4j-example-", ".out");
        try {
            Process p = new ProcessBuilder(line).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            p.getOutputStream().close();
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                Assertions.fail("qemu-io did not finish within " + TIMEOUT_SECONDS + " s: " + String.join(" ", line)
                        + "\n" + Files.readString(out, StandardCharsets.UTF_8));
            }
            Result r = new Result(String.join(" ", line), p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
            if (r.output.contains("Unknown protocol 'iscsi'") || r.output.contains("Unknown driver 'iscsi'")) {
                NativeTools.missing("QEMU's iscsi block driver is not installed", "qemu-block-extra");
            }
            return r;
        } finally {
            Files.deleteIfExists(out);
        }
    }

    private static Path require(String tool) {
        return NativeTools.require(tool, "qemu-utils");
    }

    /**
     * A finished {@code qemu-io}.
     *
     * @param command the command line
     * @param exitCode its exit status
     * @param output standard output and error, interleaved
     */
    record Result(String command, int exitCode, String output) {

        /** Whether no command reported a failure (qemu-io prints "... failed: ..." for each). */
        boolean allSucceeded() {
            return exitCode == 0 && !output.contains("failed") && !output.contains("Pattern verification");
        }

        @Override
        public String toString() {
            return "$ " + command + "\n[exit " + exitCode + "]\n" + output;
        }
    }
}
