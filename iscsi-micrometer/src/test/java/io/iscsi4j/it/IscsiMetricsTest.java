package io.iscsi4j.it;

import io.iscsi4j.IscsiTarget;
import io.iscsi4j.micrometer.IscsiMetrics;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link IscsiMetrics} on Micrometer's {@link SimpleMeterRegistry}, after real traffic from the test initiator:
 * logins by outcome, sessions, per-LUN commands, bytes, errors and the latency buckets.
 */
@Timeout(60)
class IscsiMetricsTest {

    @Test
    void metersReadTheTargetsCounters() throws Exception {
        try (IscsiTarget target = Targets.start(b -> b.target("iqn.2026-11.io.iscsi4j:chap",
                t -> t.lun(0, io.iscsi4j.backstore.Backstores.memory(1 << 20)).chap("user", "secret-of-12chars")))) {
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            new IscsiMetrics(target, Tags.of("application", "test")).bindTo(registry);
            String portal = "127.0.0.1:" + target.localAddress().getPort();

            try (TestInitiator refused = TestInitiator.connect(target.localAddress())) {
                assertThatThrownBy(() -> refused.login(TestInitiator.INITIATOR_NAME,
                        "iqn.2026-11.io.iscsi4j:chap", Map.of())).isInstanceOf(LoginFailure.class);
            }
            try (TestInitiator i = Targets.login(target, Map.of())) {
                byte[] data = Targets.pattern(8192, 3);
                assertThat(i.write16(0, data).good()).isTrue();
                assertThat(i.read16(0, 16).data()).isEqualTo(data);
                assertThat(i.read16(Targets.LUN_SIZE / 512, 1).good()).isFalse();

                assertThat(count(registry, "iscsi.logins", "portal", portal, "result", "accepted")).isEqualTo(1);
                assertThat(count(registry, "iscsi.logins", "portal", portal, "result", "authentication_failure"))
                        .isEqualTo(1);
                assertThat(count(registry, "iscsi.logins", "portal", portal, "result", "other_refusal")).isZero();
                assertThat(registry.get("iscsi.sessions").tag("target", Targets.IQN).tag("application", "test")
                        .gauge().value()).isEqualTo(1);
                assertThat(registry.get("iscsi.sessions").tag("target", "iqn.2026-11.io.iscsi4j:chap")
                        .gauge().value()).isZero();

                String iqn = Targets.IQN;
                assertThat(count(registry, "iscsi.lun.commands", "target", iqn, "lun", "0", "type", "read"))
                        .isEqualTo(2);
                assertThat(count(registry, "iscsi.lun.commands", "target", iqn, "lun", "0", "type", "write"))
                        .isEqualTo(1);
                assertThat(count(registry, "iscsi.lun.bytes", "target", iqn, "lun", "0", "direction", "read"))
                        .isEqualTo(8192);
                assertThat(count(registry, "iscsi.lun.bytes", "target", iqn, "lun", "0", "direction", "write"))
                        .isEqualTo(8192);
                assertThat(count(registry, "iscsi.lun.check.conditions", "target", iqn, "lun", "0")).isEqualTo(1);
                assertThat(registry.get("iscsi.lun.in.flight").tag("target", iqn).gauge().value()).isZero();
                assertThat(count(registry, "iscsi.lun.latency.buckets", "target", iqn, "lun", "0", "le", "+Inf"))
                        .as("every answered command is in the last bucket").isEqualTo(3);
                double previous = 0;
                for (FunctionCounter c : registry.get("iscsi.lun.latency.buckets").tag("target", iqn)
                        .functionCounters().stream()
                        .sorted(java.util.Comparator.comparingDouble(IscsiMetricsTest::le)).toList()) {
                    assertThat(c.count()).as("cumulative").isGreaterThanOrEqualTo(previous);
                    previous = c.count();
                }
                assertThat(i.logout()).isZero();
            }
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (count(registry, "iscsi.session.ends", "portal", portal, "reason", "logout") < 1
                    && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(count(registry, "iscsi.session.ends", "portal", portal, "reason", "logout")).isEqualTo(1);
            assertThat(count(registry, "iscsi.session.ends", "portal", portal, "reason", "drop")).isZero();
        }
    }

    private static double le(FunctionCounter c) {
        String le = c.getId().getTag("le");
        return "+Inf".equals(le) ? Double.POSITIVE_INFINITY : Double.parseDouble(le);
    }

    private static double count(SimpleMeterRegistry registry, String name, String... tags) {
        return registry.get(name).tags(tags).functionCounter().count();
    }
}
