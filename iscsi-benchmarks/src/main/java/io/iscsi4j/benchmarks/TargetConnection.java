package io.iscsi4j.benchmarks;

import io.iscsi4j.IscsiTarget;
import io.iscsi4j.backstore.Backstores;
import io.iscsi4j.core.pdu.DataOut;
import io.iscsi4j.core.pdu.DigestSettings;
import io.iscsi4j.core.pdu.LoginRequest;
import io.iscsi4j.core.pdu.PduEncoder;
import io.iscsi4j.core.pdu.PduFrameDecoder;
import io.iscsi4j.core.pdu.ScsiCommand;
import io.iscsi4j.core.session.IscsiConnection;
import io.iscsi4j.core.session.TargetContext;
import io.iscsi4j.core.transport.TargetServer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;

import java.lang.reflect.Field;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * The benchmarks' initiator: one connection to an in-process target, logged in, with the target's production
 * pipeline (frame decoder, encoder, {@link IscsiConnection}, built as {@link TargetServer} builds it) on an
 * {@link EmbeddedChannel} instead of a socket, over a memory LUN. Storage calls run on the calling thread, so one
 * {@link #execute} is one whole command: the command PDU goes in, the target decodes it, runs it through the session
 * and the SCSI layer into the backstore and back, and its Data-In, R2T or SCSI Response PDUs come out encoded.
 *
 * <p>What this leaves out: the socket (system calls, copies into and out of the kernel, the receive buffers) and,
 * for commands over 256 KiB, the hand-off to the I/O threads and back (smaller reads and writes of a memory LUN run
 * on the event loop in production too). So the numbers are the target's own CPU and allocation cost per command.
 *
 * <p>The harness allocates nothing per command: commands are prepared as wire bytes ({@link Command}); each run
 * stamps the Initiator Task Tag, CmdSN and ExpStatSN into them and writes them in again (retained, reader index
 * reset: like a socket read, the decoder gets a plain pooled buffer, not a derived one), and it reads the
 * target's output as a byte stream (BHS fields only, whatever the framing of the output buffers), releasing every
 * buffer. It checks what it reads: the task tag, the status, the amount of Data-In; and it keeps the CmdSN window
 * honest (ExpStatSN and MaxCmdSN are taken from the responses). Not thread-safe; one benchmark thread.
 */
final class TargetConnection implements AutoCloseable {

    /** The target's name. */
    static final String TARGET = "iqn.2026-11.io.iscsi4j:benchmark";
    /** The initiator's name. */
    static final String INITIATOR = "iqn.2026-11.io.iscsi4j:benchmark-initiator";
    /** The logical block size of LUN 0. */
    static final int BLOCK_SIZE = 512;
    /** The size of LUN 0, a memory backstore. */
    static final long LUN_BYTES = 64L << 20;
    /** SCSI status GOOD. */
    static final int GOOD = 0;

    /**
     * What open-iscsi (the Linux initiator) offers by default, but the digests and MaxRecvDataSegmentLength: immediate
     * data, no initial R2T, 256 KiB first bursts.
     */
    private static final String INITIATOR_KEYS = "InitialR2T=No\0ImmediateData=Yes\0FirstBurstLength=262144\0"
            + "MaxBurstLength=16776192\0MaxOutstandingR2T=1\0DataPDUInOrder=Yes\0DataSequenceInOrder=Yes\0"
            + "ErrorRecoveryLevel=0\0MaxConnections=1\0DefaultTime2Wait=2\0DefaultTime2Retain=0\0";

    private static final long ISID = 0x23d000001L;
    private static final int NO_TAG = 0xFFFFFFFF;
    private static final int MAX_R2TS = 64;

    private final TargetContext context;
    private final EmbeddedChannel channel;
    private final Map<String, String> negotiated;
    private final boolean headerDigest;
    private final boolean dataDigest;

    private int nextTag = 1;
    private int cmdSN;
    private int expStatSN;
    private int maxCmdSN;

    // The target's output, read as a stream: the BHS being assembled and the bytes to skip after it.
    private final ByteBuf header = Unpooled.buffer(PduBytes.BHS_LENGTH, PduBytes.BHS_LENGTH);
    private long skip;

    // The command being run.
    private int tag;
    private int status;
    private long dataIn;
    /** R2Ts received and not answered yet: target transfer tag, offset, length. */
    private final int[] r2ts = new int[3 * MAX_R2TS];
    private int r2tCount;

    /**
     * Builds a target with the production defaults (MaxRecvDataSegmentLength and FirstBurstLength 256 KiB,
     * MaxBurstLength 1 MiB, immediate data, no initial R2T) and one memory LUN, connects and logs in (operational
     * stage straight to full feature phase) as open-iscsi would, then clears the LUN's power-on unit attention.
     *
     * @param maxRecvDataSegmentLength the initiator's MaxRecvDataSegmentLength: the largest Data-In PDU it takes
     * @param digests whether the initiator asks for CRC32C header and data digests (else it offers none)
     */
    TargetConnection(int maxRecvDataSegmentLength, boolean digests) {
        IscsiTarget.Builder builder = IscsiTarget.builder()
                .portal("127.0.0.1", 0)
                .nopInInterval(Duration.ZERO) // no NOP-In pings in the middle of a measurement
                .target(TARGET, t -> t.lun(0, Backstores.memory(LUN_BYTES, BLOCK_SIZE)));
        IscsiTarget.Settings settings = settingsOf(builder.build());
        context = new TargetContext(settings, Runnable::run);
        channel = new LoopbackChannel();
        // As TargetServer configures every accepted connection and builds its pipeline.
        channel.config().setAllocator(PooledByteBufAllocator.DEFAULT);
        int maxPendingOutput = settings.settings().limits().maxPendingOutputBytes();
        channel.config().setWriteBufferWaterMark(new WriteBufferWaterMark(maxPendingOutput / 2, maxPendingOutput));
        PduFrameDecoder decoder = new PduFrameDecoder();
        channel.pipeline().addLast("frame", decoder);
        channel.pipeline().addLast("encoder", PduEncoder.INSTANCE);
        channel.pipeline().addLast("iscsi", new IscsiConnection(context, decoder));
        register(channel);
        String digest = digests ? "CRC32C" : "None";
        negotiated = login("HeaderDigest=" + digest + "\0DataDigest=" + digest + "\0" + INITIATOR_KEYS
                + "MaxRecvDataSegmentLength=" + maxRecvDataSegmentLength + "\0");
        headerDigest = "CRC32C".equals(negotiated.get("HeaderDigest"));
        dataDigest = "CRC32C".equals(negotiated.get("DataDigest"));
        if (headerDigest != digests || dataDigest != digests) {
            throw new IllegalStateException("digests not negotiated as asked: " + negotiated);
        }
        clearUnitAttention();
    }

    /** Registers an embedded channel: the connection becomes active. */
    private static void register(EmbeddedChannel channel) {
        try {
            channel.register();
        } catch (Exception e) {
            throw new IllegalStateException("cannot register the channel", e);
        }
    }

    /** The validated configuration an {@link IscsiTarget} hands its server; not public API, hence reflection. */
    private static IscsiTarget.Settings settingsOf(IscsiTarget target) {
        try {
            for (Field f : IscsiTarget.class.getDeclaredFields()) {
                if (f.getType() == TargetServer.class) {
                    f.setAccessible(true);
                    return ((TargetServer) f.get(target)).settings();
                }
            }
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read the IscsiTarget's settings", e);
        }
        throw new IllegalStateException("IscsiTarget has no TargetServer field any more: update settingsOf");
    }

    private Map<String, String> login(String initiatorKeys) {
        String keys = "InitiatorName=" + INITIATOR + "\0TargetName=" + TARGET + "\0SessionType=Normal\0"
                + initiatorKeys;
        send(PduBytes.encode(LoginRequest.builder().transit(true).csg(1).nsg(3).isid(ISID).tsih(0).cid(1)
                .initiatorTaskTag(0).cmdSN(1).expStatSN(0)
                .data(Unpooled.copiedBuffer(keys, StandardCharsets.UTF_8)).build(), DigestSettings.NONE));
        ByteBuf response = Unpooled.buffer();
        try {
            for (Object out = channel.readOutbound(); out != null; out = channel.readOutbound()) {
                try {
                    response.writeBytes((ByteBuf) out);
                } finally {
                    ReferenceCountUtil.release(out);
                }
            }
            int opcode = response.getByte(0) & PduBytes.OPCODE_MASK;
            int statusClass = response.getUnsignedByte(36);
            int statusDetail = response.getUnsignedByte(37);
            int length = response.getUnsignedMedium(PduBytes.DATA_SEGMENT_LENGTH);
            // Transit, current stage operational (1), next stage full feature phase (3).
            if (opcode != PduBytes.LOGIN_RESPONSE || statusClass != 0 || (response.getByte(1) & 0x8f) != 0x87
                    || response.readableBytes() != PduBytes.BHS_LENGTH + length + (-length & 3)) {
                throw new IllegalStateException(String.format("login failed: opcode 0x%02x, flags 0x%02x, status "
                        + "0x%02x%02x, %d bytes", opcode, response.getByte(1), statusClass, statusDetail,
                        response.readableBytes()));
            }
            expStatSN = response.getInt(PduBytes.STAT_SN) + 1;
            cmdSN = response.getInt(PduBytes.EXP_STAT_SN); // ExpCmdSN
            maxCmdSN = response.getInt(PduBytes.MAX_CMD_SN);
            String text = response.toString(PduBytes.BHS_LENGTH, length, StandardCharsets.UTF_8);
            Map<String, String> values = new HashMap<>();
            for (String pair : text.split("\0")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    values.put(pair.substring(0, eq), pair.substring(eq + 1));
                }
            }
            return values;
        } finally {
            response.release();
        }
    }

    /** The first command of a new I_T nexus gets a unit attention; TEST UNIT READY takes it. */
    private void clearUnitAttention() {
        try (Command tur = command("TEST UNIT READY", new byte[16], false, false, 0)) {
            for (int i = 0; i < 3; i++) {
                if (run(tur) == GOOD) {
                    return;
                }
            }
        }
        throw new IllegalStateException("TEST UNIT READY does not return GOOD");
    }

    /**
     * A negotiated value, as the target's Login Response declared it.
     *
     * @param key the key
     * @return its value, or {@code null} when the target did not send the key
     */
    String negotiated(String key) {
        return negotiated.get(key);
    }

    private int negotiatedInt(String key, int fallback) {
        String v = negotiated.get(key);
        return v == null ? fallback : Integer.parseInt(v);
    }

    /**
     * A READ(10) of LUN 0.
     *
     * @param lba the first logical block
     * @param length bytes to read, a multiple of {@link #BLOCK_SIZE}
     * @return the prepared command; close it when done
     */
    Command read(int lba, int length) {
        return command("READ(10) of " + length + " bytes", PduBytes.cdb10(false, lba, length / BLOCK_SIZE), true,
                false, length);
    }

    /**
     * A WRITE(10) of LUN 0, carrying as much immediate data as negotiated (up to FirstBurstLength and the target's
     * MaxRecvDataSegmentLength); the rest goes in Data-Out PDUs answering the target's R2Ts.
     *
     * @param lba the first logical block
     * @param length bytes to write, a multiple of {@link #BLOCK_SIZE}
     * @return the prepared command; close it when done
     */
    Command write(int lba, int length) {
        return command("WRITE(10) of " + length + " bytes", PduBytes.cdb10(true, lba, length / BLOCK_SIZE), false,
                true, length);
    }

    private Command command(String name, byte[] cdb, boolean read, boolean write, int length) {
        // The target's declared MaxRecvDataSegmentLength bounds every data segment it receives (default 8192).
        int segment = negotiatedInt("MaxRecvDataSegmentLength", PduFrameDecoder.DEFAULT_MAX_DATA_SEGMENT_LENGTH);
        int immediate = 0;
        if (write && "Yes".equals(negotiated.get("ImmediateData"))) {
            immediate = Math.min(length, Math.min(segment, negotiatedInt("FirstBurstLength", 65536)));
        }
        DigestSettings digests = new DigestSettings(headerDigest, dataDigest);
        // F set: no unsolicited Data-Out follows the immediate data; the target solicits the rest with R2Ts.
        ByteBuf pdu = PduBytes.encode(ScsiCommand.builder().finalFlag(true).read(read).write(write).attribute(1)
                .lun(0).initiatorTaskTag(0).cmdSN(0).expStatSN(0).expectedDataTransferLength(length).cdb(cdb)
                .data(immediate == 0 ? Unpooled.EMPTY_BUFFER : PduBytes.pattern(immediate, 1)).build(), digests);
        int pdus = write ? (length - immediate + segment - 1) / segment : 0;
        ByteBuf[] dataOut = new ByteBuf[pdus];
        for (int i = 0; i < pdus; i++) {
            int offset = immediate + i * segment;
            int n = Math.min(segment, length - offset);
            dataOut[i] = PduBytes.encode(DataOut.builder().finalFlag(false).lun(0).initiatorTaskTag(0)
                    .targetTransferTag(0).expStatSN(0).dataSN(0).bufferOffset(offset)
                    .data(PduBytes.pattern(n, offset)).build(), digests);
        }
        return new Command(name, pdu, read, length, immediate, segment, dataOut, headerDigest);
    }

    /**
     * Runs one command to its status and checks it: GOOD, and for a read all its data.
     *
     * @param command a command of this connection
     * @throws IllegalStateException when the target answers anything else
     */
    void execute(Command command) {
        int s = run(command);
        if (s != GOOD) {
            throw new IllegalStateException("SCSI status 0x" + Integer.toHexString(s) + " for " + command);
        }
        if (command.read && dataIn != command.length) {
            throw new IllegalStateException(dataIn + " bytes of Data-In for " + command);
        }
    }

    /**
     * Runs one command to its status.
     *
     * @return the SCSI status
     */
    private int run(Command command) {
        if (cmdSN - maxCmdSN > 0) {
            throw new IllegalStateException("command window closed: CmdSN " + cmdSN + ", MaxCmdSN " + maxCmdSN);
        }
        tag = nextTag;
        nextTag = nextTag + 1 == NO_TAG ? 1 : nextTag + 1;
        status = -1;
        dataIn = 0;
        r2tCount = 0;
        ByteBuf pdu = command.pdu;
        pdu.setInt(PduBytes.ITT, tag);
        pdu.setInt(PduBytes.CMD_SN, cmdSN++);
        pdu.setInt(PduBytes.EXP_STAT_SN, expStatSN);
        command.stamped(pdu);
        send(pdu.readerIndex(0).retain());
        for (;;) {
            readOutput();
            if (status >= 0) {
                return status;
            }
            if (r2tCount == 0) {
                throw new IllegalStateException("no status for " + command
                        + (channel.isActive() ? "" : ": the target closed the connection"));
            }
            sendSolicited(command);
        }
    }

    /** Answers the R2Ts received with the command's prepared Data-Out PDUs, in one read of the target. */
    private void sendSolicited(Command command) {
        for (int r = 0; r < r2tCount; r++) {
            int ttt = r2ts[3 * r];
            int offset = r2ts[3 * r + 1];
            int end = offset + r2ts[3 * r + 2];
            int dataSN = 0;
            while (offset < end) {
                int index = (offset - command.immediate) / command.segment;
                ByteBuf d = index < command.dataOut.length ? command.dataOut[index] : null;
                int n = d == null ? 0 : d.getUnsignedMedium(PduBytes.DATA_SEGMENT_LENGTH);
                if (d == null || offset != command.immediate + index * command.segment || offset + n > end) {
                    throw new IllegalStateException("R2T for [" + offset + ", " + end + ") does not fall on the "
                            + command.segment + "-byte Data-Out PDUs prepared for " + command);
                }
                d.setByte(1, offset + n == end ? PduBytes.FINAL_BIT : 0);
                d.setInt(PduBytes.ITT, tag);
                d.setInt(PduBytes.TTT, ttt);
                d.setInt(PduBytes.EXP_STAT_SN, expStatSN);
                d.setInt(PduBytes.DATA_SN, dataSN++);
                d.setInt(PduBytes.BUFFER_OFFSET, offset);
                command.stamped(d);
                channel.writeOneInbound(d.readerIndex(0).retain(), channel.voidPromise());
                offset += n;
            }
        }
        r2tCount = 0;
        channel.flushInbound();
    }

    /** Writes one read's worth of bytes into the target: one channelRead, then channelReadComplete. */
    private void send(ByteBuf bytes) {
        channel.writeOneInbound(bytes, channel.voidPromise());
        channel.flushInbound();
    }

    /** Reads and releases everything the target wrote, interpreting each PDU's BHS. */
    private void readOutput() {
        for (Object out = channel.readOutbound(); out != null; out = channel.readOutbound()) {
            if (!(out instanceof ByteBuf buf)) {
                ReferenceCountUtil.release(out);
                throw new IllegalStateException("the target wrote a " + out.getClass().getName());
            }
            try {
                while (buf.isReadable()) {
                    if (skip > 0) {
                        int n = (int) Math.min(skip, buf.readableBytes());
                        buf.skipBytes(n);
                        skip -= n;
                    } else {
                        buf.readBytes(header, Math.min(header.writableBytes(), buf.readableBytes()));
                        if (!header.isWritable()) {
                            onHeader();
                            header.clear();
                        }
                    }
                }
            } finally {
                buf.release();
            }
        }
    }

    /** One target PDU's BHS; sets {@link #skip} to the bytes that follow it. */
    private void onHeader() {
        int opcode = header.getByte(0) & PduBytes.OPCODE_MASK;
        int dataLength = header.getUnsignedMedium(PduBytes.DATA_SEGMENT_LENGTH);
        skip = header.getUnsignedByte(4) * 4L + (headerDigest ? 4 : 0) + dataLength + (-dataLength & 3)
                + (dataDigest && dataLength > 0 ? 4 : 0);
        if (header.getInt(PduBytes.ITT) != tag) {
            throw new IllegalStateException(String.format("PDU with opcode 0x%02x for task tag 0x%x, expected 0x%x",
                    opcode, header.getInt(PduBytes.ITT), tag));
        }
        switch (opcode) {
            case PduBytes.DATA_IN -> {
                dataIn += dataLength;
                if ((header.getByte(1) & PduBytes.STATUS_BIT) != 0) {
                    status(header.getUnsignedByte(3));
                }
            }
            case PduBytes.SCSI_RESPONSE -> {
                if (header.getByte(2) != 0) {
                    throw new IllegalStateException("SCSI Response with response 0x"
                            + Integer.toHexString(header.getUnsignedByte(2)));
                }
                status(header.getUnsignedByte(3));
            }
            case PduBytes.R2T -> {
                if (r2tCount == MAX_R2TS) {
                    throw new IllegalStateException("more than " + MAX_R2TS + " R2Ts outstanding");
                }
                r2ts[3 * r2tCount] = header.getInt(PduBytes.TTT);
                r2ts[3 * r2tCount + 1] = header.getInt(PduBytes.BUFFER_OFFSET);
                r2ts[3 * r2tCount + 2] = header.getInt(PduBytes.DESIRED_LENGTH);
                r2tCount++;
                maxCmdSN = header.getInt(PduBytes.MAX_CMD_SN);
            }
            default -> throw new IllegalStateException(String.format("unexpected PDU, opcode 0x%02x", opcode));
        }
    }

    private void status(int value) {
        status = value;
        expStatSN = header.getInt(PduBytes.STAT_SN) + 1;
        maxCmdSN = header.getInt(PduBytes.MAX_CMD_SN);
    }

    /** Closes the connection (without a logout) and the target's logical units. */
    @Override
    public void close() {
        channel.close();
        channel.finishAndReleaseAll();
        header.release();
        context.closeUnits(Duration.ofSeconds(5));
    }

    /**
     * One SCSI command prepared as wire bytes: the SCSI Command PDU (with the immediate data of a write) and, for
     * a write longer than its immediate data, one Data-Out PDU per target MaxRecvDataSegmentLength of the rest.
     * Each run stamps the tags and sequence numbers into these buffers and sends them again.
     */
    static final class Command implements AutoCloseable {

        private final String name;
        private final ByteBuf pdu;
        private final boolean read;
        private final int length;
        private final int immediate;
        private final int segment;
        private final ByteBuf[] dataOut;
        private final boolean headerDigest;
        private final CRC32C crc = new CRC32C();

        Command(String name, ByteBuf pdu, boolean read, int length, int immediate, int segment, ByteBuf[] dataOut,
                boolean headerDigest) {
            this.name = name;
            this.pdu = pdu;
            this.read = read;
            this.length = length;
            this.immediate = immediate;
            this.segment = segment;
            this.dataOut = dataOut;
            this.headerDigest = headerDigest;
        }

        /** Recomputes the header digest of a PDU whose BHS was just stamped (no AHS in these PDUs). */
        void stamped(ByteBuf wire) {
            if (headerDigest) {
                crc.reset();
                crc.update(wire.internalNioBuffer(0, PduBytes.BHS_LENGTH));
                wire.setIntLE(PduBytes.BHS_LENGTH, (int) crc.getValue());
            }
        }

        /** Whether the target let go of every buffer of this command it was given (for tests). */
        boolean released() {
            for (ByteBuf d : dataOut) {
                if (d.refCnt() != 1) {
                    return false;
                }
            }
            return pdu.refCnt() == 1;
        }

        @Override
        public void close() {
            pdu.release();
            for (ByteBuf d : dataOut) {
                d.release();
            }
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** An embedded channel with the socket addresses of a loopback TCP connection, as the target expects. */
    private static final class LoopbackChannel extends EmbeddedChannel {

        private static final SocketAddress LOCAL = new InetSocketAddress(InetAddress.getLoopbackAddress(), 3260);
        private static final SocketAddress REMOTE = new InetSocketAddress(InetAddress.getLoopbackAddress(), 50_000);

        LoopbackChannel() {
            super(false, false);
        }

        @Override
        protected SocketAddress localAddress0() {
            return LOCAL;
        }

        @Override
        protected SocketAddress remoteAddress0() {
            return REMOTE;
        }
    }
}
