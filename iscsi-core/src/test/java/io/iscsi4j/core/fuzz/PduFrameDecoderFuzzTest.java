package io.iscsi4j.core.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.iscsi4j.core.pdu.FramingError;
import io.iscsi4j.core.pdu.MalformedPdu;
import io.iscsi4j.core.pdu.Opcode;
import io.iscsi4j.core.pdu.Pdu;
import io.iscsi4j.core.pdu.PduException;
import io.iscsi4j.core.pdu.PduFrameDecoder;
import io.iscsi4j.core.pdu.RejectReason;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;

/**
 * Coverage-guided fuzzing of {@link PduFrameDecoder}: arbitrary bytes, cut into arbitrary chunks, with and without
 * header and data digests, through an {@link EmbeddedChannel}.
 *
 * <p>Input layout (see {@link SeedCorpus}): byte 0 bit 0 header digest, bit 1 data digest, bits 2..3 the
 * DataSegmentLength limit ({@link #LIMITS}); byte 1 the chunking (0: one write, else the seed of a sequence of
 * 1..97-byte chunks); the rest is the byte stream.
 *
 * <p>Invariants, checked against the independent {@link FrameModel}: after every chunk the decoder has emitted
 * exactly the frames the model says are complete (so it never holds a whole frame back, and never holds more than
 * one frame's worth of bytes); a framing error comes where the model puts it, once, and nothing follows it; a data
 * digest error is a MalformedPdu with reason DATA_DIGEST_ERROR; a PDU has the opcode, task tag, lengths and data
 * bytes of its frame (except fields RFC 7143 lets a receiver ignore, see {@code checkPdu}), and its encoding
 * decodes again to the same header; nothing but {@link Pdu},
 * {@link MalformedPdu} and {@link FramingError} comes out, no exception escapes, and every buffer is released.
 */
class PduFrameDecoderFuzzTest {

    /** DataSegmentLength limits selected by bits 2..3 of the first input byte. */
    static final int[] LIMITS = {8192, 512, 65536, 2048};

    private static final SeedRuns RUNS = new SeedRuns(PduFrameDecoderFuzzTest.class);

    @AfterAll
    static void everySeedRan() {
        RUNS.verify();
    }

    @FuzzTest(maxDuration = "5m")
    void decodeStream(byte[] input) {
        RUNS.record("decodeStream");
        decode(input);
    }

    /**
     * Runs one input through a decoder, checking every invariant.
     *
     * @return the kinds of the messages the decoder emitted ({@code Pdu}, {@code MalformedPdu}, {@code FramingError})
     */
    static List<String> decode(byte[] input) {
        FuzzInput in = new FuzzInput(input);
        int config = in.u8();
        int chunking = in.u8();
        byte[] stream = in.rest();
        boolean headerDigest = (config & 1) != 0;
        boolean dataDigest = (config & 2) != 0;
        int limit = LIMITS[(config >> 2) & 3];

        List<FrameModel.Frame> frames = FrameModel.frames(stream, headerDigest, dataDigest, limit);
        TrackingAllocator alloc = new TrackingAllocator();
        PduFrameDecoder decoder = new PduFrameDecoder();
        decoder.setHeaderDigest(headerDigest);
        decoder.setDataDigest(dataDigest);
        decoder.setMaxDataSegmentLength(limit);
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.config().setAllocator(alloc);
        channel.pipeline().addLast(decoder);

        List<String> kinds = new ArrayList<>();
        int emitted = 0;
        int fed = 0;
        int lcg = chunking;
        while (fed < stream.length) {
            int size = stream.length - fed;
            if (chunking != 0) {
                lcg = lcg * 1_103_515_245 + 12_345;
                size = Math.min(size, 1 + ((lcg >>> 16) % 97));
            }
            channel.writeInbound(alloc.buffer(size).writeBytes(stream, fed, size));
            fed += size;
            emitted = drain(channel, stream, frames, emitted, fed, kinds);
            boolean broken = emitted > 0 && frames.get(emitted - 1).kind() == FrameModel.Kind.FRAMING_ERROR;
            assertThat(decoder.state() == PduFrameDecoder.DecoderState.BAD_FRAME).as("BAD_FRAME state")
                    .isEqualTo(broken);
            if (!broken) {
                int consumed = emitted == 0 ? 0 : frames.get(emitted - 1).end();
                assertThat(fed - consumed).as("bytes held back without a complete frame")
                        .isLessThanOrEqualTo(FrameModel.maxPendingBytes(limit));
            }
        }
        channel.finish();
        emitted = drain(channel, stream, frames, emitted, fed, kinds);
        assertThat(emitted).as("messages for the complete frames").isEqualTo(frames.size());
        alloc.assertAllReleased();
        return kinds;
    }

    /**
     * Reads what the decoder emitted, checks each message against the next model frame, releases it, and checks
     * that every frame complete within the first {@code fed} bytes was emitted.
     */
    private static int drain(EmbeddedChannel channel, byte[] stream, List<FrameModel.Frame> frames, int emitted,
            int fed, List<String> kinds) {
        for (Object message = channel.readInbound(); message != null; message = channel.readInbound()) {
            try {
                assertThat(emitted).as("more messages than complete frames").isLessThan(frames.size());
                FrameModel.Frame frame = frames.get(emitted);
                assertThat(frame.end()).as("frame emitted before its last byte arrived").isLessThanOrEqualTo(fed);
                check(message, frame, stream);
                kinds.add(message instanceof Pdu ? "Pdu" : message.getClass().getSimpleName());
                emitted++;
            } finally {
                ReferenceCountUtil.release(message);
            }
        }
        int due = 0;
        while (due < frames.size() && frames.get(due).end() <= fed) {
            due++;
        }
        assertThat(emitted).as("complete frames not emitted after %d bytes", fed).isEqualTo(due);
        return emitted;
    }

