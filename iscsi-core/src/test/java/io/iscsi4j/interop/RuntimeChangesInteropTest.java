package io.iscsi4j.interop;

import io.iscsi4j.IscsiTarget;
import io.iscsi4j.LunStatistics;
import io.iscsi4j.backstore.Backstores;
import io.iscsi4j.backstore.ForwardingBackstore;
import io.iscsi4j.interop.InitiatorTools.Result;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static io.iscsi4j.interop.InteropTargets.IQN;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Run-time changes seen by independent initiators: libiscsi's tools list added LUNs and the new capacity, and a
 * QEMU session that is open while a LUN is added and the capacity changes takes the unit attentions and carries on.
 */
@Timeout(120)
@Tag("interop")
class RuntimeChangesInteropTest {

    private static final long MIB = 1L << 20;

    /** A memory backstore that can grow, and runs a hook once when a read reaches a trigger LBA. */
    static final class HookedBackstore extends ForwardingBackstore {
        final AtomicLong blocks;
        final long triggerLba;
        final AtomicReference<Runnable> hook = new AtomicReference<>();
        final AtomicBoolean fired = new AtomicBoolean();

        HookedBackstore(long capacityBytes, long initialBlocks, long triggerLba) {
            super(Backstores.memory(capacityBytes));
            this.blocks = new AtomicLong(initialBlocks);
            this.triggerLba = triggerLba;
        }

        @Override
        public long blockCount() {
            return blocks.get();
        }

        @Override
        public CompletionStage<Void> read(long lba, ByteBuffer dst) {
            Runnable h = hook.get();
            if (lba == triggerLba && h != null && fired.compareAndSet(false, true)) {
                h.run();
            }
            return super.read(lba, dst);
        }
    }

    @Test
    @DisplayName("iscsi-ls and iscsi-readcapacity16 see an added LUN, a new capacity and a removed LUN")
    void libiscsiToolsSeeTheChanges() throws Exception {
        HookedBackstore lun0 = new HookedBackstore(32 * MIB, 8 * MIB / 512, -1);
        try (IscsiTarget target = InteropTargets.startOneLun(lun0)) {
            String portal = InteropTargets.portalUrl(target);
            Result before = InitiatorTools.run("iscsi-ls", "-s", portal).assertSuccess();
            assertThat(before.stdout()).as(before.describe()).containsPattern("Lun:0\\s+Type:DIRECT_ACCESS")
                    .doesNotContain("Lun:1");

            target.target(IQN).addLun(1, Backstores.memory(4 * MIB, 4096));
            Result added = InitiatorTools.run("iscsi-ls", "-s", portal).assertSuccess();
            assertThat(added.stdout()).as(added.describe()).containsPattern("Lun:0\\s+Type:DIRECT_ACCESS")
                    .containsPattern("Lun:1\\s+Type:DIRECT_ACCESS");

            lun0.blocks.set(32 * MIB / 512);
            target.target(IQN).resizeLun(0);
            Result size = InitiatorTools.run("iscsi-readcapacity16", "-s", InteropTargets.lunUrl(target, IQN, 0))
                    .assertSuccess();
            assertThat(size.stdout().trim()).as(size.describe()).isEqualTo(Long.toString(32 * MIB));

            assertThat(target.target(IQN).removeLun(1)).isTrue();
            Result removed = InitiatorTools.run("iscsi-ls", "-s", portal).assertSuccess();
            assertThat(removed.stdout()).as(removed.describe()).containsPattern("Lun:0\\s+Type:DIRECT_ACCESS")
                    .doesNotContain("Lun:1");
            Result inq = InitiatorTools.run("iscsi-inq", InteropTargets.lunUrl(target, IQN, 1));
            assertThat(inq.exitCode()).as("iscsi-inq of the removed LUN: %s", inq.describe()).isNotZero();
        }
    }

    @Test
    @DisplayName("qemu-io: a session open while a LUN is added and the capacity changes takes both unit attentions")
    void qemuSessionSurvivesUnitAttentions() throws Exception {
        long triggerLba = 1000;
        HookedBackstore lun0 = new HookedBackstore(16 * MIB, 8 * MIB / 512, triggerLba);
        try (IscsiTarget target = InteropTargets.startOneLun(lun0)) {
            // In the middle of the session, while serving one read: add LUN 1 and grow LUN 0.
            lun0.hook.set(() -> {
                target.target(IQN).addLun(1, Backstores.memory(MIB));
                lun0.blocks.set(16 * MIB / 512);
                target.target(IQN).resizeLun(0);
            });
            LunStatistics before = target.statistics(IQN, 0);

            Result r = InitiatorTools.run("qemu-io", "-f", "raw",
                    "-c", "write -P 0x5a 0 64k",
                    "-c", "read -P 0x5a 0 64k",
                    "-c", "read " + triggerLba * 512 + " 512",
                    "-c", "read -P 0x5a 0 64k",
                    "-c", "write -P 0x6b 65536 4k",
                    "-c", "read -P 0x6b 65536 4k",
                    InteropTargets.lunUrl(target, IQN, 0));
            InitiatorTools.requireQemuIscsiDriver(r);
            r.assertSuccess();
            assertThat(r.stdout()).as(r.describe()).doesNotContain("Pattern verification failed")
                    .contains("read 65536/65536 bytes at offset 0", "read 4096/4096 bytes at offset 65536");
            assertThat(lun0.fired).as("the hook ran inside the session").isTrue();

            LunStatistics after = target.statistics(IQN, 0);
            // libiscsi reports each unit attention to QEMU, which retries the command.
            assertThat(r.stderr()).as(r.describe())
                    .containsSubsequence("UNIT_ATTENTION(6) ASCQ:(null)(0x3f0e)", "CAPACITY_DATA_HAS_CHANGED(0x2a09)");
            assertThat(after.checkConditions() - before.checkConditions())
                    .as("one CHECK CONDITION per unit attention: %s", after).isEqualTo(2);
            assertThat(after.writeCommands()).isGreaterThanOrEqualTo(2);
            assertThat(after.bytesWritten()).isGreaterThanOrEqualTo(64 * 1024 + 4096);
            assertThat(target.targets().get(0).luns()).hasSize(2);
        }
    }
}
