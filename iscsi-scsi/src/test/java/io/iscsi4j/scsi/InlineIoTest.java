package io.iscsi4j.scsi;

import static org.assertj.core.api.Assertions.assertThat;

import io.iscsi4j.backstore.BackstoreCapability;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which backstore calls run inline, on the thread that runs the command, and which go to the executor. */
class InlineIoTest {

    private static final int BLOCK = 512;

    private final ManualExecutor executor = new ManualExecutor();

    private ScsiDispatcher dispatcher(TestBackstore b) {
        return new ScsiDispatcher(Map.of(0, LogicalUnit.builder(b).serial("S").executor(executor).build()));
    }

    private static TestBackstore nonBlocking(int blocks) {
        return new TestBackstore(BLOCK, blocks).capabilities(Set.of(BackstoreCapability.NON_BLOCKING));
    }

    @Test
    void nonBlockingBackstoreReadsAndWritesOnTheCallingThread() {
        TestBackstore b = nonBlocking(64);
        ScsiDispatcher dispatcher = dispatcher(b);
        byte[] data = ReadWriteTest.pattern(2 * BLOCK, 7);
        String caller = Thread.currentThread().getName();

        TestTask w = TestTask.of(Cdbs.write10(8, 2)).dataOut(data);
        dispatcher.execute(w);
        TestTask r = TestTask.of(Cdbs.read10(8, 2));
        dispatcher.execute(r);
        TestTask truncated = TestTask.of(Cdbs.read10(8, 2)).expected(700); // a second call for the tail
        dispatcher.execute(truncated);

        assertThat(executor.queued()).isZero();
        assertThat(w.isCompleted()).isTrue();
        assertThat(Target.checked(w).outcome()).isEqualTo("GOOD");
        assertThat(Target.checked(r).dataIn()).isEqualTo(data);
        assertThat(Target.checked(truncated).dataIn()).isEqualTo(Arrays.copyOf(data, 700));
        assertThat(b.calls).containsExactly("write 8+2", "read 8+2", "read 8+1", "read 9+1");
        assertThat(b.threads).containsOnly(caller);
        assertThat(b.threads).hasSize(4);
    }

    @Test
    void blockingBackstoreStaysOnTheExecutor() {
        TestBackstore b = new TestBackstore(BLOCK, 64);
        ScsiDispatcher dispatcher = dispatcher(b);

        TestTask w = TestTask.of(Cdbs.write10(8, 1)).dataOut(new byte[BLOCK]);
        dispatcher.execute(w);
        TestTask r = TestTask.of(Cdbs.read10(8, 1));
        dispatcher.execute(r);

        assertThat(w.isCompleted()).isFalse();
        assertThat(r.isCompleted()).isFalse();
        assertThat(b.calls).isEmpty();
        assertThat(executor.queued()).isEqualTo(2);
        executor.runAll();
        assertThat(Target.checked(w).outcome()).isEqualTo("GOOD");
        assertThat(Target.checked(r).outcome()).isEqualTo("GOOD");
    }

    @Test
    void largeTransfersStayOnTheExecutor() {
        int blocks = BlockIo.INLINE_LIMIT / BLOCK;
        TestBackstore b = nonBlocking(2 * blocks);
        ScsiDispatcher dispatcher = dispatcher(b);

        TestTask atLimit = TestTask.of(Cdbs.read10(0, blocks));
        dispatcher.execute(atLimit);
        assertThat(atLimit.isCompleted()).isTrue();

        TestTask read = TestTask.of(Cdbs.read10(0, blocks + 1));
        TestTask write = TestTask.of(Cdbs.write10(0, blocks + 1)).dataOut(new byte[(blocks + 1) * BLOCK]);
        dispatcher.execute(read);
        dispatcher.execute(write);
        assertThat(read.isCompleted()).isFalse();
        assertThat(write.isCompleted()).isFalse();
        assertThat(executor.queued()).isEqualTo(2);
        executor.runAll();
        assertThat(Target.checked(read).outcome()).isEqualTo("GOOD");
        assertThat(Target.checked(write).outcome()).isEqualTo("GOOD");
    }

    @Test
    void otherBackstoreCallsStayOnTheExecutor() {
        TestBackstore b = nonBlocking(64);
        ScsiDispatcher dispatcher = dispatcher(b);

        TestTask sync = TestTask.of(Cdbs.synchronizeCache10(0, 0, false));
        TestTask writeSame = TestTask.of(ProvisioningTest.writeSame10(0, 16, 0)).dataOut(new byte[BLOCK]);
        TestTask verify = TestTask.of(Cdbs.block(0x2F, 10, 0, 4, 0)); // VERIFY (10), BYTCHK=0
        dispatcher.execute(sync);
        dispatcher.execute(writeSame);
        dispatcher.execute(verify);

        assertThat(sync.isCompleted()).isFalse();
        assertThat(writeSame.isCompleted()).isFalse();
        assertThat(verify.isCompleted()).isFalse();
        assertThat(b.calls).isEmpty();
        executor.runAll();
        assertThat(Target.checked(sync).outcome()).isEqualTo("GOOD");
        assertThat(Target.checked(writeSame).outcome()).isEqualTo("GOOD");
        assertThat(Target.checked(verify).outcome()).isEqualTo("GOOD");
    }

    @Test
    void readGrantedByAnotherCommandsReleaseGoesToTheExecutor() {
        TestBackstore b = nonBlocking(64);
        ScsiDispatcher dispatcher = dispatcher(b);

        // COMPARE AND WRITE holds an exclusive claim on block 5 while its calls run on the executor.
        TestTask caw = TestTask.of(CompareAndWriteTest.cdb(5, 1, 0)).dataOut(new byte[2 * BLOCK]);
        dispatcher.execute(caw);
        TestTask read = TestTask.of(Cdbs.read10(5, 1));
        dispatcher.execute(read);
        TestTask elsewhere = TestTask.of(Cdbs.read10(6, 1));
        dispatcher.execute(elsewhere);

        assertThat(elsewhere.isCompleted()).isTrue(); // disjoint: granted at once, inline
        assertThat(read.isCompleted()).isFalse(); // waits for the exclusive claim
        while (!caw.isCompleted()) {
            assertThat(executor.runOne()).isTrue();
        }
        // The release that ended the COMPARE AND WRITE granted the read's claim: its call was queued, not run.
        assertThat(read.isCompleted()).isFalse();
        assertThat(executor.queued()).isEqualTo(1);
        executor.runAll();
        assertThat(Target.checked(caw).outcome()).isEqualTo("GOOD");
        assertThat(Target.checked(read).outcome()).isEqualTo("GOOD");
        assertThat(b.calls).containsExactly("read 6+1", "read 5+1", "write 5+1", "read 5+1");
    }
}
