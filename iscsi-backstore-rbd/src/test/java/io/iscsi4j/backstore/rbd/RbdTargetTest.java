package io.iscsi4j.backstore.rbd;

import static org.assertj.core.api.Assertions.assertThat;

import io.iscsi4j.testing.InProcessTarget;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RBD images served by an in-process target to real initiators (QEMU, libiscsi); what they write is checked with
 * {@code rbd export}, and what {@code rbd import} wrote is read back through the target.
 */
class RbdTargetTest {

    private static final int MIB = 1 << 20;

    @TempDir
    Path dir;

    private final List<String> images = new java.util.ArrayList<>();
    private InProcessTarget target;

    @BeforeEach
    void cluster() {
        CephCluster.conf();
    }

    @AfterEach
    void close() {
        if (target != null) {
            target.close();
        }
        images.forEach(CephCluster::removeImage);
    }

    private String image(long bytes) {
        String name = CephCluster.createImage(bytes);
        images.add(name);
        return name;
    }

    private InProcessTarget serve(String... names) {
        InProcessTarget.Builder b = InProcessTarget.builder();
        for (String name : names) {
            b.lun(() -> {
                try {
                    return RbdBackstore.builder().conf(CephCluster.conf()).image(name).open();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
        target = b.start();
        return target;
    }

    private Path randomFile(String name, int bytes, long seed) throws IOException {
        byte[] data = new byte[bytes];
        new Random(seed).nextBytes(data);
        return Files.write(dir.resolve(name), data);
    }

    @Test
    void qemuImgCopiesAnImageInAndOut() throws IOException {
        CephCluster.requireTool("qemu-img", "qemu-utils and qemu-block-extra");
        Path in = randomFile("in.img", 64 * MIB, 1);
        String written = image(64L * MIB);
        Path other = randomFile("other.img", 64 * MIB, 2);
        String imported = "test-import-" + Long.toHexString(System.nanoTime());
        CephCluster.rbd("import", "--no-progress", other.toString(), "rbd/" + imported);
        images.add(imported);
        InProcessTarget t = serve(written, imported);

        CephCluster.run("qemu-img", "convert", "-n", "-f", "raw", "-O", "raw", in.toString(), t.url(0));
        assertThat(Arrays.equals(CephCluster.export(written), Files.readAllBytes(in)))
                .as("rbd export of what qemu-img wrote through the target").isTrue();

        Path out = dir.resolve("out.img");
        CephCluster.run("qemu-img", "convert", "-f", "raw", "-O", "raw", t.url(1), out.toString());
        assertThat(Arrays.equals(Files.readAllBytes(out), Files.readAllBytes(other)))
                .as("what rbd import wrote, read through the target").isTrue();
    }

    @Test
    void qemuIoPatternsAndDiscardReachTheImage() throws IOException {
        CephCluster.requireTool("qemu-io", "qemu-utils and qemu-block-extra");
        String name = image(16L * MIB);
        InProcessTarget t = serve(name);
        String out = CephCluster.run("qemu-io", "-f", "raw",
                "-c", "write -P 0x5a 1M 1M",
                "-c", "write -P 0xa5 3584 1024",
                "-c", "read -P 0x5a 1M 1M",
                "-c", "discard 1536K 64K",
                "-c", "read -P 0 1536K 64K",
                "-c", "flush",
                t.url(0));
        assertThat(out).doesNotContain("Pattern verification failed").doesNotContain("failed");
        byte[] medium = CephCluster.export(name);
        byte[] expected = new byte[16 * MIB];
        Arrays.fill(expected, 3584, 3584 + 1024, (byte) 0xa5);
        Arrays.fill(expected, MIB, 2 * MIB, (byte) 0x5a);
        Arrays.fill(expected, 1536 * 1024, 1600 * 1024, (byte) 0);
        assertThat(Arrays.equals(medium, expected)).as("the medium after the qemu-io commands").isTrue();
    }

    @Test
    void libiscsiFamiliesThatExerciseTheBackstorePass() {
        CephCluster.requireTool("iscsi-test-cu", "libiscsi-bin");
        String name = image(64L * MIB);
        InProcessTarget t = serve(name);
        for (String family : List.of("SCSI.CompareAndWrite", "SCSI.Unmap", "SCSI.WriteSame10", "SCSI.WriteSame16",
                "SCSI.GetLBAStatus", "SCSI.Read16", "SCSI.Write16", "SCSI.ReadCapacity16",
                "SCSI.Verify16", "SCSI.OrWrite", "SCSI.WriteVerify16", "SCSI.ExtendedCopy")) {
            String out = CephCluster.run("iscsi-test-cu", "--dataloss", "--test", family, t.url(0));
            java.util.regex.Matcher m = java.util.regex.Pattern
                    .compile("tests\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)").matcher(out);
            assertThat(m.find()).as(family + ": a CUnit summary in\n" + out).isTrue();
            assertThat(Integer.parseInt(m.group(2))).as(family + ": tests run\n" + out).isPositive();
            assertThat(Integer.parseInt(m.group(4))).as(family + ": tests failed\n" + out).isZero();
        }
    }
}
