package io.iscsi4j.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.concurrent.FastThreadLocalThread;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Keeps the benchmarks working as the target changes: every benchmark's setup, a few operations (each checks the
 * target's answer) and teardown, once per parameter combination, on a thread of the benchmarks' JMH executor.
 * Nothing is timed.
 */
class BenchmarksTest {

    private static final int OPERATIONS = 3;
    private static EventLoopThreads thread;

    @BeforeAll
    static void startThread() {
        thread = new EventLoopThreads(1, "benchmarks-test");
    }

    @AfterAll
    static void stopThread() throws InterruptedException {
        thread.shutdown();
        assertThat(thread.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    /** Runs {@code body} as JMH runs a benchmark: on an {@link EventLoopThreads} thread. */
    private static void onBenchmarkThread(Runnable body) throws Exception {
        try {
            thread.submit(() -> {
                assertThat(Thread.currentThread()).isInstanceOf(FastThreadLocalThread.class);
                body.run();
            }).get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw (Exception) e.getCause();
        }
    }

    @ParameterizedTest
    @CsvSource({"READ,NONE", "READ,HEADER", "READ,HEADER_AND_DATA", "WRITE,NONE", "WRITE,HEADER",
        "WRITE,HEADER_AND_DATA"})
    void frameDecode(String command, String digests) throws Exception {
        onBenchmarkThread(() -> {
            FrameDecodeBenchmark benchmark = new FrameDecodeBenchmark();
            benchmark.command = command;
            benchmark.digests = digests;
            benchmark.setUp();
            try {
                for (int i = 0; i < OPERATIONS; i++) {
                    assertThat(benchmark.decode()).isEqualTo(FrameDecodeBenchmark.PDUS);
                }
            } finally {
                benchmark.tearDown();
            }
        });
    }
}
