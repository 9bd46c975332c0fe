package io.iscsi4j.scsi;

import static org.assertj.core.api.Assertions.assertThat;

import io.iscsi4j.backstore.Backstores;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** COMPARE AND WRITE as a lock-free counter: lost updates would show that it is not atomic. */
class AtomicityTest {

    private static final int BLOCK = 512;

    private final ExecutorService io = Executors.newFixedThreadPool(8);
    private final ExecutorService initiators = Executors.newFixedThreadPool(6);

    @AfterEach
    void stop() {
        io.shutdownNow();
        initiators.shutdownNow();
    }

    private static byte[] block(long value) {
        return ByteBuffer.allocate(BLOCK).putLong(0, value).array();
    }

    private static TestTask run(ScsiDispatcher dispatcher, TestTask task) throws Exception {
        dispatcher.execute(task);
        return Target.checked(task.await());
    }

    @Test
    void concurrentCompareAndWriteIncrementsLoseNothing() throws Exception {
        LogicalUnit lu = LogicalUnit.builder(Backstores.memory(1 << 20)).serial("S").executor(io).build();
        ScsiDispatcher dispatcher = new ScsiDispatcher(Map.of(0, lu));
        int perInitiator = 200;
        List<Future<Integer>> results = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            int initiator = i;
            results.add(initiators.submit(() -> {
                int miscompares = 0;
                for (int n = 0; n < perInitiator; n++) {
                    while (true) {
                        byte[] current = run(dispatcher, TestTask.of(Cdbs.read10(7, 1))).dataIn();
                        long value = ByteBuffer.wrap(current).getLong(0);
                        byte[] data = new byte[2 * BLOCK];
                        System.arraycopy(current, 0, data, 0, BLOCK);
                        System.arraycopy(block(value + 1), 0, data, BLOCK, BLOCK);
                        TestTask caw = run(dispatcher, TestTask.of(CompareAndWriteTest.cdb(7, 1, 0)).dataOut(data));
                        if (caw.status() == ScsiStatus.GOOD) {
                            break;
                        }
                        assertThat(caw.outcome()).isEqualTo(
                                "CHECK_CONDITION MISCOMPARE / MISCOMPARE_DURING_VERIFY_OPERATION");
                        miscompares++;
                    }
                    // Unrelated writes to a neighbouring block run alongside.
                    run(dispatcher, TestTask.of(Cdbs.write10(8, 1)).dataOut(block(initiator)));
                }
                return miscompares;
            }));
        }
        for (Future<Integer> f : results) {
            f.get();
        }

        byte[] last = run(dispatcher, TestTask.of(Cdbs.read10(7, 1))).dataIn();
        assertThat(ByteBuffer.wrap(last).getLong(0)).isEqualTo(6L * perInitiator);
        assertThat(lu.locks().grantedCount()).isZero();
        assertThat(lu.locks().waitingCount()).isZero();
    }
}
