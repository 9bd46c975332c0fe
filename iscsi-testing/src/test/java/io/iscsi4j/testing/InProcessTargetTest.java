package io.iscsi4j.testing;

import io.iscsi4j.testing.RecordedCommand.Type;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link InProcessTarget} and {@link RecordingBackstore} with QEMU's libiscsi initiator. */
@Timeout(120)
class InProcessTargetTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void exposesPortalNameAndUrls() {
        try (InProcessTarget t = InProcessTarget.builder().iqn("iqn.2026-11.com.example:Disk").lun(1 << 20)
                .lunBlocks(4096, 256).chap("user", "pw").start()) {
            assertThat(t.portal().getAddress().getHostAddress()).isEqualTo("127.0.0.1");
            assertThat(t.port()).isPositive();
            assertThat(t.iqn()).isEqualTo("iqn.2026-11.com.example:disk");
            assertThat(t.url(1)).isEqualTo("iscsi://127.0.0.1:" + t.port() + "/iqn.2026-11.com.example:disk/1");
            assertThat(t.urlWithCredentials(0))
                    .isEqualTo("iscsi://user%pw@127.0.0.1:" + t.port() + "/iqn.2026-11.com.example:disk/0");
            assertThat(t.lunCount()).isEqualTo(2);
            assertThat(t.backstore(1).blockSize()).isEqualTo(4096);
            assertThat(t.backstore(1).blockCount()).isEqualTo(256);
            assertThatThrownBy(() -> t.url(2)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    @Tag("interop")
    void qemuIoWriteIsRecordedAtItsLba() throws Exception {
        try (InProcessTarget t = InProcessTarget.builder().lun(4 << 20).start()) {
            Tools.qemuIo(t.url(0), "write -P 0xab 4096 8192").assertSuccess();

            RecordedCommand write = t.backstore(0).takeCommand(Type.WRITE, WAIT);

            // qemu opens with cache=writethrough: every write carries FUA.
            assertThat(write).isEqualTo(new RecordedCommand(Type.WRITE, 8, 16, true));
            assertThat(t.backstore(0).readBlocks(8, 16)).containsOnly(0xab);
            assertThat(t.backstore(0).readBlocks(7, 1)).containsOnly(0);
        }
    }

    @Test
    @Tag("interop")
    void seededContentsAreWhatTheInitiatorReads() throws Exception {
        try (InProcessTarget t = InProcessTarget.builder().lun(4 << 20).start()) {
            t.backstore(0).writeBlocks(100, FaultPolicyInitiatorTest.filled(1024, 0x3c));
            assertThat(t.backstore(0).pollCommand()).as("direct access is not recorded").isEmpty();

            Tools.qemuIo(t.url(0), "read -P 0x3c 51200 1024").assertSuccess();

            assertThat(t.backstore(0).takeCommand(Type.READ, WAIT))
                    .isEqualTo(new RecordedCommand(Type.READ, 100, 2, false));
            Tools.Result wrong = Tools.qemuIo(t.url(0), "read -P 0x3d 51200 1024");
            assertThat(wrong.output()).as(wrong.describe()).contains("Pattern verification failed");
        }
    }

    @Test
    @Tag("interop")
    void writeZeroesUnmapAndFlushAreRecorded() throws Exception {
        try (InProcessTarget t = InProcessTarget.builder().lun(4 << 20).start()) {
            Tools.qemuIo(t.url(0), "write -z 65536 65536", "discard 1048576 1048576", "flush").assertSuccess();

            var commands = t.backstore(0).drainCommands();

            assertThat(commands).as(commands.toString()).anySatisfy(c -> {
                assertThat(c.type()).isIn(Type.WRITE_SAME, Type.WRITE, Type.UNMAP);
                assertThat(c.lba()).isEqualTo(128);
            });
            assertThat(commands).contains(new RecordedCommand(Type.UNMAP, 2048, 2048, false));
        }
    }

    @Test
    void takeCommandFailsOnTimeout() {
        try (InProcessTarget t = InProcessTarget.builder().start()) {
            long started = System.nanoTime();
            assertThatThrownBy(() -> t.backstore(0).takeCommand(Duration.ofMillis(200)))
                    .isInstanceOf(AssertionError.class).hasMessageContaining("200 ms");
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isGreaterThanOrEqualTo(190);
        }
    }

    @Test
    @Tag("interop")
    void chapIsRequiredWhenConfigured() {
        try (InProcessTarget t = InProcessTarget.builder().chap("user", "pw").start()) {
            Tools.Result anonymous = Tools.qemuIo(t.url(0), "read 0 512");
            assertThat(anonymous.exitCode()).as(anonymous.describe()).isNotZero();

            Tools.qemuIo(t.urlWithCredentials(0), "read 0 512").assertSuccess();
        }
    }

    @Test
    void startsAndStopsInMilliseconds() {
        InProcessTarget.Builder b = InProcessTarget.builder().lun(1 << 20);
        b.start().close(); // warm up class loading
        int n = 100;
        long started = System.nanoTime();
        InetSocketAddress last = null;
        for (int i = 0; i < n; i++) {
            try (InProcessTarget t = b.start()) {
                last = t.portal();
            }
        }
        long perTarget = (System.nanoTime() - started) / n;
        System.out.printf("in-process target start+stop: %.2f ms per target (%d targets)%n",
                perTarget / 1e6, n);
        assertThat(last).isNotNull();
    }
}
