package io.iscsi4j.core.pdu;

import static io.iscsi4j.core.pdu.PduTestSupport.pooled;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

/** {@link PduEncoder}: zero-copy output, buffer ownership, digests from the channel attribute. */
class PduEncoderTest {

    @Test
    void dataSegmentIsNotCopied() {
        byte[] payload = new byte[1000];
        EmbeddedChannel channel = new EmbeddedChannel(PduEncoder.INSTANCE);
        channel.writeOutbound(DataIn.builder().initiatorTaskTag(1).data(Unpooled.wrappedBuffer(payload)).build());
        ByteBuf out = channel.readOutbound();
        try {
            assertThat(out).isInstanceOf(CompositeByteBuf.class);
            CompositeByteBuf composite = (CompositeByteBuf) out;
            assertThat(composite.numComponents()).isEqualTo(2); // header, data (1000 needs no padding)
            assertThat(composite.component(1).array()).isSameAs(payload);
            assertThat(out.readableBytes()).isEqualTo(48 + 1000);
        } finally {
            out.release();
        }
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void encoderReleasesThePduAndTheOutputOwnsTheData() {
        ByteBuf data = pooled(new byte[] {1, 2, 3, 4, 5});
        NopIn pdu = NopIn.builder().initiatorTaskTag(Pdu.RESERVED_TAG).targetTransferTag(7).data(data).build();
        assertThat(pdu.refCnt()).isEqualTo(1);
        EmbeddedChannel channel = new EmbeddedChannel(PduEncoder.INSTANCE);
        channel.writeOutbound(pdu);
        // the encoder released the PDU's reference; the output's slice holds the only one
        assertThat(data.refCnt()).isEqualTo(1);
        ByteBuf out = channel.readOutbound();
        assertThat(out.readableBytes()).isEqualTo(48 + 8);
        out.release();
        assertThat(data.refCnt()).isZero();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void digestsFollowTheChannelAttribute() {
        EmbeddedChannel channel = new EmbeddedChannel(PduEncoder.INSTANCE);
        channel.writeOutbound(NopIn.builder().data(pooled("abc")).build());
        channel.attr(PduEncoder.DIGESTS).set(new DigestSettings(true, false));
        channel.writeOutbound(NopIn.builder().data(pooled("abc")).build());
        channel.attr(PduEncoder.DIGESTS).set(DigestSettings.BOTH);
        channel.writeOutbound(NopIn.builder().data(pooled("abc")).build());
        channel.writeOutbound(NopIn.builder().build());

        int[] expected = {48 + 4, 48 + 4 + 4, 48 + 4 + 4 + 4, 48 + 4};
        for (int length : expected) {
            ByteBuf out = channel.readOutbound();
            assertThat(out.readableBytes()).isEqualTo(length);
            out.release();
        }
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void headerOnlyPduIsOneSmallBuffer() {
        EmbeddedChannel channel = new EmbeddedChannel(PduEncoder.INSTANCE);
        channel.attr(PduEncoder.DIGESTS).set(DigestSettings.BOTH);
        channel.writeOutbound(ReadyToTransfer.builder().initiatorTaskTag(1).desiredDataTransferLength(65536)
                .build());
        ByteBuf out = channel.readOutbound();
        assertThat(out).isNotInstanceOf(CompositeByteBuf.class);
        assertThat(out.readableBytes()).isEqualTo(52);
        assertThat(out.getInt(44)).isEqualTo(65536);
        out.release();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }
}
