package io.iscsi4j.it;

import io.iscsi4j.IscsiTarget;
import io.iscsi4j.backstore.Backstores;
import java.util.Map;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The physical block size set with {@code LunBuilder.physicalBlockSize} reaches the initiator. */
class LunGeometryTest {

    @Test
    void readCapacity16ReportsTheConfiguredPhysicalBlock() throws Exception {
        try (IscsiTarget target = IscsiTarget.builder()
                .portal("127.0.0.1", 0)
                .target(Targets.IQN, t -> t.lun(0, Backstores.memory(Targets.LUN_SIZE), o -> o.physicalBlockSize(4096)))
                .build()
                .start();
             TestInitiator initiator = Targets.login(target, Map.of())) {
            ScsiResult r = initiator.readCapacity16();

            assertThat(r.good()).as("READ CAPACITY (16): %s", r).isTrue();
            byte[] d = r.data();
            assertThat(initiator.blockSize()).as("LOGICAL BLOCK LENGTH IN BYTES").isEqualTo(512);
            assertThat(d[13] & 0x0F).as("LOGICAL BLOCKS PER PHYSICAL BLOCK EXPONENT: 8 blocks").isEqualTo(3);
            assertThat(((d[14] & 0x3F) << 8) | (d[15] & 0xFF)).as("LOWEST ALIGNED LOGICAL BLOCK ADDRESS").isZero();
        }
    }
}
