package io.iscsi4j.testing;

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
 * Runs the independent initiators the kit's tests drive (QEMU's {@code qemu-io}, libiscsi's tools). A missing tool
 * skips the test, or fails it when the environment variable {@code CI} is {@code true}. Every process has a hard
 * timeout.
 */
final class Tools {

    static final Duration TIMEOUT = Duration.ofSeconds(60);

    private Tools() {
    }

    /** The tool's path; skips (or under CI=true fails) the test when it is not on the PATH. */
    static Path require(String tool) {
        return NativeTools.require(tool, tool.startsWith("qemu-") ? "qemu-utils" : "libiscsi-bin");
    }

    /** Runs {@code qemu-io} on an iSCSI URL with one or more {@code -c} commands. */
    static Result qemuIo(String url, String... commands) {
        List<String> line = new ArrayList<>();
        line.add("qemu-io");
        line.add("-f");
        line.add("raw");
        for (String c : commands) {
            line.add("-c");
            line.add(c);
        }
        line.add(url);
        Result r = run(TIMEOUT, line.toArray(String[]::new));
        String text = r.stdout() + r.stderr();
        if (text.contains("Unknown protocol 'iscsi'") || text.contains("Unknown driver 'iscsi'")) {
            NativeTools.missing("QEMU's iscsi block driver is not installed", "qemu-block-extra");
        }
        return r;
    }

    /** Starts a tool without waiting, output to temporary files. */
    static Process start(String... command) throws IOException {
        List<String> line = new ArrayList<>(List.of(command));
        line.set(0, require(command[0]).toString());
        ProcessBuilder b = new ProcessBuilder(line)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        Process p = b.start();
        p.getOutputStream().close();
        return p;
    }

    /** Runs a tool; kills it and fails the test when it outlives {@code timeout}. */
    static Result run(Duration timeout, String... command) {
        List<String> line = new ArrayList<>(List.of(command));
        line.set(0, require(command[0]).toString());
        Path out = null;
        Path err = null;
        try {
            out = Files.createTempFile("iscsi4j-testing-", ".out");
            err = Files.createTempFile("iscsi4j-testing-", ".err");
            Process p = new ProcessBuilder(line).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            p.getOutputStream().close();
            long started = System.nanoTime();
            boolean finished = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            long nanos = System.nanoTime() - started;
            if (!finished) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
                Assertions.fail(command[0] + " did not finish within " + timeout + "\n"
                        + new Result(List.of(command), -1, read(out), read(err), nanos).describe());
            }
            return new Result(List.of(command), p.exitValue(), read(out), read(err), nanos);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
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
                // a temporary file
            }
        }
    }

    /** A finished process. */
    record Result(List<String> command, int exitCode, String stdout, String stderr, long nanos) {

        String output() {
            return stdout + stderr;
        }

        Result assertSuccess() {
            if (exitCode != 0 || output().contains("failed")) {
                Assertions.fail(command.get(0) + " failed\n" + describe());
            }
            return this;
        }

        String describe() {
            return "$ " + String.join(" ", command) + "\n[exit " + exitCode + "]\n--- stdout ---\n" + stdout
                    + "\n--- stderr ---\n" + stderr;
        }
    }
}
