package io.iscsi4j.core.pdu;

import static io.iscsi4j.core.pdu.PduTestSupport.bytes;
import static io.iscsi4j.core.pdu.PduTestSupport.concat;
import static io.iscsi4j.core.pdu.PduTestSupport.decoderChannel;
import static io.iscsi4j.core.pdu.PduTestSupport.encode;
import static io.iscsi4j.core.pdu.PduTestSupport.encodeToArray;
import static io.iscsi4j.core.pdu.PduTestSupport.pooled;
import static io.iscsi4j.core.pdu.PduTestSupport.toArray;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.iscsi4j.core.pdu.PduFrameDecoder.DecoderState;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Framing behaviour of {@link PduFrameDecoder}: digests, limits, bad PDUs, fragmentation. */
class PduFrameDecoderTest {

    private static NopOut nopOut(int itt, String data) {
        return NopOut.builder().immediate(true).initiatorTaskTag(itt).targetTransferTag(Pdu.RESERVED_TAG)
                .cmdSN(itt).data(pooled(data)).build();
    }

    private static byte[] wire(Pdu pdu, DigestSettings digests) {
        ByteBuf buf = encode(pdu, digests);
        try {
            return toArray(buf);
        } finally {
            buf.release();
        }
    }

    private static void assertNopOut(Object message, int itt, String data) {
        try {
            assertThat(message).isInstanceOf(NopOut.class);
            NopOut nop = (NopOut) message;
            assertThat(nop.initiatorTaskTag()).isEqualTo(itt);
            assertThat(nop.data().toString(StandardCharsets.UTF_8)).isEqualTo(data);
        } finally {
            ReferenceCountUtil.release(message);
        }
    }

    private static void assertNoMessage(EmbeddedChannel channel, String when) {
        Object message = channel.readInbound();
        ReferenceCountUtil.release(message);
        assertThat(message).as("message %s", when).isNull();
    }

    private static void assertMalformed(byte[] wire, RejectReason reason, String descriptionPart) {
        Object message = PduTestSupport.decodeOne(wire);
        try {
            assertThat(message).isInstanceOf(MalformedPdu.class);
            MalformedPdu malformed = (MalformedPdu) message;
            assertThat(malformed.reason()).isEqualTo(reason);
            assertThat(malformed.description()).contains(descriptionPart);
            assertThat(malformed.initiatorTaskTag()).isEqualTo(itt(wire));
        } finally {
            ReferenceCountUtil.release(message);
        }
    }

    /** The Initiator Task Tag (bytes 16..19) of an encoded PDU. */
    private static int itt(byte[] wire) {
        return java.nio.ByteBuffer.wrap(wire).getInt(16);
    }

