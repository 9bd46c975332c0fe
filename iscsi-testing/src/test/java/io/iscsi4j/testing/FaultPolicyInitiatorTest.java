package io.iscsi4j.testing;

import io.iscsi4j.testing.RecordedCommand.Type;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Each fault of {@link FaultPolicy} as QEMU's libiscsi initiator sees it. */
@Timeout(120)
@Tag("interop")
class FaultPolicyInitiatorTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @RegisterExtension
    final IscsiTargetExtension iscsi = IscsiTargetExtension.builder().lun(16L << 20).build();

    @Test
    void mediumErrorFailsTheReadWithSenseAtTheFirstBadBlock() throws Exception {
        iscsi.faults().mediumError(16, 8);

        Tools.Result r = Tools.qemuIo(iscsi.url(0), "read 8192 4096");

        assertThat(r.stdout()).as(r.describe()).contains("read failed: Input/output error");
        // MEDIUM ERROR (3) / UNRECOVERED READ ERROR (11h/00h) at LBA 16.
        assertThat(r.stderr()).as(r.describe()).contains("failed at lba 16").contains("(3)").contains("0x1100");
        // The read reached the storage layer: recorded, then failed by the policy.
        assertThat(iscsi.backstore(0).takeCommand(Type.READ, WAIT)).isEqualTo(new RecordedCommand(Type.READ, 16, 8, false));

        iscsi.faults().clearMediumErrors();
        Tools.qemuIo(iscsi.url(0), "read 8192 4096").assertSuccess();
    }

    @Test
    void mediumErrorOnlyHitsTheChosenRange() {
        iscsi.faults().mediumError(1000, 1);

        Tools.qemuIo(iscsi.url(0), "read 0 4096", "write -P 0x11 8192 4096").assertSuccess();
        Tools.Result r = Tools.qemuIo(iscsi.url(0), "write -P 0x11 " + (996 * 512) + " 4096");

        assertThat(r.stdout()).as(r.describe()).contains("write failed: Input/output error");
        assertThat(r.stderr()).as(r.describe()).contains("0x0c00"); // WRITE ERROR
    }

    @Test
    void notReadyFailsTheOpenWithNotReadySense() {
        iscsi.faults().notReady(true);

        Tools.Result r = Tools.qemuIo(iscsi.url(0), "read 0 4096");

        assertThat(r.exitCode()).as(r.describe()).isNotZero();
        assertThat(r.stderr()).as(r.describe()).contains("NOT READY(2)").contains("0x0400");

        iscsi.faults().notReady(false);
        Tools.qemuIo(iscsi.url(0), "read 0 4096").assertSuccess();
    }

    @Test
    void busyIsRetriedByTheInitiatorAndNeverReachesTheStorage() throws Exception {
        iscsi.faults().busy(2);

        Tools.Result r = Tools.qemuIo(iscsi.url(0), "read 0 4096").assertSuccess();

        assertThat(r.stderr()).as(r.describe())
                .contains("retry #1").contains("retry #2").doesNotContain("retry #3").contains("BUSY");
        List<RecordedCommand> reads = iscsi.backstore(0).drainCommands().stream()
                .filter(c -> c.type() == Type.READ).toList();
        assertThat(reads).containsExactly(new RecordedCommand(Type.READ, 0, 8, false));
    }

    @Test
    void taskSetFullIsRetriedByTheInitiator() {
        iscsi.faults().taskSetFull(2);

        Tools.Result r = Tools.qemuIo(iscsi.url(0), "write -P 0x42 0 4096").assertSuccess();

        assertThat(r.stderr()).as(r.describe()).contains("TASK_SET_FULL").contains("retry #2");
        assertThat(iscsi.backstore(0).readBlocks(0, 8)).containsOnly(0x42);
    }

    @Test
    void droppedConnectionIsSurvivedByReconnecting() throws Exception {
        iscsi.backstore(0).writeBlocks(0, filled(4096, 0x5A));
        iscsi.faults().dropConnectionAfter(0);

        Tools.Result r = Tools.qemuIo(iscsi.url(0), "read -P 0x5a 0 4096").assertSuccess();

        assertThat(iscsi.faults().droppedConnections()).as(r.describe()).isEqualTo(1);
        // The dropped READ never reached the storage; the one retried after the reconnect did.
        List<RecordedCommand> reads = iscsi.backstore(0).drainCommands().stream()
                .filter(c -> c.type() == Type.READ).toList();
        assertThat(reads).containsExactly(new RecordedCommand(Type.READ, 0, 8, false));
    }

    @Test
    void rejectedLoginFailsTheOpenWithTheLoginStatus() {
        iscsi.faults().rejectLogins();

        Tools.Result r = Tools.qemuIo(iscsi.url(0), "read 0 4096");

        assertThat(r.exitCode()).as(r.describe()).isNotZero();
        assertThat(r.stderr()).as(r.describe()).contains("Authorization failure(514)");

        iscsi.faults().rejectLogins(3, 1);
        r = Tools.qemuIo(iscsi.url(0), "read 0 4096");
        assertThat(r.stderr()).as(r.describe()).contains("(769)"); // 0x0301 service unavailable

        iscsi.faults().acceptLogins();
        Tools.qemuIo(iscsi.url(0), "read 0 4096").assertSuccess();
    }

    @Test
    void droppedLoginFailsTheOpen() {
        iscsi.faults().dropLogins(true);

        Tools.Result r = Tools.qemuIo(iscsi.url(0), "read 0 4096");

        assertThat(r.exitCode()).as(r.describe()).isNotZero();
        assertThat(r.stderr()).as(r.describe()).contains("Failed to connect to LUN");
        assertThat(iscsi.faults().droppedConnections()).isPositive();
        assertThat(iscsi.backstore(0).pollCommand()).isEmpty();
    }

    @Test
    void latencyIsObservableByTheInitiator() {
        Tools.Result fast = Tools.qemuIo(iscsi.url(0), "read 0 4096").assertSuccess();
        iscsi.faults().latency(Duration.ofMillis(400));

        Tools.Result slow = Tools.qemuIo(iscsi.url(0), "read 0 4096", "read 4096 4096").assertSuccess();

        // qemu-io times each command: "4 KiB, 1 ops; 00.40 sec (...)".
        assertThat(seconds(slow.stdout())).as(slow.describe()).allSatisfy(s -> assertThat(s).isGreaterThanOrEqualTo(0.39));
        assertThat(seconds(fast.stdout())).as(fast.describe()).allSatisfy(s -> assertThat(s).isLessThan(0.39));
    }

    @Test
    void stalledIoHoldsTheInitiatorAndClosingDoesNotHang() throws Exception {
        InProcessTarget target = iscsi.target();
        target.faults().stall();
        Process qemu = Tools.start("qemu-io", "-f", "raw", "-c", "read 0 4096", target.url(0));
        try {
            assertThat(target.backstore(0).takeCommand(Type.READ, Duration.ofSeconds(30)))
                    .isEqualTo(new RecordedCommand(Type.READ, 0, 8, false));
            Thread.sleep(300);
            assertThat(target.faults().stalledOperations()).isEqualTo(1);
            assertThat(qemu.isAlive()).as("the initiator waits for the stalled read").isTrue();

            long started = System.nanoTime();
            target.close();
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

            assertThat(millis).as("close with a stalled read took %d ms", millis).isLessThan(5_000);
            assertThat(target.faults().stalledOperations()).isZero();
        } finally {
            qemu.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void releasingAStallLetsTheReadComplete() throws Exception {
        iscsi.faults().stall();
        Process qemu = Tools.start("qemu-io", "-f", "raw", "-c", "read 0 4096", iscsi.url(0));
        try {
            iscsi.backstore(0).takeCommand(Type.READ, Duration.ofSeconds(30));
            Thread.sleep(300);
            assertThat(qemu.isAlive()).isTrue();

            iscsi.faults().releaseStalled();

            assertThat(qemu.waitFor(20, TimeUnit.SECONDS)).as("qemu-io finished after the release").isTrue();
            assertThat(qemu.exitValue()).isZero();
        } finally {
            qemu.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    static byte[] filled(int length, int value) {
        byte[] b = new byte[length];
        java.util.Arrays.fill(b, (byte) value);
        return b;
    }

    /** The "SS.ss sec" timings qemu-io prints, one per command (all shorter than a minute here). */
    private static List<Double> seconds(String stdout) {
        List<Double> out = new java.util.ArrayList<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("ops; (?:\\d+:)*(\\d+\\.\\d+) sec").matcher(stdout);
        while (m.find()) {
            out.add(Double.parseDouble(m.group(1)));
        }
        assertThat(out).as("timings in " + stdout).isNotEmpty();
        return out;
    }
}
