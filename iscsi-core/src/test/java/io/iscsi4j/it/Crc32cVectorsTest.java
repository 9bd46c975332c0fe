package io.iscsi4j.it;

import io.iscsi4j.core.pdu.DataIn;
import io.iscsi4j.core.pdu.DigestSettings;
import io.iscsi4j.core.pdu.MalformedPdu;
import io.iscsi4j.core.pdu.NopOut;
import io.iscsi4j.core.pdu.PduEncoder;
import io.iscsi4j.core.pdu.PduFrameDecoder;
import io.iscsi4j.core.pdu.RejectReason;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The CRC32C test vectors of RFC 3720 Appendix B.4 (carried over unchanged by RFC 7143), given there as the
 * bytes on the wire, checked against the test initiator's digest and against the target's codec.
 *
 * <p>The vectors settle the byte order: 32 zero bytes have the CRC value {@code 0x8a9136aa}, and the RFC shows
 * {@code aa 36 91 8a}, so iSCSI sends the CRC least significant byte first.
 */
class Crc32cVectorsTest {

    private static final HexFormat HEX = HexFormat.of();

    /** Name, 32-byte input, expected wire bytes (RFC 3720 Appendix B.4 "CRC Examples"). */
    static Stream<Arguments> vectors() {
        byte[] zeros = new byte[32];
        byte[] ones = new byte[32];
        byte[] incrementing = new byte[32];
        byte[] decrementing = new byte[32];
        for (int i = 0; i < 32; i++) {
            ones[i] = (byte) 0xFF;
            incrementing[i] = (byte) i;
            decrementing[i] = (byte) (31 - i);
        }
        return Stream.of(
                Arguments.of("32 bytes of zeroes", zeros, "aa36918a"),
                Arguments.of("32 bytes of ones", ones, "43aba862"),
                Arguments.of("32 bytes of incrementing 00..1f", incrementing, "4e79dd46"),
                Arguments.of("32 bytes of decrementing 1f..00", decrementing, "5cdb3f11"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void initiatorDigestProducesTheRfcWireBytes(String name, byte[] input, String wire) {
        assertThat(HEX.formatHex(Crc32c.wireDigest(input, 0, input.length))).isEqualTo(wire);
        assertThat(Crc32c.get(HEX.parseHex(wire), 0)).isEqualTo(Crc32c.value(input, 0, input.length));
    }

    @Test
    void initiatorDigestOfTheRfcReadCommandPdu() {
        // RFC 3720 B.4 "An iSCSI - SCSI Read (10) Command PDU": 48 header bytes, CRC = 56 3a 96 d9.
        byte[] pdu = HEX.parseHex("01c00000" + "00000000" + "00000000" + "00000000"
                + "14000000" + "00000400" + "00000014" + "00000018"
                + "28000000" + "00000000" + "02000000" + "00000000");
        assertThat(HEX.formatHex(Crc32c.wireDigest(pdu, 0, pdu.length))).isEqualTo("563a96d9");
    }

    /**
     * The target's {@link PduEncoder} with both digests on: a Data-In whose data segment is the vector must end
     * with the vector's wire bytes, and its header digest must match the initiator's CRC over the 48-byte BHS.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void targetEncoderProducesTheRfcWireBytes(String name, byte[] input, String wire) {
        EmbeddedChannel channel = new EmbeddedChannel(PduEncoder.INSTANCE);
        channel.attr(PduEncoder.DIGESTS).set(new DigestSettings(true, true));
        DataIn pdu = DataIn.builder()
                .initiatorTaskTag(0x1234)
                .targetTransferTag(0xFFFF_FFFF)
                .dataSN(0)
                .bufferOffset(0)
                .data(Unpooled.wrappedBuffer(input.clone()))
                .build();
        assertThat(channel.writeOutbound(pdu)).isTrue();
        ByteArrayOutputStream encoded = new ByteArrayOutputStream();
        for (ByteBuf part = channel.readOutbound(); part != null; part = channel.readOutbound()) {
            encoded.writeBytes(ByteBufUtil.getBytes(part)); // header, data, trailer
            part.release();
        }
        byte[] bytes = encoded.toByteArray();
        assertThat(channel.finish()).isFalse();

        // BHS (48) + header digest (4) + data (32, no padding) + data digest (4)
        assertThat(bytes).hasSize(48 + 4 + 32 + 4);
        assertThat(Arrays.copyOfRange(bytes, 52, 84)).isEqualTo(input);
        assertThat(HEX.formatHex(bytes, 84, 88)).as("data digest of " + name).isEqualTo(wire);
        assertThat(HEX.formatHex(bytes, 48, 52)).as("header digest")
                .isEqualTo(HEX.formatHex(Crc32c.wireDigest(bytes, 0, 48)));
    }

    /** The target's {@link PduFrameDecoder} accepts a NOP-Out framed by the initiator with the vector's digest. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void targetDecoderAcceptsTheRfcWireBytes(String name, byte[] input, String wire) {
        byte[] frame = nopOutFrame(input);
        assertThat(HEX.formatHex(frame, frame.length - 4, frame.length)).isEqualTo(wire);

        Object decoded = decode(frame);
        try {
            assertThat(decoded).isInstanceOf(NopOut.class);
            assertThat(ByteBufUtil.getBytes(((NopOut) decoded).data())).isEqualTo(input);
        } finally {
            io.netty.util.ReferenceCountUtil.release(decoded);
        }
    }

    /** Sent most significant byte first, the digest no longer matches: the decoder reports a data digest error. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void targetDecoderRejectsTheByteSwappedDigest(String name, byte[] input, String wire) {
        byte[] frame = nopOutFrame(input);
        for (int i = 0; i < 2; i++) { // reverse the 4 digest bytes
            byte t = frame[frame.length - 4 + i];
            frame[frame.length - 4 + i] = frame[frame.length - 1 - i];
            frame[frame.length - 1 - i] = t;
        }
        Object decoded = decode(frame);
        try {
            assertThat(decoded).isInstanceOf(MalformedPdu.class);
            assertThat(((MalformedPdu) decoded).reason()).isEqualTo(RejectReason.DATA_DIGEST_ERROR);
        } finally {
            io.netty.util.ReferenceCountUtil.release(decoded);
        }
    }

    private static byte[] nopOutFrame(byte[] data) {
        Bhs bhs = Bhs.of(Bhs.NOP_OUT).immediate(true).flags(0x80).itt(1).i32(20, Bhs.RESERVED_TAG).i32(24, 1);
        return PduChannel.frame(bhs, data, 0, data.length, true, true, false, false);
    }

    private static Object decode(byte[] frame) {
        PduFrameDecoder decoder = new PduFrameDecoder();
        decoder.setHeaderDigest(true);
        decoder.setDataDigest(true);
        EmbeddedChannel channel = new EmbeddedChannel(decoder);
        channel.writeInbound(Unpooled.wrappedBuffer(frame));
        Object decoded = channel.readInbound();
        assertThat(decoded).as("one message decoded").isNotNull();
        Object extra = channel.readInbound();
        io.netty.util.ReferenceCountUtil.release(extra);
        assertThat(extra).as("no further message").isNull();
        channel.finishAndReleaseAll();
        return decoded;
    }
}
