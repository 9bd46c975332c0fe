package io.iscsi4j.testing;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Supplier;

/** Holds stalled storage operations until released. Thread-safe. */
final class StallGate {

    private record Held(Supplier<CompletionStage<Void>> operation, CompletableFuture<Void> result) {
    }

    private final ConcurrentLinkedQueue<Held> held = new ConcurrentLinkedQueue<>();

    /** Holds an operation; the stall is rechecked after queueing so a concurrent release is not missed. */
    CompletionStage<Void> hold(Supplier<CompletionStage<Void>> operation, FaultPolicy policy) {
        CompletableFuture<Void> result = new CompletableFuture<>();
        held.add(new Held(operation, result));
        if (!policy.stalled()) {
            releaseAll();
        }
        return result;
    }

    /** Runs every held operation now. */
    void releaseAll() {
        Held h;
        while ((h = held.poll()) != null) {
            CompletableFuture<Void> result = h.result();
            try {
                h.operation().get().whenComplete((v, e) -> {
                    if (e != null) {
                        result.completeExceptionally(e);
                    } else {
                        result.complete(null);
                    }
                });
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        }
    }

    int size() {
        return held.size();
    }
}
