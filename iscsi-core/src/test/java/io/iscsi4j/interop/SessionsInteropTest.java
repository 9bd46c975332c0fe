package io.iscsi4j.interop;

import io.iscsi4j.ActiveSession;
import io.iscsi4j.IscsiStatistics;
import io.iscsi4j.IscsiTarget;
import io.iscsi4j.TargetListener;
import io.iscsi4j.backstore.Backstores;
import io.iscsi4j.interop.InitiatorTools.Result;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.iscsi4j.interop.InteropTargets.IQN;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real initiator (QEMU's libiscsi driver through {@code qemu-io}) in {@link IscsiTarget#sessions()}: listed with
 * its initiator name and the parameters it negotiated, and ended by {@link ActiveSession#close(Duration)}, which
 * the initiator sees as a logout request (libiscsi logs it) and answers by logging out; its next I/O logs in again
 * and completes with the data written before.
 */
@Timeout(120)
@Tag("interop")
class SessionsInteropTest {

    @Test
    @DisplayName("qemu-io: listed in sessions(), closed by the target, logs in again and reads its data")
    void aRealSessionIsListedAndClosed() throws Exception {
        AtomicInteger logins = new AtomicInteger();
        TargetListener events = new TargetListener() {
            @Override
            public void loginSucceeded(SessionInfo session) {
                logins.incrementAndGet();
            }
        };
        try (IscsiTarget target = IscsiTarget.builder()
                .portal("127.0.0.1", 0)
                .target(IQN, t -> t.lun(0, Backstores.memory(16 << 20)))
                .listener(events)
                .build()
                .start()) {
            String url = InteropTargets.lunUrl(target, IQN, 0);
            List<String> line = new ArrayList<>(List.of("qemu-io", "-f", "raw"));
            for (String c : List.of("write -P 0x5a 0 65536", "sleep 4000", "read -P 0x5a 0 65536")) {
                line.add("-c");
                line.add(c);
            }
            line.add(url);
            CompletableFuture<Result> qemu = CompletableFuture.supplyAsync(() -> InitiatorTools.run(
                    InitiatorTools.DEFAULT_TIMEOUT, Map.of(InitiatorTools.LIBISCSI_DEBUG, "2"),
                    line.toArray(String[]::new)));

            ActiveSession session = awaitSession(target, qemu);
            assertThat(session.info().initiatorName()).startsWith("iqn.2008-11.org.linux-kvm");
            assertThat(session.info().targetName()).isEqualTo(IQN);
            assertThat(session.parameters()).containsEntry("SessionType", "Normal").containsKey("MaxBurstLength");
            assertThat(session.luns()).containsExactly(0);
            // The write before the sleep has been answered by now, or is about to be.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            while (session.statistics().bytesWritten() < 65536 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(session.statistics().bytesWritten()).isEqualTo(65536);

            session.close(Duration.ofSeconds(3)).toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertThat(session.isOpen()).isFalse();

            Result r = qemu.get(60, TimeUnit.SECONDS);
            InitiatorTools.requireQemuIscsiDriver(r);
            r.assertSuccess();
            String all = r.stdout() + r.stderr();
            assertThat(all).as(r.describe()).doesNotContain("Pattern verification failed")
                    .contains("wrote 65536/65536 bytes at offset 0", "read 65536/65536 bytes at offset 0");
            assertThat(logins.get()).as("a second login for the read\n%s", r.describe()).isEqualTo(2);
            assertThat(all).as("libiscsi saw the logout request and logged out\n%s", r.describe())
                    .contains("target requests logout within 3 seconds", "reconnect was successful");
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (target.iscsiStatistics().logouts() < 2 && System.nanoTime() < end) {
                Thread.sleep(20);
            }
            IscsiStatistics stats = target.iscsiStatistics();
            assertThat(stats.loginsAccepted()).isEqualTo(2);
            assertThat(stats.logouts()).as("the requested logout and the one at the end").isEqualTo(2);
            assertThat(stats.connectionDrops()).isZero();
        }
    }

    @Test
    @DisplayName("qemu-io: its ACL removed at run time, it is asked to log out and its next login is refused")
    void aRemovedAclEndsARealSession() throws Exception {
        try (IscsiTarget target = IscsiTarget.builder()
                .portal("127.0.0.1", 0)
                .target(IQN, t -> t.lun(0, Backstores.memory(16 << 20)).allowInitiator("iqn.2008-11.org.linux-kvm*"))
                .build()
                .start()) {
            String url = InteropTargets.lunUrl(target, IQN, 0);
            // libiscsi retries a refused reconnect for ever (1, 2, 3... s apart): coreutils' timeout ends it.
            List<String> line = new ArrayList<>(List.of("timeout", "12", "stdbuf", "-oL", "qemu-io", "-f", "raw"));
            for (String c : List.of("write -P 0x5a 0 65536", "sleep 3000", "read -P 0x5a 0 65536")) {
                line.add("-c");
                line.add(c);
            }
            line.add(url);
            CompletableFuture<Result> qemu = CompletableFuture.supplyAsync(() -> InitiatorTools.run(
                    InitiatorTools.DEFAULT_TIMEOUT, Map.of(InitiatorTools.LIBISCSI_DEBUG, "2"),
                    line.toArray(String[]::new)));
            ActiveSession session = awaitSession(target, qemu);
            long written = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            while (session.statistics().bytesWritten() < 65536 && System.nanoTime() < written) {
                Thread.sleep(20);
            }
            assertThat(session.statistics().bytesWritten()).as("the write before the sleep").isEqualTo(65536);
            int ended = target.target(IQN).setAccess(t -> t.allowInitiator("iqn.2026-11.io.iscsi4j:someone-else"),
                    Duration.ofSeconds(2));
            assertThat(ended).isEqualTo(1);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (session.isOpen() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(session.isOpen()).as("the session ended").isFalse();
            Result r = qemu.get(60, TimeUnit.SECONDS);
            InitiatorTools.requireQemuIscsiDriver(r);
            String all = r.stdout() + r.stderr();
            assertThat(r.exitCode()).as("killed by timeout, still retrying\n%s", r.describe()).isEqualTo(124);
            assertThat(all).as(r.describe()).contains("wrote 65536/65536 bytes at offset 0",
                    "target requests logout within 2 seconds", "logout successful",
                    "Failed to log in to target. Status: Authorization failure")
                    .doesNotContain("read 65536/65536 bytes");
            assertThat(target.iscsiStatistics().authorizationFailures()).as(r.describe()).isPositive();
            assertThat(target.sessions()).isEmpty();
        }
    }

    private static ActiveSession awaitSession(IscsiTarget target, CompletableFuture<Result> qemu)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            List<ActiveSession> sessions = target.sessions();
            if (!sessions.isEmpty()) {
                return sessions.get(0);
            }
            if (qemu.isDone()) {
                Result r = qemu.join();
                InitiatorTools.requireQemuIscsiDriver(r);
                throw new AssertionError("qemu-io ended before its session was seen\n" + r.describe());
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no session within 20 s");
    }
}
