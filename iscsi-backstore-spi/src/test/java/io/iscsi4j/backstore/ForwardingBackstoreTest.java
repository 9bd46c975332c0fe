package io.iscsi4j.backstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

class ForwardingBackstoreTest {

    /** Answers with values no default would produce and records the calls. */
    private static final class StubBackstore implements Backstore {
        final List<String> calls = new ArrayList<>();
        final CompletionStage<Void> readStage = new CompletableFuture<>();
        final CompletionStage<Void> writeStage = new CompletableFuture<>();
        final CompletionStage<Void> flushStage = new CompletableFuture<>();

        @Override
        public int blockSize() {
            return 4096;
        }

        @Override
        public long blockCount() {
            return 7;
        }

        @Override
        public boolean isReadOnly() {
            return true;
        }

        @Override
        public boolean hasVolatileCache() {
            return false;
        }

        @Override
        public Set<BackstoreCapability> capabilities() {
            return Set.of(BackstoreCapability.THIN_PROVISIONING);
        }

        @Override
        public CompletionStage<Void> read(long lba, ByteBuffer dst) {
            calls.add("read " + lba + " " + dst.remaining());
            return readStage;
        }

        @Override
        public CompletionStage<Void> write(long lba, ByteBuffer src, boolean fua) {
            calls.add("write " + lba + " " + src.remaining() + " " + fua);
            return writeStage;
        }

        @Override
        public CompletionStage<Void> flush() {
            calls.add("flush");
            return flushStage;
        }

        @Override
        public void close() {
            calls.add("close");
        }
    }

    @Test
    void forwardsEveryMethodIncludingDefaults() throws Exception {
        StubBackstore stub = new StubBackstore();
        Backstore forwarding = new ForwardingBackstore(stub) { };

        assertThat(forwarding.blockSize()).isEqualTo(4096);
        assertThat(forwarding.blockCount()).isEqualTo(7);
        assertThat(forwarding.isReadOnly()).isTrue();
        assertThat(forwarding.hasVolatileCache()).isFalse();
        assertThat(forwarding.capabilities()).containsExactly(BackstoreCapability.THIN_PROVISIONING);
        assertThat(forwarding.read(3, ByteBuffer.allocate(4096))).isSameAs(stub.readStage);
        assertThat(forwarding.write(5, ByteBuffer.allocate(8192), true)).isSameAs(stub.writeStage);
        assertThat(forwarding.flush()).isSameAs(stub.flushStage);
        forwarding.close();

        assertThat(stub.calls).containsExactly("read 3 4096", "write 5 8192 true", "flush", "close");
    }

    @Test
    void doesNotForwardNonBlockingButKeepsTheOtherCapabilities() {
        Backstore memory = Backstores.memory(1 << 20);
        Backstore decorated = new ForwardingBackstore(memory) { };

        assertThat(memory.capabilities()).contains(BackstoreCapability.NON_BLOCKING);
        assertThat(decorated.capabilities()).containsExactlyInAnyOrder(BackstoreCapability.THIN_PROVISIONING,
                BackstoreCapability.UNMAP, BackstoreCapability.WRITE_ATOMIC);
        assertThat(Backstores.readOnly(memory).capabilities()).isEqualTo(memory.capabilities());
    }

    @Test
    void forwardsTheOptionalOperations() {
        Backstore memory = Backstores.memory(1 << 20);
        List<String> calls = new ArrayList<>();
        Backstore forwarding = new ForwardingBackstore(new ForwardingBackstore(memory) { }) {
            @Override
            public CompletionStage<Void> unmap(long lba, long blocks) {
                calls.add("unmap " + lba + " " + blocks);
                return super.unmap(lba, blocks);
            }
        };

        TestIo.failure(forwarding.writeSame(0, 1, ByteBuffer.allocate(1), false), IllegalArgumentException.class);
        assertThat(forwarding.unmap(0, 1).toCompletableFuture()).isCompleted();
        assertThat(forwarding.provisioningStatus(0, 1).toCompletableFuture().join())
                .containsExactly(new ProvisioningExtent(0, 1, true));
        TestIo.failure(forwarding.compareAndWrite(0, ByteBuffer.allocate(512), ByteBuffer.allocate(1024), false),
                IllegalArgumentException.class);
        assertThat(calls).containsExactly("unmap 0 1");
    }

    @Test
    void requiresADelegate() {
        assertThatThrownBy(() -> new ForwardingBackstore(null) { })
                .isInstanceOf(NullPointerException.class)
                .hasMessageContaining("delegate");
    }
}
