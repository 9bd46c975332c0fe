package io.iscsi4j.conformance;

import io.iscsi4j.core.testsupport.NativeTools;
import org.junit.jupiter.api.Assertions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Finds and runs {@code iscsi-test-cu}, libiscsi's conformance suite (Debian package {@code libiscsi-bin}).
 *
 * <p>When it is missing the test is skipped on a developer machine and fails under {@code CI=true}, so that a CI run
 * cannot pass by testing nothing. Every run has a hard timeout; on expiry the process and its children are killed and
 * the log so far is kept.
 */
final class IscsiTestCu {

    static final String TOOL = "iscsi-test-cu";
    private static final String PACKAGE = "libiscsi-bin";

    private IscsiTestCu() {
    }

    /**
     * The tool's path on {@code PATH}; when absent the test is skipped, or failed under {@code CI=true}.
     *
     * @return its path
     */
    static Path require() {
        return NativeTools.require(TOOL, PACKAGE);
    }

    /**
     * Every test of the suite, from {@code iscsi-test-cu -l}.
     *
     * @param tool the tool's path
     * @param log where the listing goes (replaced)
     * @return {@code SUITE.TEST} names, in the order the suite runs them
     */
    static List<String> listTests(Path tool, Path log) {
        Run run = run(tool, Duration.ofSeconds(30), log, "-l");
        if (run.timedOut() || run.exitCode() != 0) {
            Assertions.fail(TOOL + " -l failed: " + run.describe());
        }
        List<String> tests = new ArrayList<>();
        for (String line : run.output().lines().toList()) {
            String[] parts = line.strip().split("\\.");
            if (parts.length == 3 && parts[0].equals("ALL")) {
                tests.add(parts[1] + "." + parts[2]);
            }
        }
        return tests;
    }

    /**
     * Runs the tool with standard output and standard error merged, in order, into {@code log}.
     *
     * @param tool the tool's path
     * @param timeout the hard limit
     * @param log where the output goes (replaced)
     * @param args the arguments
     * @return how it ended and what it printed
     */
    static Run run(Path tool, Duration timeout, Path log, String... args) {
        List<String> command = new ArrayList<>();
        command.add(tool.toString());
        command.addAll(List.of(args));
        long start = System.nanoTime();
        try {
            Files.createDirectories(log.toAbsolutePath().getParent());
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            process.getOutputStream().close();
            boolean finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!finished) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
            Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
            String output = new String(Files.readAllBytes(log), StandardCharsets.UTF_8);
            return new Run(command, finished ? process.exitValue() : -1, !finished, elapsed, output, log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + TOOL, e);
        }
    }

    /**
     * A finished (or killed) run.
     *
     * @param command what ran
     * @param exitCode its exit status, {@code -1} when killed at the timeout
     * @param timedOut whether it was killed at the timeout
     * @param elapsed how long it took
     * @param output standard output and standard error, merged
     * @param log the file holding {@code output}
     */
    record Run(List<String> command, int exitCode, boolean timedOut, Duration elapsed, String output, Path log) {

        /** The command, how it ended and where its log is, for messages. */
        String describe() {
            return "$ " + String.join(" ", command) + "\n[" + (timedOut ? "killed at the timeout" : "exit " + exitCode)
                    + " after " + elapsed.toMillis() + " ms; log " + log.toAbsolutePath() + "]";
        }
    }
}
