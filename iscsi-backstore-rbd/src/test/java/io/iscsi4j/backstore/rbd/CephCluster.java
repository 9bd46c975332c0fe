package io.iscsi4j.backstore.rbd;

import io.iscsi4j.core.testsupport.NativeTools;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * The Ceph cluster the RBD tests run against: the one {@code CEPH_CONF} names ({@code .ci/run} starts one with
 * {@code scripts/ceph-cluster.sh}). Without it the tests are skipped, or fail under {@code CI=true}. Images are
 * created and inspected with the {@code rbd} tool, with a hard timeout per call.
 */
public final class CephCluster {

    private CephCluster() {
    }

    /** The configuration file; skips (or under CI=true fails) the test without a cluster. */
    public static String conf() {
        String conf = System.getenv("CEPH_CONF");
        if (conf == null || conf.isEmpty() || !Files.isReadable(Path.of(conf))) {
            NativeTools.missing("no Ceph cluster: set CEPH_CONF (scripts/ceph-cluster.sh up DIR prints it)", null);
        }
        return conf;
    }

    /**
     * The process id of the cluster's OSD, from the {@code pids} file {@code scripts/ceph-cluster.sh} keeps next to
     * the configuration (monitor first, then the OSD); skips the test for a cluster started otherwise.
     */
    static long osdPid() throws IOException {
        Path pids = Path.of(conf()).resolveSibling("pids");
        List<String> lines = Files.isReadable(pids) ? Files.readAllLines(pids) : List.of();
        Assumptions.assumeTrue(lines.size() == 2,
                "the cluster was not started by scripts/ceph-cluster.sh (no pids file with a monitor and one OSD)");
        return Long.parseLong(lines.get(1).trim());
    }

    /** Creates an image of {@code bytes} in pool rbd with a unique name, and returns the name. */
    public static String createImage(long bytes) {
        conf();
        String name = "test-" + UUID.randomUUID().toString().substring(0, 8);
        rbd("create", "--size", (bytes >> 10) + "K", "rbd/" + name);
        return name;
    }

    /** Removes an image (ignoring failures). */
    public static void removeImage(String name) {
        try {
            run("rbd", "rm", "--no-progress", "rbd/" + name);
        } catch (RuntimeException e) {
            // best effort
        }
    }

    /** Runs {@code rbd} with the arguments; fails the test when it fails. */
    static String rbd(String... args) {
        List<String> line = new ArrayList<>(List.of("rbd"));
        line.addAll(List.of(args));
        return run(line.toArray(String[]::new));
    }

    /** The image's bytes, from {@code rbd export}. */
    static byte[] export(String name) throws IOException {
        Path file = Files.createTempFile("rbd-export", ".img");
        try {
            Files.delete(file);
            rbd("export", "--no-progress", "rbd/" + name, file.toString());
            return Files.readAllBytes(file);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** Skips (or under CI=true fails) the test when {@code tool} is not on the PATH. */
    public static void requireTool(String tool, String packages) {
        NativeTools.require(tool, packages);
    }

    public static String run(String... command) {
        try {
            Path out = Files.createTempFile("ceph-tool", ".out");
            try {
                Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
                p.getOutputStream().close();
                if (!p.waitFor(180, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new IllegalStateException(String.join(" ", command) + " did not finish in 180 s");
                }
                String text = Files.readString(out, StandardCharsets.UTF_8);
                if (p.exitValue() != 0) {
                    throw new IllegalStateException(String.join(" ", command) + " failed: " + text);
                }
                return text;
            } finally {
                Files.deleteIfExists(out);
            }
        } catch (IOException e) {
            throw new IllegalStateException(String.join(" ", command) + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
