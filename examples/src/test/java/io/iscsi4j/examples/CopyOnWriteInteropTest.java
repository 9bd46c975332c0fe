package io.iscsi4j.examples;

import io.iscsi4j.IscsiTarget;
import io.iscsi4j.backstore.Backstore;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link CopyOnWriteBackstore} through a real initiator (qemu-io over libiscsi): writes that cover parts of chunks,
 * straddle chunk boundaries or cover whole chunks read back merged with the base; the base is untouched; discard
 * and commit behave as documented.
 */
@Timeout(120)
@Tag("interop")
class CopyOnWriteInteropTest {

    private static final String IQN = "iqn.2026-11.io.iscsi4j:cow-test";
    private static final long SIZE = 4L << 20;

    private static String url(IscsiTarget target) {
        return "iscsi://127.0.0.1:" + target.localAddress().getPort() + "/" + IQN + "/0";
    }

    private static IscsiTarget serve(Backstore backstore) throws Exception {
        return IscsiTarget.builder()
                .portal("127.0.0.1", 0)
                .target(IQN, t -> t.lun(0, backstore))
                .build()
                .start();
    }

    /** Whether every byte of the base is still 0xAB. */
    private static boolean untouched(Backstore base) throws Exception {
        ByteBuffer all = ByteBuffer.allocate((int) SIZE);
        base.read(0, all).toCompletableFuture().get();
        for (int i = 0; i < all.capacity(); i++) {
            if (all.get(i) != (byte) 0xAB) {
                return false;
            }
        }
        return true;
    }

    @Test
    void unalignedWritesReadBackMergedWithTheBaseWhichStaysUntouchedAndDiscardRevertsThem() throws Exception {
        Backstore base = CopyOnWriteExample.patternedMemory(SIZE, (byte) 0xAB);
        CopyOnWriteBackstore cow = new CopyOnWriteBackstore(base); // 4 KiB chunks
        try (IscsiTarget target = serve(cow)) {
            QemuIo.Result writes = QemuIo.run(url(target),
                    "write -P 0xcd 1536 1024",      // inside chunk 0, neither end aligned to the chunk
                    "write -P 0x11 7680 1024",      // bytes 7680..8703: straddles chunks 1 and 2
                    "write -P 0x22 1M 64k",         // 16 whole chunks: no copy-up
                    "read -P 0xab 0 1536",
                    "read -P 0xcd 1536 1024",
                    "read -P 0xab 2560 5120",
                    "read -P 0x11 7680 1024",
                    "read -P 0xab 8704 7680",
                    "read -P 0x22 1M 64k",
                    "read -P 0xab 1088k 64k");

            assertThat(writes.allSucceeded()).as("%s", writes).isTrue();
            assertThat(cow.overlayChunks()).isEqualTo(3 + 16);
            assertThat(untouched(base)).isTrue();

            QemuIo.Result again = QemuIo.run(url(target), "read -P 0xcd 1536 1024", "read -P 0x22 1M 64k");
            assertThat(again.allSucceeded()).as("a new session sees the changes: %s", again).isTrue();

            cow.discard();
            QemuIo.Result reverted = QemuIo.run(url(target), "read -P 0xab 0 4M");
            assertThat(reverted.allSucceeded()).as("%s", reverted).isTrue();
        }
    }

    @Test
    void commitWritesTheChangesIntoAWritableBase() throws Exception {
        Backstore base = CopyOnWriteExample.patternedMemory(SIZE, (byte) 0xAB);
        CopyOnWriteBackstore cow = new CopyOnWriteBackstore(base);
        try (IscsiTarget target = serve(cow)) {
            QemuIo.Result write = QemuIo.run(url(target), "write -P 0x33 3072 2048");
            assertThat(write.allSucceeded()).as("%s", write).isTrue();
            assertThat(untouched(base)).isTrue();

            cow.commit().toCompletableFuture().get();

            assertThat(cow.overlayChunks()).isZero();
            assertThat(untouched(base)).isFalse();
            ByteBuffer committed = ByteBuffer.allocate(8192);
            base.read(0, committed).toCompletableFuture().get();
            for (int i = 0; i < 8192; i++) {
                byte expected = i >= 3072 && i < 5120 ? (byte) 0x33 : (byte) 0xAB;
                assertThat(committed.get(i)).as("byte %d", i).isEqualTo(expected);
            }
            QemuIo.Result read = QemuIo.run(url(target), "read -P 0x33 3072 2048", "read -P 0xab 5120 4k");
            assertThat(read.allSucceeded()).as("%s", read).isTrue();
        }
    }
}
