package io.iscsi4j.scsi;

import static org.assertj.core.api.Assertions.assertThat;

import io.iscsi4j.backstore.Backstore;
import io.iscsi4j.backstore.Backstores;
import io.iscsi4j.backstore.ForwardingBackstore;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** What a backstore says of itself: its serial number, and a capacity that changed underneath the target. */
class BackstoreIdentityAndCapacityTest {

    private static final ItNexus OTHER = new ItNexus("iqn.1993-08.org.debian:01:def,i,0x00023d000002",
            TestTask.NEXUS.targetPortName(), 1, 1);

    /** Storage served by several processes: its own serial, and a size another process may change. */
    private static final class SharedStorage extends ForwardingBackstore {
        final AtomicReference<Runnable> listener = new AtomicReference<>();
        volatile long blocks = 64;

        SharedStorage() {
            super(Backstores.memory(1 << 20));
        }

        @Override
        public long blockCount() {
            return blocks;
        }

        @Override
        public String unitSerialNumber() {
            return "shared-image-7";
        }

        @Override
        public void onCapacityChange(Runnable l) {
            assertThat(listener.getAndSet(l)).as("one listener per logical unit").isNull();
        }
    }

    @Test
    void theBackstoresSerialIsTheDefaultAndAnExplicitOneWins() {
        LogicalUnit derived = LogicalUnit.builder(new SharedStorage()).build();
        assertThat(derived.serial()).isEqualTo("shared-image-7");
        LogicalUnit explicit = LogicalUnit.builder(new SharedStorage()).serial("mine").build();
        assertThat(explicit.serial()).isEqualTo("mine");
        LogicalUnit plain = LogicalUnit.builder(Backstores.memory(1 << 20)).build();
        assertThat(plain.serial()).as("random without either").matches("[0-9a-f]{32}");
    }

    @Test
    void aCapacityChangeUnderneathReachesEveryNexusOnce() {
        SharedStorage storage = new SharedStorage();
        LogicalUnit lu = LogicalUnit.builder(storage).serial("S").executor(Runnable::run).build();
        ScsiDispatcher dispatcher = new ScsiDispatcher(Map.of(0, lu));
        for (ItNexus n : new ItNexus[] {TestTask.NEXUS, OTHER}) {
            dispatcher.execute(TestTask.of(Cdbs.testUnitReady()).nexus(n));
        }
        assertThat(storage.listener.get()).as("the logical unit registered").isNotNull();

        storage.blocks = 128;
        storage.listener.get().run();

        for (ItNexus n : new ItNexus[] {TestTask.NEXUS, OTHER}) {
            TestTask first = TestTask.of(Cdbs.testUnitReady()).nexus(n);
            dispatcher.execute(first);
            assertThat(first.outcome()).isEqualTo("CHECK_CONDITION UNIT_ATTENTION / CAPACITY_DATA_HAS_CHANGED");
            TestTask second = TestTask.of(Cdbs.testUnitReady()).nexus(n);
            dispatcher.execute(second);
            assertThat(second.outcome()).as("reported once").isEqualTo("GOOD");
        }
    }
}
