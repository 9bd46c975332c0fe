package io.iscsi4j.it;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;

/**
 * PDU framing over a blocking socket (RFC 7143 §11.2): BHS, AHS, header digest, data segment, padding to a
 * multiple of 4, data digest. Digests are CRC32C computed by {@link Crc32c}, data digests over data and
 * padding. Every read has a socket timeout so a hung target fails a test instead of hanging it.
 *
 * <p>Not thread-safe.
 */
final class PduChannel implements Closeable {

    /** Socket read timeout: a target that does not answer within this fails the test. */
    static final int READ_TIMEOUT_MILLIS = 10_000;

    /** Absolute cap on an inbound DataSegmentLength, whatever was negotiated. */
    private static final int HARD_LIMIT = 16 << 20;

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private boolean headerDigest;
    private boolean dataDigest;
    private int maxInboundDataSegmentLength = 8192;
    /** The last PDUs sent and received, one line each, for failure messages. */
    private final ArrayDeque<String> recent = new ArrayDeque<>();

    private PduChannel(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
        this.out = socket.getOutputStream();
    }

    /** Connects to {@code address} with a 5 s connect timeout and a {@value #READ_TIMEOUT_MILLIS} ms read timeout. */
    static PduChannel connect(InetSocketAddress address) throws IOException {
        return connect(address, null);
    }

