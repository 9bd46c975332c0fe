package io.iscsi4j.examples;

import io.iscsi4j.IscsiTarget;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What an independent initiator (qemu-io, through libiscsi) sees of {@link FlakyBackstore}'s injected faults: the
 * failing command gets CHECK CONDITION with the sense key and ASC/ASCQ the SPI documents (qemu-io prints them), and
 * every other command still works.
 */
@Timeout(120)
@Tag("interop")
class FlakyDiskInteropTest {

    private static final String IQN = "iqn.2026-11.io.iscsi4j:flaky-test";

    private static String url(IscsiTarget target) {
        return "iscsi://127.0.0.1:" + target.localAddress().getPort() + "/" + IQN + "/0";
    }

    private static IscsiTarget serve(FlakyBackstore disk) throws Exception {
        return IscsiTarget.builder()
                .portal("127.0.0.1", 0)
                .target(IQN, t -> t.lun(0, disk))
                .build()
                .start();
    }

    @Test
    void aReadOfABadBlockFailsWithMediumErrorUnrecoveredReadErrorWhileItsNeighboursRead() throws Exception {
        try (IscsiTarget target = serve(FlakyDiskExample.flakyDisk())) {
            QemuIo.Result bad = QemuIo.run(url(target), "read 1M 4k");
            QemuIo.Result before = QemuIo.run(url(target), "read 0 4k", "read 1020k 4k");
            QemuIo.Result after = QemuIo.run(url(target), "read 1028k 4k", "read 63M 1M");

            assertThat(bad.allSucceeded()).as("%s", bad).isFalse();
            assertThat(bad.output()).as("%s", bad)
                    .contains("read failed: Input/output error")
                    .contains("failed at lba 2048")
                    .contains("(3)")         // sense key MEDIUM ERROR
                    .contains("(0x1100)");   // ASC/ASCQ UNRECOVERED READ ERROR
            assertThat(before.allSucceeded()).as("%s", before).isTrue();
            assertThat(after.allSucceeded()).as("%s", after).isTrue();
        }
    }

    @Test
    void aReadThatOnlyOverlapsTheBadBlocksFailsToo() throws Exception {
        try (IscsiTarget target = serve(FlakyDiskExample.flakyDisk())) {
            QemuIo.Result r = QemuIo.run(url(target), "read 1020k 8k");

            assertThat(r.output()).as("%s", r).contains("read failed").contains("(0x1100)");
        }
    }

    @Test
    void aWriteToABadBlockFailsWithWriteErrorAndChangesNothingElse() throws Exception {
        try (IscsiTarget target = serve(FlakyDiskExample.flakyDisk())) {
            QemuIo.Result bad = QemuIo.run(url(target), "write -P 0x5a 1M 512");
            QemuIo.Result good = QemuIo.run(url(target), "write -P 0x5a 0 4k", "read -P 0x5a 0 4k",
                    "read -P 0 4k 4k");

            assertThat(bad.output()).as("%s", bad)
                    .contains("write failed: Input/output error")
                    .contains("(3)")         // MEDIUM ERROR
                    .contains("(0x0c00)");   // WRITE ERROR
            assertThat(good.allSucceeded()).as("%s", good).isTrue();
        }
    }

    @Test
    void everyThirdWriteFails() throws Exception {
        try (IscsiTarget target = serve(FlakyDiskExample.flakyDisk().failEveryNthWrite(3))) {
            QemuIo.Result r = QemuIo.run(url(target),
                    "write -P 1 0 4k", "write -P 2 4k 4k", "write -P 3 8k 4k", "write -P 4 12k 4k",
                    "read -P 1 0 4k", "read -P 2 4k 4k", "read -P 0 8k 4k", "read -P 4 12k 4k");

            assertThat(r.output()).as("%s", r)
                    .containsOnlyOnce("write failed")
                    .contains("failed at lba 16:")
                    .doesNotContain("read failed")
                    .doesNotContain("Pattern verification failed");
        }
    }

    @Test
    void notReadyStorageFailsEveryCommandWithNotReadyUntilItRecovers() throws Exception {
        FlakyBackstore disk = FlakyDiskExample.flakyDisk();
        try (IscsiTarget target = serve(disk)) {
            disk.notReady(true);
            QemuIo.Result down = QemuIo.run(url(target), "read 0 4k");
            disk.notReady(false);
            QemuIo.Result up = QemuIo.run(url(target), "read 0 4k");

            assertThat(down.output()).as("%s", down)
                    .contains("read failed")
                    .contains("NOT READY(2)")
                    .contains("(0x0400)");   // LOGICAL UNIT NOT READY, CAUSE NOT REPORTABLE
            assertThat(up.allSucceeded()).as("%s", up).isTrue();
        }
    }
}
