package io.iscsi4j.conformance;

import io.iscsi4j.conformance.CuTestResult.Verdict;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link CuLogParser} on excerpts of real {@code iscsi-test-cu} logs (libiscsi 1.19.0). */
class CuLogParserTest {

    @Test
    void readsEveryTestOfTheExcerptInOrder() throws IOException {
        List<CuTestResult> results = CuLogParser.parse(resource("sample-cu.log"));

        assertThat(results).extracting(CuTestResult::name).startsWith(
                "CompareAndWrite.Simple", "CompareAndWrite.DpoFua", "CompareAndWrite.Miscompare",
                "CompareAndWrite.Unwritten", "CompareAndWrite.InvalidDataOutSize", "Inquiry.Standard");
        assertThat(results).extracting(CuTestResult::name).endsWith(
                "MultipathIO.Simple", "MultipathIO.Reset", "MultipathIO.CompareAndWrite",
                "MultipathIO.CompareAndWriteAsync");
        assertThat(results).hasSize(46);
        assertThat(results).extracting(CuTestResult::name).doesNotHaveDuplicates();
    }

    @Test
    void aSkippedMessageBeforeTheVerdictMakesASkip() throws IOException {
        Map<String, CuTestResult> r = byName(CuLogParser.parse(resource("sample-cu.log")));

        assertThat(r.get("CompareAndWrite.Simple")).isEqualTo(new CuTestResult("CompareAndWrite.Simple",
                Verdict.SKIPPED, "COMPAREANDWRITE is not implemented."));
        assertThat(r.get("Inquiry.BlockLimits").verdict()).isEqualTo(Verdict.SKIPPED);
        assertThat(r.get("Inquiry.BlockLimits").detail()).isEqualTo("Logical unit is fully provisioned. Skipping test");
        assertThat(r.get("Sanitize.Reservations").detail())
                .isEqualTo("RESERVE6 is not implemented on target; RESERVE6 is not implemented.");
    }

    @Test
    void aSkippedMessageAfterTheVerdictBelongsToTheSuiteCleanUp() throws IOException {
        Map<String, CuTestResult> r = byName(CuLogParser.parse(resource("sample-cu.log")));

        // "  Test: VersionDescriptors ...passed    [SKIPPED] PERSISTENT RESERVE IN is not implemented."
        assertThat(r.get("Inquiry.VersionDescriptors").verdict()).isEqualTo(Verdict.PASSED);
        assertThat(r.get("Mandatory.MandatorySBC").verdict()).isEqualTo(Verdict.PASSED);
        // the clean-up's "[SKIPPED]" on the lines after "passed" does not leak into the next test either
        assertThat(r.get("Sanitize.BlockErase").verdict()).isEqualTo(Verdict.SKIPPED);
        assertThat(r.get("iSCSIResiduals.Read10Invalid").verdict()).isEqualTo(Verdict.PASSED);
    }

    @Test
    void messagesThatAreNeitherSkipsNorVerdictsLeaveAPass() throws IOException {
        Map<String, CuTestResult> r = byName(CuLogParser.parse(resource("sample-cu.log")));

        // "  Test: Control-SWP ...    SWP is not changeable" then "passed"
        assertThat(r.get("ModeSense6.Control-SWP")).isEqualTo(
                new CuTestResult("ModeSense6.Control-SWP", Verdict.PASSED, ""));
        // "[FAILED] WRITE10 command failed ..." are the expected errors of a negative test that passed
        assertThat(r.get("iSCSIdatasn.iSCSIDataSnInvalid").verdict()).isEqualTo(Verdict.PASSED);
    }

    @Test
    void aFailureCarriesItsAssertionsOnceEach() throws IOException {
        Map<String, CuTestResult> r = byName(CuLogParser.parse(resource("sample-cu.log")));

        assertThat(r.get("Sanitize.Readonly")).isEqualTo(new CuTestResult("Sanitize.Readonly", Verdict.FAILED,
                "test_sanitize_readonly.c:60 - CU_ASSERT_EQUAL(ret,0)"));
        assertThat(r.get("MultipathIO.Reset")).isEqualTo(new CuTestResult("MultipathIO.Reset", Verdict.FAILED,
                "test_multipathio_reset.c:69 - CU_ASSERT_NOT_EQUAL(num_uas,0)"));
        assertThat(r.get("MultipathIO.CompareAndWrite").verdict()).isEqualTo(Verdict.PASSED);
    }

