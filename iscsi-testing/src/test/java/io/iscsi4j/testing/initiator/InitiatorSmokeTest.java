package io.iscsi4j.testing.initiator;

import static org.assertj.core.api.Assertions.assertThat;

import io.iscsi4j.initiator.BlockDevice;
import io.iscsi4j.initiator.IscsiSession;
import io.iscsi4j.testing.InProcessTarget;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class InitiatorSmokeTest {

    @Test
    void writesThroughTheProtocolIntoTheBackstore() throws Exception {
        try (InProcessTarget target = InProcessTarget.builder().lun(1 << 20).start()) {
            IscsiSession session = target.client();
            BlockDevice disk = session.lun(0);
            assertThat(disk.blockSize()).isEqualTo(512);
            assertThat(disk.capacity()).isEqualTo(1 << 20);
            byte[] data = new byte[4096];
            Arrays.fill(data, (byte) 0x5A);
            disk.writeBlocking(3, ByteBuffer.wrap(data));
            assertThat(target.backstore(0).readBlocks(3, 8)).isEqualTo(data);
            ByteBuffer back = ByteBuffer.allocate(4096);
            disk.readBlocking(3, back);
            assertThat(back.array()).isEqualTo(data);
        }
    }
}
