package io.iscsi4j.core.session;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * {@link BufferBudget} on its own: the session's data buffer budget, the cap on reads under way, arrival order.
 */
class BufferBudgetTest {

    private static final int MIB = 1 << 20;

    private static int tag;

    /** Memory: its reads complete at once, the read cap applies. */
    private static final io.iscsi4j.scsi.LogicalUnit MEMORY =
            io.iscsi4j.scsi.LogicalUnit.builder(io.iscsi4j.backstore.Backstores.memory(MIB)).build();
    /** Storage with latency (not NON_BLOCKING): no read cap, only the session budget. */
    private static final io.iscsi4j.scsi.LogicalUnit REMOTE = io.iscsi4j.scsi.LogicalUnit.builder(
            new io.iscsi4j.backstore.ForwardingBackstore(io.iscsi4j.backstore.Backstores.memory(MIB)) { }).build();

    private static ScsiCommandTask read(int length) {
        return DetachedTasks.task(true, length, ++tag, MEMORY);
    }

    private static ScsiCommandTask remoteRead(int length) {
        return DetachedTasks.task(true, length, ++tag, REMOTE);
    }

    private static ScsiCommandTask write(int length) {
        return task(length, false);
    }

    private static ScsiCommandTask task(int length, boolean read) {
        return DetachedTasks.task(read, length, ++tag);
    }

    @Test
    void readsUnderWayStopAtTheReadBudgetAndResumeAsTheyEnd() {
        BufferBudget budget = new BufferBudget(64L * MIB, 4L * MIB);
        ScsiCommandTask[] reads = new ScsiCommandTask[8];
        for (int i = 0; i < reads.length; i++) {
            reads[i] = read(MIB);
        }
        for (int i = 0; i < 4; i++) {
            assertThat(budget.admit(reads[i], true)).as("read %d of 1 MiB fits 4 MiB", i).isTrue();
        }
        assertThat(budget.admit(reads[4], true)).as("a fifth would make 5 MiB of reads under way").isFalse();
        assertThat(budget.admit(reads[5], true)).as("and later ones wait behind it").isFalse();
        assertThat(budget.pollReady(true)).isNull();

        budget.release(reads[0]);
        assertThat(budget.pollReady(true)).isSameAs(reads[4]);
        assertThat(budget.pollReady(true)).as("4 MiB under way again").isNull();
        budget.release(reads[1]);
        assertThat(budget.pollReady(true)).isSameAs(reads[5]);
    }

    @Test
    void readsOfStorageWithLatencyAreBoundedByTheSessionBudgetOnly() {
        BufferBudget budget = new BufferBudget(16L * MIB, 4L * MIB);
        ScsiCommandTask[] reads = new ScsiCommandTask[17];
        for (int i = 0; i < reads.length; i++) {
            reads[i] = remoteRead(MIB);
        }
        for (int i = 0; i < 16; i++) {
            assertThat(budget.admit(reads[i], true)).as("remote read %d: in flight to the storage", i).isTrue();
        }
        assertThat(budget.admit(reads[16], true)).as("the session budget still holds").isFalse();
        ScsiCommandTask memoryRead = read(MIB);
        assertThat(budget.admit(memoryRead, true)).as("waits behind, in arrival order").isFalse();
        budget.release(reads[0]);
        assertThat(budget.pollReady(true)).isSameAs(reads[16]);
        budget.release(reads[1]);
        assertThat(budget.pollReady(true)).as("remote reads do not count against the read cap").isSameAs(memoryRead);
    }

    @Test
    void aReadLargerThanTheReadBudgetRunsAlone() {
        BufferBudget budget = new BufferBudget(64L * MIB, 4L * MIB);
        ScsiCommandTask big = read(8 * MIB);
        ScsiCommandTask small = read(4096);
        assertThat(budget.admit(big, true)).as("nothing under way: it runs").isTrue();
        assertThat(budget.admit(small, true)).isFalse();
        budget.release(big);
        assertThat(budget.pollReady(true)).isSameAs(small);
    }

    @Test
    void writesDoNotCountAgainstTheReadBudget() {
        BufferBudget budget = new BufferBudget(64L * MIB, 4L * MIB);
        for (int i = 0; i < 4; i++) {
            assertThat(budget.admit(read(MIB), true)).isTrue();
        }
        assertThat(budget.admit(write(8 * MIB), true)).as("within the session's 64 MiB").isTrue();
        assertThat(budget.admit(write(8 * MIB), true)).isTrue();
    }

    @Test
    void readsWaitWhileTheOutputIsFullWhateverTheReadBudget() {
        BufferBudget budget = new BufferBudget(64L * MIB, 4L * MIB);
        ScsiCommandTask r = read(4096);
        assertThat(budget.admit(r, false)).isFalse();
        assertThat(budget.pollReady(false)).isNull();
        assertThat(budget.pollReady(true)).isSameAs(r);
    }

    @Test
    void theSessionBudgetStillBoundsAllCommands() {
        BufferBudget budget = new BufferBudget(16L * MIB, 4L * MIB);
        assertThat(budget.admit(write(12 * MIB), true)).isTrue();
        ScsiCommandTask r = read(2 * MIB);
        ScsiCommandTask w = write(2 * MIB);
        assertThat(budget.admit(r, true)).as("2 MiB of reads fit the read budget and the session's").isTrue();
        assertThat(budget.admit(w, true)).as("16 MiB held").isTrue();
        assertThat(budget.admit(read(MIB), true)).as("17 MiB would exceed the session's budget").isFalse();
    }
}