    @Test
    void cleanUpOutputOnTheLineOfTheLastAssertionIsDropped() {
        String log = String.join("\n",
                "Suite: WriteAtomic16",
                "  Test: VPD ...FAILED",
                "    1. test_writeatomic16_vpd.c:74  - CU_FAIL(\"MAXIMUM_ATOMIC_TRANSFER_LENGTH is non-zero\")"
                        + "    [SKIPPED] PERSISTENT RESERVE IN is not implemented.",
                "    [SKIPPED] PERSISTENT RESERVE IN is not implemented.",
                "",
                "Suite: iSCSIcmdsn");

        assertThat(CuLogParser.parse(log)).containsExactly(new CuTestResult("WriteAtomic16.VPD", Verdict.FAILED,
                "test_writeatomic16_vpd.c:74 - CU_FAIL(\"MAXIMUM_ATOMIC_TRANSFER_LENGTH is non-zero\")"));
    }

    @Test
    void theExcerptCountsAsAFinishedRun() throws IOException {
        String log = resource("sample-cu.log");
        Map<Verdict, Long> counts = CuLogParser.parse(log).stream()
                .collect(Collectors.groupingBy(CuTestResult::verdict, Collectors.counting()));

        assertThat(CuLogParser.finished(log)).isTrue();
        assertThat(counts).containsExactlyInAnyOrderEntriesOf(Map.of(
                Verdict.PASSED, 24L, Verdict.SKIPPED, 20L, Verdict.FAILED, 2L));
    }

    @Test
    void aCrashRightAfterAVerdictKeepsTheVerdictButTheRunIsUnfinished() throws IOException {
        String log = resource("crashed-cu.log");
        Map<String, CuTestResult> r = byName(CuLogParser.parse(log));

        // "  Test: LUNResetSimpleAsync ...passedmalloc(): unsorted double linked list corrupted"
        assertThat(r.get("iSCSITMF.LUNResetSimpleAsync").verdict()).isEqualTo(Verdict.PASSED);
        assertThat(r.get("iSCSITMF.AbortTaskSimpleAsync").verdict()).isEqualTo(Verdict.PASSED);
        assertThat(CuLogParser.finished(log)).isFalse();
    }

    @Test
    void aTestWithoutVerdictIsAnError() {
        String log = String.join("\n",
                "Suite: iSCSITMF",
                "  Test: AbortTaskSimpleAsync ...",
                "  Test: LUNResetSimpleAsync ...    [SKIPPED] device too small for async_reset test",
                "Suite: MultipathIO",
                "  Test: Simple ...passed",
                "  Test: Reset ...");

        assertThat(CuLogParser.parse(log)).containsExactly(
                new CuTestResult("iSCSITMF.AbortTaskSimpleAsync", Verdict.ERROR, "no verdict before the next test"),
                new CuTestResult("iSCSITMF.LUNResetSimpleAsync", Verdict.ERROR, "no verdict before the next suite"),
                new CuTestResult("MultipathIO.Simple", Verdict.PASSED, ""),
                new CuTestResult("MultipathIO.Reset", Verdict.ERROR,
                        "the log ends inside the test (crash, hang or timeout)"));
    }

    @Test
    void anEmptyLogHasNoResults() {
        assertThat(CuLogParser.parse("")).isEmpty();
        assertThat(CuLogParser.finished("")).isFalse();
    }

    static String resource(String name) throws IOException {
        try (InputStream in = CuLogParserTest.class.getResourceAsStream("/conformance/" + name)) {
            assertThat(in).as(name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static Map<String, CuTestResult> byName(List<CuTestResult> results) {
        return results.stream().collect(Collectors.toMap(CuTestResult::name, Function.identity()));
    }
}
