package io.iscsi4j.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import io.iscsi4j.backstore.rbd.CephCluster;
import io.iscsi4j.conformance.CuTestResult.Verdict;
import io.iscsi4j.conformance.IscsiTestCu.Run;
import io.iscsi4j.it.GatewayProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * libiscsi's whole suite ({@code iscsi-test-cu -d -S -t ALL URL MPURL}) on a Ceph RBD image, served by gateway
 * processes ({@link GatewayProcess}: each its own JVM, RADOS client and port group, with the image's shared state),
 * once with its second path through a second portal of the same gateway, once through a second gateway: no test that passes through one gateway may do otherwise across two. Each run has a
 * fresh 64 MiB image. Logs in {@code target/conformance/}.
 */
@Tag("interop")
class RbdGatewaysConformanceTest {

    private static final Duration TIMEOUT = Duration.ofMinutes(10);

    private final Deque<AutoCloseable> toClose = new ArrayDeque<>();
    private final List<String> images = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        while (!toClose.isEmpty()) {
            toClose.pop().close();
        }
        images.forEach(CephCluster::removeImage);
    }

    /**
     * Runs the suite on a fresh image through gateway processes: one with two portals (the second path its second
     * portal), or two (the second path through the second gateway); returns the verdicts.
     */
    private Map<String, Verdict> suite(Path tool, boolean acrossGateways, Path log) throws Exception {
        String image = CephCluster.createImage(64L << 20);
        images.add(image);
        GatewayProcess a = GatewayProcess.start(image, 1, acrossGateways ? 1 : 2);
        toClose.push(a);
        String second;
        if (acrossGateways) {
            GatewayProcess b = GatewayProcess.start(image, 2, 1);
            toClose.push(b);
            second = b.url(0);
        } else {
            second = a.url(1);
        }
        Run run = IscsiTestCu.run(tool, TIMEOUT, log, "-d", "-S", "-t", "ALL", a.url(0), second);
        assertThat(run.timedOut()).as("killed at the timeout: %s", run.describe()).isFalse();
        assertThat(CuLogParser.finished(run.output())).as("run summary of %s", run.describe()).isTrue();
        Map<String, Verdict> verdicts = new LinkedHashMap<>();
        for (CuTestResult r : CuLogParser.parse(run.output())) {
            verdicts.put(r.name(), r.verdict());
        }
        while (!toClose.isEmpty()) {
            toClose.pop().close();
        }
        return verdicts;
    }

    @Test
    @Timeout(value = 25, unit = java.util.concurrent.TimeUnit.MINUTES)
    void noTestThatPassesThroughOneGatewayFailsAcrossTwo() throws Exception {
        CephCluster.conf();
        Path tool = IscsiTestCu.require();
        Path dir = Path.of(System.getProperty("basedir", "."), "target", "conformance");
        Map<String, Verdict> one = suite(tool, false, dir.resolve("iscsi-test-cu-rbd-one-gateway.log"));
        Map<String, Verdict> two = suite(tool, true, dir.resolve("iscsi-test-cu-rbd-two-gateways.log"));
        System.out.printf("libiscsi on RBD, one gateway: %s; across two gateways: %s%n", counts(one), counts(two));
        assertThat(one.keySet()).as("the tests run").hasSizeGreaterThanOrEqualTo(200);
        assertThat(two.keySet()).containsAll(one.keySet());
        List<String> worse = new ArrayList<>();
        one.forEach((name, verdict) -> {
            if (verdict == Verdict.PASSED && two.get(name) != Verdict.PASSED) {
                worse.add(name + ": " + two.get(name));
            }
        });
        assertThat(worse).as("tests that pass through one gateway but not across two").isEmpty();
        assertThat(two.values().stream().filter(v -> v == Verdict.FAILED).count())
                .as("failures across two gateways").isEqualTo(one.values().stream().filter(v -> v == Verdict.FAILED)
                        .count());
    }

    private static String counts(Map<String, Verdict> verdicts) {
        Map<Verdict, Integer> n = new LinkedHashMap<>();
        verdicts.values().forEach(v -> n.merge(v, 1, Integer::sum));
        return n.toString();
    }
}
