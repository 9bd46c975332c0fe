package io.iscsi4j.scsi;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Running counters of one {@link LogicalUnit}: commands, READ and WRITE commands, bytes they transferred, CHECK
 * CONDITION completions, commands in flight and a latency histogram. The transport records each command once, when
 * it answers it ({@link #record}); recording costs a few atomic additions and allocates nothing.
 *
 * <p>The latency histogram has {@value #LATENCY_BUCKETS} buckets of powers of two in microseconds: bucket 0 counts
 * latencies below 1 µs, bucket {@code i} (1 to 30) latencies from 2<sup>i-1</sup> µs up to 2<sup>i</sup> µs, and the
 * last bucket everything from 2<sup>30</sup> µs (about 18 minutes) up.
 *
 * <p>Thread-safe. Counters only grow (apart from {@link #inFlight()}); reading them while commands run gives values
 * that may be a few commands apart from each other.
 *
 * @since 0.1
 */
public final class UnitStatistics {

    /** Number of latency histogram buckets. */
    public static final int LATENCY_BUCKETS = 32;

    private final LongAdder commands = new LongAdder();
    private final LongAdder readCommands = new LongAdder();
    private final LongAdder writeCommands = new LongAdder();
    private final LongAdder bytesRead = new LongAdder();
    private final LongAdder bytesWritten = new LongAdder();
    private final LongAdder checkConditions = new LongAdder();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicLongArray latency = new AtomicLongArray(LATENCY_BUCKETS);

    /** Creates zeroed counters. */
    public UnitStatistics() {
    }

    /** A command addressed to the logical unit was accepted by the transport. */
    public void commandStarted() {
        inFlight.incrementAndGet();
    }

    /** A command counted by {@link #commandStarted()} let go of the logical unit (answered, aborted or dropped). */
    public void commandEnded() {
        inFlight.decrementAndGet();
    }

    /**
     * Records an answered command.
     *
     * @param opcode the CDB's operation code; READ (6), (10), (12), (16) count as read commands and the commands
     *     that transfer data to the medium (WRITE, WRITE AND VERIFY, WRITE SAME, COMPARE AND WRITE, ORWRITE, WRITE
     *     ATOMIC) as write commands
     * @param status the SCSI status sent
     * @param bytes the data bytes the command moved on the transport (Data-In for reads, Data-Out for writes)
     * @param nanos the time from the command's arrival to its answer, in nanoseconds
     */
    public void record(int opcode, ScsiStatus status, long bytes, long nanos) {
        commands.increment();
        switch (opcode) {
            case Opcode.READ_6, Opcode.READ_10, Opcode.READ_12, Opcode.READ_16 -> {
                readCommands.increment();
                bytesRead.add(bytes);
            }
            case Opcode.WRITE_6, Opcode.WRITE_10, Opcode.WRITE_12, Opcode.WRITE_16, Opcode.WRITE_AND_VERIFY_10,
                 Opcode.WRITE_AND_VERIFY_12, Opcode.WRITE_AND_VERIFY_16, Opcode.WRITE_SAME_10, Opcode.WRITE_SAME_16,
                 Opcode.COMPARE_AND_WRITE, Opcode.ORWRITE_16, Opcode.WRITE_ATOMIC_16 -> {
                writeCommands.increment();
                bytesWritten.add(bytes);
            }
            default -> {
            }
        }
        if (status == ScsiStatus.CHECK_CONDITION) {
            checkConditions.increment();
        }
        latency.incrementAndGet(bucket(nanos));
    }

    /** The histogram bucket of a latency in nanoseconds. */
    static int bucket(long nanos) {
        long micros = Math.max(0, nanos) / 1000;
        return Math.min(LATENCY_BUCKETS - 1, 64 - Long.numberOfLeadingZeros(micros));
    }

    /** {@return answered commands} */
    public long commands() {
        return commands.sum();
    }

    /** {@return answered READ commands} */
    public long readCommands() {
        return readCommands.sum();
    }

    /** {@return answered write commands (see {@link #record})} */
    public long writeCommands() {
        return writeCommands.sum();
    }

    /** {@return bytes sent as Data-In by READ commands} */
    public long bytesRead() {
        return bytesRead.sum();
    }

    /** {@return bytes received as Data-Out by write commands} */
    public long bytesWritten() {
        return bytesWritten.sum();
    }

    /** {@return commands answered with CHECK CONDITION} */
    public long checkConditions() {
        return checkConditions.sum();
    }

    /** {@return commands accepted and not yet ended} */
    public int inFlight() {
        return inFlight.get();
    }

    /** {@return A copy of the latency histogram ({@value #LATENCY_BUCKETS} counts, see the class description)} */
    public long[] latencyHistogram() {
        long[] h = new long[LATENCY_BUCKETS];
        for (int i = 0; i < h.length; i++) {
            h[i] = latency.get(i);
        }
        return h;
    }
}
