package io.iscsi4j.backstore;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** Helpers for tests of asynchronous backstores. */
final class TestIo {

    static final Duration TIMEOUT = Duration.ofSeconds(10);

    private TestIo() {
    }

    /** Waits for a stage to complete normally. */
    static void await(CompletionStage<?> stage) throws Exception {
        stage.toCompletableFuture().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Waits for a stage to complete exceptionally with {@code type} and returns the failure. */
    static <T extends Throwable> T failure(CompletionStage<?> stage, Class<T> type) {
        return type.cast(assertThat(stage.toCompletableFuture())
                .failsWithin(TIMEOUT)
                .withThrowableOfType(ExecutionException.class)
                .withCauseInstanceOf(type)
                .actual()
                .getCause());
    }

    /** {@code length} bytes of a pattern that differs per {@code seed} and per offset. */
    static ByteBuffer pattern(int length, int seed) {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        for (int i = 0; i < length; i++) {
            buffer.put(i, (byte) (seed * 31 + i * 7 + (i >>> 9)));
        }
        return buffer;
    }

    /** Reads {@code length} bytes at {@code lba} into a buffer pre-filled with garbage, and returns it. */
    static ByteBuffer read(Backstore backstore, long lba, int length) throws Exception {
        ByteBuffer dst = ByteBuffer.allocate(length);
        for (int i = 0; i < length; i++) {
            dst.put(i, (byte) 0x5A);
        }
        await(backstore.read(lba, dst));
        return dst.clear();
    }

    static void write(Backstore backstore, long lba, ByteBuffer src) throws Exception {
        await(backstore.write(lba, src.duplicate(), false));
    }
}
