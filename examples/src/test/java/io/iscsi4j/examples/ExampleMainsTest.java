package io.iscsi4j.examples;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs each example's {@code main} as a user would (serving for a few seconds) and drives the LUN it prints with
 * qemu-io while it serves.
 */
@Timeout(120)
@Tag("interop")
class ExampleMainsTest {

    private static final Pattern URL = Pattern.compile("serving (iscsi://127\\.0\\.0\\.1:\\d+/\\S+/0)");

    /** What a main printed, and the qemu-io result obtained while it served. */
    private record Run(String output, QemuIo.Result result) {
    }

    private interface Main {
        void run(String[] args) throws Exception;
    }

    private interface Client {
        QemuIo.Result drive(String url) throws Exception;
    }

    /** Runs {@code main} with {@code args} on another thread, waits for its URL, drives it, waits for the end. */
    private static synchronized Run run(Main main, Client client, String... args) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream original = System.out;
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            CompletableFuture<Void> done = CompletableFuture.runAsync(() -> {
                try {
                    main.run(args);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            String url = null;
            for (int i = 0; i < 200 && url == null && !done.isDone(); i++) {
                Matcher m = URL.matcher(bytes.toString(StandardCharsets.UTF_8));
                if (m.find()) {
                    url = m.group(1);
                } else {
                    Thread.sleep(50);
                }
            }
            assertThat(url).as("the URL line in %s", bytes.toString(StandardCharsets.UTF_8)).isNotNull();
            QemuIo.Result result = client.drive(url);
            done.get(60, TimeUnit.SECONDS);
            return new Run(bytes.toString(StandardCharsets.UTF_8), result);
        } finally {
            System.setOut(original);
        }
    }

    @Test
    void embeddedExampleServesAWritableMemoryDisk() throws Exception {
        Run run = run(EmbeddedExample::main, url -> QemuIo.run(url, "write -P 0x42 0 64k", "read -P 0x42 0 64k"),
                "5");

        assertThat(run.result().allSucceeded()).as("%s", run.result()).isTrue();
    }

    @Test
    void copyOnWriteExampleServesAWritableCloneAndReportsTheChangedChunks() throws Exception {
        Run run = run(CopyOnWriteExample::main,
                url -> QemuIo.run(url, "read -P 0xab 0 8k", "write -P 0x42 512 512", "read -P 0x42 512 512"), "5");

        assertThat(run.result().allSucceeded()).as("%s", run.result()).isTrue();
        assertThat(run.output()).contains("chunks changed by the initiator: 1 (4096 bytes each)");
    }

    @Test
    void rbdExampleServesAnImage() throws Exception {
        String conf = System.getenv("CEPH_CONF");
        if (conf == null || conf.isEmpty()) {
            io.iscsi4j.core.testsupport.NativeTools.missing(
                    "no Ceph cluster: set CEPH_CONF (scripts/ceph-cluster.sh up DIR prints it)", null);
        }
        String image = "example-" + Long.toHexString(System.nanoTime());
        assertThat(new ProcessBuilder("rbd", "create", "--size", "16M", "rbd/" + image).inheritIO().start()
                .waitFor()).as("rbd create").isZero();
        try {
            Run run = run(RbdExample::main, url -> QemuIo.run(url, "write -P 0x42 0 64k", "read -P 0x42 0 64k"),
                    "rbd/" + image, "5");

            assertThat(run.result().allSucceeded()).as("%s", run.result()).isTrue();
            assertThat(run.output()).contains("from rbd/" + image + " (16777216 bytes, serial ");
        } finally {
            new ProcessBuilder("rbd", "rm", "--no-progress", "rbd/" + image).inheritIO().start()
                    .waitFor(60, TimeUnit.SECONDS);
        }
    }

    @Test
    void flakyDiskExampleFailsReadsOfItsBadBlocksOnly() throws Exception {
        Run run = run(FlakyDiskExample::main, url -> QemuIo.run(url, "read 0 4k", "read 1M 4k", "read 2M 4k"), "5");

        assertThat(run.result().output()).as("%s", run.result())
                .containsOnlyOnce("read failed")
                .contains("failed at lba 2048")
                .contains("(0x1100)");
        assertThat(run.output()).contains("bad blocks: LBA 2048 to 2055");
    }
}
