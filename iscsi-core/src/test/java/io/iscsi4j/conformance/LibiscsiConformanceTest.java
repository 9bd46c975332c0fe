package io.iscsi4j.conformance;

import io.iscsi4j.IscsiTarget;
import io.iscsi4j.backstore.Backstores;
import io.iscsi4j.conformance.ConformanceCheck.Report;
import io.iscsi4j.conformance.CuTestResult.Verdict;
import io.iscsi4j.conformance.ExpectedResults.Kind;
import io.iscsi4j.conformance.IscsiTestCu.Run;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * libiscsi's conformance suite, {@code iscsi-test-cu -d -S -t ALL URL MPURL}, against an in-process target; the
 * results must match {@code conformance/expected.txt} (see {@link ExpectedResults}).
 *
 * <p>The target listens on two loopback portals at free ports and serves one target with LUN 0, 256 MiB in memory,
 * read-write, and LUN 1, 16 MiB in memory, read-only. The suite runs against LUN 0 through the first portal, with the
 * same LUN through the second portal as its second path ({@code MultipathIO} tests). {@code -d} allows tests that
 * overwrite data, {@code -S} allows SANITIZE; {@code -A} (abort at the first failure) is never given. Then the
 * {@code ReadOnly} suite, which needs a write-protected logical unit, runs alone against LUN 1; its result replaces
 * the skip that the read-write run reports for it.
 *
 * <p>Logs and a table of results are left in {@code target/conformance/}. The counts go to standard output.
 */
class LibiscsiConformanceTest {

    static final String IQN = "iqn.2026-11.io.iscsi4j:conformance";
    private static final long LUN0_BYTES = 256L << 20;
    private static final long LUN1_BYTES = 16L << 20;
    private static final Duration SUITE_TIMEOUT = Duration.ofMinutes(10);
    private static final Duration READ_ONLY_TIMEOUT = Duration.ofMinutes(2);
    private static final String READ_ONLY_SUITE = "ReadOnly";

    @Test
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    @DisplayName("iscsi-test-cu -d -S -t ALL: every test passes or is listed in conformance/expected.txt")
    void libiscsiConformanceSuite() throws Exception {
        Path tool = IscsiTestCu.require();
        Path dir = Path.of(System.getProperty("basedir", "."), "target", "conformance");
        ExpectedResults expected = ExpectedResults.load();
        List<String> available = IscsiTestCu.listTests(tool, dir.resolve("iscsi-test-cu-list.txt"));
        assertThat(available).as("tests listed by iscsi-test-cu -l").isNotEmpty();

        Run all;
        Run readOnly;
        try (IscsiTarget target = start()) {
            List<InetSocketAddress> portals = target.boundAddresses();
            String url = lunUrl(portals.get(0), 0);
            String secondPath = lunUrl(portals.get(1), 0);
            all = IscsiTestCu.run(tool, SUITE_TIMEOUT, dir.resolve("iscsi-test-cu.log"),
                    "-d", "-S", "-t", "ALL", url, secondPath);
            readOnly = IscsiTestCu.run(tool, READ_ONLY_TIMEOUT, dir.resolve("iscsi-test-cu-read-only.log"),
                    "-d", "-t", "ALL." + READ_ONLY_SUITE, lunUrl(portals.get(0), 1));
        }

        List<CuTestResult> results = merge(CuLogParser.parse(all.output()), CuLogParser.parse(readOnly.output()));
        Report report = ConformanceCheck.check(available, results, expected);
        writeTable(dir.resolve("results.tsv"), results);

        List<String> problems = new ArrayList<>(report.problems());
        for (Run run : List.of(all, readOnly)) {
            if (run.timedOut()) {
                problems.add(0, "iscsi-test-cu was killed at the timeout: " + run.describe());
            } else if (!CuLogParser.finished(run.output())) {
                problems.add(0, "iscsi-test-cu ended without its run summary (crashed?): " + run.describe());
            }
        }
        if (!problems.isEmpty()) {
            Path suggested = dir.resolve("expected-suggested.txt");
            Files.writeString(suggested, expected.rewrite(results), StandardCharsets.UTF_8);
            problems.add("a rewritten list, without the lines of tests that pass and with lines for new skips and"
                    + " failures, is in " + suggested.toAbsolutePath() + ": review it, then copy it to"
                    + " src/test/resources" + ExpectedResults.RESOURCE);
        }
        System.out.println(describe(report, expected, all, readOnly, problems));
        assertThat(problems)
                .as("libiscsi conformance: %s (logs in %s)", report.summary(), dir.toAbsolutePath())
                .isEmpty();
    }

