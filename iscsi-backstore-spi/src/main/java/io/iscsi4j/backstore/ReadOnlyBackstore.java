package io.iscsi4j.backstore;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** A view that refuses writes with {@link WriteProtectedException}; everything else goes to the delegate. */
final class ReadOnlyBackstore extends ForwardingBackstore {

    ReadOnlyBackstore(Backstore delegate) {
        super(delegate);
    }

    @Override
    public boolean isReadOnly() {
        return true;
    }

    @Override
    public CompletionStage<Void> write(long lba, ByteBuffer src, boolean fua) {
        return CompletableFuture.failedStage(new WriteProtectedException("write to read-only " + delegate()));
    }

    @Override
    public String toString() {
        return "readOnly[" + delegate() + "]";
    }
}
