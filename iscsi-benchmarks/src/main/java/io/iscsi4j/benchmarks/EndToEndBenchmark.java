package io.iscsi4j.benchmarks;

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

/**
 * Whole SCSI commands through the target's production pipeline: one operation is one READ(10) or WRITE(10) on a
 * logged-in session, from the command PDU's bytes going in to the last response PDU's bytes coming out and being
 * released (see {@link TargetConnection}: frame decoder, connection, CmdSN window, session and task, SCSI dispatcher
 * and logical unit, a memory backstore, Data-In or R2T sequencing, encoder; no socket, storage calls on the calling
 * thread).
 *
 * <p>The target runs with its defaults (MaxRecvDataSegmentLength and FirstBurstLength 256 KiB, MaxBurstLength
 * 1 MiB, immediate data, no initial R2T), the initiator offers what open-iscsi offers, without digests unless
 * {@code -p digests=true}.
 * <ul>
 *   <li>{@link #read}: READ(10) of {@code length} bytes; the target splits the data into Data-In PDUs of the
 *       initiator's {@code maxRecvDataSegmentLength} (a 1 MiB read is 4 PDUs at 256 KiB, 128 at 8 KiB), the status
 *       in the last one.</li>
 *   <li>{@link #write}: WRITE(10) of {@code length} bytes, up to 256 KiB of it as immediate data in the command
 *       PDU (so 4 KiB and 64 KiB writes are one PDU in, one SCSI Response out); a 1 MiB write takes an R2T for the
 *       remaining 768 KiB and three 256 KiB Data-Out PDUs.</li>
 * </ul>
 *
 * <p>With {@code -prof gc}, {@code gc.alloc.rate.norm} is the bytes the target allocates per command: the
 * harness itself allocates nothing per operation.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsPrepend = {JvmOptions.EXECUTOR, JvmOptions.EXECUTOR_CLASS, JvmOptions.NO_LEAK_DETECTION})
public class EndToEndBenchmark {

    /** Creates the benchmark (JMH does). */
    public EndToEndBenchmark() {
    }

    /** A session for reads, with a READ(10) prepared. */
    @State(Scope.Thread)
    public static class Reads {

        /** Bytes per READ(10). */
        @Param({"4096", "65536", "1048576"})
        public int length;

        /** The initiator's MaxRecvDataSegmentLength: the largest Data-In PDU the target may send it. */
        @Param({"262144", "8192"})
        public int maxRecvDataSegmentLength;

        /** Whether the session uses CRC32C header and data digests; {@code -p digests=true} to measure them. */
        @Param({"false"})
        public boolean digests;

        TargetConnection connection;
        TargetConnection.Command command;

        /** Creates the state (JMH does). */
        public Reads() {
        }

        /** Logs in and prepares the command. */
        @Setup(Level.Trial)
        public void setUp() {
            EventLoopThreads.checkThread();
            connection = new TargetConnection(maxRecvDataSegmentLength, digests);
            command = connection.read(0, length);
        }

        /** Closes the connection and the target's logical units. */
        @TearDown(Level.Trial)
        public void tearDown() {
            command.close();
            connection.close();
        }
    }

    /** A session for writes, with a WRITE(10) prepared. */
    @State(Scope.Thread)
    public static class Writes {

        /** Bytes per WRITE(10). */
        @Param({"4096", "65536", "1048576"})
        public int length;

        /** Whether the session uses CRC32C header and data digests; {@code -p digests=true} to measure them. */
        @Param({"false"})
        public boolean digests;

        TargetConnection connection;
        TargetConnection.Command command;

        /** Creates the state (JMH does). */
        public Writes() {
        }

        /** Logs in and prepares the command. */
        @Setup(Level.Trial)
        public void setUp() {
            EventLoopThreads.checkThread();
            connection = new TargetConnection(262_144, digests);
            command = connection.write(0, length);
        }

        /** Closes the connection and the target's logical units. */
        @TearDown(Level.Trial)
        public void tearDown() {
            command.close();
            connection.close();
        }
    }

    /**
     * One READ(10), checked: GOOD status, all its data.
     *
     * @param reads the session
     */
    @Benchmark
    public void read(Reads reads) {
        reads.connection.execute(reads.command);
    }

    /**
     * One WRITE(10), checked: GOOD status.
     *
     * @param writes the session
     */
    @Benchmark
    public void write(Writes writes) {
        writes.connection.execute(writes.command);
    }
}
