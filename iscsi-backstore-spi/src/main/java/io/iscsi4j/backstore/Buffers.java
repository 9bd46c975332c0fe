package io.iscsi4j.backstore;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** Small helpers shared by the stock backstores. */
final class Buffers {

    /**
     * A successfully completed stage that can be shared: {@link CompletableFuture#completedStage} returns a
     * minimal stage whose completion methods throw and whose {@code toCompletableFuture()} is a fresh copy, so
     * no caller can change what other callers see.
     */
    static final CompletionStage<Void> DONE = CompletableFuture.completedStage(null);

    /** Never written: a source of zeros for {@link #fillZeros}. */
    private static final byte[] ZEROS = new byte[16 * 1024];

    private Buffers() {
    }

    /** Writes {@code length} zero bytes at absolute {@code index}; the buffer's position is unchanged. */
    static void fillZeros(ByteBuffer buffer, int index, int length) {
        while (length > 0) {
            int n = Math.min(length, ZEROS.length);
            buffer.put(index, ZEROS, 0, n);
            index += n;
            length -= n;
        }
    }
}