    private static void check(Object message, FrameModel.Frame frame, byte[] stream) {
        byte[] bhs = Arrays.copyOfRange(stream, frame.start(), frame.start() + FrameModel.BHS);
        if (message instanceof FramingError error) {
            assertThat(frame.kind()).as("FramingError for a %s frame: %s", frame.kind(), error)
                    .isEqualTo(FrameModel.Kind.FRAMING_ERROR);
            assertThat(ByteBufUtil.getBytes(error.header())).as("framing error header").isEqualTo(bhs);
        } else if (message instanceof MalformedPdu malformed) {
            assertThat(frame.kind()).as("MalformedPdu for a %s frame: %s", frame.kind(), malformed)
                    .isNotEqualTo(FrameModel.Kind.FRAMING_ERROR);
            assertThat(malformed.reason() == RejectReason.DATA_DIGEST_ERROR)
                    .as("DATA_DIGEST_ERROR exactly for a digest mismatch: %s", malformed)
                    .isEqualTo(frame.kind() == FrameModel.Kind.DATA_DIGEST_ERROR);
            assertThat(ByteBufUtil.getBytes(malformed.header())).as("malformed PDU header").isEqualTo(bhs);
        } else if (message instanceof Pdu pdu) {
            assertThat(frame.kind()).as("PDU for a %s frame: %s", frame.kind(), pdu)
                    .isEqualTo(FrameModel.Kind.COMPLETE);
            checkPdu(pdu, frame, stream);
        } else {
            throw new AssertionError("unexpected message " + message);
        }
    }

    private static void checkPdu(Pdu pdu, FrameModel.Frame frame, byte[] stream) {
        int at = frame.start();
        assertThat(pdu.opcode().code()).as("opcode").isEqualTo(stream[at] & 0x3F);
        // Reject and Async Message reserve the tag (RFC 7143 §11.9.1, §11.17): the decoder keeps 0xffffffff.
        boolean reservedTag = pdu.opcode() == Opcode.REJECT || pdu.opcode() == Opcode.ASYNC_MESSAGE;
        if (!reservedTag) {
            assertThat(pdu.initiatorTaskTag()).as("initiator task tag of %s", pdu)
                    .isEqualTo(bigEndian(stream, at + 16));
        }
        // Target PDUs that carry no data segment (Logout Response, R2T, ...) are decoded leniently and drop it.
        boolean droppedData = pdu.opcode().code() >= 0x20 && pdu.dataSegmentLength() == 0;
        if (!droppedData) {
            assertThat(pdu.dataSegmentLength()).as("DataSegmentLength of %s", pdu).isEqualTo(frame.dataLength());
            assertThat(ByteBufUtil.getBytes(pdu.data())).as("data segment").isEqualTo(
                    Arrays.copyOfRange(stream, frame.dataStart(), frame.dataStart() + frame.dataLength()));
        }

        // Re-encode: the header must decode again, and encoding that PDU must give the same header bytes.
        byte[] first = encodeHeader(pdu);
        // RFC 7143 §11.2.1.1: the I bit exists in initiator PDUs only; it is reserved in target PDUs, Data-Out and
        // SNACK (§11.7, §11.16), which ignore it on receipt
        boolean hasImmediateBit = pdu.opcode().code() < 0x20 && pdu.opcode() != Opcode.DATA_OUT
                && pdu.opcode() != Opcode.SNACK;
        int opcodeMask = hasImmediateBit ? 0x7F : 0x3F;
        assertThat(first[0] & opcodeMask).as("opcode and I bit re-encoded from %s", pdu)
                .isEqualTo(stream[at] & opcodeMask);
        if (!droppedData) {
            assertThat(Arrays.copyOfRange(first, 5, 8)).as("DataSegmentLength re-encoded from %s", pdu)
                    .isEqualTo(Arrays.copyOfRange(stream, at + 5, at + 8));
        }
        // TotalAHSLength is not compared: only the SCSI Command defines AHS types, and it skips the extension
        // types 60..63 (RFC 7143 §11.2.2.1); the re-decode below checks the AHS it does encode.
        if (!reservedTag) {
            assertThat(Arrays.copyOfRange(first, 16, 20)).as("initiator task tag re-encoded from %s", pdu)
                    .isEqualTo(Arrays.copyOfRange(stream, at + 16, at + 20));
        }
        ByteBuf header = Unpooled.wrappedBuffer(first);
        Pdu again;
        try {
            again = Pdu.decode(header.slice(0, FrameModel.BHS),
                    header.slice(FrameModel.BHS, first.length - FrameModel.BHS), pdu.data().retainedDuplicate());
        } catch (PduException e) {
            throw new AssertionError("re-encoded " + pdu + " does not decode: " + e.getMessage(), e);
        }
        try {
            assertThat(encodeHeader(again)).as("header of the re-decoded %s", pdu).isEqualTo(first);
        } finally {
            again.release();
        }
    }

    private static byte[] encodeHeader(Pdu pdu) {
        ByteBuf out = Unpooled.buffer(pdu.headerLength());
        pdu.encodeHeader(out);
        return ByteBufUtil.getBytes(out);
    }

    private static int bigEndian(byte[] bytes, int at) {
        return (bytes[at] & 0xFF) << 24 | (bytes[at + 1] & 0xFF) << 16 | (bytes[at + 2] & 0xFF) << 8
                | (bytes[at + 3] & 0xFF);
    }
}
