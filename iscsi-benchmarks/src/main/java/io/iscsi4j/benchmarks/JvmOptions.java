package io.iscsi4j.benchmarks;

/**
 * The JVM options every benchmark's {@code @Fork(jvmArgsPrepend = ...)} gives the forked JVM. They are prepended,
 * so {@code -jvmArgs} and {@code -jvmArgsAppend} on the command line add to them rather than replace them.
 */
public final class JvmOptions {

    /** JMH runs the benchmark threads on the executor named by {@link #EXECUTOR_CLASS}. */
    public static final String EXECUTOR = "-Djmh.executor=CUSTOM";

    /** Benchmark threads are Netty event loop threads ({@link EventLoopThreads}). */
    public static final String EXECUTOR_CLASS = "-Djmh.executor.class=io.iscsi4j.benchmarks.EventLoopThreads";

    /**
     * No leak detection: Netty's default samples one buffer in 128 and allocates a tracking record for it, which
     * would add noise to the bytes allocated per operation. Leaks are what the build's tests look for (at PARANOID
     * level), not the benchmarks.
     */
    public static final String NO_LEAK_DETECTION = "-Dio.netty.leakDetection.level=disabled";

    private JvmOptions() {
    }
}
