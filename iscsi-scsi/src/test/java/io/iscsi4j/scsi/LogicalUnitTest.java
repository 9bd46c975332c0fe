package io.iscsi4j.scsi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class LogicalUnitTest {

    @Test
    void defaults() {
        TestBackstore b = new TestBackstore(4096, 16);
        LogicalUnit lu = LogicalUnit.builder(b).build();

        assertThat(lu.blockSize()).isEqualTo(4096);
        assertThat(lu.blockCount()).isEqualTo(16);
        assertThat(lu.backstore()).isSameAs(b);
        assertThat(lu.vendor()).isEqualTo("ISCSI4J");
        assertThat(lu.product()).isEqualTo("VIRTUAL-DISK");
        assertThat(lu.revision()).isEqualTo("0001");
        assertThat(lu.isReadOnly()).isFalse();
        assertThat(lu.isWriteBack()).as("backstore has a volatile cache").isTrue();
        assertThat(lu.maxTransferBlocks()).isEqualTo(2048);
        assertThat(lu.serial()).matches("[0-9a-f]{32}");
        assertThat(LogicalUnit.builder(b).build().serial()).as("random").isNotEqualTo(lu.serial());
    }

    @Test
    void writeBackDefaultFollowsTheBackstore() {
        assertThat(LogicalUnit.builder(new TestBackstore(512, 1).volatileCache(false)).build().isWriteBack())
                .isFalse();
    }

    @Test
    void rejectsMalformedIdentity() {
        LogicalUnit.Builder b = LogicalUnit.builder(new TestBackstore(512, 1));

        assertThatThrownBy(() -> b.vendor("TOO-LONG-1")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("vendor");
        assertThatThrownBy(() -> b.product("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.revision("12345")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.serial("caf\u00e9").build()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("serial");
        assertThatThrownBy(() -> b.serial("x".repeat(129)).build()).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rejectsUnusableBackstoreGeometry() {
        assertThatThrownBy(() -> LogicalUnit.builder(TestBackstore.huge(520, 8)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("block size");
        assertThatThrownBy(() -> LogicalUnit.builder(TestBackstore.huge(256, 8)).build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LogicalUnit.builder(TestBackstore.huge(512, 0)).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("block count");
    }

    @Test
    void physicalBlockSizeDefaultsToTheLogicalBlockSize() {
        LogicalUnit lu = LogicalUnit.builder(new TestBackstore(4096, 16)).build();

        assertThat(lu.physicalBlockSize()).isEqualTo(4096);
        assertThat(lu.logicalBlocksPerPhysicalBlock()).isEqualTo(1);
        assertThat(lu.logicalBlocksPerPhysicalBlockExponent()).isZero();
    }

    @Test
    void physicalBlockSizeIsAPowerOfTwoMultipleOfTheLogicalBlockSize() {
        LogicalUnit lu = LogicalUnit.builder(new TestBackstore(512, 16)).physicalBlockSize(4096).build();
        LogicalUnit largest = LogicalUnit.builder(new TestBackstore(512, 16)).physicalBlockSize(1 << 20).build();

        assertThat(lu.physicalBlockSize()).isEqualTo(4096);
        assertThat(lu.logicalBlocksPerPhysicalBlock()).isEqualTo(8);
        assertThat(lu.logicalBlocksPerPhysicalBlockExponent()).isEqualTo(3);
        assertThat(lu.toString()).contains("physicalBlockSize=4096");
        assertThat(largest.logicalBlocksPerPhysicalBlockExponent()).isEqualTo(11);
    }

    @Test
    void rejectsUnusablePhysicalBlockSizes() {
        LogicalUnit.Builder b = LogicalUnit.builder(new TestBackstore(4096, 16));

        for (int bytes : new int[] {0, 256, 3072, (1 << 20) + 512, 2 << 20, -4096}) {
            assertThatThrownBy(() -> b.physicalBlockSize(bytes)).as("%d bytes", bytes)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("physical block size");
        }
        assertThatThrownBy(() -> b.physicalBlockSize(2048).build()).as("smaller than the logical block")
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2048")
                .hasMessageContaining("4096");
    }

    @Test
    void closeClosesTheBackstoreOnce() throws Exception {
        TestBackstore b = new TestBackstore(512, 1);
        LogicalUnit lu = LogicalUnit.builder(b).build();

        lu.close();
        lu.close();

        assertThat(b.closes).hasValue(1);
    }
}
