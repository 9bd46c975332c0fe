package io.iscsi4j.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.iscsi4j.initiator.BlockDevice;
import io.iscsi4j.initiator.ConnectionLostException;
import io.iscsi4j.initiator.IscsiSession;
import io.iscsi4j.initiator.LoginOptions;
import io.iscsi4j.testing.InProcessTarget;
import io.iscsi4j.testing.IscsiTest;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * How a user's test checks its own storage code through the real iSCSI protocol, with no native tool: the
 * in-process target's client writes, the test asserts on the backstore's bytes.
 */
@IscsiTest(lunSizes = {8L << 20}, blockSize = 512)
class ClientTestingExampleTest {

    @Test
    void writesThroughIscsiIntoTheBackstore(InProcessTarget target) throws Exception {
        BlockDevice disk = target.clientLun(0);
        byte[] block = Arrays.copyOf("written by the test".getBytes(StandardCharsets.US_ASCII), 512);
        disk.writeBlocking(8, ByteBuffer.wrap(block));
        assertThat(target.backstore(0).readBlocks(8, 1)).isEqualTo(block);
    }

    @Test
    void aDroppedConnectionWithAndWithoutRecovery(InProcessTarget target) throws Exception {
        BlockDevice disk = target.clientLun(0);
        target.faults().dropConnectionAfter(0);
        assertThatThrownBy(() -> disk.writeBlocking(0, ByteBuffer.allocate(512)))
                .isInstanceOf(ConnectionLostException.class);

        IscsiSession recovering = target.connect(LoginOptions.builder().recovery(true).build());
        target.faults().dropConnectionAfter(0);
        byte[] block = new byte[512];
        Arrays.fill(block, (byte) 7);
        recovering.lun(0).writeBlocking(1, ByteBuffer.wrap(block));   // reconnects and reissues the write
        assertThat(target.backstore(0).readBlocks(1, 1)).isEqualTo(block);
        assertThat(recovering.recoveries()).isEqualTo(1);
    }
}
