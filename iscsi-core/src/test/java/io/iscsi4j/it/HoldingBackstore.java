package io.iscsi4j.it;

import io.iscsi4j.backstore.Backstore;
import io.iscsi4j.backstore.BackstoreCapability;
import io.iscsi4j.backstore.Backstores;
import io.iscsi4j.backstore.ForwardingBackstore;

import java.nio.ByteBuffer;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A memory backstore that holds chosen writes back, as a remote store whose writes take seconds would: a write
 * whose data starts with the marker byte does not reach the medium until the test releases it. Either asynchronously
 * (the stage stays incomplete; {@link #release}) or, with {@link #blockingHold}, by blocking the calling I/O thread
 * (so later backstore calls queue behind it on a one-thread executor). Counts every write call that reached it.
 */
final class HoldingBackstore extends ForwardingBackstore {

    /** A write held back: its data reaches the medium on {@link #release}. */
    record Held(long lba, ByteBuffer data, boolean fua, CompletableFuture<Void> done) {
    }

    private final Backstore medium;
    private final boolean blocking;
    private final BlockingQueue<Held> held = new LinkedBlockingQueue<>();
    private final AtomicInteger writeCalls = new AtomicInteger();
    private final CountDownLatch blockingRelease = new CountDownLatch(1);
    private volatile int marker = -1;
    /** Set by {@link #fence()}: no write reaches the medium any more, held ones included. */
    private volatile boolean fenced;
    /** Whether {@link #close()} leaves the medium open (a view of storage other gateways share). */
    private final boolean view;

    private HoldingBackstore(Backstore medium, boolean blocking) {
        this(medium, blocking, false);
    }

    private HoldingBackstore(Backstore medium, boolean blocking, boolean view) {
        super(medium);
        this.medium = medium;
        this.blocking = blocking;
        this.view = view;
    }

    /**
     * A gateway's view of {@code medium}, which other gateways serve too: held writes stay pending without holding
     * a thread; closing the view leaves the medium open.
     */
    static HoldingBackstore viewOf(Backstore medium) {
        return new HoldingBackstore(medium, false, true);
    }

    /**
     * Cuts this view off the medium, as Ceph's blocklist cuts off a client: later writes fail, and a held write that
     * is released fails without reaching the medium.
     */
    void fence() {
        fenced = true;
    }

    @Override
    public void close() throws java.io.IOException {
        if (!view) {
            super.close();
        }
    }

    /** A 64 MiB memory medium whose held writes stay pending without holding a thread. */
    static HoldingBackstore asynchronousHold() {
        return new HoldingBackstore(Backstores.memory(Targets.LUN_SIZE), false);
    }

    /**
     * A 64 MiB memory medium served as a blocking backstore (not {@link BackstoreCapability#NON_BLOCKING}) whose
     * held write blocks its I/O thread until {@link #releaseBlocked()}.
     */
    static HoldingBackstore blockingHold() {
        return new HoldingBackstore(Backstores.memory(Targets.LUN_SIZE), true);
    }

    /** From now on, writes whose first data byte is {@code value} are held. */
    void holdWritesStartingWith(int value) {
        marker = value & 0xFF;
    }

    @Override
    public Set<BackstoreCapability> capabilities() {
        Set<BackstoreCapability> c = EnumSet.noneOf(BackstoreCapability.class);
        c.addAll(super.capabilities());
        if (blocking) {
            c.remove(BackstoreCapability.NON_BLOCKING);
        }
        return c;
    }

    @Override
    public CompletionStage<Void> write(long lba, ByteBuffer src, boolean fua) {
        writeCalls.incrementAndGet();
        if (fenced) {
            return CompletableFuture.failedFuture(new java.io.IOException("fenced"));
        }
        if (marker < 0 || src.remaining() == 0 || (src.get(src.position()) & 0xFF) != marker) {
            return super.write(lba, src, fua);
        }
        Held h = new Held(lba, src, fua, new CompletableFuture<>());
        held.add(h);
        if (!blocking) {
            return h.done();
        }
        try {
            if (!blockingRelease.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("held write never released");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return super.write(lba, src, fua);
    }

    /** The next held write, waiting at most 5 s. */
    Held awaitHeld() throws InterruptedException {
        Held h = held.poll(5, TimeUnit.SECONDS);
        if (h == null) {
            throw new AssertionError("no write was held within 5 s");
        }
        return h;
    }

    /** Lets an asynchronously held write reach the medium, then completes it. */
    void release(Held h) {
        if (fenced) {
            h.done().completeExceptionally(new java.io.IOException("fenced"));
            return;
        }
        medium.write(h.lba(), h.data(), h.fua()).whenComplete((v, e) -> {
            if (e != null) {
                h.done().completeExceptionally(e);
            } else {
                h.done().complete(null);
            }
        });
    }

    /** Lets the blocked write of a {@link #blockingHold()} backstore go on. */
    void releaseBlocked() {
        blockingRelease.countDown();
    }

    /** How many write calls reached this backstore. */
    int writeCalls() {
        return writeCalls.get();
    }

    /** The bytes on the medium, read directly (not through the target). */
    byte[] onMedium(long lba, int blocks) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(blocks * medium.blockSize());
        medium.read(lba, b).toCompletableFuture().get(5, TimeUnit.SECONDS);
        return b.array();
    }
}
