package io.iscsi4j.it;

import io.iscsi4j.IscsiTarget;
import io.iscsi4j.backstore.Backstores;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Names the initiator sends reach the log escaped: a line break in an InitiatorName cannot forge a log line.
 * (The tests log at WARN; a refused authorization is logged there.)
 */
@Timeout(60)
class WireTextInLogsTest {

    private static final String FORGED = "2026-11-21 WARN io.iscsi4j forged line";

    @Test
    void aLineBreakInARefusedInitiatorNameIsEscapedInTheLog() throws Exception {
        String evil = "iqn.2026-11.org.example:evil\n" + FORGED;
        try (IscsiTarget target = IscsiTarget.builder()
                .portal("127.0.0.1", 0)
                .target(Targets.IQN, t -> t.lun(0, Backstores.memory(1 << 20))
                        .allowInitiator(TestInitiator.INITIATOR_NAME))
                .eventLoopThreads(1)
                .ioThreads(1)
                .build()
                .start();
             StandardErrorCapture log = new StandardErrorCapture()) {
            try (TestInitiator i = TestInitiator.connect(target.localAddress())) {
                assertThatThrownBy(() -> i.login(evil, Targets.IQN, Map.of()))
                        .isInstanceOfSatisfying(LoginFailure.class, f -> {
                            assertThat(f.statusClass()).isEqualTo(0x02);
                            assertThat(f.statusDetail()).as("authorization failure").isEqualTo(0x02);
                        });
                assertThat(i.awaitClose(Duration.ofSeconds(3))).isTrue();
            }
            String escaped = "iqn.2026-11.org.example:evil\\x0a" + FORGED;
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (!log.text().contains(escaped) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(log.text()).contains(escaped + ": login refused: AUTHORIZATION_FAILURE");
            assertThat(Arrays.stream(log.text().split("\\R"))).noneMatch(line -> line.startsWith(FORGED));
        }
    }
}
