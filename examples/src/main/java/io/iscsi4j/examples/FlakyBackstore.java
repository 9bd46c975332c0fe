package io.iscsi4j.examples;

import io.iscsi4j.backstore.Backstore;
import io.iscsi4j.backstore.ForwardingBackstore;
import io.iscsi4j.backstore.MediumErrorException;
import io.iscsi4j.backstore.NotReadyException;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A backstore that fails on purpose, to see how an initiator (and whatever runs above it: a file system, a
 * database, a VM) copes with a bad disk. It wraps a working backstore and, on its way, injects three kinds of fault,
 * each switchable at run time from any thread:
 * <ul>
 *   <li>{@linkplain #addBadBlock bad blocks}: a read or write that touches one completes with
 *       {@link MediumErrorException} naming the first bad block of the range. The initiator sees CHECK CONDITION,
 *       MEDIUM ERROR / UNRECOVERED READ ERROR (reads) or WRITE ERROR (writes), with the LBA in the sense data; the
 *       command transfers nothing and changes nothing.</li>
 *   <li>{@linkplain #failEveryNthWrite every Nth write} fails the same way, wherever it lands.</li>
 *   <li>{@linkplain #notReady(boolean) not ready}: every read, write and flush completes with
 *       {@link NotReadyException} (NOT READY / LOGICAL UNIT NOT READY, CAUSE NOT REPORTABLE), as a disk that is
 *       spinning up or a storage service that is down would.</li>
 * </ul>
 * Bad blocks and not-ready also apply to WRITE SAME and COMPARE AND WRITE (not-ready to flushes too); only plain
 * writes count towards every Nth. It uses the SPI only: a fault is nothing but a stage completed exceptionally with
 * the right exception type. Thread-safe.
 */
public final class FlakyBackstore extends ForwardingBackstore {

    private final ConcurrentSkipListSet<Long> badBlocks = new ConcurrentSkipListSet<>();
    private final AtomicLong writes = new AtomicLong();
    private volatile long failEveryNthWrite;
    private volatile boolean notReady;

    /**
     * Wraps a backstore; no fault is active until configured.
     *
     * @param delegate the working backstore; owned by this one ({@link #close()} closes it)
     */
    public FlakyBackstore(Backstore delegate) {
        super(delegate);
    }

    /**
     * Makes a block bad: reads and writes touching it fail from now on.
     *
     * @param lba the logical block
     * @return this backstore
     */
    public FlakyBackstore addBadBlock(long lba) {
        badBlocks.add(lba);
        return this;
    }

    /**
     * Repairs a bad block.
     *
     * @param lba the logical block
     * @return this backstore
     */
    public FlakyBackstore removeBadBlock(long lba) {
        badBlocks.remove(lba);
        return this;
    }

    /**
     * Fails every {@code n}th write from now on (counting writes since the backstore was made), or none for 0.
     *
     * @param n the period, {@code >= 0}
     * @return this backstore
     */
    public FlakyBackstore failEveryNthWrite(long n) {
        if (n < 0) {
            throw new IllegalArgumentException("n must not be negative: " + n);
        }
        failEveryNthWrite = n;
        return this;
    }

    /**
     * Switches the not-ready state: while on, every read, write and flush fails with {@link NotReadyException}.
     *
     * @param on whether the storage is unavailable
     * @return this backstore
     */
    public FlakyBackstore notReady(boolean on) {
        notReady = on;
        return this;
    }

    @Override
    public CompletionStage<Void> read(long lba, ByteBuffer dst) {
        CompletableFuture<Void> fault = fault(lba, dst.remaining() / blockSize());
        return fault != null ? fault : super.read(lba, dst);
    }

    @Override
    public CompletionStage<Void> write(long lba, ByteBuffer src, boolean fua) {
        CompletableFuture<Void> fault = fault(lba, src.remaining() / blockSize());
        if (fault != null) {
            return fault;
        }
        long count = writes.incrementAndGet();
        long n = failEveryNthWrite;
        if (n > 0 && count % n == 0) {
            return CompletableFuture.failedFuture(
                    new MediumErrorException(lba, "write " + count + " failed (injected: every " + n + "th)"));
        }
        return super.write(lba, src, fua);
    }

    @Override
    public CompletionStage<Void> writeSame(long lba, long blocks, ByteBuffer block, boolean fua) {
        CompletableFuture<Void> fault = fault(lba, blocks);
        return fault != null ? fault : super.writeSame(lba, blocks, block, fua);
    }

    @Override
    public CompletionStage<Void> compareAndWrite(long lba, ByteBuffer expected, ByteBuffer data, boolean fua) {
        CompletableFuture<Void> fault = fault(lba, expected.remaining() / blockSize());
        return fault != null ? fault : super.compareAndWrite(lba, expected, data, fua);
    }

    @Override
    public CompletionStage<Void> flush() {
        CompletableFuture<Void> fault = fault(0, 0);
        return fault != null ? fault : super.flush();
    }

    /** The injected failure for an access to {@code blocks} blocks from {@code lba}, or {@code null}. */
    private CompletableFuture<Void> fault(long lba, long blocks) {
        if (notReady) {
            return CompletableFuture.failedFuture(new NotReadyException("storage not ready (injected)"));
        }
        Long bad = badBlocks.ceiling(lba);
        if (bad != null && bad < lba + blocks) {
            return CompletableFuture.failedFuture(new MediumErrorException(bad, "bad block " + bad + " (injected)"));
        }
        return null;
    }

    @Override
    public String toString() {
        return "FlakyBackstore[" + delegate() + ", badBlocks=" + badBlocks + ", failEveryNthWrite="
                + failEveryNthWrite + ", notReady=" + notReady + "]";
    }
}
