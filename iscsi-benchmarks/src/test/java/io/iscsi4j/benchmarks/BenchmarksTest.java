package io.iscsi4j.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.util.concurrent.FastThreadLocalThread;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
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
    @CsvSource({"4096,262144,false", "65536,262144,false", "1048576,262144,false", "4096,8192,false",
        "65536,8192,false", "1048576,8192,false", "4096,262144,true", "1048576,8192,true"})
    void endToEndRead(int length, int maxRecvDataSegmentLength, boolean digests) throws Exception {
        onBenchmarkThread(() -> {
            EndToEndBenchmark benchmark = new EndToEndBenchmark();
            EndToEndBenchmark.Reads reads = new EndToEndBenchmark.Reads();
            reads.length = length;
            reads.maxRecvDataSegmentLength = maxRecvDataSegmentLength;
            reads.digests = digests;
            reads.setUp();
            try {
                for (int i = 0; i < OPERATIONS; i++) {
                    benchmark.read(reads);
                }
                assertThat(reads.command.released()).as("the target released the command's buffers").isTrue();
            } finally {
                reads.tearDown();
            }
        });
    }

    @ParameterizedTest
    @CsvSource({"4096,false", "65536,false", "1048576,false", "4096,true", "1048576,true"})
    void endToEndWrite(int length, boolean digests) throws Exception {
        onBenchmarkThread(() -> {
            EndToEndBenchmark benchmark = new EndToEndBenchmark();
            EndToEndBenchmark.Writes writes = new EndToEndBenchmark.Writes();
            writes.length = length;
            writes.digests = digests;
            writes.setUp();
            try {
                for (int i = 0; i < OPERATIONS; i++) {
                    benchmark.write(writes);
                }
                assertThat(writes.command.released()).as("the target released the command's buffers").isTrue();
            } finally {
                writes.tearDown();
            }
        });
    }

    @Test
    void endToEndChecksTheStatus() throws Exception {
        onBenchmarkThread(() -> {
            try (TargetConnection connection = new TargetConnection(262_144, false);
                 TargetConnection.Command beyondTheEnd = connection.read(
                         (int) (TargetConnection.LUN_BYTES / TargetConnection.BLOCK_SIZE) - 1, 4096)) {
                assertThatThrownBy(() -> connection.execute(beyondTheEnd))
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("SCSI status 0x2");
            }
        });
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
