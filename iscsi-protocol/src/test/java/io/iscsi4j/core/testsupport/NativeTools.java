package io.iscsi4j.core.testsupport;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.io.File;
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
 * The one place that decides what a test does when a native tool it drives (an initiator, a target, a Ceph daemon)
 * is missing: it is skipped on a developer machine and fails when the environment variable {@code CI} is
 * {@code true}, so a CI run cannot pass by testing nothing. Also runs a tool with a hard timeout.
 *
 * <p>Shared through this module's test jar ({@code iscsi-protocol}, type {@code test-jar}, test scope).
 */
public final class NativeTools {

    private NativeTools() {
    }

    /**
     * Whether this is a CI run ({@code CI=true}), where a missing tool fails the test.
     *
     * @return {@code true} under CI
     */
    public static boolean underCi() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    /**
     * The path of an executable on {@code PATH}, or (also for {@code sbin} directories, where root's tools live)
     * {@code /usr/sbin} and {@code /sbin}; when absent the test is skipped, or failed under {@code CI=true}.
     *
     * @param tool the executable's name, for example {@code iscsi-ls}
     * @param debianPackage the Debian package that provides it, named in the message
     * @return its path
     */
    public static Path require(String tool, String debianPackage) {
        Path found = find(tool);
        if (found == null) {
            missing(tool + " is not on the PATH", debianPackage);
        }
        return found;
    }

    /**
     * The path of an executable, or {@code null}.
     *
     * @param tool the executable's name
     * @return its path or {@code null}
     */
    public static Path find(String tool) {
        List<String> dirs = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            dirs.addAll(List.of(path.split(File.pathSeparator)));
        }
        dirs.add("/usr/sbin");
        dirs.add("/sbin");
        for (String dir : dirs) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, tool);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    /**
     * Skips the test, or under {@code CI=true} fails it, because something it needs is not there. Never returns.
     *
     * @param what what is missing, for example {@code "tgtd is not on the PATH"}
     * @param debianPackage the Debian package that provides it, or {@code null} when no package does
     */
    public static void missing(String what, String debianPackage) {
        String message = debianPackage == null ? what
                : what + ": install the Debian package " + debianPackage + " (apt-get install " + debianPackage + ")";
        if (underCi()) {
            Assertions.fail(message + "; CI=true, so a missing tool fails the test instead of skipping it");
        }
        Assumptions.abort(message);
    }

    /**
     * Runs a command with extra environment variables; kills it and fails the test when it outlives
     * {@code timeout}.
     *
     * @param timeout the hard limit
     * @param environment variables added to the inherited environment
     * @param command the executable (a path, or a name on {@code PATH}) and its arguments
     * @return its exit code and output
     */
    public static Result run(Duration timeout, Map<String, String> environment, List<String> command) {
        Path out = null;
        Path err = null;
        try {
            out = Files.createTempFile("iscsi4j-tool-", ".out");
            err = Files.createTempFile("iscsi4j-tool-", ".err");
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            builder.environment().putAll(environment);
            long started = System.nanoTime();
            Process process = builder.start();
            boolean finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            long nanos = System.nanoTime() - started;
            if (!finished) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
                Assertions.fail(command.get(0) + " did not finish within " + timeout.toSeconds() + " s and was killed\n"
                        + new Result(command, -1, read(out), read(err), nanos).describe());
            }
            return new Result(List.copyOf(command), process.exitValue(), read(out), read(err), nanos);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command.get(0), e);
        } finally {
            delete(out);
            delete(err);
        }
    }

    private static String read(Path file) throws IOException {
        return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
    }

    private static void delete(Path file) {
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
     * @param nanos how long it ran
     */
    public record Result(List<String> command, int exitCode, String stdout, String stderr, long nanos) {

        /**
         * Fails the test, showing the command and its output, unless the exit status is 0.
         *
         * @return this
         */
        public Result assertSuccess() {
            if (exitCode != 0) {
                Assertions.fail(command.get(0) + " exited with status " + exitCode + "\n" + describe());
            }
            return this;
        }

        /**
         * The command line and everything it printed, for assertion messages.
         *
         * @return a description
         */
        public String describe() {
            return "$ " + String.join(" ", command) + "\n[exit " + exitCode + "]\n--- stdout ---\n" + stdout
                    + "\n--- stderr ---\n" + stderr;
        }
    }
}
