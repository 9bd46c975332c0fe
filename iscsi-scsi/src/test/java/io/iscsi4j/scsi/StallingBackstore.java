package io.iscsi4j.scsi;

import io.iscsi4j.backstore.ForwardingBackstore;
import java.nio.ByteBuffer;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A {@link TestBackstore} behind a remote store that stops answering: calls of the kinds named in {@link #stall}
 * ("read", "write", "flush", "unmap", "writeSame", "compareAndWrite") return a stage that stays incomplete, and reach
 * the medium only when the test {@linkplain #release releases} them (so a stalled write lands late, on top of what
 * was written meanwhile, if anything was). Other calls go straight through.
 */
final class StallingBackstore extends ForwardingBackstore {

    /** A held call: {@code proceed} performs it on the medium; {@code done} is the stage the target waits for. */
    record Held(String kind, Supplier<CompletionStage<Void>> proceed, CompletableFuture<Void> done) {
    }

    final TestBackstore medium;
    private final BlockingQueue<Held> held = new LinkedBlockingQueue<>();
    private volatile Set<String> stalled = Set.of();

    StallingBackstore(TestBackstore medium) {
        super(medium);
        this.medium = medium;
    }

    /** From now on, calls of these kinds are held; none to stop holding. */
    StallingBackstore stall(String... kinds) {
        this.stalled = Set.of(kinds);
        return this;
    }

    /** The next held call, waiting at most 5 s. */
    Held awaitHeld() throws InterruptedException {
        Held h = held.poll(5, TimeUnit.SECONDS);
        if (h == null) {
            throw new AssertionError("no backstore call was held within 5 s");
        }
        return h;
    }

    /** Calls held and not yet taken by {@link #awaitHeld}. */
    int heldCount() {
        return held.size();
    }

    /** Performs a held call on the medium now and completes its stage as the medium did. */
    static void release(Held h) {
        h.proceed().get().whenComplete((v, e) -> {
            if (e != null) {
                h.done().completeExceptionally(e);
            } else {
                h.done().complete(null);
            }
        });
    }

    private CompletionStage<Void> maybeHold(String kind, Supplier<CompletionStage<Void>> call) {
        if (!stalled.contains(kind)) {
            return call.get();
        }
        Held h = new Held(kind, call, new CompletableFuture<>());
        held.add(h);
        return h.done();
    }

    @Override
    public CompletionStage<Void> read(long lba, ByteBuffer dst) {
        return maybeHold("read", () -> super.read(lba, dst));
    }

    @Override
    public CompletionStage<Void> write(long lba, ByteBuffer src, boolean fua) {
        return maybeHold("write", () -> super.write(lba, src, fua));
    }

    @Override
    public CompletionStage<Void> flush() {
        return maybeHold("flush", super::flush);
    }

    @Override
    public CompletionStage<Void> unmap(long lba, long blocks) {
        return maybeHold("unmap", () -> super.unmap(lba, blocks));
    }

    @Override
    public CompletionStage<Void> writeSame(long lba, long blocks, ByteBuffer block, boolean fua) {
        return maybeHold("writeSame", () -> super.writeSame(lba, blocks, block, fua));
    }

    @Override
    public CompletionStage<Void> compareAndWrite(long lba, ByteBuffer expected, ByteBuffer data, boolean fua) {
        return maybeHold("compareAndWrite", () -> super.compareAndWrite(lba, expected, data, fua));
    }
}
