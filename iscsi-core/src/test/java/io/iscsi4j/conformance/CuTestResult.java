package io.iscsi4j.conformance;

import java.util.Objects;

/**
 * The outcome of one test of libiscsi's conformance suite ({@code iscsi-test-cu}), as read from its CUnit log.
 *
 * @param name {@code SUITE.TEST} as CUnit prints it, for example {@code Read10.Simple}; {@code iscsi-test-cu -t
 *        ALL.Read10.Simple} runs it alone
 * @param verdict what happened
 * @param detail for a skip the {@code [SKIPPED]} message, for a failure the failed assertions, for an error why there
 *        is no verdict; empty when the test passed
 */
record CuTestResult(String name, Verdict verdict, String detail) {

    CuTestResult {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(verdict, "verdict");
        Objects.requireNonNull(detail, "detail");
    }

    /**
     * The verdict of one test. CUnit itself knows only passed and failed: libiscsi reports a test that does not apply
     * (a command the target does not implement, a feature it does not claim) as passed after printing
     * {@code [SKIPPED]}.
     */
    enum Verdict {
        /** CUnit said "passed" and the test printed no {@code [SKIPPED]}. */
        PASSED,
        /** CUnit said "FAILED": at least one assertion failed. */
        FAILED,
        /** CUnit said "passed" after the test printed {@code [SKIPPED]}. */
        SKIPPED,
        /** The test started but the log has no verdict: the suite crashed, hung or was killed inside it. */
        ERROR
    }
}
