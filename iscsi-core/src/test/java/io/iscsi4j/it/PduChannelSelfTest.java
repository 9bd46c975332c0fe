package io.iscsi4j.it;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The test initiator's own checks must bite: a fake target on a loopback socket sends crafted frames and
 * {@link PduChannel} must accept the good ones and refuse bad digests and oversized segments.
 */
@Timeout(30)
class PduChannelSelfTest {

    private static byte[] dataIn(byte[] data, boolean corruptHeader, boolean corruptData) {
        Bhs bhs = Bhs.of(Bhs.DATA_IN).flags(0x80).itt(7).i32(20, Bhs.RESERVED_TAG).i32(36, 0).i32(40, 0);
        return PduChannel.frame(bhs, data, 0, data.length, true, true, corruptHeader, corruptData);
    }

    private interface Check {
        void run(PduChannel channel) throws IOException;
    }

    private static void withFakeTarget(byte[] sent, Check check) throws IOException {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            server.setSoTimeout(5_000);
            InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort());
            try (PduChannel channel = PduChannel.connect(address); Socket peer = server.accept()) {
                channel.headerDigest(true);
                channel.dataDigest(true);
                channel.readTimeout(5_000);
                OutputStream out = peer.getOutputStream();
                out.write(sent);
                out.flush();
                check.run(channel);
            }
        }
    }

    @Test
    void acceptsCorrectDigestsAndStripsPadding() throws IOException {
        byte[] data = Targets.pattern(1001, 1);
        withFakeTarget(dataIn(data, false, false), channel -> {
            RawPdu p = channel.receive();
            assertThat(p.opcode()).isEqualTo(Bhs.DATA_IN);
            assertThat(p.itt()).isEqualTo(7);
            assertThat(p.data()).isEqualTo(data);
        });
    }

    @Test
    void refusesABadDataDigest() throws IOException {
        withFakeTarget(dataIn(Targets.pattern(64, 2), false, true), channel ->
                assertThatThrownBy(channel::receive).isInstanceOf(ProtocolViolation.class)
                        .hasMessageContaining("data digest mismatch"));
    }

    @Test
    void refusesABadHeaderDigest() throws IOException {
        withFakeTarget(dataIn(Targets.pattern(64, 3), true, false), channel ->
                assertThatThrownBy(channel::receive).isInstanceOf(ProtocolViolation.class)
                        .hasMessageContaining("header digest mismatch"));
    }

    @Test
    void refusesASegmentLargerThanDeclared() throws IOException {
        withFakeTarget(dataIn(Targets.pattern(4100, 4), false, false), channel -> {
            channel.maxInboundDataSegmentLength(4096);
            assertThatThrownBy(channel::receive).isInstanceOf(ProtocolViolation.class)
                    .hasMessageContaining("MaxRecvDataSegmentLength 4096");
        });
    }

    @Test
    void framesLikeTheRfcSays() {
        // BHS 48 + header digest 4 + 5 data bytes padded to 8 + data digest 4
        byte[] frame = PduChannel.frame(Bhs.of(Bhs.NOP_OUT), new byte[] {1, 2, 3, 4, 5}, 0, 5, true, true,
                false, false);
        assertThat(frame).hasSize(48 + 4 + 8 + 4);
        assertThat(frame[7]).as("DataSegmentLength excludes padding").isEqualTo((byte) 5);
        assertThat(new byte[] {frame[57], frame[58], frame[59]}).as("zero padding").containsOnly(0);
        assertThat(Crc32c.get(frame, 60)).as("data digest covers data and padding")
                .isEqualTo(Crc32c.value(frame, 52, 8));
        assertThat(Crc32c.get(frame, 48)).isEqualTo(Crc32c.value(frame, 0, 48));
    }
}
