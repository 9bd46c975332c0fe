package io.iscsi4j.conformance;

import io.iscsi4j.conformance.ConformanceCheck.Report;
import io.iscsi4j.conformance.CuTestResult.Verdict;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ConformanceCheckTest {

    private static final ExpectedResults EXPECTED = ExpectedResults.parse(String.join("\n",
            "PreventAllow.Simple  skip  a fixed disk (RMB=0)",
            "Verify10.Simple      todo  VERIFY (10) not implemented",
            "MultipathIO.Reset    todo  FAILED: no unit attention after LUN reset"));
    private static final List<String> AVAILABLE = List.of(
            "Read10.Simple", "PreventAllow.Simple", "Verify10.Simple", "MultipathIO.Reset");

    @Test
    void passesSkipsAndTodoFailuresAsListedAreFine() {
        Report report = ConformanceCheck.check(AVAILABLE, List.of(
                pass("Read10.Simple"),
                skip("PreventAllow.Simple"),
                skip("Verify10.Simple"),
                new CuTestResult("MultipathIO.Reset", Verdict.FAILED, "test_multipathio_reset.c:69")), EXPECTED);

        assertThat(report.ok()).isTrue();
        assertThat(report.knownFailures()).containsExactly(
                "MultipathIO.Reset FAILED (todo): test_multipathio_reset.c:69");
        assertThat(report.summary()).isEqualTo("4 tests: 1 passed, 1 failed, 2 skipped, 0 without a verdict");
    }

    @Test
    void aListedTestThatPassesMustLoseItsLine() {
        Report report = ConformanceCheck.check(AVAILABLE, List.of(
                pass("Read10.Simple"), skip("PreventAllow.Simple"), pass("Verify10.Simple"),
                pass("MultipathIO.Reset")), EXPECTED);

        assertThat(report.problems()).containsExactly(
                "Verify10.Simple passes now: remove its line from /conformance/expected.txt"
                        + " (line 2: Verify10.Simple  todo  VERIFY (10) not implemented)",
                "MultipathIO.Reset passes now: remove its line from /conformance/expected.txt"
                        + " (line 3: MultipathIO.Reset  todo  FAILED: no unit attention after LUN reset)");
    }

    @Test
    void anUnlistedSkipOrFailureIsAProblem() {
        Report report = ConformanceCheck.check(List.of(), List.of(
                skip("Read10.Simple"),
                new CuTestResult("Read12.Simple", Verdict.FAILED, "test_read12_simple.c:50 - CU_ASSERT(x)"),
                new CuTestResult("Read16.Simple", Verdict.ERROR, "the log ends inside the test")), EXPECTED);

        assertThat(report.problems()).hasSize(3);
        assertThat(report.problems().get(0)).startsWith("Read10.Simple was skipped (not implemented): make it run");
        assertThat(report.problems().get(1)).isEqualTo(
                "Read12.Simple FAILED: test_read12_simple.c:50 - CU_ASSERT(x)");
        assertThat(report.problems().get(2)).isEqualTo(
                "Read16.Simple ended without a verdict: the log ends inside the test");
    }

    @Test
    void aSkipLineDoesNotExcuseAFailure() {
        Report report = ConformanceCheck.check(List.of(), List.of(
                new CuTestResult("PreventAllow.Simple", Verdict.FAILED, "x.c:1")), EXPECTED);

        assertThat(report.problems()).singleElement().asString()
                .startsWith("PreventAllow.Simple FAILED but is listed as skip");
    }

    @Test
    void testsThatDidNotRunAndStaleLinesAreProblems() {
        Report report = ConformanceCheck.check(List.of("Read10.Simple", "PreventAllow.Simple", "Verify10.Simple"),
                List.of(pass("Read10.Simple")), EXPECTED);

        assertThat(report.problems()).containsExactly(
                "/conformance/expected.txt lists a test this libiscsi does not have: remove line 3:"
                        + " MultipathIO.Reset  todo  FAILED: no unit attention after LUN reset",
                "2 tests did not run (the suite stopped early): PreventAllow.Simple, Verify10.Simple");
    }

    private static CuTestResult pass(String name) {
        return new CuTestResult(name, Verdict.PASSED, "");
    }

    private static CuTestResult skip(String name) {
        return new CuTestResult(name, Verdict.SKIPPED, "not implemented");
    }
}
