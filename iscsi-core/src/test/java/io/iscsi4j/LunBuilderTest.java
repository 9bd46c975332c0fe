package io.iscsi4j;

import io.iscsi4j.backstore.Backstore;
import io.iscsi4j.backstore.Backstores;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LunBuilderTest {

    private static final String IQN = "iqn.2026-11.io.iscsi4j:lun-builder";

    private static LunConfig lun(Backstore backstore, java.util.function.Consumer<LunBuilder> options) {
        return new TargetBuilder(IQN).lun(3, backstore, options).build().luns().get(0);
    }

    @Test
    void physicalBlockSizeDefaultsToTheBackstoresBlockSize() {
        assertThat(lun(Backstores.memory(1 << 20), o -> { }).physicalBlockSize()).isEqualTo(512);
        assertThat(lun(Backstores.memory(1 << 20, 4096), o -> { }).physicalBlockSize()).isEqualTo(4096);
    }

    @Test
    void physicalBlockSizeIsCarriedIntoTheLunConfig() {
        LunConfig c = lun(Backstores.memory(1 << 20), o -> o.physicalBlockSize(4096).writeBack(false));

        assertThat(c.physicalBlockSize()).isEqualTo(4096);
        assertThat(c.writeBack()).isFalse();
        assertThat(lun(Backstores.memory(1 << 20, 4096), o -> o.physicalBlockSize(4096)).physicalBlockSize())
                .as("equal to the logical block size").isEqualTo(4096);
    }

    @Test
    void rejectsValuesThatAreNotAPowerOfTwoFrom512To1MiB() {
        LunBuilder b = new LunBuilder();

        for (int bytes : new int[] {0, -4096, 256, 3000, 6144, 2 << 20}) {
            assertThatThrownBy(() -> b.physicalBlockSize(bytes)).as("%d bytes", bytes)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("physical block size").hasMessageContaining(Integer.toString(bytes));
        }
        assertThat(b.physicalBlockSize(1 << 20)).isSameAs(b);
    }

    @Test
    void aPhysicalBlockSmallerThanTheLogicalBlockIsRefusedNamingTheTargetAndLun() {
        assertThatThrownBy(() -> lun(Backstores.memory(1 << 20, 4096), o -> o.physicalBlockSize(2048)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(IQN).hasMessageContaining("LUN 3")
                .hasMessageContaining("2048").hasMessageContaining("4096");
    }

    @Test
    void lunConfigChecksThePhysicalBlockSizeAgainstTheBackstore() {
        Backstore b = Backstores.memory(1 << 20);

        assertThat(new LunConfig(0, b, false, true, "S").physicalBlockSize()).as("5-argument form").isEqualTo(512);
        assertThat(new LunConfig(0, b, false, true, "S", 8192).physicalBlockSize()).isEqualTo(8192);
        for (int bytes : new int[] {256, 768, 2 << 20}) {
            assertThatThrownBy(() -> new LunConfig(0, b, false, true, "S", bytes)).as("%d bytes", bytes)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("physical block size");
        }
    }

    @Test
    void backstoreTimeoutIsOffByDefaultValidatedAndCarriedIntoTheLunConfig() {
        Backstore b = Backstores.memory(1 << 20);

        assertThat(lun(b, o -> { }).backstoreTimeout()).as("default: off").isZero();
        assertThat(new LunConfig(0, b, false, true, "S", 512).backstoreTimeout()).isZero();
        assertThat(lun(b, o -> o.backstoreTimeout(java.time.Duration.ofSeconds(20))).backstoreTimeout())
                .isEqualTo(java.time.Duration.ofSeconds(20));
        assertThatThrownBy(() -> new LunBuilder().backstoreTimeout(java.time.Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("backstoreTimeout");
        assertThatThrownBy(() -> new LunConfig(0, b, false, true, "S", 512, java.time.Duration.ofMillis(-5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("backstoreTimeout");
    }

    @Test
    void theSerialIsTheApplicationsElseTheBackstoresElseRandom() {
        Backstore memory = Backstores.memory(1 << 20);
        assertThat(lun(memory, o -> o.serial("mine")).serial()).isEqualTo("mine");
        assertThat(lun(memory, o -> { }).serial()).as("the backstore's identity")
                .isEqualTo(memory.unitSerialNumber());
        Backstore anonymous = new io.iscsi4j.backstore.ForwardingBackstore(memory) {
            @Override
            public String unitSerialNumber() {
                return null;
            }
        };
        String first = lun(anonymous, o -> { }).serial();
        assertThat(first).matches("[0-9a-f]{32}").isNotEqualTo(memory.unitSerialNumber());
        assertThat(lun(anonymous, o -> { }).serial()).as("random, never derived from the target name and LUN")
                .matches("[0-9a-f]{32}").isNotEqualTo(first);
    }
}
