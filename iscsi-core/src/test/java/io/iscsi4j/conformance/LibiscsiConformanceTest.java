package io.iscsi4j.conformance;

import io.iscsi4j.IscsiTarget;
import io.iscsi4j.LunBuilder;
import io.iscsi4j.backstore.Backstore;
import io.iscsi4j.backstore.Backstores;
import io.iscsi4j.backstore.ForwardingBackstore;
import io.iscsi4j.backstore.InProcessSharedState;
import io.iscsi4j.conformance.ConformanceCheck.Report;
import io.iscsi4j.conformance.CuTestResult.Verdict;
import io.iscsi4j.conformance.ExpectedResults.Kind;
import io.iscsi4j.conformance.IscsiTestCu.Run;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
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
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * libiscsi's conformance suite, {@code iscsi-test-cu -d -S -t ALL URL MPURL}, against an in-process target; the
 * results must match {@code conformance/expected.txt} (see {@link ExpectedResults}).
 *
 * <p>The target listens on two loopback portals at free ports and serves one target with four memory LUNs: LUN 0,
 * 256 MiB, read-write, with 512-byte logical blocks in 4096-byte physical blocks (8 logical blocks per physical
 * block, so the tests that need 2 or more run); LUN 1, 16 MiB, read-only; LUN 2, 64 MiB, read-write, one logical
 * block per physical block; LUN 3, 64 MiB, read-write, a slow medium ({@link SlowMediumBackstore}: every write,
 * write same and unmap call waits {@value #SLOW_MEDIUM_DELAY_MILLIS} ms per MiB it covers, scheduled, so a SANITIZE
 * of the whole LUN takes about 7 s there, however it is split into calls). The suite runs against LUN 0 through the first portal, with the same LUN through the
 * second portal as its second path ({@code MultipathIO} tests). {@code -d} allows tests that overwrite data,
 * {@code -S} allows SANITIZE; {@code -A} (abort at the first failure) is never given. Then two suites and one test run
 * again alone on another LUN, and their results replace those of the first run:
 * <ul>
 *   <li>{@code ReadOnly}, which needs a write-protected logical unit, on LUN 1 (the first run reports a skip);</li>
 *   <li>{@code GetLBAStatus}, on LUN 2: its {@code UnmapSingle} test asks for the status from LBA {@code i + 1} and
 *       requires the first descriptor to start at LBA {@code i + LBPPB}, which SBC-4 forbids unless LBPPB is 1 (the
 *       first LBA status descriptor starts at the STARTING LOGICAL BLOCK ADDRESS), so it fails on LUN 0 whatever the
 *       target does;</li>
 *   <li>{@code Sanitize.Reset}, on LUN 3: it needs a SANITIZE still running about 4.5 s after it started (it checks
 *       that the operation survives ABORT TASK, ABORT TASK SET, LOGICAL UNIT RESET, target resets and a new login),
 *       which the RAM of LUN 0 finishes in milliseconds (and is not slowed down there). Its wait loop then sleeps
 *       60 s.</li>
 * </ul>
 *
 * <p>Logs and a table of results are left in {@code target/conformance/}. The counts go to standard output.
 */
@Tag("interop")
class LibiscsiConformanceTest {

    static final String IQN = "iqn.2026-11.io.iscsi4j:conformance";
    private static final long LUN0_BYTES = 256L << 20;
    private static final long LUN1_BYTES = 16L << 20;
    private static final long LUN2_BYTES = 64L << 20;
    private static final int LUN0_PHYSICAL_BLOCK_SIZE = 4096;
    private static final Duration SUITE_TIMEOUT = Duration.ofMinutes(10);
    private static final Duration SINGLE_SUITE_TIMEOUT = Duration.ofMinutes(2);
    private static final String READ_ONLY_SUITE = "ReadOnly";
    private static final String LBA_STATUS_SUITE = "GetLBAStatus";
    private static final String SANITIZE_RESET_TEST = "Sanitize.Reset";
    private static final long LUN3_BYTES = 64L << 20;
    static final long SLOW_MEDIUM_DELAY_MILLIS = 110;

    @Test
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    @DisplayName("iscsi-test-cu -d -S -t ALL: every test passes or is listed in conformance/expected.txt")
    void libiscsiConformanceSuite() throws Exception {
        runSuite(false);
    }

    /**
     * The same suite with its second path through a second gateway: two targets (port groups 1 and 2) serve the same
     * four LUNs (the same storage, serials and, through an {@link InProcessSharedState} group per LUN, the same
     * logical unit state), the suite runs through the first gateway, and its multipath tests and second initiator
     * use the second. The verdicts must be those of one gateway: no test that passes there fails across gateways.
     */
    @Test
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    @DisplayName("iscsi-test-cu -d -S -t ALL URL MPURL, the second path through a second gateway: the same verdicts")
    void libiscsiConformanceSuiteAcrossTwoGateways() throws Exception {
        runSuite(true);
    }

    private void runSuite(boolean twoGateways) throws Exception {
        String tag = twoGateways ? "-gateways" : "";
        Path tool = IscsiTestCu.require();
        Path dir = Path.of(System.getProperty("basedir", "."), "target", "conformance");
        ExpectedResults expected = ExpectedResults.load();
        List<String> available = IscsiTestCu.listTests(tool, dir.resolve("iscsi-test-cu-list.txt"));
        assertThat(available).as("tests listed by iscsi-test-cu -l").isNotEmpty();

        Run all;
        Run readOnly;
        Run lbaStatus;
        Run sanitizeReset;
        ScheduledExecutorService slowMedium = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "slow-medium");
            t.setDaemon(true);
            return t;
        });
        List<Backstore> storage = List.of(Backstores.memory(LUN0_BYTES), Backstores.memory(LUN1_BYTES),
                Backstores.memory(LUN2_BYTES), Backstores.memory(LUN3_BYTES));
        List<InProcessSharedState.Group> shared = List.of(InProcessSharedState.group(), InProcessSharedState.group(),
                InProcessSharedState.group(), InProcessSharedState.group());
        try (IscsiTarget target = start(slowMedium, storage, 1, twoGateways ? shared : null);
             IscsiTarget second = twoGateways ? start(slowMedium, storage, 2, shared) : null) {
            List<InetSocketAddress> portals = target.boundAddresses();
            String url = lunUrl(portals.get(0), 0);
            String secondPath = lunUrl(twoGateways ? second.boundAddresses().get(0) : portals.get(1), 0);
            all = IscsiTestCu.run(tool, SUITE_TIMEOUT, dir.resolve("iscsi-test-cu" + tag + ".log"),
                    "-d", "-S", "-t", "ALL", url, secondPath);
            readOnly = IscsiTestCu.run(tool, SINGLE_SUITE_TIMEOUT,
                    dir.resolve("iscsi-test-cu-read-only" + tag + ".log"),
                    "-d", "-t", "ALL." + READ_ONLY_SUITE, lunUrl(portals.get(0), 1));
            lbaStatus = IscsiTestCu.run(tool, SINGLE_SUITE_TIMEOUT,
                    dir.resolve("iscsi-test-cu-lba-status" + tag + ".log"),
                    "-d", "-t", "ALL." + LBA_STATUS_SUITE, lunUrl(portals.get(0), 2));
            sanitizeReset = IscsiTestCu.run(tool, SINGLE_SUITE_TIMEOUT,
                    dir.resolve("iscsi-test-cu-sanitize-reset" + tag + ".log"),
                    "-d", "-S", "-t", "ALL." + SANITIZE_RESET_TEST, lunUrl(portals.get(0), 3));
        } finally {
            slowMedium.shutdownNow();
            for (Backstore b : storage) {
                b.close();
            }
        }

        List<CuTestResult> results = merge(CuLogParser.parse(all.output()), READ_ONLY_SUITE,
                CuLogParser.parse(readOnly.output()));
        results = merge(results, LBA_STATUS_SUITE, CuLogParser.parse(lbaStatus.output()));
        results = merge(results, SANITIZE_RESET_TEST, CuLogParser.parse(sanitizeReset.output()));
        Report report = ConformanceCheck.check(available, results, expected);
        writeTable(dir.resolve("results" + tag + ".tsv"), results);

        List<String> problems = new ArrayList<>(report.problems());
        for (Run run : List.of(all, readOnly, lbaStatus, sanitizeReset)) {
            if (run.timedOut()) {
                problems.add(0, "iscsi-test-cu was killed at the timeout: " + run.describe());
            } else if (!CuLogParser.finished(run.output())) {
                problems.add(0, "iscsi-test-cu ended without its run summary (crashed?): " + run.describe());
            }
        }
        if (!problems.isEmpty()) {
            Path suggested = dir.resolve("expected-suggested" + tag + ".txt");
            Files.writeString(suggested, expected.rewrite(results), StandardCharsets.UTF_8);
            problems.add("a rewritten list, without the lines of tests that pass and with lines for new skips and"
                    + " failures, is in " + suggested.toAbsolutePath() + ": review it, then copy it to"
                    + " src/test/resources" + ExpectedResults.RESOURCE);
        }
        System.out.println(describe(report, expected, List.of(all, readOnly, lbaStatus, sanitizeReset), problems));
        assertThat(problems)
                .as("libiscsi conformance: %s (logs in %s)", report.summary(), dir.toAbsolutePath())
                .isEmpty();
    }

    @Test
    @DisplayName("a single-suite run's results replace the first run's results of that suite; nothing else does")
    void singleSuiteRunReplacesOnlyItsSuite() {
        CuTestResult skipped = new CuTestResult("ReadOnly.ReadOnlySBC", Verdict.SKIPPED, "not write-protected");
        CuTestResult ran = new CuTestResult("ReadOnly.ReadOnlySBC", Verdict.PASSED, "");
        CuTestResult read10 = new CuTestResult("Read10.Simple", Verdict.PASSED, "");
        CuTestResult read10Again = new CuTestResult("Read10.Simple", Verdict.FAILED, "x.c:1");
        CuTestResult lookalike = new CuTestResult("ReadOnlyX.Simple", Verdict.FAILED, "x.c:2");

        assertThat(merge(List.of(read10, skipped), READ_ONLY_SUITE, List.of(ran, read10Again, lookalike)))
                .containsExactly(read10, ran);
    }

    @Test
    @DisplayName("a single-test run's result replaces the first run's result of that test only")
    void singleTestRunReplacesOnlyThatTest() {
        CuTestResult failed = new CuTestResult("Sanitize.Reset", Verdict.FAILED, "x.c:1");
        CuTestResult passed = new CuTestResult("Sanitize.Reset", Verdict.PASSED, "");
        CuTestResult other = new CuTestResult("Sanitize.Overwrite", Verdict.PASSED, "");
        CuTestResult otherAgain = new CuTestResult("Sanitize.Overwrite", Verdict.FAILED, "x.c:2");
        CuTestResult lookalike = new CuTestResult("Sanitize.ResetX", Verdict.FAILED, "x.c:3");

        assertThat(merge(List.of(failed, other), SANITIZE_RESET_TEST, List.of(passed, otherAgain, lookalike)))
                .containsExactly(passed, other);
    }

    /**
     * A gateway: port group {@code group}, two portals, the four LUNs over views of {@code storage} (closing the
     * target leaves the storage open), each LUN sharing its state through its group of {@code shared} when that is
     * not {@code null}.
     */
    private static IscsiTarget start(ScheduledExecutorService slowMedium, List<Backstore> storage, int group,
                                     List<InProcessSharedState.Group> shared) throws IOException {
        String member = "gateway-" + group;
        return IscsiTarget.builder()
                .portal("127.0.0.1", 0)
                .portal("127.0.0.1", 0)
                .portGroup(group)
                .target(IQN, t -> t
                        .lun(0, view(storage.get(0)), o -> share(o.physicalBlockSize(LUN0_PHYSICAL_BLOCK_SIZE)
                                .serial("conformance-0"), shared, 0, member))
                        .lun(1, view(storage.get(1)), o -> share(o.readOnly(true).serial("conformance-1"), shared, 1,
                                member))
                        .lun(2, view(storage.get(2)), o -> share(o.serial("conformance-2"), shared, 2, member))
                        .lun(3, new SlowMediumBackstore(view(storage.get(3)),
                                Duration.ofMillis(SLOW_MEDIUM_DELAY_MILLIS), slowMedium),
                                o -> share(o.serial("conformance-3"), shared, 3, member)))
                .build()
                .start();
    }

    private static void share(LunBuilder lun, List<InProcessSharedState.Group> shared, int index, String member) {
        if (shared != null) {
            lun.sharedState(shared.get(index).join(member));
        }
    }

    /** A view of storage whose {@code close()} leaves the storage open (the test closes it). */
    private static Backstore view(Backstore storage) {
        return new ForwardingBackstore(storage) {
            @Override
            public void close() {
            }
        };
    }

    private static String lunUrl(InetSocketAddress portal, int lun) {
        return "iscsi://127.0.0.1:" + portal.getPort() + "/" + IQN + "/" + lun;
    }

    /**
     * The first run's results, each test of {@code suite} replaced by its result in {@code suiteRun}; {@code suite}
     * is a suite ({@code ReadOnly}) or one test ({@code Sanitize.Reset}).
     */
    static List<CuTestResult> merge(List<CuTestResult> first, String suite, List<CuTestResult> suiteRun) {
        Map<String, CuTestResult> byName = new LinkedHashMap<>();
        for (CuTestResult r : first) {
            byName.put(r.name(), r);
        }
        for (CuTestResult r : suiteRun) {
            if (r.name().equals(suite) || r.name().startsWith(suite + ".")) {
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

    private static String describe(Report report, ExpectedResults expected, List<Run> runs, List<String> problems) {
        StringBuilder out = new StringBuilder();
        out.append("libiscsi conformance (iscsi-test-cu -d -S -t ALL, plus ALL.").append(READ_ONLY_SUITE)
                .append(" on a read-only LUN and ALL.").append(LBA_STATUS_SUITE)
                .append(" on a LUN of one logical block per physical block and ALL.").append(SANITIZE_RESET_TEST)
                .append(" on a slow-medium LUN): ").append(report.summary()).append('\n');
        out.append("  passed ").append(report.counts().get(Verdict.PASSED))
                .append(", failed ").append(report.counts().get(Verdict.FAILED))
                .append(", skipped ").append(report.counts().get(Verdict.SKIPPED))
                .append(", total ").append(report.total()).append('\n');
        out.append("  ").append(ExpectedResults.RESOURCE).append(": ").append(expected.count(Kind.SKIP))
                .append(" skip, ").append(expected.count(Kind.TODO)).append(" todo\n");
        out.append("  took ");
        for (int i = 0; i < runs.size(); i++) {
            out.append(i == 0 ? "" : " + ").append(runs.get(i).elapsed().toMillis()).append(" ms");
        }
        out.append("; logs in ").append(runs.get(0).log().getParent().toAbsolutePath()).append('\n');
        for (String known : report.knownFailures()) {
            out.append("  known: ").append(known).append('\n');
        }
        for (String problem : problems) {
            out.append("  PROBLEM: ").append(problem).append('\n');
        }
        return out.toString();
    }
}
