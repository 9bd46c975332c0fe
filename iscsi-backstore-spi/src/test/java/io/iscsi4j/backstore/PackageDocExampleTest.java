package io.iscsi4j.backstore;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * The example of the package documentation ({@code package-info.java}), copied verbatim (modifiers aside), so the
 * documented code is known to compile and to keep the contract it describes.
 */
class PackageDocExampleTest {

    static final class MapBackstore implements Backstore {
        static final int BLOCK = 512;
        private static final byte[] ZEROS = new byte[BLOCK];
        private final Map<Long, byte[]> blocks = new ConcurrentHashMap<>();
        private final long blockCount;
        private final long badBlock;                          // reads of this block fail, for the example

        MapBackstore(long blockCount, long badBlock) {
            this.blockCount = blockCount;
            this.badBlock = badBlock;
        }

        @Override public int blockSize() { return BLOCK; }
        @Override public long blockCount() { return blockCount; }
        @Override public boolean hasVolatileCache() { return false; }  // a write is as durable as it gets

        @Override
        public CompletionStage<Void> read(long lba, ByteBuffer dst) {
            int n = dst.remaining() / BLOCK;                  // always whole blocks, from dst's position
            if (lba <= badBlock && badBlock < lba + n) {      // initiator sees MEDIUM ERROR / UNRECOVERED READ ERROR
                return CompletableFuture.failedFuture(new MediumErrorException(badBlock, "bad block"));
            }
            for (int i = 0; i < n; i++) {                     // absolute puts: any buffer, direct or heap
                dst.put(dst.position() + i * BLOCK, blocks.getOrDefault(lba + i, ZEROS));
            }
            return CompletableFuture.completedFuture(null);   // dst is filled: completing returns it to the target
        }

        @Override
        public CompletionStage<Void> write(long lba, ByteBuffer src, boolean fua) {
            for (int i = 0, n = src.remaining() / BLOCK; i < n; i++) {
                byte[] copy = new byte[BLOCK];                // copy: src is only lent until the stage completes
                src.get(src.position() + i * BLOCK, copy);
                blocks.put(lba + i, copy);
            }
            return CompletableFuture.completedFuture(null);
        }

        @Override public CompletionStage<Void> flush() { return CompletableFuture.completedFuture(null); }
        @Override public void close() { blocks.clear(); }
    }

    @Test
    void writesReadBackThroughDirectBuffersAtNonZeroPositionsAndUnwrittenBlocksReadAsZeros() throws Exception {
        MapBackstore backstore = new MapBackstore(64, 40);
        ByteBuffer data = TestIo.pattern(3 * 512, 7);
        ByteBuffer src = ByteBuffer.allocateDirect(100 + 3 * 512);
        src.position(100);
        src.put(data.duplicate());
        src.position(100);
        TestIo.await(backstore.write(5, src, false));
        src.put(150, (byte) 0x77); // the lent buffer is reused after completion: the stored copy must not change

        ByteBuffer dst = ByteBuffer.allocateDirect(10 + 5 * 512);
        dst.position(10);
        TestIo.await(backstore.read(4, dst));

        assertThat(dst.duplicate().position(10).limit(10 + 512)).isEqualTo(ByteBuffer.allocate(512));
        assertThat(dst.duplicate().position(10 + 512).limit(10 + 4 * 512)).isEqualTo(data);
        assertThat(dst.duplicate().position(10 + 4 * 512)).isEqualTo(ByteBuffer.allocate(512));
    }

    @Test
    void aReadCoveringTheBadBlockFailsWithAMediumErrorNamingIt() {
        MapBackstore backstore = new MapBackstore(64, 40);

        MediumErrorException e = TestIo.failure(backstore.read(38, ByteBuffer.allocate(4 * 512)),
                MediumErrorException.class);

        assertThat(e.lba()).isEqualTo(40);
    }
}
