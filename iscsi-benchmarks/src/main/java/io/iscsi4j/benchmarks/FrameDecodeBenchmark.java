package io.iscsi4j.benchmarks;

import io.iscsi4j.core.pdu.DigestSettings;
import io.iscsi4j.core.pdu.PduFrameDecoder;
import io.iscsi4j.core.pdu.ScsiCommand;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * The frame decoder ({@link PduFrameDecoder}) on its own, configured as a connection in full feature phase
 * configures it (MaxRecvDataSegmentLength 256 KiB, the digests negotiated), on an {@link EmbeddedChannel}. Each
 * invocation feeds one buffer holding {@value #PDUS} SCSI Command PDUs, as one socket read would, and takes the
 * decoded PDUs out and releases them; scores are per PDU.
 * <ul>
 *   <li>{@code command}: {@code READ} is a READ(10) of 8 blocks (4 KiB), a bare 48-byte BHS; {@code WRITE} a
 *       WRITE(10) of 8 blocks with its 4 KiB as immediate data (the decoder hands the data on as a slice of the
 *       received buffer, no copy).</li>
 *   <li>{@code digests}: {@code NONE}, {@code HEADER} (a CRC32C of the BHS checked per PDU) or
 *       {@code HEADER_AND_DATA} (also of the immediate data).</li>
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsPrepend = {JvmOptions.EXECUTOR, JvmOptions.EXECUTOR_CLASS, JvmOptions.NO_LEAK_DETECTION})
@State(Scope.Thread)
public class FrameDecodeBenchmark {

    /** PDUs per invocation. */
    static final int PDUS = 16;

    /** {@code READ} (no data) or {@code WRITE} (4 KiB of immediate data). */
    @Param({"READ", "WRITE"})
    public String command;

    /** {@code NONE}, {@code HEADER} or {@code HEADER_AND_DATA}. */
    @Param({"NONE", "HEADER", "HEADER_AND_DATA"})
    public String digests;

    private EmbeddedChannel channel;
    private ByteBuf stream;

    /** Creates the benchmark (JMH does). */
    public FrameDecodeBenchmark() {
    }

    /** Encodes the PDUs and sets up the decoder. */
    @Setup(Level.Trial)
    public void setUp() {
        EventLoopThreads.checkThread();
        DigestSettings settings = switch (digests) {
            case "NONE" -> DigestSettings.NONE;
            case "HEADER" -> new DigestSettings(true, false);
            case "HEADER_AND_DATA" -> DigestSettings.BOTH;
            default -> throw new IllegalArgumentException("digests: " + digests);
        };
        boolean write = switch (command) {
            case "READ" -> false;
            case "WRITE" -> true;
            default -> throw new IllegalArgumentException("command: " + command);
        };
        stream = PooledByteBufAllocator.DEFAULT.directBuffer();
        for (int i = 0; i < PDUS; i++) {
            ByteBuf pdu = PduBytes.encode(ScsiCommand.builder().finalFlag(true).read(!write).write(write)
                    .attribute(1).lun(0).initiatorTaskTag(i + 1).cmdSN(i + 1).expStatSN(1)
                    .expectedDataTransferLength(4096).cdb(PduBytes.cdb10(write, i * 8, 8))
                    .data(write ? PduBytes.pattern(4096, i) : Unpooled.EMPTY_BUFFER).build(), settings);
            stream.writeBytes(pdu);
            pdu.release();
        }
        // As the production pipeline has it: a new decoder, reconfigured by the connection when login completes.
        PduFrameDecoder decoder = new PduFrameDecoder();
        decoder.setMaxDataSegmentLength(262_144);
        decoder.setHeaderDigest(settings.headerDigest());
        decoder.setDataDigest(settings.dataDigest());
        channel = new EmbeddedChannel(false, false);
        channel.config().setAllocator(PooledByteBufAllocator.DEFAULT);
        channel.pipeline().addLast("frame", decoder);
        try {
            channel.register();
        } catch (Exception e) {
            throw new IllegalStateException("cannot register the channel", e);
        }
    }

    /** Releases the buffers. */
    @TearDown(Level.Trial)
    public void tearDown() {
        channel.finishAndReleaseAll();
        stream.release();
    }

    /**
     * Decodes {@value #PDUS} PDUs from one buffer and releases them.
     *
     * @return the number of PDUs decoded
     */
    @Benchmark
    @OperationsPerInvocation(PDUS)
    public int decode() {
        // The buffer itself, not a duplicate: a socket read hands the decoder a plain pooled buffer, and derived
        // buffers behave differently (internalNioBuffer, used by the data digest, allocates on them).
        channel.writeOneInbound(stream.readerIndex(0).retain(), channel.voidPromise());
        channel.flushInbound();
        int decoded = 0;
        for (Object pdu = channel.readInbound(); pdu != null; pdu = channel.readInbound()) {
            boolean command = pdu instanceof ScsiCommand;
            ReferenceCountUtil.release(pdu);
            if (!command) {
                throw new IllegalStateException("decoded " + pdu);
            }
            decoded++;
        }
        if (decoded != PDUS) {
            throw new IllegalStateException(decoded + " PDUs decoded, expected " + PDUS);
        }
        return decoded;
    }
}
