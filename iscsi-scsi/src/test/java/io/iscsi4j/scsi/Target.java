package io.iscsi4j.scsi;

import java.util.Map;
import java.util.Set;

/**
 * One logical unit (LUN 0) over a {@link TestBackstore}, run through a {@link ScsiDispatcher} with a direct
 * executor: every command completes before {@link #run} returns.
 */
final class Target {

    final TestBackstore backstore;
    final LogicalUnit lu;
    final ScsiDispatcher dispatcher;

    Target(TestBackstore backstore, LogicalUnit lu) {
        this.backstore = backstore;
        this.lu = lu;
        this.dispatcher = new ScsiDispatcher(Map.of(0, lu));
    }

    /** LUN 0 reached through the own group of {@code portGroups}. */
    Target(TestBackstore backstore, LogicalUnit lu, TargetPortGroups portGroups) {
        this.backstore = backstore;
        this.lu = lu;
        this.dispatcher = new ScsiDispatcher(Map.of(0, lu), Set.of(), TaskSetAborter.NONE, portGroups);
    }

    static Target of(int blockSize, int blockCount) {
        TestBackstore b = new TestBackstore(blockSize, blockCount);
        return new Target(b, builder(b).build());
    }

    static LogicalUnit.Builder builder(TestBackstore b) {
        return LogicalUnit.builder(b).serial("SER-0001").executor(Runnable::run);
    }

    /** Executes the task and checks that it completed exactly once without contract violations. */
    TestTask run(TestTask task) {
        dispatcher.execute(task);
        return checked(task);
    }

    TestTask run(byte[] cdb) {
        return run(TestTask.of(cdb));
    }

    static TestTask checked(TestTask task) {
        org.assertj.core.api.Assertions.assertThat(task.violations()).as("task contract violations").isEmpty();
        org.assertj.core.api.Assertions.assertThat(task.completions()).as("completions").isEqualTo(1);
        return task;
    }
}
