package io.iscsi4j.scsi;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ExecutorTest {

    private final ExecutorService io = Executors.newSingleThreadExecutor(r -> new Thread(r, "test-io"));

    @AfterEach
    void shutdown() {
        io.shutdownNow();
    }

    @Test
    void everyBackstoreCallRunsOnTheConfiguredExecutor() throws Exception {
        TestBackstore b = new TestBackstore(512, 64);
        LogicalUnit lu = LogicalUnit.builder(b).serial("S").executor(io).build();
        ScsiDispatcher dispatcher = new ScsiDispatcher(Map.of(0, lu));
        byte[] data = ReadWriteTest.pattern(1024, 2);

        TestTask w = TestTask.of(Cdbs.write10(8, 2)).dataOut(data);
        dispatcher.execute(w);
        w.await();
        TestTask r = TestTask.of(Cdbs.read10(8, 2)).expected(1000); // truncated: a second call for the tail
        dispatcher.execute(r);
        r.await();
        TestTask s = TestTask.of(Cdbs.synchronizeCache10(0, 0, false));
        dispatcher.execute(s);
        s.await();

        assertThat(Target.checked(w).outcome()).isEqualTo("GOOD");
        assertThat(Target.checked(r).dataIn()).isEqualTo(java.util.Arrays.copyOf(data, 1000));
        assertThat(Target.checked(s).outcome()).isEqualTo("GOOD");
        assertThat(b.calls).containsExactly("write 8+2", "read 8+1", "read 9+1", "flush");
        assertThat(b.threads).containsOnly("test-io");
    }

    @Test
    void defaultExecutorIsTheSharedDaemonPool() throws Exception {
        TestBackstore b = new TestBackstore(512, 64);
        LogicalUnit lu = LogicalUnit.builder(b).serial("S").build();
        ScsiDispatcher dispatcher = new ScsiDispatcher(Map.of(0, lu));

        TestTask r = TestTask.of(Cdbs.read10(0, 1));
        dispatcher.execute(r);
        r.await();

        assertThat(Target.checked(r).outcome()).isEqualTo("GOOD");
        assertThat(b.threads).singleElement().asString().startsWith("iscsi4j-backstore-");
    }
}
