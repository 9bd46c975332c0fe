package io.iscsi4j.it;

import io.iscsi4j.IscsiTarget;
import io.iscsi4j.backstore.Backstores;
import io.iscsi4j.backstore.ForwardingBackstore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An {@link Error} (not only a RuntimeException) thrown while a command is dispatched ends that command with CHECK
 * CONDITION, HARDWARE ERROR / INTERNAL TARGET FAILURE; no task is left behind, so the connection keeps working and
 * closing the target does not wait for a task that will never end.
 */
@Timeout(30)
class ErrorInDispatchTest {

    /** A memory backstore whose block count throws an {@link AssertionError} while {@link #broken} is set. */
    private static final class BrokenBackstore extends ForwardingBackstore {
        volatile boolean broken;

        BrokenBackstore() {
            super(Backstores.memory(Targets.LUN_SIZE));
        }

        @Override
        public long blockCount() {
            if (broken) {
                throw new AssertionError("a bug in a backstore");
            }
            return super.blockCount();
        }
    }

    @Test
    void anErrorDuringDispatchIsAnsweredAndLeavesNoTaskBehind() throws Exception {
        BrokenBackstore backstore = new BrokenBackstore();
        IscsiTarget target = IscsiTarget.builder().portal("127.0.0.1", 0)
                .target(Targets.IQN, t -> t.lun(0, backstore)).build().start();
        try (TestInitiator ini = Targets.login(target, Map.of())) {
            assertThat(ini.testUnitReady().status()).isZero();
            backstore.broken = true;
            ScsiResult r = ini.readCapacity16();
            assertThat(r.status()).as("CHECK CONDITION").isEqualTo(2);
            assertThat(r.senseKey()).as("HARDWARE ERROR").isEqualTo(4);
            assertThat(r.asc()).as("INTERNAL TARGET FAILURE").isEqualTo(0x44);
            backstore.broken = false;
            assertThat(ini.testUnitReady().status()).as("the connection still serves").isZero();
        } finally {
            long start = System.nanoTime();
            target.close();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("no task left in flight")
                    .isLessThan(Duration.ofSeconds(10));
        }
    }
}
