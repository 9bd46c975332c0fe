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
 * delegate only after a fixed delay. The delay is scheduled on {@code scheduler}, so no thread waits; reads and
 * everything else are forwarded at once. The caller owns the scheduler.
 */
final class SlowMediumBackstore extends ForwardingBackstore {

    private final ScheduledExecutorService scheduler;
    private final long delayNanos;

    SlowMediumBackstore(Backstore delegate, Duration delayPerCall, ScheduledExecutorService scheduler) {
        super(delegate);
        this.scheduler = scheduler;
        this.delayNanos = delayPerCall.toNanos();
    }

    @Override
    public CompletionStage<Void> write(long lba, ByteBuffer src, boolean fua) {
        return later(() -> delegate().write(lba, src, fua));
    }

    @Override
    public CompletionStage<Void> writeSame(long lba, long blocks, ByteBuffer block, boolean fua) {
        return later(() -> delegate().writeSame(lba, blocks, block, fua));
    }

    @Override
    public CompletionStage<Void> unmap(long lba, long blocks) {
        return later(() -> delegate().unmap(lba, blocks));
    }

    private CompletionStage<Void> later(Supplier<CompletionStage<Void>> call) {
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
        }, delayNanos, TimeUnit.NANOSECONDS);
        return result;
    }
}
