package io.iscsi4j.core.pdu;

import static io.iscsi4j.core.pdu.PduTestSupport.pooled;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.local.LocalChannel;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@link PduEncoder}: output in parts, without copies or wrappers; buffer ownership; digests per channel. */
class PduEncoderTest {

    @Test
    void dataSegmentIsNotCopied() {
        byte[] payload = new byte[1000];
        ByteBuf data = Unpooled.wrappedBuffer(payload);
        EmbeddedChannel channel = new EmbeddedChannel(PduEncoder.INSTANCE);
        channel.writeOutbound(DataIn.builder().initiatorTaskTag(1).data(data).build());
        ByteBuf header = channel.readOutbound();
        ByteBuf out = channel.readOutbound();
        try {
            assertThat(header.readableBytes()).isEqualTo(48);
            assertThat(header.getMedium(5)).isEqualTo(1000);
            assertThat(out).as("the data segment's own buffer, neither copied nor wrapped").isSameAs(data);
            assertThat(out.array()).isSameAs(payload);
            assertThat(channel.<Object>readOutbound()).as("1000 bytes need no padding").isNull();
        } finally {
            header.release();
            out.release();
        }
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void paddingAndDigestFollowTheDataInATrailer() {
        EmbeddedChannel channel = new EmbeddedChannel(PduEncoder.INSTANCE);
        channel.attr(PduEncoder.DIGESTS).set(new DigestSettings(false, true));
        channel.writeOutbound(NopIn.builder().data(pooled(new byte[] {1, 2, 3, 4, 5})).build());
        ByteBuf header = channel.readOutbound();
        ByteBuf data = channel.readOutbound();
        ByteBuf trailer = channel.readOutbound();
        try {
            assertThat(header.readableBytes()).isEqualTo(48);
            assertThat(data.readableBytes()).isEqualTo(5);
            assertThat(trailer.readableBytes()).as("3 bytes of padding and the data digest").isEqualTo(3 + 4);
            assertThat(trailer.getMedium(0)).isZero();
            assertThat(channel.<Object>readOutbound()).isNull();
        } finally {
            header.release();
            data.release();
            trailer.release();
        }
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void encoderHandsThePdusDataReferenceToTheChannel() {
        ByteBuf data = pooled(new byte[] {1, 2, 3, 4, 5});
        NopIn pdu = NopIn.builder().initiatorTaskTag(Pdu.RESERVED_TAG).targetTransferTag(7).data(data).build();
        assertThat(pdu.refCnt()).isEqualTo(1);
        EmbeddedChannel channel = new EmbeddedChannel(PduEncoder.INSTANCE);
        channel.writeOutbound(pdu);
        // the PDU's one reference now belongs to the written buffer
        assertThat(data.refCnt()).isEqualTo(1);
        int length = 0;
        for (ByteBuf part = channel.readOutbound(); part != null; part = channel.readOutbound()) {
            length += part.readableBytes();
            part.release();
        }
        assertThat(length).isEqualTo(48 + 8);
        assertThat(data.refCnt()).isZero();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aWritePromiseCompletesOnceEveryPartIsWritten() {
        EmbeddedChannel channel = new EmbeddedChannel(PduEncoder.INSTANCE);
        channel.attr(PduEncoder.DIGESTS).set(DigestSettings.BOTH);
        var future = channel.writeAndFlush(NopIn.builder().data(pooled("abc")).build());
        assertThat(future.isSuccess()).isTrue();
        int parts = 0;
        for (ByteBuf part = channel.readOutbound(); part != null; part = channel.readOutbound()) {
            parts++;
            part.release();
        }
        assertThat(parts).isEqualTo(3);
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void messagesThatAreNotPdusPassThrough() {
        EmbeddedChannel channel = new EmbeddedChannel(PduEncoder.INSTANCE);
        ByteBuf raw = pooled("raw");
        channel.writeOutbound(raw);
        assertThat(channel.<Object>readOutbound()).isSameAs(raw);
        raw.release();
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

        // header (+ digest), data, trailer (padding + data digest), per PDU
        int[] expected = {48, 3, 1, 48 + 4, 3, 1, 48 + 4, 3, 1 + 4, 48 + 4};
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
        assertThat(out.readableBytes()).isEqualTo(52);
        assertThat(out.getInt(44)).isEqualTo(65536);
        assertThat(channel.<Object>readOutbound()).as("nothing but the header").isNull();
        out.release();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void anEncodedHeaderIsFramedAsItsPduWouldBeWithEveryDigestSetting() {
        DigestSettings[] settings = {DigestSettings.NONE, new DigestSettings(true, false),
            new DigestSettings(false, true), DigestSettings.BOTH};
        for (DigestSettings digests : settings) {
            // 5 bytes of data: 3 bytes of padding
            ByteBuf viaPdu = PduTestSupport.encode(DataIn.builder().finalFlag(true).statusPresent(true).status(2)
                    .residualOverflow(true).residualCount(0x8000_0001L).initiatorTaskTag(0xCAFE_F00D).dataSN(3)
                    .bufferOffset(8192).statSN(-2).expCmdSN(17).maxCmdSN(80).data(pooled("hello")).build(), digests);
            ByteBuf viaHeader = PduTestSupport.encodeWithoutPdu(DataIn.encodeReadHeader(ByteBufAllocator.DEFAULT,
                    true, true, 2, true, false, 0x8000_0001L, 0xCAFE_F00D, 3, 8192, -2, 17, 80, 5),
                    pooled("hello"), digests);
            ByteBuf responseViaPdu = PduTestSupport.encode(ScsiResponse.builder().status(0x28)
                    .residualUnderflow(true).residualCount(4096).initiatorTaskTag(9).statSN(1).expCmdSN(2)
                    .maxCmdSN(3).build(), digests);
            ByteBuf responseViaHeader = PduTestSupport.encodeWithoutPdu(ScsiResponse.encodeStatusHeader(
                    ByteBufAllocator.DEFAULT, 9, 0x28, false, true, 4096, 1, 2, 3), Unpooled.EMPTY_BUFFER, digests);
            try {
                assertThat(viaPdu.readableBytes()).isEqualTo(48 + (digests.headerDigest() ? 4 : 0) + 5 + 3
                        + (digests.dataDigest() ? 4 : 0));
                assertThat(ByteBufUtil.getBytes(viaHeader)).as("Data-In, %s", digests)
                        .isEqualTo(ByteBufUtil.getBytes(viaPdu));
                assertThat(ByteBufUtil.getBytes(responseViaHeader)).as("SCSI Response, %s", digests)
                        .isEqualTo(ByteBufUtil.getBytes(responseViaPdu));
            } finally {
                viaPdu.release();
                viaHeader.release();
                responseViaPdu.release();
                responseViaHeader.release();
            }
        }
    }

    @Test
    void anEncodedHeaderGoesOutInPartsWithTheDataSegmentsOwnBuffer() {
        EmbeddedChannel channel = new EmbeddedChannel(PduEncoder.INSTANCE);
        channel.attr(PduEncoder.DIGESTS).set(DigestSettings.BOTH);
        ByteBuf data = pooled(new byte[] {1, 2, 3, 4, 5});
        PduEncoder.writeEncoded(channel, DataIn.encodeReadHeader(ByteBufAllocator.DEFAULT, true, false, 0, false,
                false, 0, 1, 0, 0, 0, 1, 1, 5), data);
        channel.flushOutbound();
        ByteBuf header = channel.readOutbound();
        ByteBuf out = channel.readOutbound();
        ByteBuf trailer = channel.readOutbound();
        try {
            assertThat(header.readableBytes()).as("BHS and header digest").isEqualTo(48 + 4);
            assertThat(out).as("the data segment's own buffer").isSameAs(data);
            assertThat(trailer.readableBytes()).as("3 bytes of padding and the data digest").isEqualTo(3 + 4);
            assertThat(channel.<Object>readOutbound()).isNull();
        } finally {
            header.release();
            out.release();
            trailer.release();
        }
        assertThat(data.refCnt()).isZero();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void writeEncodedRefusesToRunOffTheEventLoopAndReleasesBothBuffers() throws Exception {
        DefaultEventLoopGroup group = new DefaultEventLoopGroup(1);
        try {
            LocalChannel channel = new LocalChannel();
            group.register(channel).sync();
            ByteBuf header = ScsiResponse.encodeStatusHeader(ByteBufAllocator.DEFAULT, 1, 0, false, false, 0, 0, 0, 0);
            ByteBuf data = pooled("abc");

            assertThatThrownBy(() -> PduEncoder.writeEncoded(channel, header, data))
                    .isInstanceOf(IllegalStateException.class);
            assertThat(header.refCnt()).isZero();
            assertThat(data.refCnt()).isZero();
            channel.close().sync();
        } finally {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();
        }
    }

    @Test
    void anEncodedHeaderWhoseDataSegmentLengthIsNotTheDatasIsRefusedAndNothingIsWritten() {
        EmbeddedChannel channel = new EmbeddedChannel(PduEncoder.INSTANCE);
        ByteBuf header = DataIn.encodeReadHeader(ByteBufAllocator.DEFAULT, true, false, 0, false, false, 0, 1, 0, 0,
                0, 1, 1, 4096);
        ByteBuf data = pooled(new byte[4095]);

        assertThatThrownBy(() -> PduEncoder.writeEncoded(channel, header, data))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("4096").hasMessageContaining("4095");
        ByteBuf shortHeader = ByteBufAllocator.DEFAULT.buffer().writeZero(47);
        assertThatThrownBy(() -> PduEncoder.writeEncoded(channel, shortHeader, Unpooled.EMPTY_BUFFER))
                .isInstanceOf(IllegalArgumentException.class);

        assertThat(header.refCnt()).isZero();
        assertThat(data.refCnt()).isZero();
        assertThat(shortHeader.refCnt()).isZero();
        channel.flushOutbound();
        assertThat(channel.<Object>readOutbound()).isNull();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void anEncodedHeaderWithAFieldOutOfRangeIsRefusedBeforeAnythingIsAllocated() {
        assertThatThrownBy(() -> DataIn.encodeReadHeader(ByteBufAllocator.DEFAULT, true, true, 256, false, false, 0,
                1, 0, 0, 0, 0, 0, 0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("status");
        assertThatThrownBy(() -> ScsiResponse.encodeStatusHeader(ByteBufAllocator.DEFAULT, 1, 0, false, true,
                1L << 32, 0, 0, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("residualCount");
    }
}
