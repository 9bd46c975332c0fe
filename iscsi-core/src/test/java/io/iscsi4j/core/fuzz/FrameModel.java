package io.iscsi4j.core.fuzz;

import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * An independent, deliberately naive model of iSCSI framing (RFC 7143 §11.2): where each PDU of a byte stream
 * starts and ends, and which frames a target must treat as a framing error (the connection is lost) or as a data
 * digest error (the PDU is rejected, framing goes on). The fuzz test compares the frame decoder with it.
 */
final class FrameModel {

    /** What the decoder must make of one frame. */
    enum Kind {
        /** Complete and digests correct: a PDU, or a MalformedPdu if a field is invalid. */
        COMPLETE,
        /** Complete, but the data digest does not match: a MalformedPdu with reason DATA_DIGEST_ERROR. */
        DATA_DIGEST_ERROR,
        /** Boundaries can no longer be trusted: a FramingError, and nothing after it. */
        FRAMING_ERROR
    }

    /**
     * One frame.
     *
     * @param kind the expected outcome
     * @param start offset of the BHS in the stream
     * @param ahsLength AHS bytes
     * @param dataStart offset of the data segment
     * @param dataLength DataSegmentLength
     * @param end offset just after the last byte the decoder needs to decide on this frame
     */
    record Frame(Kind kind, int start, int ahsLength, int dataStart, int dataLength, int end) {
    }

    /** RFC 7143 §11.2.1: the Basic Header Segment is 48 bytes. */
    static final int BHS = 48;
    /** The decoder's documented AHS bound. */
    static final int MAX_AHS = 256;
    private static final int DIGEST = 4;

    private FrameModel() {
    }

    /**
     * The frames of {@code stream} that are complete (or, for a framing error, decidable), in order; a
     * trailing incomplete frame is left out.
     */
    static List<Frame> frames(byte[] stream, boolean headerDigest, boolean dataDigest, int maxDataSegmentLength) {
        List<Frame> frames = new ArrayList<>();
        CRC32C crc = new CRC32C();
        int at = 0;
        while (stream.length - at >= BHS) {
            int ahs = (stream[at + 4] & 0xFF) * 4;
            int dataLength = ((stream[at + 5] & 0xFF) << 16) | ((stream[at + 6] & 0xFF) << 8) | (stream[at + 7] & 0xFF);
            if (ahs > MAX_AHS || dataLength > maxDataSegmentLength) {
                frames.add(new Frame(Kind.FRAMING_ERROR, at, ahs, -1, dataLength, at + BHS));
                return frames;
            }
            int headerEnd = at + BHS + ahs;
            int dataStart = headerEnd + (headerDigest ? DIGEST : 0);
            if (dataStart > stream.length) {
                return frames;
            }
            if (headerDigest) {
                crc.reset();
                crc.update(stream, at, BHS + ahs);
                if ((int) crc.getValue() != littleEndian(stream, headerEnd)) {
                    frames.add(new Frame(Kind.FRAMING_ERROR, at, ahs, -1, dataLength, dataStart));
                    return frames;
                }
            }
            int padded = dataLength + (-dataLength & 3);
            boolean withDataDigest = dataDigest && dataLength > 0;
            long end = (long) dataStart + padded + (withDataDigest ? DIGEST : 0);
            if (end > stream.length) {
                return frames;
            }
            Kind kind = Kind.COMPLETE;
            if (withDataDigest) {
                crc.reset();
                crc.update(stream, dataStart, padded);
                if ((int) crc.getValue() != littleEndian(stream, dataStart + padded)) {
                    kind = Kind.DATA_DIGEST_ERROR;
                }
            }
            frames.add(new Frame(kind, at, ahs, dataStart, dataLength, (int) end));
            at = (int) end;
        }
        return frames;
    }

    /**
     * The most bytes a correct decoder may hold without having emitted the frame they belong to: BHS, the
     * largest AHS, header digest, the largest data segment, padding and data digest, less one.
     */
    static int maxPendingBytes(int maxDataSegmentLength) {
        return BHS + MAX_AHS + DIGEST + maxDataSegmentLength + 3 + DIGEST - 1;
    }

    /** RFC 7143 §13.1 via the decoder's convention: digests travel least significant byte first. */
    private static int littleEndian(byte[] bytes, int at) {
        return (bytes[at] & 0xFF) | (bytes[at + 1] & 0xFF) << 8 | (bytes[at + 2] & 0xFF) << 16
                | (bytes[at + 3] & 0xFF) << 24;
    }
}
