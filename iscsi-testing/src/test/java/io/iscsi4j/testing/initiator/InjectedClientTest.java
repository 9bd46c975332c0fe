package io.iscsi4j.testing.initiator;

import static org.assertj.core.api.Assertions.assertThat;

import io.iscsi4j.initiator.BlockDevice;
import io.iscsi4j.initiator.IscsiSession;
import io.iscsi4j.testing.InProcessTarget;
import io.iscsi4j.testing.IscsiTest;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The extension injects the target's client: a session, or LUN 0 as a block device. No native tool involved. */
@IscsiTest(lunSizes = {4L << 20}, blockSize = 4096, chapUser = "alice", chapSecret = "alice-secret")
@Timeout(30)
class InjectedClientTest {

    @Test
    void aBlockDeviceParameterIsLunZeroThroughTheClient(BlockDevice disk, IscsiSession session,
                                                       InProcessTarget target) throws Exception {
        assertThat(disk.blockSize()).isEqualTo(4096);
        assertThat(disk.capacity()).isEqualTo(4L << 20);
        assertThat(disk.session()).isSameAs(session).isSameAs(target.client());
        byte[] data = new byte[8192];
        Arrays.fill(data, (byte) 0x3C);
        disk.writeBlocking(10, ByteBuffer.wrap(data));
        assertThat(target.backstore(0).readBlocks(10, 2)).isEqualTo(data);
    }
}
