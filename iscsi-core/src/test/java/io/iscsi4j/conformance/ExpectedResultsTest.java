package io.iscsi4j.conformance;

import io.iscsi4j.conformance.CuTestResult.Verdict;
import io.iscsi4j.conformance.ExpectedResults.Entry;
import io.iscsi4j.conformance.ExpectedResults.Kind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ExpectedResultsTest {

    @Test
    void readsNameKindAndReasonAndIgnoresCommentsAndBlankLines() {
        ExpectedResults e = ExpectedResults.parse(String.join("\n",
                "# a comment",
                "",
                "PreventAllow.Simple    skip  a fixed disk (RMB=0)",
                "  Verify10.Simple\ttodo\tVERIFY (10) not implemented  "));

        assertThat(e.get("PreventAllow.Simple")).isEqualTo(
                new Entry("PreventAllow.Simple", Kind.SKIP, "a fixed disk (RMB=0)", 3));
        assertThat(e.get("Verify10.Simple")).isEqualTo(
                new Entry("Verify10.Simple", Kind.TODO, "VERIFY (10) not implemented", 4));
        assertThat(e.get("Read10.Simple")).isNull();
        assertThat(e.count(Kind.SKIP)).isEqualTo(1);
        assertThat(e.count(Kind.TODO)).isEqualTo(1);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "Read10.Simple skip                      | line 1 (Read10.Simple skip): expected SUITE.TEST KIND REASON",
            "Read10 skip why                         | the test name must be SUITE.TEST",
            "Read10.Simple maybe why                 | the kind must be skip or todo, not maybe",
            "Read10.Simple SKIP why                  | write the kind in lower case: skip"})
    void malformedLinesAreNamed(String line, String message) {
        assertThatThrownBy(() -> ExpectedResults.parse(line))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }

    @Test
    void aTestListedTwiceIsRejected() {
        assertThatThrownBy(() -> ExpectedResults.parse("A.B skip x\nA.B todo y"))
                .hasMessageContaining("line 2")
                .hasMessageContaining("A.B is listed twice");
    }

    @Test
    void rewriteDropsTheLinesOfPassingTestsAndAddsNewSkipsAndFailures() {
        ExpectedResults e = ExpectedResults.parse(String.join("\n",
                "# header",
                "",
                "PreventAllow.Simple    skip  a fixed disk (RMB=0)",
                "Verify10.Simple        todo  VERIFY (10) not implemented",
                "Verify10.Dpo           todo  VERIFY (10) not implemented"));

        String text = e.rewrite(List.of(
                new CuTestResult("PreventAllow.Simple", Verdict.SKIPPED, "Logical unit is not removable."),
                new CuTestResult("Verify10.Simple", Verdict.PASSED, ""),
                new CuTestResult("Verify10.Dpo", Verdict.SKIPPED, "REPORT_SUPPORTED_OPCODES is not implemented."),
                new CuTestResult("Read10.Simple", Verdict.PASSED, ""),
                new CuTestResult("Verify10.Mismatch", Verdict.FAILED, "test_verify10_mismatch.c:80 - CU_ASSERT")));

        assertThat(text).isEqualTo(String.join("\n",
                "# header",
                "",
                "PreventAllow.Simple    skip  a fixed disk (RMB=0)",
                "Verify10.Dpo           todo  VERIFY (10) not implemented",
                "",
                "# Added from a run: review the kind (skip or todo) and reword the reason.",
                String.format("%-40s%-6s%s", "Verify10.Mismatch", "todo",
                        "FAILED: test_verify10_mismatch.c:80 - CU_ASSERT"),
                ""));
        assertThat(ExpectedResults.parse(text).count(Kind.TODO)).isEqualTo(2);
    }

    @Test
    void theCheckedInListParsesAndGivesEveryLineAReason() {
        ExpectedResults e = ExpectedResults.load();

        assertThat(e.entries()).isNotEmpty().allSatisfy(entry -> assertThat(entry.reason()).hasSizeGreaterThan(10));
    }
}