    @Test
    @DisplayName("the read-only run's ReadOnly results replace the read-write run's; nothing else does")
    void readOnlyRunReplacesOnlyTheReadOnlySuite() {
        CuTestResult skipped = new CuTestResult("ReadOnly.ReadOnlySBC", Verdict.SKIPPED, "not write-protected");
        CuTestResult ran = new CuTestResult("ReadOnly.ReadOnlySBC", Verdict.PASSED, "");
        CuTestResult read10 = new CuTestResult("Read10.Simple", Verdict.PASSED, "");
        CuTestResult read10Again = new CuTestResult("Read10.Simple", Verdict.FAILED, "x.c:1");

        assertThat(merge(List.of(read10, skipped), List.of(ran, read10Again))).containsExactly(read10, ran);
    }

    private static IscsiTarget start() throws IOException {
        return IscsiTarget.builder()
                .portal("127.0.0.1", 0)
                .portal("127.0.0.1", 0)
                .target(IQN, t -> t
                        .lun(0, Backstores.memory(LUN0_BYTES))
                        .lun(1, Backstores.memory(LUN1_BYTES), o -> o.readOnly(true)))
                .build()
                .start();
    }

    private static String lunUrl(InetSocketAddress portal, int lun) {
        return "iscsi://127.0.0.1:" + portal.getPort() + "/" + IQN + "/" + lun;
    }

    /** The read-write run's results, each replaced by the read-only run's result of the same test. */
    static List<CuTestResult> merge(List<CuTestResult> readWrite, List<CuTestResult> readOnly) {
        Map<String, CuTestResult> byName = new LinkedHashMap<>();
        for (CuTestResult r : readWrite) {
            byName.put(r.name(), r);
        }
        for (CuTestResult r : readOnly) {
            if (r.name().startsWith(READ_ONLY_SUITE + ".")) {
                byName.put(r.name(), r);
            }
        }
        return List.copyOf(byName.values());
    }

    private static void writeTable(Path file, List<CuTestResult> results) throws IOException {
        StringBuilder table = new StringBuilder("test\tverdict\tdetail\n");
        for (CuTestResult r : results) {
            table.append(r.name()).append('\t').append(r.verdict().name().toLowerCase(Locale.ROOT))
                    .append('\t').append(r.detail()).append('\n');
        }
        Files.writeString(file, table, StandardCharsets.UTF_8);
    }

    private static String describe(Report report, ExpectedResults expected, Run all, Run readOnly,
                                   List<String> problems) {
        StringBuilder out = new StringBuilder();
        out.append("libiscsi conformance (iscsi-test-cu -d -S -t ALL, plus ALL.").append(READ_ONLY_SUITE)
                .append(" on a read-only LUN): ").append(report.summary()).append('\n');
        out.append("  passed ").append(report.counts().get(Verdict.PASSED))
                .append(", failed ").append(report.counts().get(Verdict.FAILED))
                .append(", skipped ").append(report.counts().get(Verdict.SKIPPED))
                .append(", total ").append(report.total()).append('\n');
        out.append("  ").append(ExpectedResults.RESOURCE).append(": ").append(expected.count(Kind.SKIP))
                .append(" skip, ").append(expected.count(Kind.TODO)).append(" todo\n");
        out.append("  took ").append(all.elapsed().toMillis()).append(" ms + ")
                .append(readOnly.elapsed().toMillis()).append(" ms; logs in ").append(all.log().getParent()
                        .toAbsolutePath()).append('\n');
        for (String known : report.knownFailures()) {
            out.append("  known: ").append(known).append('\n');
        }
        for (String problem : problems) {
            out.append("  PROBLEM: ").append(problem).append('\n');
        }
        return out.toString();
    }
}
