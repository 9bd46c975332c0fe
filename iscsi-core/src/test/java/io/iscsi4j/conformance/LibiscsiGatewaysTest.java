package io.iscsi4j.conformance;

import io.iscsi4j.IscsiTarget;
import io.iscsi4j.backstore.Backstore;
import io.iscsi4j.backstore.Backstores;
import io.iscsi4j.backstore.ForwardingBackstore;
import io.iscsi4j.conformance.CuTestResult.Verdict;
import io.iscsi4j.conformance.IscsiTestCu.Run;
import io.iscsi4j.scsi.AccessState;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * libiscsi's multipath tests ({@code iscsi-test-cu -d -t ALL.MultipathIO URL MPURL}) across two gateways: two
 * targets in this JVM, port groups 1 and 2, serving the same storage under the same LUN serial, each the other's
 * peer. The suite checks that both paths identify the same logical unit and that writes, resets and COMPARE AND
 * WRITE through one path are seen through the other. Every test must pass except those of {@link #KNOWN_GAPS},
 * which must still fail (so the list shrinks when a gap is closed). The log is left in {@code target/conformance/}.
 */
class LibiscsiGatewaysTest {

    private static final String IQN = "iqn.2026-11.io.iscsi4j:gateways";
    private static final long BYTES = 64L << 20;
    private static final Duration TIMEOUT = Duration.ofMinutes(2);
    /**
     * Tests that fail across two gateways, and why. {@code MultipathIO.Reset} sends LOGICAL UNIT RESET through one
     * path and expects a unit attention on the others: the gateways share the storage, not the logical unit's
     * state, so the other gateway does not hear of the reset (it passes with two portals of one gateway, in
     * {@link LibiscsiConformanceTest}).
     */
    private static final Map<String, String> KNOWN_GAPS = Map.of("MultipathIO.Reset",
            "a LOGICAL UNIT RESET through one gateway is not shared with the other");

    /** Storage both gateways serve; the test closes it. */
    private static final class Shared extends ForwardingBackstore {
        Shared(Backstore storage) {
            super(storage);
        }

        @Override
        public void close() {
        }
    }

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    @DisplayName("iscsi-test-cu -d -t ALL.MultipathIO, one path per gateway: all but the known gaps pass")
    void multipathAcrossTwoGateways() throws Exception {
        Path tool = IscsiTestCu.require();
        Path dir = Path.of(System.getProperty("basedir", "."), "target", "conformance");
        Run run;
        try (Backstore storage = Backstores.memory(BYTES);
             IscsiTarget one = gateway(storage, 1);
             IscsiTarget two = gateway(storage, 2)) {
            one.portGroups().peer(2, AccessState.ACTIVE_OPTIMIZED);
            two.portGroups().peer(1, AccessState.ACTIVE_OPTIMIZED);
            run = IscsiTestCu.run(tool, TIMEOUT, dir.resolve("iscsi-test-cu-gateways.log"),
                    "-d", "-t", "ALL.MultipathIO", url(one.localAddress()), url(two.localAddress()));
        }

        assertThat(run.timedOut()).as("killed at the timeout: %s", run.describe()).isFalse();
        assertThat(CuLogParser.finished(run.output())).as("run summary of %s", run.describe()).isTrue();
        List<CuTestResult> results = CuLogParser.parse(run.output());
        System.out.println("libiscsi ALL.MultipathIO across two gateways: " + results.stream()
                .filter(r -> r.verdict() == Verdict.PASSED).count() + " of " + results.size() + " passed");
        assertThat(results).as("the MultipathIO tests").hasSizeGreaterThanOrEqualTo(4)
                .allSatisfy(r -> assertThat(r.verdict()).as("%s %s (%s)", r.name(), r.detail(),
                                KNOWN_GAPS.getOrDefault(r.name(), "expected to pass"))
                        .isEqualTo(KNOWN_GAPS.containsKey(r.name()) ? Verdict.FAILED : Verdict.PASSED));
        assertThat(results).extracting(CuTestResult::name).containsAll(KNOWN_GAPS.keySet());
    }

    private static IscsiTarget gateway(Backstore storage, int group) throws IOException {
        return IscsiTarget.builder()
                .portal("127.0.0.1", 0)
                .portGroup(group)
                .target(IQN, t -> t.lun(0, new Shared(storage), o -> o.serial("gateways-lun-0")))
                .build()
                .start();
    }

    private static String url(InetSocketAddress portal) {
        return "iscsi://127.0.0.1:" + portal.getPort() + "/" + IQN + "/0";
    }
}
