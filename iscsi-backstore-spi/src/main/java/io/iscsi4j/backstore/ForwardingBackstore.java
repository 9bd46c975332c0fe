package io.iscsi4j.backstore;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * A decorator base: every {@link Backstore} method, including the default ones, forwards to a delegate. Extend it
 * and override what the decorator changes (a read-only view, a recording or fault-injecting wrapper, metrics).
 *
 * <p>The decorator owns its delegate: {@link #close()} closes it. It is as thread-safe as the delegate and the
 * overriding methods.
 *
 * @since 0.1
 */
public abstract class ForwardingBackstore implements Backstore {

    private final Backstore delegate;

    /**
     * @param delegate the backstore every call goes to
     */
    protected ForwardingBackstore(Backstore delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    /**
     * @return the backstore calls are forwarded to
     */
    protected final Backstore delegate() {
        return delegate;
    }

    @Override
    public int blockSize() {
        return delegate.blockSize();
    }

    @Override
    public long blockCount() {
        return delegate.blockCount();
    }

    @Override
    public boolean isReadOnly() {
        return delegate.isReadOnly();
    }

    @Override
    public boolean hasVolatileCache() {
        return delegate.hasVolatileCache();
    }

    /** Forwards to the delegate. */
    @Override
    public long allocatedBytes() {
        return delegate.allocatedBytes();
    }

    @Override
    public String unitSerialNumber() {
        return delegate.unitSerialNumber();
    }

    /** Forwards to the delegate. */
    @Override
    public void onCapacityChange(Runnable listener) {
        delegate.onCapacityChange(listener);
    }

    /**
     * The delegate's capabilities except {@link BackstoreCapability#NON_BLOCKING}: an overriding method may block
     * where the delegate does not. A decorator whose methods never block overrides this to keep it.
     *
     * @return the delegate's capabilities without {@link BackstoreCapability#NON_BLOCKING}
     */
    @Override
    public Set<BackstoreCapability> capabilities() {
        Set<BackstoreCapability> forwarded = delegate.capabilities();
        if (!forwarded.contains(BackstoreCapability.NON_BLOCKING)) {
            return forwarded;
        }
        EnumSet<BackstoreCapability> copy = EnumSet.copyOf(forwarded);
        copy.remove(BackstoreCapability.NON_BLOCKING);
        return Collections.unmodifiableSet(copy);
    }

    @Override
    public CompletionStage<Void> read(long lba, ByteBuffer dst) {
        return delegate.read(lba, dst);
    }

    @Override
    public CompletionStage<Void> write(long lba, ByteBuffer src, boolean fua) {
        return delegate.write(lba, src, fua);
    }

    @Override
    public CompletionStage<Void> flush() {
        return delegate.flush();
    }

    @Override
    public CompletionStage<Void> unmap(long lba, long blocks) {
        return delegate.unmap(lba, blocks);
    }

    @Override
    public CompletionStage<Void> writeSame(long lba, long blocks, ByteBuffer block, boolean fua) {
        return delegate.writeSame(lba, blocks, block, fua);
    }

    @Override
    public CompletionStage<Void> compareAndWrite(long lba, ByteBuffer expected, ByteBuffer data, boolean fua) {
        return delegate.compareAndWrite(lba, expected, data, fua);
    }

    @Override
    public CompletionStage<List<ProvisioningExtent>> provisioningStatus(long lba, long maxBlocks) {
        return delegate.provisioningStatus(lba, maxBlocks);
    }

    @Override
    public void close() throws IOException {
        delegate.close();
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + delegate + "]";
    }
}
