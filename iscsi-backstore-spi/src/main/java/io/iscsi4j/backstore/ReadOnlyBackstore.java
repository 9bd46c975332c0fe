package io.iscsi4j.backstore;

import java.nio.ByteBuffer;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A view that refuses every writing operation (write, unmap, write same, compare and write) with
 * {@link WriteProtectedException}; everything else goes to the delegate.
 */
final class ReadOnlyBackstore extends ForwardingBackstore {

    ReadOnlyBackstore(Backstore delegate) {
        super(delegate);
    }

    @Override
    public boolean isReadOnly() {
        return true;
    }

    /** The delegate's capabilities, {@link BackstoreCapability#NON_BLOCKING} included: refusing never blocks. */
    @Override
    public Set<BackstoreCapability> capabilities() {
        return delegate().capabilities();
    }

    @Override
    public CompletionStage<Void> write(long lba, ByteBuffer src, boolean fua) {
        return refused("write");
    }

    @Override
    public CompletionStage<Void> unmap(long lba, long blocks) {
        return refused("unmap");
    }

    @Override
    public CompletionStage<Void> writeSame(long lba, long blocks, ByteBuffer block, boolean fua) {
        return refused("write same");
    }

    @Override
    public CompletionStage<Void> compareAndWrite(long lba, ByteBuffer expected, ByteBuffer data, boolean fua) {
        return refused("compare and write");
    }

    private CompletionStage<Void> refused(String operation) {
        return CompletableFuture.failedStage(new WriteProtectedException(operation + " to read-only " + delegate()));
    }

    @Override
    public String toString() {
        return "readOnly[" + delegate() + "]";
    }
}
