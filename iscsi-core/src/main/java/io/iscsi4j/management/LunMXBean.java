package io.iscsi4j.management;

/**
 * One LUN's counters (see {@link io.iscsi4j.LunStatistics}), read fresh.
 *
 * @since 0.2
 */
public interface LunMXBean {

    /** {@return answered commands of every kind} */
    long getCommands();

    /** {@return answered read commands} */
    long getReadCommands();

    /** {@return answered write commands} */
    long getWriteCommands();

    /** {@return bytes sent by read commands} */
    long getBytesRead();

    /** {@return bytes received by write commands} */
    long getBytesWritten();

    /** {@return commands answered with CHECK CONDITION} */
    long getCheckConditions();

    /** {@return commands in flight now} */
    int getInFlight();

    /** {@return the median command latency in microseconds (the upper bound of its power-of-two bucket)} */
    long getLatencyP50Micros();

    /** {@return the 99th percentile of the command latency in microseconds (bucket upper bound)} */
    long getLatencyP99Micros();

    /** {@return the 99.9th percentile of the command latency in microseconds (bucket upper bound)} */
    long getLatencyP999Micros();
}
