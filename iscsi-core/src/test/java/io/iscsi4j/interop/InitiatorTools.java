package io.iscsi4j.interop;

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
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Finds and runs the independent initiators the interop tests drive: libiscsi's command-line tools
 * ({@code iscsi-ls}, {@code iscsi-inq}, {@code iscsi-readcapacity16}) and QEMU's ({@code qemu-io},
 * {@code qemu-img}).
 *
 * <p>A missing tool skips the test on a developer machine and fails it when the environment variable
 * {@code CI} is {@code true}, so a CI run cannot pass by testing nothing. Every process gets a hard timeout: on
 * expiry it is killed and the test fails with whatever it printed so far.
 */
final class InitiatorTools {

    /** The hard limit for one initiator process unless a test says otherwise. */
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    /** The environment variable that makes libiscsi log (level 6 shows the login key=value replies). */
    static final String LIBISCSI_DEBUG = "LIBISCSI_DEBUG";

    private static final Map<String, String> DEBIAN_PACKAGES = Map.of(
            "iscsi-ls", "libiscsi-bin",
            "iscsi-inq", "libiscsi-bin",
            "iscsi-readcapacity16", "libiscsi-bin",
            "qemu-io", "qemu-utils",
            "qemu-img", "qemu-utils",
            "stdbuf", "coreutils",
            "timeout", "coreutils");

    private InitiatorTools() {
    }

    /**
     * The tool's path on {@code PATH}; when absent the test is skipped, or failed under {@code CI=true}, with a
     * message naming the Debian package that provides it.
     *
     * @param tool the executable's name, for example {@code iscsi-ls}
     * @return its path
     */
    static Path require(String tool) {
        return NativeTools.require(tool, DEBIAN_PACKAGES.getOrDefault(tool, "the package providing " + tool));
    }

    /**
     * Skips (or under {@code CI=true} fails) the test when QEMU reports that its iSCSI block driver is absent.
     *
     * @param result a finished QEMU process
     */
    static void requireQemuIscsiDriver(Result result) {
        String text = result.stdout() + result.stderr();
        if (text.contains("Unknown protocol 'iscsi'") || text.contains("Unknown driver 'iscsi'")) {
            missing("QEMU's iscsi block driver is not installed", "qemu-block-extra");
        }
    }

    private static void missing(String what, String debianPackage) {
        NativeTools.missing(what, debianPackage);
    }

    /**
     * Runs a tool with {@link #DEFAULT_TIMEOUT} and the inherited environment.
     *
     * @param command the tool (found with {@link #require}) and its arguments
     * @return its exit code and output
     */
    static Result run(String... command) {
        return run(DEFAULT_TIMEOUT, Map.of(), command);
    }

    /**
     * Runs a tool; kills it and fails the test when it outlives {@code timeout}.
     *
     * @param timeout the hard limit
     * @param environment variables added to the inherited environment
     * @param command the tool (found with {@link #require}) and its arguments
     * @return its exit code and output
     */
    static Result run(Duration timeout, Map<String, String> environment, String... command) {
        List<String> line = new ArrayList<>(List.of(command));
        line.set(0, require(command[0]).toString());
        Path out = null;
        Path err = null;
        try {
            out = Files.createTempFile("iscsi4j-interop-", ".out");
            err = Files.createTempFile("iscsi4j-interop-", ".err");
            ProcessBuilder builder = new ProcessBuilder(line)
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile());
            builder.environment().putAll(environment);
            Process process = builder.start();
            process.getOutputStream().close();
            boolean finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!finished) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
                Result partial = new Result(List.of(command), -1, read(out), read(err));
                Assertions.fail(command[0] + " did not finish within " + timeout.toSeconds() + " s and was killed\n"
                        + partial.describe());
            }
            return new Result(List.of(command), process.exitValue(), read(out), read(err));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + String.join(" ", line), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command[0], e);
        } finally {
            deleteQuietly(out);
            deleteQuietly(err);
        }
    }

    /** Lenient: tools print binary designators and such, which become replacement characters. */
    private static String read(Path file) throws IOException {
        return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
    }

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                // a temporary file; nothing to do
            }
        }
    }

    /**
     * A finished process.
     *
     * @param command what ran
     * @param exitCode its exit status ({@code -1} when it was killed)
     * @param stdout its standard output
     * @param stderr its standard error
     */
    record Result(List<String> command, int exitCode, String stdout, String stderr) {

        /** Fails the test, showing the command and its output, unless the exit status is 0. */
        Result assertSuccess() {
            if (exitCode != 0) {
                Assertions.fail(command.get(0) + " exited with status " + exitCode + "\n" + describe());
            }
            return this;
        }

        /** The command line and everything it printed, for assertion messages. */
        String describe() {
            return "$ " + String.join(" ", command) + "\n[exit " + exitCode + "]\n--- stdout ---\n" + stdout
                    + "\n--- stderr ---\n" + stderr;
        }
    }

    /** Asserts an iscsi-inq run logged in and printed this target's standard INQUIRY data. */
    static void assertInquirySucceeded(Result r) {
        r.assertSuccess();
        Assertions.assertTrue(r.stdout().contains("Vendor:ISCSI4J"), r.describe());
    }

    /** Asserts an iscsi-inq run was refused at login with {@code message} and printed no INQUIRY data. */
    static void assertLoginRefused(Result r, String message) {
        Assertions.assertNotEquals(0, r.exitCode(), r.describe());
        Assertions.assertTrue((r.stdout() + r.stderr()).contains(message), r.describe());
        Assertions.assertFalse(r.stdout().contains("Vendor:"), r.describe());
    }
}
