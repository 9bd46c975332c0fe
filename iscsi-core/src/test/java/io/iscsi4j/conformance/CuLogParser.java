package io.iscsi4j.conformance;

import io.iscsi4j.conformance.CuTestResult.Verdict;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the verbose CUnit output of {@code iscsi-test-cu} (its default {@code -v} mode) into one result per test.
 *
 * <p>The log interleaves CUnit's lines with libiscsi's own messages:
 * <pre>
 * Suite: Read10
 *   Test: Simple ...passed
 *   Test: DpoFua ...    [SKIPPED] REPORT_SUPPORTED_OPCODES is not implemented.
 *     [SKIPPED] REPORT_SUPPORTED_OPCODES is not implemented.
 * passed
 *   Test: BeyondEol ...FAILED
 *     1. test_read10_beyond_eol.c:51  - CU_ASSERT_EQUAL(ret,0)
 *   Test: Flags ...passed    [SKIPPED] PERSISTENT RESERVE IN is not implemented.
 * </pre>
 * A verdict ({@code passed} or {@code FAILED}) stands right after the {@code ...} of its test or at the start of a
 * line. Text printed after the verdict, on the same line or later, belongs to the suite's clean-up, not to the test.
 * A test that prints {@code [SKIPPED]} before its verdict is a skip. A test with no verdict before the next test, the
 * next suite or the end of the log ended in an error (a crash, a hang, a kill). Stateless and thread-safe.
 */
final class CuLogParser {

    private static final Pattern SUITE = Pattern.compile("^Suite: (\\S+)\\s*$");
    private static final Pattern TEST = Pattern.compile("^  Test: (.+?) \\.\\.\\.(.*)$");
    /** A verdict at the start of a line; no word boundary after it (a crash message may follow directly). */
    private static final Pattern VERDICT = Pattern.compile("^(passed|FAILED)(.*)$");
    /** One failed assertion after a FAILED verdict: {@code     1. file.c:60  - CU_ASSERT_EQUAL(ret,0)}. */
    private static final Pattern ASSERTION = Pattern.compile("^\\s+\\d+\\.\\s+(\\S.*)$");
    private static final Pattern CLEAN_UP_TAIL = Pattern.compile("\\s+\\[SKIPPED\\].*$");
    private static final Pattern SKIPPED = Pattern.compile("\\[SKIPPED\\]\\s*(.*?)\\s*$");
    private static final Pattern FAILED_MESSAGE = Pattern.compile("\\[FAILED\\]\\s*(.*?)\\s*$");
    private static final Pattern RUN_SUMMARY = Pattern.compile("(?m)^Run Summary:");

    private CuLogParser() {
    }

    /**
     * Whether the log reached CUnit's closing "Run Summary", that is whether the run finished rather than crashed or
     * was killed.
     *
     * @param log the whole output
     * @return {@code true} when the summary is there
     */
    static boolean finished(String log) {
        return RUN_SUMMARY.matcher(log).find();
    }

    /**
     * Parses a log.
     *
     * @param log the output of {@code iscsi-test-cu} (standard output and standard error, in order)
     * @return one result per test that started, in the order they ran
     */
    static List<CuTestResult> parse(String log) {
        List<CuTestResult> results = new ArrayList<>();
        String suite = null;
        Open open = null;
        List<String> lines = log.lines().toList();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            Matcher m;
            if ((m = SUITE.matcher(line)).matches()) {
                if (open != null) {
                    results.add(open.error("no verdict before the next suite"));
                    open = null;
                }
                suite = m.group(1);
            } else if ((m = TEST.matcher(line)).matches()) {
                if (open != null) {
                    results.add(open.error("no verdict before the next test"));
                }
                open = new Open((suite == null ? "?" : suite) + "." + m.group(1).trim());
                String rest = m.group(2);
                Matcher v = VERDICT.matcher(rest);
                if (v.matches()) {
                    results.add(open.verdict(v.group(1), lines, i + 1));
                    open = null;
                } else {
                    open.body(rest);
                }
            } else if (open != null) {
                Matcher v = VERDICT.matcher(line);
                if (v.matches()) {
                    results.add(open.verdict(v.group(1), lines, i + 1));
                    open = null;
                } else {
                    open.body(line);
                }
            }
        }
        if (open != null) {
            results.add(open.error("the log ends inside the test (crash, hang or timeout)"));
        }
        return results;
    }

    /** A test that has started and has no verdict yet. */
    private static final class Open {

        private final String name;
        private final Set<String> skips = new LinkedHashSet<>();
        private final Set<String> failures = new LinkedHashSet<>();

        Open(String name) {
            this.name = name;
        }

        void body(String line) {
            Matcher s = SKIPPED.matcher(line);
            if (s.find()) {
                skips.add(s.group(1));
            }
            Matcher f = FAILED_MESSAGE.matcher(line);
            if (f.find()) {
                failures.add(f.group(1));
            }
        }

        CuTestResult verdict(String verdict, List<String> lines, int next) {
            if (verdict.equals("FAILED")) {
                Set<String> detail = new LinkedHashSet<>();
                for (int j = next; j < lines.size(); j++) {
                    Matcher a = ASSERTION.matcher(lines.get(j));
                    if (!a.matches()) {
                        break;
                    }
                    // the suite's clean-up may print on the same line as the last assertion
                    detail.add(CLEAN_UP_TAIL.matcher(a.group(1)).replaceFirst("").replaceAll("\\s+", " "));
                }
                detail.addAll(failures);
                return new CuTestResult(name, Verdict.FAILED, String.join("; ", detail));
            }
            if (!skips.isEmpty()) {
                return new CuTestResult(name, Verdict.SKIPPED, String.join("; ", skips));
            }
            return new CuTestResult(name, Verdict.PASSED, "");
        }

        CuTestResult error(String why) {
            return new CuTestResult(name, Verdict.ERROR, why);
        }
    }
}
