package io.iscsi4j.scsi;

import static org.assertj.core.api.Assertions.assertThat;

import io.iscsi4j.backstore.LbaOutOfRangeException;
import io.iscsi4j.backstore.MediumErrorException;
import io.iscsi4j.backstore.NotReadyException;
import io.iscsi4j.backstore.OutOfSpaceException;
import io.iscsi4j.backstore.WriteProtectedException;
import java.io.IOException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class BackstoreFailureTest {

    /** Failure, command kind, expected outcome. */
    static Stream<Arguments> failures() {
        return Stream.of(
                Arguments.of(new MediumErrorException(7, "bad sector"), "read",
                        "CHECK_CONDITION MEDIUM_ERROR / UNRECOVERED_READ_ERROR"),
                Arguments.of(new MediumErrorException(7, "bad sector"), "write",
                        "CHECK_CONDITION MEDIUM_ERROR / WRITE_ERROR"),
                Arguments.of(new MediumErrorException(7, "bad sector"), "flush",
                        "CHECK_CONDITION MEDIUM_ERROR / WRITE_ERROR"),
                Arguments.of(new LbaOutOfRangeException("shrunk"), "read",
                        "CHECK_CONDITION ILLEGAL_REQUEST / LOGICAL_BLOCK_ADDRESS_OUT_OF_RANGE"),
                Arguments.of(new WriteProtectedException("snapshot"), "write",
                        "CHECK_CONDITION DATA_PROTECT / WRITE_PROTECTED"),
                Arguments.of(new OutOfSpaceException("pool full"), "write",
                        "CHECK_CONDITION DATA_PROTECT / SPACE_ALLOCATION_FAILED_WRITE_PROTECT"),
                Arguments.of(new NotReadyException("remote down"), "read",
                        "CHECK_CONDITION NOT_READY / LOGICAL_UNIT_NOT_READY_CAUSE_NOT_REPORTABLE"),
                Arguments.of(new NotReadyException("remote down"), "flush",
                        "CHECK_CONDITION NOT_READY / LOGICAL_UNIT_NOT_READY_CAUSE_NOT_REPORTABLE"),
                Arguments.of(new IOException("disk gone"), "write",
                        "CHECK_CONDITION HARDWARE_ERROR / INTERNAL_TARGET_FAILURE"),
                Arguments.of(new IllegalStateException("bug"), "read",
                        "CHECK_CONDITION HARDWARE_ERROR / INTERNAL_TARGET_FAILURE"),
                Arguments.of(new CompletionException(new NotReadyException("wrapped")), "write",
                        "CHECK_CONDITION NOT_READY / LOGICAL_UNIT_NOT_READY_CAUSE_NOT_REPORTABLE"),
                Arguments.of(new CompletionException(new CompletionException(new MediumErrorException(7, "x"))),
                        "read", "CHECK_CONDITION MEDIUM_ERROR / UNRECOVERED_READ_ERROR"));
    }

    @ParameterizedTest(name = "{1} completing with {0}")
    @MethodSource("failures")
    void exceptionalCompletionBecomesSense(Throwable failure, String kind, String expected) {
        Target target = Target.of(512, 64);
        target.backstore.failWith(failure, false);

        TestTask t = target.run(task(kind));

        assertThat(t.outcome()).isEqualTo(expected);
        assertThat(t.dataLength()).isZero();
    }

    @ParameterizedTest(name = "{1} throwing {0}")
    @MethodSource("failures")
    void synchronousThrowIsTreatedLikeExceptionalCompletion(Throwable failure, String kind, String expected) {
        Target target = Target.of(512, 64);
        target.backstore.failWith(failure, true);

        TestTask t = target.run(task(kind));

        assertThat(t.outcome()).isEqualTo(expected);
    }

    @Test
    void mediumErrorCarriesTheLbaInTheInformationField() {
        Target target = Target.of(512, 64);
        target.backstore.failWith(new MediumErrorException(42, "bad sector"), false);

        TestTask t = target.run(Cdbs.read10(40, 4));

        assertThat(t.sense()).hasToString("MEDIUM_ERROR / UNRECOVERED_READ_ERROR info=42");
        byte[] fixed = t.sense().toBytes();
        assertThat(fixed[0] & 0x80).as("VALID").isEqualTo(0x80);
        assertThat(Cdbs.u32(fixed, 3)).as("INFORMATION").isEqualTo(42);
    }

    @Test
    void nullStageIsAnInternalTargetFailure() {
        Target target = Target.of(512, 64);
        target.backstore.returnNullStage();

        TestTask t = target.run(Cdbs.read10(0, 1));

        assertThat(t.outcome()).isEqualTo("CHECK_CONDITION HARDWARE_ERROR / INTERNAL_TARGET_FAILURE");
    }

    @Test
    void rejectingExecutorReportsBusy() {
        TestBackstore b = new TestBackstore(512, 8);
        LogicalUnit lu = LogicalUnit.builder(b).serial("S").executor(r -> {
            throw new RejectedExecutionException("saturated");
        }).build();
        Target target = new Target(b, lu);

        TestTask r = target.run(Cdbs.read10(0, 1));
        TestTask w = target.run(TestTask.of(Cdbs.write10(0, 1)).dataOut(new byte[512]));
        TestTask s = target.run(Cdbs.synchronizeCache10(0, 0, false));

        assertThat(r.outcome()).isEqualTo("BUSY");
        assertThat(w.outcome()).isEqualTo("BUSY");
        assertThat(s.outcome()).isEqualTo("BUSY");
        assertThat(b.calls).isEmpty();
    }

    @Test
    void mapperUnwrapsExecutionExceptions() {
        SenseData sense = SenseMapper.map(new ExecutionException(new WriteProtectedException("ro")), true);

        assertThat(sense).hasToString("DATA_PROTECT / WRITE_PROTECTED");
    }

    @Test
    void mapperKeepsAWrapperWithoutCause() {
        SenseData sense = SenseMapper.map(new CompletionException("no cause", null), false);

        assertThat(sense).hasToString("HARDWARE_ERROR / INTERNAL_TARGET_FAILURE");
    }

    private static TestTask task(String kind) {
        return switch (kind) {
            case "read" -> TestTask.of(Cdbs.read10(4, 2));
            case "write" -> TestTask.of(Cdbs.write10(4, 2)).dataOut(new byte[1024]);
            case "flush" -> TestTask.of(Cdbs.synchronizeCache10(0, 0, false));
            default -> throw new IllegalArgumentException(kind);
        };
    }
}
