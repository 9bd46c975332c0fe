package io.iscsi4j.scsi;

import io.iscsi4j.backstore.Backstore;
import io.iscsi4j.backstore.BackstoreCapability;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A byte[]-backed {@link Backstore} that records every call ("read 0+8", "write 8+1 fua", "flush") and the
 * thread it ran on, and can fail the next call with a given throwable, asynchronously or by throwing.
 */
final class TestBackstore implements Backstore {

    private final int blockSize;
    private final long blockCount;
    private final byte[] data;
    private boolean readOnly;
    private boolean volatileCache = true;
    private Set<BackstoreCapability> capabilities = Set.of();
    private volatile Throwable failure;
    private volatile boolean throwSynchronously;
    private volatile boolean nullStage;

    final List<String> calls = new CopyOnWriteArrayList<>();
    final List<String> threads = new CopyOnWriteArrayList<>();
    final AtomicInteger closes = new AtomicInteger();

    TestBackstore(int blockSize, int blockCount) {
        this(blockSize, blockCount, true);
    }

    /** A backstore reporting {@code blockCount} blocks; without {@code storage} it holds no data (no I/O). */
    private TestBackstore(int blockSize, long blockCount, boolean storage) {
        this.blockSize = blockSize;
        this.blockCount = blockCount;
        this.data = storage ? new byte[Math.toIntExact(blockSize * blockCount)] : new byte[0];
    }

    /** A backstore with a large capacity and no storage: reads return zeros, writes are discarded. */
    static TestBackstore huge(int blockSize, long blockCount) {
        return new TestBackstore(blockSize, blockCount, false);
    }

    TestBackstore readOnly(boolean ro) {
        this.readOnly = ro;
        return this;
    }

    TestBackstore volatileCache(boolean v) {
        this.volatileCache = v;
        return this;
    }

    /** What {@link #allocatedBytes()} reports; -1 (unknown) unless a test sets it. */
    volatile long allocated = -1;

    @Override
    public long allocatedBytes() {
        return allocated;
    }

    TestBackstore capabilities(Set<BackstoreCapability> c) {
        this.capabilities = c;
        return this;
    }

    /** Fails every following call with {@code t}: an exceptional stage, or thrown when {@code sync}. */
    TestBackstore failWith(Throwable t, boolean sync) {
        this.failure = t;
        this.throwSynchronously = sync;
        return this;
    }

    /** Makes every following call return a {@code null} stage. */
    TestBackstore returnNullStage() {
        this.nullStage = true;
        return this;
    }

    byte[] bytes() {
        return data;
    }

    @Override
    public int blockSize() {
        return blockSize;
    }

    @Override
    public long blockCount() {
        return blockCount;
    }

    @Override
    public boolean isReadOnly() {
        return readOnly;
    }

    @Override
    public boolean hasVolatileCache() {
        return volatileCache;
    }

    @Override
    public Set<BackstoreCapability> capabilities() {
        return capabilities;
    }

    @Override
    public CompletionStage<Void> read(long lba, ByteBuffer dst) {
        int n = dst.remaining();
        record("read " + lba + "+" + n / blockSize);
        if (n % blockSize != 0) {
            throw new AssertionError("read of " + n + " bytes is not block-aligned");
        }
        CompletionStage<Void> f = failure();
        if (f != null || nullStage) {
            return f;
        }
        if (data.length == 0) {
            dst.put(new byte[n]); // no storage: reads as zeros
        } else {
            dst.put(data, Math.toIntExact(lba * blockSize), n);
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<Void> write(long lba, ByteBuffer src, boolean fua) {
        int n = src.remaining();
        record("write " + lba + "+" + n / blockSize + (fua ? " fua" : ""));
        if (n % blockSize != 0) {
            throw new AssertionError("write of " + n + " bytes is not block-aligned");
        }
        CompletionStage<Void> f = failure();
        if (f != null || nullStage) {
            return f;
        }
        if (data.length == 0) {
            src.position(src.limit()); // no storage: discards
        } else {
            src.get(data, Math.toIntExact(lba * blockSize), n);
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<Void> unmap(long lba, long blocks) {
        record("unmap " + lba + "+" + blocks);
        CompletionStage<Void> f = failure();
        if (f != null || nullStage) {
            return f;
        }
        if (data.length != 0) {
            java.util.Arrays.fill(data, Math.toIntExact(lba * blockSize), Math.toIntExact((lba + blocks) * blockSize),
                    (byte) 0);
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<Void> writeSame(long lba, long blocks, ByteBuffer block, boolean fua) {
        record("writeSame " + lba + "+" + blocks + (fua ? " fua" : ""));
        if (block.remaining() != blockSize) {
            throw new AssertionError("write same of " + block.remaining() + " bytes");
        }
        CompletionStage<Void> f = failure();
        if (f != null || nullStage) {
            return f;
        }
        if (data.length != 0) {
            for (long i = 0; i < blocks; i++) {
                block.get(block.position(), data, Math.toIntExact((lba + i) * blockSize), blockSize);
            }
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<Void> flush() {
        record("flush");
        CompletionStage<Void> f = failure();
        if (f != null || nullStage) {
            return f;
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public void close() {
        closes.incrementAndGet();
    }

    private void record(String call) {
        calls.add(call);
        threads.add(Thread.currentThread().getName());
    }

    /** Throws {@code t} even when checked, as code in another JVM language might. */
    @SuppressWarnings("unchecked")
    private static <T extends Throwable> T sneaky(Throwable t) throws T {
        throw (T) t;
    }

    private CompletionStage<Void> failure() {
        Throwable t = failure;
        if (t == null) {
            return null;
        }
        if (throwSynchronously) {
            throw TestBackstore.<RuntimeException>sneaky(t);
        }
        return CompletableFuture.failedFuture(t);
    }
}
