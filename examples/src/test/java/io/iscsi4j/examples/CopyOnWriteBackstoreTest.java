package io.iscsi4j.examples;

import io.iscsi4j.backstore.Backstore;
import io.iscsi4j.backstore.Backstores;
import io.iscsi4j.backstore.ForwardingBackstore;
import io.iscsi4j.backstore.MediumErrorException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(60)
class CopyOnWriteBackstoreTest {

    private static final int BLOCK = 512;
    private static final int CHUNK_BLOCKS = 8;

    private final ExecutorService pool = Executors.newFixedThreadPool(4);

    @AfterEach
    void stopPool() throws InterruptedException {
        pool.shutdownNow();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    /** The byte the base image holds at {@code offset}. */
    private static byte baseByte(long offset) {
        return (byte) (offset * 7 + (offset >>> 9) * 13 + 1);
    }

    /** A memory base of {@code blocks} blocks holding {@link #baseByte}, read asynchronously on {@link #pool}. */
    private SlowBase base(long blocks) throws Exception {
        Backstore memory = Backstores.memory(blocks * BLOCK);
        ByteBuffer all = ByteBuffer.allocate((int) (blocks * BLOCK));
        for (int i = 0; i < all.capacity(); i++) {
            all.put(i, baseByte(i));
        }
        get(memory.write(0, all, false));
        return new SlowBase(memory);
    }

    /** Completes reads later, on another thread, to widen every race; counts writes. */
    private final class SlowBase extends ForwardingBackstore {
        final AtomicInteger writes = new AtomicInteger();

        SlowBase(Backstore delegate) {
            super(delegate);
        }

        @Override
        public CompletionStage<Void> read(long lba, ByteBuffer dst) {
            return CompletableFuture.runAsync(() -> {
                if (ThreadLocalRandom.current().nextInt(4) == 0) {
                    Thread.yield();
                }
            }, pool).thenCompose(v -> super.read(lba, dst));
        }

        @Override
        public CompletionStage<Void> write(long lba, ByteBuffer src, boolean fua) {
            writes.incrementAndGet();
            return super.write(lba, src, fua);
        }

        /** The base's bytes, read directly (not through the overlay). */
        byte[] content() throws Exception {
            ByteBuffer all = ByteBuffer.allocate((int) (blockCount() * BLOCK));
            get(delegate().read(0, all));
            return all.array();
        }
    }

    private static void get(CompletionStage<?> stage) throws Exception {
        stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static byte[] baseImage(long blocks) {
        byte[] b = new byte[(int) (blocks * BLOCK)];
        for (int i = 0; i < b.length; i++) {
            b[i] = baseByte(i);
        }
        return b;
    }

    /** Reads through {@code backstore} into a buffer at a non-zero position, direct or heap, pre-filled with junk. */
    private static byte[] read(Backstore backstore, long lba, int blocks, boolean direct) throws Exception {
        int pad = 3;
        int size = pad + blocks * BLOCK;
        ByteBuffer dst = direct ? ByteBuffer.allocateDirect(size) : ByteBuffer.allocate(size);
        for (int i = 0; i < dst.capacity(); i++) {
            dst.put(i, (byte) 0xEE);
        }
        dst.position(pad);
        get(backstore.read(lba, dst));
        byte[] out = new byte[blocks * BLOCK];
        dst.get(pad, out);
        return out;
    }

    private static void write(Backstore backstore, long lba, byte[] data, boolean direct) throws Exception {
        ByteBuffer src = direct ? ByteBuffer.allocateDirect(5 + data.length) : ByteBuffer.allocate(5 + data.length);
        src.put(5, data).position(5);
        get(backstore.write(lba, src, false));
        for (int i = 0; i < src.capacity(); i++) {
            src.put(i, (byte) 0x99); // the buffer was only lent: scribbling on it now must change nothing
        }
    }

    private static byte[] fill(int blocks, int seed) {
        byte[] b = new byte[blocks * BLOCK];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void aPartialWriteAcrossTwoChunksCopiesBothUpMergesOnReadAndLeavesTheBaseUntouched() throws Exception {
        SlowBase base = base(64);
        byte[] expected = baseImage(64);
        try (CopyOnWriteBackstore cow = new CopyOnWriteBackstore(base, CHUNK_BLOCKS)) {
            byte[] data = fill(6, 1);
            write(cow, 5, data, true); // blocks 5..10: the tail of chunk 0 and the head of chunk 1
            System.arraycopy(data, 0, expected, 5 * BLOCK, data.length);

            assertThat(cow.overlayChunks()).isEqualTo(2);
            assertThat(read(cow, 0, 64, false)).isEqualTo(expected);
            assertThat(read(cow, 4, 3, true)).isEqualTo(Arrays.copyOfRange(expected, 4 * BLOCK, 7 * BLOCK));
            assertThat(base.writes).hasValue(0);
            assertThat(base.content()).isEqualTo(baseImage(64));
        }
    }

    @Test
    void randomUnalignedWritesAndReadsMatchAModelAndNeverWriteTheBase() throws Exception {
        long blocks = 1000; // not a multiple of the chunk: the last chunk is short
        SlowBase base = base(blocks);
        byte[] model = baseImage(blocks);
        Random random = new Random(42);
        try (CopyOnWriteBackstore cow = new CopyOnWriteBackstore(base, 16)) {
            for (int i = 0; i < 400; i++) {
                int n = 1 + random.nextInt(40);
                long lba = random.nextInt((int) blocks - n + 1);
                if (random.nextInt(3) > 0) {
                    byte[] data = fill(n, i);
                    write(cow, lba, data, random.nextBoolean());
                    System.arraycopy(data, 0, model, (int) lba * BLOCK, data.length);
                } else {
                    byte[] expected = Arrays.copyOfRange(model, (int) lba * BLOCK, (int) (lba + n) * BLOCK);
                    assertThat(read(cow, lba, n, random.nextBoolean())).as("read %d blocks at %d", n, lba)
                            .isEqualTo(expected);
                }
            }
            write(cow, blocks - 3, fill(3, 7), false); // part of the short last chunk
            System.arraycopy(fill(3, 7), 0, model, (int) (blocks - 3) * BLOCK, 3 * BLOCK);

            assertThat(read(cow, 0, (int) blocks, true)).isEqualTo(model);
            assertThat(base.writes).hasValue(0);
            assertThat(base.content()).isEqualTo(baseImage(blocks));
        }
    }

    @Test
    void concurrentPartialWritesToChunksStillInTheBaseAreAllKeptAndReadsNeverSeeAHalfCopiedChunk()
            throws Exception {
        int chunks = 64;
        long blocks = (long) chunks * CHUNK_BLOCKS;
        SlowBase base = base(blocks);
        byte[] original = baseImage(blocks);
        try (CopyOnWriteBackstore cow = new CopyOnWriteBackstore(base, CHUNK_BLOCKS)) {
            int writers = CHUNK_BLOCKS; // writer w writes block w of every chunk: 8 racing copy-ups per chunk
            ExecutorService threads = Executors.newFixedThreadPool(writers + 2);
            try {
                CountDownLatch start = new CountDownLatch(1);
                CyclicBarrier round = new CyclicBarrier(writers);
                List<Future<?>> done = new ArrayList<>();
                for (int w = 0; w < writers; w++) {
                    int writer = w;
                    done.add(threads.submit(() -> {
                        start.await();
                        for (int c = 0; c < chunks; c++) {
                            round.await(10, TimeUnit.SECONDS); // all writers hit the same fresh chunk at once
                            write(cow, (long) c * CHUNK_BLOCKS + writer, block(c, writer), writer % 2 == 0);
                        }
                        return null;
                    }));
                }
                for (int r = 0; r < 2; r++) {
                    int reader = r;
                    done.add(threads.submit(() -> {
                        Random random = new Random(100 + reader);
                        start.await();
                        for (int i = 0; i < 200; i++) {
                            int n = 1 + random.nextInt(24);
                            long lba = random.nextInt((int) blocks - n + 1);
                            byte[] got = read(cow, lba, n, reader == 0);
                            for (int b = 0; b < n; b++) {
                                long at = lba + b;
                                byte[] actual = Arrays.copyOfRange(got, b * BLOCK, (b + 1) * BLOCK);
                                byte[] old = Arrays.copyOfRange(original, (int) at * BLOCK,
                                        (int) (at + 1) * BLOCK);
                                byte[] fresh = block((int) (at / CHUNK_BLOCKS), (int) (at % CHUNK_BLOCKS));
                                if (!Arrays.equals(actual, old) && !Arrays.equals(actual, fresh)) {
                                    assertThat(actual).as("block %d is neither the base's nor the new data", at)
                                            .isEqualTo(fresh);
                                }
                            }
                        }
                        return null;
                    }));
                }
                start.countDown();
                for (Future<?> f : done) {
                    f.get(30, TimeUnit.SECONDS);
                }
            } finally {
                threads.shutdownNow();
            }

            assertThat(cow.overlayChunks()).isEqualTo(chunks);
            byte[] all = read(cow, 0, (int) blocks, false);
            for (int c = 0; c < chunks; c++) {
                for (int w = 0; w < writers; w++) {
                    int at = (c * CHUNK_BLOCKS + w) * BLOCK;
                    assertThat(Arrays.copyOfRange(all, at, at + BLOCK)).as("chunk %d block %d", c, w)
                            .isEqualTo(block(c, w));
                }
            }
            assertThat(base.writes).hasValue(0);
            assertThat(base.content()).isEqualTo(original);
        }
    }

    /** The block writer {@code w} writes into chunk {@code c}. */
    private static byte[] block(int c, int w) {
        return fill(1, 1000 * c + w);
    }

    @Test
    void commitWritesTheChangesIntoTheBaseAndEmptiesTheOverlay() throws Exception {
        SlowBase base = base(64);
        byte[] expected = baseImage(64);
        try (CopyOnWriteBackstore cow = new CopyOnWriteBackstore(base, CHUNK_BLOCKS)) {
            byte[] data = fill(20, 3);
            write(cow, 3, data, false);
            System.arraycopy(data, 0, expected, 3 * BLOCK, data.length);

            get(cow.commit());

            assertThat(cow.overlayChunks()).isZero();
            assertThat(base.content()).isEqualTo(expected);
            assertThat(read(cow, 0, 64, true)).isEqualTo(expected);
        }
    }

    @Test
    void discardMakesTheDiskReadAsTheBaseAgain() throws Exception {
        SlowBase base = base(64);
        try (CopyOnWriteBackstore cow = new CopyOnWriteBackstore(base, CHUNK_BLOCKS)) {
            write(cow, 0, fill(64, 4), true);
            assertThat(read(cow, 0, 64, false)).isEqualTo(fill(64, 4));

            cow.discard();

            assertThat(cow.overlayChunks()).isZero();
            assertThat(read(cow, 0, 64, false)).isEqualTo(baseImage(64));
            write(cow, 9, fill(1, 5), false); // and it is writable again
            assertThat(read(cow, 9, 1, true)).isEqualTo(fill(1, 5));
        }
    }

    @Test
    void commitOverAReadOnlyBaseFailsAndKeepsTheOverlay() throws Exception {
        try (CopyOnWriteBackstore cow = new CopyOnWriteBackstore(Backstores.readOnly(base(64)), CHUNK_BLOCKS)) {
            write(cow, 0, fill(1, 6), false);

            assertThatThrownBy(() -> get(cow.commit())).isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(IllegalStateException.class);
            assertThat(cow.overlayChunks()).isEqualTo(1);
        }
    }

    @Test
    void aFailedCopyUpFailsThePartialWriteWithTheBasesErrorAndALaterWriteRetries() throws Exception {
        FlakyBackstore flakyBase = new FlakyBackstore(base(64)).addBadBlock(17);
        try (CopyOnWriteBackstore cow = new CopyOnWriteBackstore(flakyBase, CHUNK_BLOCKS)) {
            ByteBuffer one = ByteBuffer.wrap(fill(1, 8));

            assertThat(cow.write(18, one.duplicate(), false).toCompletableFuture())
                    .failsWithin(Duration.ofSeconds(5)).withThrowableOfType(ExecutionException.class)
                    .withCauseInstanceOf(MediumErrorException.class);
            assertThat(cow.overlayChunks()).isZero();
            write(cow, 16, fill(8, 9), false); // a whole chunk needs no copy-up: works despite the bad block
            flakyBase.removeBadBlock(17);
            get(cow.write(26, one.duplicate(), false));

            assertThat(read(cow, 16, 8, false)).isEqualTo(fill(8, 9));
            assertThat(read(cow, 26, 1, false)).isEqualTo(fill(1, 8));
        }
    }
}
