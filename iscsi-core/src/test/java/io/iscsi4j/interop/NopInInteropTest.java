package io.iscsi4j.interop;

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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

import static io.iscsi4j.interop.InteropTargets.IQN;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real initiator (QEMU's libiscsi driver through {@code qemu-io}) answers the target's NOP-In pings: with a
 * 300 ms ping interval and a 1 s response timeout it stays logged in, in one session, across seconds of idle
 * time between I/Os, answering every ping (libiscsi's debug log shows each NOP-In and its NOP-Out).
 */
@Timeout(120)
@Tag("interop")
class NopInInteropTest {

    private static final Pattern PING = Pattern.compile("NOP-In received \\(pdu->itt ffffffff, pdu->ttt (?!ffffffff)");
    private static final Pattern ANSWER = Pattern.compile(
            "NOP Out Send \\([^)]*pdu->itt ffffffff, pdu->ttt (?!ffffffff)");

    @Test
    @DisplayName("qemu-io: idle for 3 × 2 s with a 300 ms NOP-In interval, one session, no dropped connection")
    void idleInitiatorKeepsItsSession() throws Exception {
        AtomicInteger logins = new AtomicInteger();
        AtomicInteger drops = new AtomicInteger();
        AtomicInteger logouts = new AtomicInteger();
        TargetListener events = new TargetListener() {
            @Override
            public void loginSucceeded(SessionInfo session) {
                logins.incrementAndGet();
            }

            @Override
            public void connectionDropped(SessionInfo session) {
                drops.incrementAndGet();
            }

            @Override
            public void loggedOut(SessionInfo session) {
                logouts.incrementAndGet();
            }
        };
        try (IscsiTarget target = IscsiTarget.builder()
                .portal("127.0.0.1", 0)
                .target(IQN, t -> t.lun(0, Backstores.memory(16 << 20)))
                .nopInInterval(Duration.ofMillis(300))
                .nopInTimeout(Duration.ofSeconds(1))
                .listener(events)
                .build()
                .start()) {
            String url = InteropTargets.lunUrl(target, IQN, 0);
            List<String> commands = List.of(
                    "write -P 0x5a 0 65536", "sleep 2000",
                    "read -P 0x5a 0 65536", "sleep 2000",
                    "write -P 0xa5 1048576 4096", "sleep 2000",
                    "read -P 0xa5 1048576 4096");
            long start = System.nanoTime();
            List<String> line = new ArrayList<>(List.of("qemu-io", "-f", "raw"));
            commands.forEach(c -> {
                line.add("-c");
                line.add(c);
            });
            line.add(url);
            Result r = InitiatorTools.run(InitiatorTools.DEFAULT_TIMEOUT, Map.of(InitiatorTools.LIBISCSI_DEBUG, "6"),
                    line.toArray(String[]::new));
            InitiatorTools.requireQemuIscsiDriver(r);
            r.assertSuccess();
            String all = r.stdout() + r.stderr();
            assertThat(all).as(r.describe()).doesNotContain("Pattern verification failed")
                    .contains("wrote 65536/65536 bytes at offset 0", "read 65536/65536 bytes at offset 0",
                            "wrote 4096/4096 bytes at offset 1048576", "read 4096/4096 bytes at offset 1048576");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as(r.describe())
                    .isGreaterThanOrEqualTo(Duration.ofSeconds(6));
            // Listener events arrive on their own thread: wait for the logout to be reported.
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (logouts.get() + drops.get() < 1 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(logins.get()).as("one login, no reconnect\n%s", r.describe()).isEqualTo(1);
            assertThat(drops.get()).as("no connection dropped\n%s", r.describe()).isZero();
            assertThat(logouts.get()).as("logged out at the end\n%s", r.describe()).isEqualTo(1);
            // libiscsi at debug level 6 logs each target ping it received and the NOP-Out it answered with.
            long pings = PING.matcher(all).results().count();
            long answers = ANSWER.matcher(all).results().count();
            assertThat(pings).as("pings received over 6 s idle at a 300 ms interval\n%s", r.describe())
                    .isGreaterThanOrEqualTo(6);
            assertThat(answers).as("every ping answered").isEqualTo(pings);
        }
    }
}
