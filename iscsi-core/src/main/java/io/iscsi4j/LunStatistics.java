package io.iscsi4j;

import java.util.Arrays;

/**
 * A snapshot of one logical unit's counters since it was added to its target, from
 * {@link IscsiTarget#statistics(String, int)}. Immutable.
 *
 * <p>A command is counted once, when the target answers it (aborted commands are not counted). Read commands are
 * READ (6), (10), (12) and (16); write commands are WRITE, WRITE AND VERIFY, WRITE SAME, COMPARE AND WRITE, ORWRITE
 * and WRITE ATOMIC. Bytes are the data those commands moved on the wire. The latency of a command runs from the
 * arrival of its SCSI Command PDU to its answer (for writes that includes the time the initiator takes to send its
 * data).
 *
 * @param commands answered commands, of every kind
 * @param readCommands answered read commands
 * @param writeCommands answered write commands
 * @param bytesRead bytes sent as Data-In by read commands
 * @param bytesWritten bytes received as Data-Out by write commands
 * @param checkConditions commands answered with CHECK CONDITION status (errors, unit attentions included)
 * @param inFlight commands accepted and not yet ended at the time of the snapshot
 * @param latencyHistogram {@value #LATENCY_BUCKETS} counts: index 0 counts latencies below 1 µs, index {@code i}
 *        (1 to 30) latencies from 2<sup>i-1</sup> up to 2<sup>i</sup> µs, index 31 everything from 2<sup>30</sup> µs
 * @since 0.1
 */
public record LunStatistics(long commands, long readCommands, long writeCommands, long bytesRead, long bytesWritten,
                            long checkConditions, int inFlight, long[] latencyHistogram) {

    /** The number of latency buckets. */
    public static final int LATENCY_BUCKETS = 32;

    /**
     * Checks and copies.
     *
     * @param commands answered commands
     * @param readCommands answered read commands
     * @param writeCommands answered write commands
     * @param bytesRead bytes sent as Data-In by read commands
     * @param bytesWritten bytes received as Data-Out by write commands
     * @param checkConditions commands answered with CHECK CONDITION
     * @param inFlight commands in flight
     * @param latencyHistogram {@value #LATENCY_BUCKETS} counts
     */
    public LunStatistics {
        if (latencyHistogram.length != LATENCY_BUCKETS) {
            throw new IllegalArgumentException("latency histogram needs " + LATENCY_BUCKETS + " buckets");
        }
        latencyHistogram = latencyHistogram.clone();
    }

    /** {@return A copy of the latency histogram} */
    @Override
    public long[] latencyHistogram() {
        return latencyHistogram.clone();
    }

    /**
     * The upper bound of a latency bucket in microseconds (exclusive), {@link Long#MAX_VALUE} for the last one.
     *
     * @param bucket 0 to {@value #LATENCY_BUCKETS} - 1
     * @return the bound
     */
    public static long bucketUpperBoundMicros(int bucket) {
        return bucket >= LATENCY_BUCKETS - 1 ? Long.MAX_VALUE : 1L << bucket;
    }

    /**
     * An approximate latency percentile: the upper bound, in microseconds, of the bucket holding it.
     *
     * @param percentile 0 (exclusive) to 100 (inclusive)
     * @return the bound, or 0 when no command was counted
     */
    public long latencyPercentileMicros(double percentile) {
        if (!(percentile > 0 && percentile <= 100)) {
            throw new IllegalArgumentException("percentile must be in (0, 100]: " + percentile);
        }
        long total = Arrays.stream(latencyHistogram).sum();
        if (total == 0) {
            return 0;
        }
        long rank = (long) Math.ceil(total * percentile / 100.0);
        long seen = 0;
        for (int i = 0; i < LATENCY_BUCKETS; i++) {
            seen += latencyHistogram[i];
            if (seen >= rank) {
                return bucketUpperBoundMicros(i);
            }
        }
        return Long.MAX_VALUE;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LunStatistics s && commands == s.commands && readCommands == s.readCommands
                && writeCommands == s.writeCommands && bytesRead == s.bytesRead && bytesWritten == s.bytesWritten
                && checkConditions == s.checkConditions && inFlight == s.inFlight
                && Arrays.equals(latencyHistogram, s.latencyHistogram);
    }

    @Override
    public int hashCode() {
        return 31 * Long.hashCode(commands + 7 * bytesRead + 13 * bytesWritten) + Arrays.hashCode(latencyHistogram);
    }

    @Override
    public String toString() {
        return "LunStatistics[commands=" + commands + ", reads=" + readCommands + ", writes=" + writeCommands
                + ", bytesRead=" + bytesRead + ", bytesWritten=" + bytesWritten + ", checkConditions="
                + checkConditions + ", inFlight=" + inFlight + ", latencyHistogram="
                + Arrays.toString(latencyHistogram) + "]";
    }
}
