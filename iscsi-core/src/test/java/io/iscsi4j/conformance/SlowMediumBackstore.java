package io.iscsi4j.conformance;

import io.iscsi4j.backstore.Backstore;
import io.iscsi4j.backstore.ForwardingBackstore;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A backstore modelling a slow medium: every call that changes blocks (write, write same, unmap) reaches the
 * delegate only after a delay per MiB it covers (rounded up, at least one), so the time a SANITIZE takes does not
 * depend on how the target splits it into calls. The delay is scheduled on {@code scheduler}, so no thread waits;
 * reads and everything else are forwarded at once. The caller owns the scheduler.
 */
final class SlowMediumBackstore extends ForwardingBackstore {

    private final ScheduledExecutorService scheduler;
    private final long delayNanos;

    SlowMediumBackstore(Backstore delegate, Duration delayPerMib, ScheduledExecutorService scheduler) {
        super(delegate);
        this.scheduler = scheduler;
        this.delayNanos = delayPerMib.toNanos();
    }

    @Override
    public CompletionStage<Void> write(long lba, ByteBuffer src, boolean fua) {
        return later(src.remaining(), () -> delegate().write(lba, src, fua));
    }

    @Override
    public CompletionStage<Void> writeSame(long lba, long blocks, ByteBuffer block, boolean fua) {
        return later(blocks * blockSize(), () -> delegate().writeSame(lba, blocks, block, fua));
    }

    @Override
    public CompletionStage<Void> unmap(long lba, long blocks) {
        return later(blocks * blockSize(), () -> delegate().unmap(lba, blocks));
    }

    private CompletionStage<Void> later(long bytes, Supplier<CompletionStage<Void>> call) {
        long mib = Math.max(1, (bytes + (1 << 20) - 1) >> 20);
        CompletableFuture<Void> result = new CompletableFuture<>();
        scheduler.schedule(() -> {
            try {
                call.get().whenComplete((v, failure) -> {
                    if (failure != null) {
                        result.completeExceptionally(failure);
                    } else {
                        result.complete(v);
                    }
                });
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        }, delayNanos * mib, TimeUnit.NANOSECONDS);
        return result;
    }
}