    @Test
    void severalPdusInOneBuffer() {
        byte[] all = concat(wire(nopOut(1, "a"), DigestSettings.NONE), wire(nopOut(2, ""), DigestSettings.NONE),
                wire(nopOut(3, "four"), DigestSettings.NONE), wire(nopOut(4, "seven!!"), DigestSettings.NONE));
        EmbeddedChannel channel = decoderChannel(false, false);
        channel.writeInbound(pooled(all));
        assertNopOut(channel.readInbound(), 1, "a");
        assertNopOut(channel.readInbound(), 2, "");
        assertNopOut(channel.readInbound(), 3, "four");
        assertNopOut(channel.readInbound(), 4, "seven!!");
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void pduSplitIntoOneByteReads() {
        for (DigestSettings digests : new DigestSettings[] {DigestSettings.NONE, DigestSettings.BOTH}) {
            byte[] all = concat(wire(nopOut(1, "hello"), digests), wire(nopOut(2, "world!"), digests));
            EmbeddedChannel channel = decoderChannel(digests.headerDigest(), digests.dataDigest());
            for (int i = 0; i < all.length; i++) {
                channel.writeInbound(pooled(all[i]));
                if (i < all.length / 2 - 1) {
                    assertNoMessage(channel, "before byte " + i);
                }
            }
            assertNopOut(channel.readInbound(), 1, "hello");
            assertNopOut(channel.readInbound(), 2, "world!");
            assertThat(channel.finishAndReleaseAll()).isFalse();
        }
    }

    @Test
    void paddingIsWrittenAndSkipped() {
        for (int length = 0; length <= 9; length++) {
            String data = "x".repeat(length);
            byte[] bytes = wire(nopOut(length, data), DigestSettings.NONE);
            int padded = (length + 3) & ~3;
            assertThat(bytes).hasSize(48 + padded);
            for (int i = 48 + length; i < bytes.length; i++) {
                assertThat(bytes[i]).as("padding byte %d", i).isZero();
            }
            // the padding is not part of the data segment, and the next PDU starts right after it
            EmbeddedChannel channel = decoderChannel(false, false);
            channel.writeInbound(pooled(concat(bytes, wire(nopOut(100, "next"), DigestSettings.NONE))));
            assertNopOut(channel.readInbound(), length, data);
            assertNopOut(channel.readInbound(), 100, "next");
            assertThat(channel.finishAndReleaseAll()).isFalse();
        }
    }

    @Test
    void digestsAreCheckedWhenEnabled() {
        byte[] bytes = wire(nopOut(9, "digest me"), DigestSettings.BOTH);
        // BHS, header digest, 9 data bytes + 3 padding, data digest
        assertThat(bytes).hasSize(48 + 4 + 12 + 4);
        EmbeddedChannel channel = decoderChannel(true, true);
        channel.writeInbound(pooled(bytes));
        assertNopOut(channel.readInbound(), 9, "digest me");
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void noDataDigestWithoutData() {
        byte[] bytes = wire(nopOut(9, ""), DigestSettings.BOTH);
        assertThat(bytes).hasSize(48 + 4);
        EmbeddedChannel channel = decoderChannel(true, true);
        channel.writeInbound(pooled(bytes));
        assertNopOut(channel.readInbound(), 9, "");
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void corruptedHeaderDigestIsFramingErrorAndLaterInputIsDiscarded() {
        byte[] bytes = wire(nopOut(1, "data"), DigestSettings.BOTH);
        bytes[20] ^= 0x01; // flip a bit of the Target Transfer Tag
        PduFrameDecoder decoder = new PduFrameDecoder();
        decoder.setHeaderDigest(true);
        decoder.setDataDigest(true);
        EmbeddedChannel channel = new EmbeddedChannel(decoder);

        channel.writeInbound(pooled(bytes));
        FramingError error = channel.readInbound();
        assertThat(error.description()).contains("header digest");
        assertThat(error.hasHeader()).isTrue();
        assertThat(error.header().getInt(16)).isEqualTo(1);
        assertThat(decoder.state()).isEqualTo(DecoderState.BAD_FRAME);

        // a perfectly good PDU afterwards is discarded, and so is its buffer
        ByteBuf good = pooled(wire(nopOut(2, "x"), DigestSettings.BOTH));
        channel.writeInbound(good);
        assertThat(good.refCnt()).isZero();
        assertNoMessage(channel, "");
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void corruptedDataDigestIsMalformedPduAndDecodingContinues() {
        byte[] bad = wire(nopOut(0x77, "payload"), DigestSettings.BOTH);
        bad[48 + 4 + 2] ^= 0x40; // corrupt a data byte
        byte[] next = wire(nopOut(0x78, "next one"), DigestSettings.BOTH);
        EmbeddedChannel channel = decoderChannel(true, true);
        channel.writeInbound(pooled(concat(bad, next)));

        MalformedPdu malformed = channel.readInbound();
        try {
            assertThat(malformed.reason()).isEqualTo(RejectReason.DATA_DIGEST_ERROR);
            assertThat(malformed.opcode()).isEqualTo(Opcode.NOP_OUT);
            assertThat(malformed.immediate()).isTrue();
            assertThat(malformed.initiatorTaskTag()).isEqualTo(0x77);
            assertThat(malformed.header().readableBytes()).isEqualTo(48);
            assertThat(toArray(malformed.header())).isEqualTo(java.util.Arrays.copyOf(bad, 48));
        } finally {
            malformed.release();
        }
        assertNopOut(channel.readInbound(), 0x78, "next one");
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void corruptedDataDigestBytesAreDetectedToo() {
        byte[] bad = wire(nopOut(5, "abcd"), DigestSettings.BOTH);
        bad[bad.length - 1] ^= 0x01; // the data digest itself
        EmbeddedChannel channel = decoderChannel(true, true);
        channel.writeInbound(pooled(bad));
        MalformedPdu malformed = channel.readInbound();
        assertThat(malformed.reason()).isEqualTo(RejectReason.DATA_DIGEST_ERROR);
        malformed.release();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void dataSegmentLengthOverLimitIsFramingErrorWithoutBufferingThePayload() {
        PduFrameDecoder decoder = new PduFrameDecoder();
        assertThat(decoder.maxDataSegmentLength()).isEqualTo(8192);
        EmbeddedChannel channel = new EmbeddedChannel(decoder);
        byte[] bhs = bytes(
                0x05, 0x80, 0x00, 0x00,        // Data-Out, F=1
                0x00, 0x00, 0x20, 0x01,        // DataSegmentLength 8193: one over the limit
                0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0,
                0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

        // only the 48-byte BHS has arrived: the error is reported at once, not after 8 KiB
        channel.writeInbound(pooled(bhs));
        FramingError error = channel.readInbound();
        assertThat(error.description()).contains("8193").contains("8192");
        assertThat(toArray(error.header())).isEqualTo(bhs);
        assertThat(decoder.state()).isEqualTo(DecoderState.BAD_FRAME);

        // the payload that follows is dropped as it arrives, nothing accumulates
        for (int i = 0; i < 4; i++) {
            ByteBuf chunk = ByteBufAllocator.DEFAULT.buffer(4096).writeZero(4096);
            channel.writeInbound(chunk);
            assertThat(chunk.refCnt()).isZero();
        }
        assertNoMessage(channel, "");
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void limitCanBeRaisedAfterLogin() {
        PduFrameDecoder decoder = new PduFrameDecoder();
        decoder.setMaxDataSegmentLength(262_144);
        EmbeddedChannel channel = new EmbeddedChannel(decoder);
        byte[] payload = new byte[262_144];
        payload[payload.length - 1] = 1;
        Pdu pdu = DataOut.builder().finalFlag(true).initiatorTaskTag(3).data(pooled(payload)).build();
        channel.writeInbound(encode(pdu, DigestSettings.NONE));
        DataOut decoded = channel.readInbound();
        assertThat(decoded.dataSegmentLength()).isEqualTo(262_144);
        assertThat(decoded.data().getByte(decoded.data().readerIndex() + 262_143)).isEqualTo((byte) 1);
        decoded.release();
        assertThat(channel.finishAndReleaseAll()).isFalse();

        assertThatThrownBy(() -> decoder.setMaxDataSegmentLength(0x100_0000))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void absurdTotalAhsLengthIsFramingError() {
        byte[] bhs = encodeToArray(ScsiCommand.builder().initiatorTaskTag(1).build());
        bhs[4] = (byte) 0xFF; // 1020 bytes of AHS
        EmbeddedChannel channel = decoderChannel(false, false);
        channel.writeInbound(pooled(bhs));
        FramingError error = channel.readInbound();
        assertThat(error.description()).contains("TotalAHSLength");
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void unknownOpcodeIsMalformedPduAndDecodingContinues() {
        byte[] unknown = wire(nopOut(0x51, "12345"), DigestSettings.BOTH);
        unknown[0] = 0x1C; // an initiator opcode RFC 7143 does not define
        // fix up the header digest so that only the opcode is wrong
        ByteBuf bhs = pooled(java.util.Arrays.copyOf(unknown, 48));
        int crc = Digests.crc32c(new java.util.zip.CRC32C(), bhs, 0, 48);
        bhs.release();
        unknown[48] = (byte) crc;
        unknown[49] = (byte) (crc >>> 8);
        unknown[50] = (byte) (crc >>> 16);
        unknown[51] = (byte) (crc >>> 24);
        EmbeddedChannel channel = decoderChannel(true, true);
        channel.writeInbound(pooled(concat(unknown, wire(nopOut(0x52, "ok"), DigestSettings.BOTH))));

        MalformedPdu malformed = channel.readInbound();
        assertThat(malformed.reason()).isEqualTo(RejectReason.COMMAND_NOT_SUPPORTED);
        assertThat(malformed.opcode()).isNull();
        assertThat(malformed.initiatorTaskTag()).isEqualTo(0x51);
        assertThat(malformed.toString()).contains("0x1c");
        malformed.release();
        assertNopOut(channel.readInbound(), 0x52, "ok");
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void invalidFieldsAreMalformedPdus() {
        // ATTR 5 is a reserved code value (RFC 7143 §11.3.1.3)
        byte[] scsi = encodeToArray(ScsiCommand.builder().initiatorTaskTag(1).attribute(5).build());
        assertMalformed(scsi, RejectReason.PROTOCOL_ERROR, "ATTR");

        // Logout reason code 3 is reserved (RFC 7143 §11.14.1)
        byte[] logout = encodeToArray(LogoutRequest.builder().initiatorTaskTag(2).reasonCode(3).build());
        assertMalformed(logout, RejectReason.PROTOCOL_ERROR, "logout reason");

        // SNACK type 4 is reserved (RFC 7143 §11.16.1)
        byte[] snack = encodeToArray(Snack.builder().initiatorTaskTag(3).type(4).build());
        assertMalformed(snack, RejectReason.PROTOCOL_ERROR, "SNACK type");

        // a Task Management Function Request carries no data segment
        byte[] tmf = concat(encodeToArray(TaskManagementRequest.builder().initiatorTaskTag(4).function(1).build()),
                bytes(1, 2, 3, 4));
        tmf[7] = 4;
        assertMalformed(tmf, RejectReason.INVALID_PDU_FIELD, "data segment");

        // only the SCSI Command defines an AHS
        byte[] nop = concat(encodeToArray(NopOut.builder().initiatorTaskTag(5).build()), bytes(0, 1, 1, 0));
        nop[4] = 1;
        assertMalformed(nop, RejectReason.INVALID_PDU_FIELD, "AHS");

        // reserved AHSType 3 on a SCSI Command
        byte[] ahs = concat(encodeToArray(ScsiCommand.builder().initiatorTaskTag(6).build()), bytes(0, 1, 3, 0));
        ahs[4] = 1;
        assertMalformed(ahs, RejectReason.PROTOCOL_ERROR, "AHSType");
    }

    @Test
    void reservedBitsAndBytesAreIgnored() {
        // RFC 7143 §11.2: "Any compliant receiver MUST ignore any bit not defined and all reserved fields"
        byte[] bytes = encodeToArray(TextRequest.builder().initiatorTaskTag(8).finalFlag(true).build());
        bytes[1] |= 0x3F;  // reserved bits of byte 1
        bytes[2] = 0x55;   // reserved bytes 2..3
        bytes[40] = 0x66;  // reserved bytes 32..47
        Object message = PduTestSupport.decodeOne(bytes);
        try {
            assertThat(message).isInstanceOf(TextRequest.class);
            assertThat(((TextRequest) message).finalFlag()).isTrue();
            assertThat(((TextRequest) message).continueFlag()).isFalse();
        } finally {
            ReferenceCountUtil.release(message);
        }
    }

    @Test
    void decodedDataIsARetainedSliceNotACopy() {
        EmbeddedChannel channel = decoderChannel(false, false);
        ByteBuf input = pooled(wire(nopOut(1, "zero copy"), DigestSettings.NONE));
        channel.writeInbound(input);
        NopOut nop = channel.readInbound();
        // the decoded data keeps the received buffer alive instead of copying out of it
        assertThat(input.refCnt()).isEqualTo(1);
        nop.release();
        assertThat(input.refCnt()).isZero();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void digestsSwitchedOnByAHandlerApplyFromTheNextPdu() {
        PduFrameDecoder decoder = new PduFrameDecoder();
        // like the session: the final login PDU switches digests on before the next PDU is decoded
        ChannelInboundHandlerAdapter session = new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof NopOut nop && nop.initiatorTaskTag() == 1) {
                    decoder.setHeaderDigest(true);
                    decoder.setDataDigest(true);
                }
                ctx.fireChannelRead(msg);
            }
        };
        EmbeddedChannel channel = new EmbeddedChannel(decoder, session);
        // both PDUs arrive in one read
        channel.writeInbound(pooled(concat(wire(nopOut(1, "before"), DigestSettings.NONE),
                wire(nopOut(2, "after"), DigestSettings.BOTH))));
        assertNopOut(channel.readInbound(), 1, "before");
        assertNopOut(channel.readInbound(), 2, "after");
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void partialPduIsReleasedWhenTheChannelCloses() {
        byte[] bytes = wire(nopOut(1, "abcdefgh"), DigestSettings.BOTH);
        EmbeddedChannel channel = decoderChannel(true, true);
        // everything but the data digest: the data slice is held while waiting
        channel.writeInbound(pooled(java.util.Arrays.copyOf(bytes, bytes.length - 2)));
        assertNoMessage(channel, "");
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void segmentArrivingInSeveralReadsIsGatheredOnceAndNoReadIsHeldBack() {
        for (DigestSettings digests : new DigestSettings[] {DigestSettings.NONE, DigestSettings.BOTH}) {
            String big = "0123456789abcdef".repeat(4096) + "xyz"; // 65,539 bytes: padding too
            byte[] all = concat(wire(nopOut(1, big), digests), wire(nopOut(2, "next"), digests));
            EmbeddedChannel channel = decoderChannel(digests.headerDigest(), digests.dataDigest());
            ((PduFrameDecoder) channel.pipeline().first()).setMaxDataSegmentLength(128 * 1024);
            int chunk = 5_000;
            for (int from = 0; from < all.length; from += chunk) {
                ByteBuf read = pooled(java.util.Arrays.copyOfRange(all, from, Math.min(all.length, from + chunk)));
                channel.writeInbound(read);
                if (from + chunk < all.length - 100) {
                    // consumed at once: the cumulator does not keep (and later copy) the read
                    assertThat(read.refCnt()).as("read at %d", from).isZero();
                }
            }
            assertNopOut(channel.readInbound(), 1, big);
            assertNopOut(channel.readInbound(), 2, "next");
            assertThat(channel.finishAndReleaseAll()).isFalse();
        }
    }

    @Test
    void partlyGatheredSegmentIsReleasedWhenTheChannelCloses() {
        byte[] bytes = wire(nopOut(1, "abcdefgh"), DigestSettings.BOTH);
        EmbeddedChannel channel = decoderChannel(true, true);
        channel.writeInbound(pooled(java.util.Arrays.copyOf(bytes, bytes.length - 8)));
        assertThat(((PduFrameDecoder) channel.pipeline().first()).state()).isEqualTo(DecoderState.DATA_GATHER);
        assertNoMessage(channel, "");
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void placedSegmentLandsInTheChosenBufferAndTheSocketCanReadStraightIntoIt() {
        for (DigestSettings digests : new DigestSettings[] {DigestSettings.NONE, DigestSettings.BOTH}) {
            String big = "0123456789abcdef".repeat(4096) + "xyz"; // 65,539 bytes: one byte of padding
            byte[] first = wire(nopOut(1, big), digests);
            byte[] all = concat(first, wire(nopOut(2, "next"), digests));
            int headerBytes = Pdu.BHS_LENGTH + (digests.headerDigest() ? 4 : 0);
            PduFrameDecoder decoder = new PduFrameDecoder();
            decoder.setHeaderDigest(digests.headerDigest());
            decoder.setDataDigest(digests.dataDigest());
            decoder.setMaxDataSegmentLength(128 * 1024);
            ByteBuf destination = ByteBufAllocator.DEFAULT.directBuffer(big.length(), big.length());
            decoder.setSegmentPlacement((bhs, length) -> {
                if (bhs.getInt(16) != 1) {
                    return null; // the next PDU, read without its data: the decoder's own buffer
                }
                assertThat(length).isEqualTo(big.length());
                return destination.retain();
            });
            EmbeddedChannel channel = new EmbeddedChannel(decoder);
            ByteBufAllocator alloc = channel.alloc();
            assertThat(decoder.readTarget(alloc, 1)).as("before any header").isNull();
            // the header and the first 1,000 bytes arrive in an ordinary read
            channel.writeInbound(pooled(java.util.Arrays.copyOf(first, headerBytes + 1000)));
            assertThat(decoder.state()).isEqualTo(DecoderState.DATA_GATHER);
            int at = headerBytes + 1000;
            while (at < headerBytes + big.length()) {
                ByteBuf target = decoder.readTarget(alloc, 16);
                assertThat(target).as("read target at %d", at).isNotNull();
                assertThat(target.writableBytes()).isEqualTo(headerBytes + big.length() - at);
                assertThat(target.memoryAddress()).isEqualTo(destination.memoryAddress() + at - headerBytes);
                int n = Math.min(30_000, target.writableBytes()); // a socket read that gets part of it
                target.writeBytes(all, at, n);
                channel.writeInbound(target);
                assertThat(target.refCnt()).isZero();
                at += n;
            }
            Object none = channel.readInbound();
            assertThat(none).as("no PDU before its padding and digest").isNull();
            // then exactly the rest of this PDU (padding, data digest) and the next header
            ByteBuf headerRead = decoder.readTarget(alloc, 16);
            assertThat(headerRead.writableBytes()).isEqualTo(1 + (digests.dataDigest() ? 4 : 0) + headerBytes);
            headerRead.writeBytes(all, at, headerRead.writableBytes());
            at += headerRead.readableBytes();
            channel.writeInbound(headerRead);
            NopOut nop = channel.readInbound();
            assertThat(nop.data()).isSameAs(destination);
            assertNopOut(nop, 1, big);
            assertThat(decoder.readTarget(alloc, 16)).as("the next PDU's data is small").isNull();
            channel.writeInbound(pooled(java.util.Arrays.copyOfRange(all, at, all.length)));
            assertNopOut(channel.readInbound(), 2, "next");
            assertThat(destination.refCnt()).isEqualTo(1);
            destination.release();
            assertThat(channel.finishAndReleaseAll()).isFalse();
        }
    }

    @Test
    void withoutAPlacementOrForShortSegmentsThereIsNoReadTarget() {
        PduFrameDecoder decoder = new PduFrameDecoder();
        decoder.setMaxDataSegmentLength(128 * 1024);
        decoder.setSegmentPlacement((bhs, length) -> null);
        EmbeddedChannel channel = new EmbeddedChannel(decoder);
        byte[] bytes = wire(nopOut(1, "x".repeat(50_000)), DigestSettings.NONE);
        channel.writeInbound(pooled(java.util.Arrays.copyOf(bytes, 100)));
        assertThat(decoder.state()).isEqualTo(DecoderState.DATA_GATHER);
        assertThat(decoder.readTarget(channel.alloc(), 16)).as("the decoder's own buffer").isNull();
        channel.writeInbound(pooled(java.util.Arrays.copyOfRange(bytes, 100, bytes.length)));
        assertNopOut(channel.readInbound(), 1, "x".repeat(50_000));
        assertThat(decoder.readTarget(channel.alloc(), 16)).as("after a segment not placed").isNull();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aPlacementOfTheWrongSizeIsAnError() {
        PduFrameDecoder decoder = new PduFrameDecoder();
        decoder.setMaxDataSegmentLength(128 * 1024);
        decoder.setSegmentPlacement((bhs, length) -> ByteBufAllocator.DEFAULT.buffer(length + 1, length + 1));
        EmbeddedChannel channel = new EmbeddedChannel(decoder);
        byte[] bytes = wire(nopOut(1, "x".repeat(50_000)), DigestSettings.NONE);
        assertThatThrownBy(() -> channel.writeInbound(pooled(java.util.Arrays.copyOf(bytes, 100))))
                .hasRootCauseInstanceOf(IllegalStateException.class);
        assertThat(decoder.state()).isEqualTo(DecoderState.BAD_FRAME);
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }
}
