package io.iscsi4j.conformance;

import io.iscsi4j.conformance.CuTestResult.Verdict;
import io.iscsi4j.conformance.ExpectedResults.Entry;
import io.iscsi4j.conformance.ExpectedResults.Kind;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Compares the results of a conformance run with the checked-in {@link ExpectedResults}. Every test must pass unless
 * listed; a test listed as {@code skip} may skip; a test listed as {@code todo} may skip or fail. A listed test that
 * passes is a problem too, so that the list stays tight: its line must go. Stateless.
 */
final class ConformanceCheck {

    /** Names of tests that did not run, listed in a problem before "and N more". */
    private static final int NOT_RUN_SHOWN = 10;

    private ConformanceCheck() {
    }

    /**
     * Checks a run.
     *
     * @param available every test the suite has ({@code SUITE.TEST}, from {@code iscsi-test-cu -l}); empty when
     *        unknown, which skips the checks for tests that did not run and for stale lines
     * @param results the results, one per test that started
     * @param expected the checked-in list
     * @return the counts and every problem found
     */
    static Report check(List<String> available, List<CuTestResult> results, ExpectedResults expected) {
        Map<Verdict, Integer> counts = new EnumMap<>(Verdict.class);
        for (Verdict v : Verdict.values()) {
            counts.put(v, 0);
        }
        List<String> problems = new ArrayList<>();
        List<String> knownFailures = new ArrayList<>();
        Set<String> ran = new LinkedHashSet<>();
        for (CuTestResult r : results) {
            ran.add(r.name());
            counts.merge(r.verdict(), 1, Integer::sum);
            Entry e = expected.get(r.name());
            switch (r.verdict()) {
                case PASSED -> {
                    if (e != null) {
                        problems.add(r.name() + " passes now: remove its line from " + ExpectedResults.RESOURCE
                                + " (" + e + ")");
                    }
                }
                case SKIPPED -> {
                    if (e == null) {
                        problems.add(r.name() + " was skipped (" + r.detail() + "): make it run, or list it in "
                                + ExpectedResults.RESOURCE + " as skip (cannot apply) or todo (not implemented yet),"
                                + " with the reason");
                    }
                }
                case FAILED, ERROR -> {
                    String what = r.verdict() == Verdict.FAILED ? "FAILED" : "ended without a verdict";
                    if (e == null) {
                        problems.add(r.name() + " " + what + ": " + r.detail());
                    } else if (e.kind() == Kind.SKIP) {
                        problems.add(r.name() + " " + what + " but is listed as skip, which allows skipping only ("
                                + e + "): " + r.detail());
                    } else {
                        knownFailures.add(r.name() + " " + what + " (todo): " + r.detail());
                    }
                }
                default -> throw new IllegalStateException(r.verdict().toString());
            }
        }
        if (!available.isEmpty()) {
            Set<String> all = new LinkedHashSet<>(available);
            for (Entry e : expected.entries()) {
                if (!all.contains(e.name())) {
                    problems.add(ExpectedResults.RESOURCE + " lists a test this libiscsi does not have: remove "
                            + e);
                }
            }
            List<String> notRun = new ArrayList<>();
            for (String name : available) {
                if (!ran.contains(name)) {
                    notRun.add(name);
                }
            }
            if (!notRun.isEmpty()) {
                String shown = String.join(", ", notRun.subList(0, Math.min(NOT_RUN_SHOWN, notRun.size())));
                problems.add(notRun.size() + " tests did not run (the suite stopped early): " + shown
                        + (notRun.size() > NOT_RUN_SHOWN ? " and " + (notRun.size() - NOT_RUN_SHOWN) + " more" : ""));
            }
        }
        return new Report(counts, results.size(), problems, knownFailures);
    }

    /**
     * The outcome of a check.
     *
     * @param counts tests per verdict
     * @param total tests that started
     * @param problems everything that makes the check fail, one sentence each, saying what to do
     * @param knownFailures failures of tests listed as todo: allowed, shown for the record
     */
    record Report(Map<Verdict, Integer> counts, int total, List<String> problems, List<String> knownFailures) {

        Report {
            counts = Map.copyOf(counts);
            problems = List.copyOf(problems);
            knownFailures = List.copyOf(knownFailures);
        }

        /** Whether the run matches the list. */
        boolean ok() {
            return problems.isEmpty();
        }

        /** One line: {@code 230 tests: 62 passed, 3 failed, 165 skipped, 0 errors}. */
        String summary() {
            return total + " tests: " + counts.get(Verdict.PASSED) + " passed, " + counts.get(Verdict.FAILED)
                    + " failed, " + counts.get(Verdict.SKIPPED) + " skipped, " + counts.get(Verdict.ERROR)
                    + " without a verdict";
        }
    }
}
