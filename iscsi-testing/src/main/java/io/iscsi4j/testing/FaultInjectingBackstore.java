package io.iscsi4j.testing;

import io.iscsi4j.backstore.Backstore;
import io.iscsi4j.backstore.ForwardingBackstore;
import io.iscsi4j.backstore.MediumErrorException;
import io.iscsi4j.backstore.NotReadyException;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** Applies a {@link FaultPolicy}'s storage faults (not ready, medium error, stall, latency) to a backstore. */
final class FaultInjectingBackstore extends ForwardingBackstore {

    private final FaultPolicy policy;

    FaultInjectingBackstore(Backstore delegate, FaultPolicy policy) {
        super(delegate);
        this.policy = policy;
    }

    @Override
    public CompletionStage<Void> read(long lba, ByteBuffer dst) {
        long blocks = dst.remaining() / blockSize();
        return apply(lba, blocks, () -> delegate().read(lba, dst));
    }

    @Override
    public CompletionStage<Void> write(long lba, ByteBuffer src, boolean fua) {
        long blocks = src.remaining() / blockSize();
        return apply(lba, blocks, () -> delegate().write(lba, src, fua));
    }

    @Override
    public CompletionStage<Void> flush() {
        return apply(0, 0, () -> delegate().flush());
    }

    @Override
    public CompletionStage<Void> unmap(long lba, long blocks) {
        return apply(-1, 0, () -> delegate().unmap(lba, blocks));
    }

    @Override
    public CompletionStage<Void> writeSame(long lba, long blocks, ByteBuffer block, boolean fua) {
        return apply(lba, blocks, () -> delegate().writeSame(lba, blocks, block, fua));
    }

    @Override
    public CompletionStage<Void> compareAndWrite(long lba, ByteBuffer expected, ByteBuffer data, boolean fua) {
        long blocks = data.remaining() / blockSize();
        return apply(lba, blocks, () -> delegate().compareAndWrite(lba, expected, data, fua));
    }

    /**
     * Runs an operation under the policy: held while stalled, delayed by the latency, then failed when not ready or
     * touching a bad range (checked when it runs, so faults set during a stall or delay apply).
     */
    private CompletionStage<Void> apply(long lba, long blocks, Supplier<CompletionStage<Void>> operation) {
        Supplier<CompletionStage<Void>> checked = () -> {
            if (policy.isNotReady()) {
                return CompletableFuture.failedFuture(new NotReadyException("not ready (fault policy)"));
            }
            long bad = blocks > 0 ? policy.firstBadBlock(lba, blocks) : -1;
            if (bad >= 0) {
                return CompletableFuture.failedFuture(new MediumErrorException(bad, "medium error (fault policy)"));
            }
            return operation.get();
        };
        long latency = policy.latencyNanos();
        Supplier<CompletionStage<Void>> delayed = latency <= 0 ? checked : () -> CompletableFuture
                .runAsync(() -> { }, CompletableFuture.delayedExecutor(latency, TimeUnit.NANOSECONDS))
                .thenCompose(v -> checked.get());
        if (policy.stalled()) {
            return policy.gate().hold(delayed, policy);
        }
        return delayed.get();
    }
}