    /**
     * Connects from {@code localAddress} (any free port) to {@code address}, as {@link #connect(InetSocketAddress)}
     * does. On Linux every address of 127.0.0.0/8 is on the loopback interface, so a test can play several hosts.
     *
     * @param localAddress the source address, or {@code null} for the one the system picks
     */
    static PduChannel connect(InetSocketAddress address, InetAddress localAddress) throws IOException {
        Socket s = new Socket();
        try {
            if (localAddress != null) {
                s.bind(new InetSocketAddress(localAddress, 0));
            }
            s.setTcpNoDelay(true);
            s.setSoTimeout(READ_TIMEOUT_MILLIS);
            s.connect(address, 5_000);
            return new PduChannel(s);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    void readTimeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    int readTimeoutMillis() throws IOException {
        return socket.getSoTimeout();
    }

    void headerDigest(boolean enabled) {
        this.headerDigest = enabled;
    }

    void dataDigest(boolean enabled) {
        this.dataDigest = enabled;
    }

    boolean headerDigest() {
        return headerDigest;
    }

    boolean dataDigest() {
        return dataDigest;
    }

    /** The largest DataSegmentLength accepted from the target (the initiator's MaxRecvDataSegmentLength). */
    void maxInboundDataSegmentLength(int bytes) {
        this.maxInboundDataSegmentLength = bytes;
    }

    int maxInboundDataSegmentLength() {
        return maxInboundDataSegmentLength;
    }

    /** Sends a PDU with correct digests. */
    void send(Bhs bhs, byte[] data, int offset, int length) throws IOException {
        send(bhs, data, offset, length, false, false);
    }

    /**
     * Sends a PDU, optionally with a deliberately wrong header or data digest (the digest's bits are inverted).
     * DataSegmentLength is set from {@code length}.
     */
    void send(Bhs bhs, byte[] data, int offset, int length, boolean corruptHeaderDigest, boolean corruptDataDigest)
            throws IOException {
        byte[] frame = frame(bhs, data, offset, length, headerDigest, dataDigest, corruptHeaderDigest,
                corruptDataDigest);
        remember("-> " + summary(frame) + (corruptHeaderDigest ? " BAD-HEADER-DIGEST" : "")
                + (corruptDataDigest ? " BAD-DATA-DIGEST" : ""));
        out.write(frame);
        out.flush();
    }

    /**
     * The wire form of one PDU (RFC 7143 §11.2): BHS, header digest, data segment, zero padding to a multiple of
     * 4, data digest (over data and padding, only when the segment is not empty). Sets DataSegmentLength in
     * {@code bhs}. A corrupted digest has its bits inverted.
     */
    static byte[] frame(Bhs bhs, byte[] data, int offset, int length, boolean headerDigest, boolean dataDigest,
                        boolean corruptHeaderDigest, boolean corruptDataDigest) {
        bhs.dataSegmentLength(length);
        byte[] header = bhs.toByteArray();
        int padding = -length & 3;
        int hd = headerDigest ? Crc32c.LENGTH : 0;
        int dd = dataDigest && length > 0 ? Crc32c.LENGTH : 0;
        byte[] frame = new byte[Bhs.LENGTH + hd + length + padding + dd];
        System.arraycopy(header, 0, frame, 0, Bhs.LENGTH);
        int p = Bhs.LENGTH;
        if (hd > 0) {
            int crc = Crc32c.value(frame, 0, Bhs.LENGTH);
            Crc32c.put(frame, p, corruptHeaderDigest ? ~crc : crc);
            p += hd;
        }
        if (length > 0) {
            System.arraycopy(data, offset, frame, p, length);
            int segmentStart = p;
            p += length + padding;
            if (dd > 0) {
                int crc = Crc32c.value(frame, segmentStart, length + padding);
                Crc32c.put(frame, p, corruptDataDigest ? ~crc : crc);
            }
        }
        return frame;
    }

    /** Writes bytes as they are: no framing, no digests (for hostile-input tests). */
    void sendRaw(byte[] bytes) throws IOException {
        remember("-> raw " + bytes.length + " bytes" + (bytes.length >= Bhs.LENGTH ? ": " + summary(bytes) : ""));
        out.write(bytes);
        out.flush();
    }

    /** Bytes that can be read without blocking (buffered or already received). */
    int available() throws IOException {
        return in.available();
    }

    /** The last PDUs sent ("->") and received ("<-"), oldest first. */
    List<String> recent() {
        return List.copyOf(recent);
    }

    private void remember(String line) {
        if (recent.size() == 32) {
            recent.removeFirst();
        }
        recent.addLast(line);
    }

    /** One line naming the PDU and its main fields (offsets of RFC 7143 §11). */
    static String summary(byte[] bhs) {
        RawPdu p = new RawPdu(Arrays.copyOf(bhs, Bhs.LENGTH), new byte[0], new byte[0]);
        StringBuilder sb = new StringBuilder(Bhs.opcodeName(p.opcode()));
        sb.append(String.format(" flags=%02x itt=%x dsl=%d", p.flags(), p.itt(), p.dataSegmentLength()));
        switch (p.opcode()) {
            case Bhs.DATA_OUT -> sb.append(String.format(" ttt=%x dataSN=%d offset=%d", p.ttt(), p.i32(36), p.i32(40)));
            case Bhs.DATA_IN -> sb.append(String.format(" dataSN=%d offset=%d status=%02x statSN=%d", p.i32(36),
                    p.i32(40), p.u8(3), p.statSN()));
            case Bhs.R2T -> sb.append(String.format(" ttt=%x r2tSN=%d offset=%d length=%d", p.ttt(), p.i32(36),
                    p.i32(40), p.i32(44)));
            case Bhs.SCSI_COMMAND -> sb.append(String.format(" edtl=%d cmdSN=%d cdb0=%02x", p.i32(20), p.i32(24),
                    p.u8(32)));
            case Bhs.SCSI_RESPONSE -> sb.append(String.format(" response=%d status=%02x statSN=%d", p.u8(2), p.u8(3),
                    p.statSN()));
            case Bhs.REJECT -> sb.append(String.format(" reason=%02x statSN=%d", p.u8(2), p.statSN()));
            default -> { }
        }
        return sb.toString();
    }

    /**
     * Reads one PDU, checking its digests and its DataSegmentLength against the declared limit.
     *
     * @throws ProtocolViolation on a digest mismatch or an oversized data segment
     * @throws EOFException when the target closed the connection
     * @throws SocketTimeoutException when nothing arrived within {@value #READ_TIMEOUT_MILLIS} ms
     */
    RawPdu receive() throws IOException {
        byte[] bhs = readFully(Bhs.LENGTH);
        int ahsLength = (bhs[4] & 0xFF) * 4;
        byte[] ahs = readFully(ahsLength);
        int dsl = (bhs[5] & 0xFF) << 16 | (bhs[6] & 0xFF) << 8 | bhs[7] & 0xFF;
        RawPdu pdu = new RawPdu(bhs, ahs, new byte[0]);
        if (headerDigest) {
            byte[] digest = readFully(Crc32c.LENGTH);
            byte[] covered = new byte[Bhs.LENGTH + ahsLength];
            System.arraycopy(bhs, 0, covered, 0, Bhs.LENGTH);
            System.arraycopy(ahs, 0, covered, Bhs.LENGTH, ahsLength);
            int expected = Crc32c.value(covered, 0, covered.length);
            int received = Crc32c.get(digest, 0);
            if (expected != received) {
                throw new ProtocolViolation(String.format(
                        "header digest mismatch (RFC 7143 §13.1): received %08x, computed %08x for %s",
                        received, expected, pdu));
            }
        }
        if (dsl > maxInboundDataSegmentLength || dsl > HARD_LIMIT) {
            throw new ProtocolViolation("DataSegmentLength " + dsl + " exceeds the initiator's declared "
                    + "MaxRecvDataSegmentLength " + maxInboundDataSegmentLength + " (RFC 7143 §13.12): " + pdu);
        }
        int padding = -dsl & 3;
        byte[] segment = readFully(dsl + padding);
        if (dataDigest && dsl > 0) {
            byte[] digest = readFully(Crc32c.LENGTH);
            int expected = Crc32c.value(segment, 0, segment.length);
            int received = Crc32c.get(digest, 0);
            if (expected != received) {
                throw new ProtocolViolation(String.format(
                        "data digest mismatch (RFC 7143 §13.1): received %08x, computed %08x over %d data + %d "
                                + "padding bytes of %s", received, expected, dsl, padding, pdu));
            }
        }
        byte[] data = segment;
        if (padding > 0) {
            data = new byte[dsl];
            System.arraycopy(segment, 0, data, 0, dsl);
        }
        RawPdu result = new RawPdu(bhs, ahs, data);
        String line = "<- " + summary(bhs);
        if (result.opcode() == Bhs.REJECT && data.length >= Bhs.LENGTH) {
            line += " rejecting [" + summary(data) + "]";
        }
        remember(line);
        return result;
    }

    /**
     * Waits until the target closes the connection, discarding anything it still sends.
     *
     * @return {@code true} when end of stream (or a reset) was seen within {@code timeout}
     */
    boolean awaitClose(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        byte[] sink = new byte[8192];
        int previous = socket.getSoTimeout();
        try {
            while (System.nanoTime() < deadline) {
                long leftMillis = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
                socket.setSoTimeout((int) Math.min(leftMillis, READ_TIMEOUT_MILLIS));
                try {
                    if (in.read(sink) < 0) {
                        return true;
                    }
                } catch (SocketTimeoutException e) {
                    return false;
                } catch (IOException e) {
                    return true; // connection reset: closed as well
                }
            }
            return false;
        } finally {
            if (!socket.isClosed()) {
                socket.setSoTimeout(previous);
            }
        }
    }

    private byte[] readFully(int length) throws IOException {
        byte[] b = new byte[length];
        int n = 0;
        while (n < length) {
            int r = in.read(b, n, length - n);
            if (r < 0) {
                throw new EOFException("target closed the connection after " + n + " of " + length
                        + " expected bytes");
            }
            n += r;
        }
        return b;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
