package io.iscsi4j.conformance;

import io.iscsi4j.IscsiTarget;
import io.iscsi4j.backstore.Backstore;
import io.iscsi4j.backstore.Backstores;
import io.iscsi4j.backstore.ForwardingBackstore;
import io.iscsi4j.backstore.InProcessSharedState;
import io.iscsi4j.backstore.SharedState;
import io.iscsi4j.conformance.CuTestResult.Verdict;
import io.iscsi4j.conformance.IscsiTestCu.Run;
import io.iscsi4j.scsi.AccessState;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * libiscsi's multipath and persistent reservation tests ({@code iscsi-test-cu -d -t FAMILY URL MPURL}) across two
 * gateways: two targets in this JVM, port groups 1 and 2, serving the same storage under the same LUN serial, each
 * the other's peer, sharing the logical unit's state through an {@link InProcessSharedState} group. The suites check
 * that both paths identify the same logical unit; that writes, LOGICAL UNIT RESET (a unit attention on the other
 * path) and COMPARE AND WRITE through one path are seen through the other; and that registrations, reservations,
 * CLEAR and PREEMPT made through one gateway hold on the other (libiscsi's second initiator uses the second URL).
 * Every test must pass. The logs are left in {@code target/conformance/}.
 */
@Tag("interop")
class LibiscsiGatewaysTest {

    private static final String IQN = "iqn.2026-11.io.iscsi4j:gateways";
    private static final long BYTES = 64L << 20;
    private static final Duration TIMEOUT = Duration.ofMinutes(2);
    private static final List<String> FAMILIES = List.of("ALL.MultipathIO", "ALL.PrinReadKeys",
            "ALL.PrinServiceactionRange", "ALL.PrinReportCapabilities", "ALL.ProutRegister", "ALL.ProutReserve",
            "ALL.ProutClear", "ALL.ProutPreempt");

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
    @Timeout(value = 8, unit = TimeUnit.MINUTES)
    @DisplayName("iscsi-test-cu -d, multipath and persistent reservation families, one path per gateway: all pass")
    void multipathAndReservationsAcrossTwoGateways() throws Exception {
        Path tool = IscsiTestCu.require();
        Path dir = Path.of(System.getProperty("basedir", "."), "target", "conformance");
        List<CuTestResult> results = new ArrayList<>();
        InProcessSharedState.Group group = InProcessSharedState.group();
        try (Backstore storage = Backstores.memory(BYTES);
             IscsiTarget one = gateway(storage, 1, group.join("gateway-1"));
             IscsiTarget two = gateway(storage, 2, group.join("gateway-2"))) {
            one.portGroups().peer(2, AccessState.ACTIVE_OPTIMIZED);
            two.portGroups().peer(1, AccessState.ACTIVE_OPTIMIZED);
            for (String family : FAMILIES) {
                Run run = IscsiTestCu.run(tool, TIMEOUT, dir.resolve("iscsi-test-cu-gateways-" + family + ".log"),
                        "-d", "-t", family, url(one.localAddress()), url(two.localAddress()));
                assertThat(run.timedOut()).as("killed at the timeout: %s", run.describe()).isFalse();
                assertThat(CuLogParser.finished(run.output())).as("run summary of %s", run.describe()).isTrue();
                List<CuTestResult> ran = CuLogParser.parse(run.output());
                assertThat(ran).as(family).isNotEmpty();
                results.addAll(ran);
            }
        }
        System.out.println("libiscsi across two gateways: " + results.stream()
                .filter(r -> r.verdict() == Verdict.PASSED).count() + " of " + results.size() + " passed");
        assertThat(results).as("the tests").hasSizeGreaterThanOrEqualTo(24)
                .allSatisfy(r -> assertThat(r.verdict()).as("%s %s", r.name(), r.detail())
                        .isEqualTo(Verdict.PASSED));
        assertThat(results).extracting(CuTestResult::name).contains("MultipathIO.Reset", "ProutPreempt.RemoveRegistration");
    }

    private static IscsiTarget gateway(Backstore storage, int group, SharedState member) throws IOException {
        return IscsiTarget.builder()
                .portal("127.0.0.1", 0)
                .portGroup(group)
                .target(IQN, t -> t.lun(0, new Shared(storage), o -> o.serial("gateways-lun-0").sharedState(member)))
                .build()
                .start();
    }

    private static String url(InetSocketAddress portal) {
        return "iscsi://127.0.0.1:" + portal.getPort() + "/" + IQN + "/0";
    }
}
