package io.iscsi4j.core.pdu;

import io.iscsi4j.benchmarks.JvmOptions;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32C;

/**
 * The iSCSI CRC32C ({@link Digests}, what the frame decoder and the encoder call for header and data digests) of a
 * pooled direct buffer: a 48-byte BHS, an 8 KiB data segment (the default MaxRecvDataSegmentLength) and a 256 KiB
 * one (the target's default). In this package because {@link Digests} is package-private; the benchmarks run on
 * the class path, where this class and iscsi-core's share the package.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsPrepend = {JvmOptions.EXECUTOR, JvmOptions.EXECUTOR_CLASS, JvmOptions.NO_LEAK_DETECTION})
@State(Scope.Thread)
public class DigestsBenchmark {

    /** Bytes digested per operation. */
    @Param({"48", "8192", "262144"})
    public int length;

    private final CRC32C crc = new CRC32C();
    private ByteBuf buffer;

    /** Creates the benchmark (JMH does). */
    public DigestsBenchmark() {
    }

    /** Fills a direct buffer. */
    @Setup(Level.Trial)
    public void setUp() {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (i * 31 + 7);
        }
        buffer = PooledByteBufAllocator.DEFAULT.directBuffer(length, length).writeBytes(bytes);
    }

    /** Releases the buffer. */
    @TearDown(Level.Trial)
    public void tearDown() {
        buffer.release();
    }

    /**
     * One digest.
     *
     * @return the CRC32C
     */
    @Benchmark
    public int crc32c() {
        return Digests.crc32c(crc, buffer, buffer.readerIndex(), length);
    }
}
