package io.iscsi4j.backstore;

import static io.iscsi4j.backstore.TestIo.failure;
import static io.iscsi4j.backstore.TestIo.pattern;
import static io.iscsi4j.backstore.TestIo.read;
import static io.iscsi4j.backstore.TestIo.write;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BlockingBackstoreTest {

    private static final int BLOCK = 512;

    private final ExecutorService storageThreads =
            Executors.newSingleThreadExecutor(task -> new Thread(task, "storage-worker"));

    @AfterEach
    void stopThreads() {
        storageThreads.shutdownNow();
    }

    /** A byte array behind the blocking API, recording which thread ran each call. */
    private static class ArrayBackstore extends BlockingBackstore {
        final byte[] bytes = new byte[16 * BLOCK];
        final List<String> threads = new CopyOnWriteArrayList<>();
        IOException failure;

        ArrayBackstore(Executor executor) {
            super(executor);
        }

        @Override
        public int blockSize() {
            return BLOCK;
        }

        @Override
        public long blockCount() {
            return 16;
        }

        @Override
        protected void readBlocking(long lba, ByteBuffer dst) throws IOException {
            record();
            dst.put(bytes, (int) lba * BLOCK, dst.remaining());
        }

        @Override
        protected void writeBlocking(long lba, ByteBuffer src, boolean fua) throws IOException {
            record();
            src.get(bytes, (int) lba * BLOCK, src.remaining());
        }

        @Override
        protected void flushBlocking() throws IOException {
            record();
        }

        private void record() throws IOException {
            threads.add(Thread.currentThread().getName());
            if (failure != null) {
                throw failure;
            }
        }

        @Override
        public void close() {
        }
    }

    @Test
    void runsBlockingCallsOnTheSuppliedExecutor() throws Exception {
        ArrayBackstore backstore = new ArrayBackstore(storageThreads);
        ByteBuffer data = pattern(2 * BLOCK, 6);

        write(backstore, 3, data);
        ByteBuffer result = read(backstore, 3, 2 * BLOCK);
        TestIo.await(backstore.flush());

        assertThat(result).isEqualTo(data);
        assertThat(backstore.threads).containsExactly("storage-worker", "storage-worker", "storage-worker");
    }

    @Test
    void invalidRequestsFailWithoutReachingTheStorage() {
        ArrayBackstore backstore = new ArrayBackstore(storageThreads);

        failure(backstore.read(16, ByteBuffer.allocate(BLOCK)), LbaOutOfRangeException.class);
        failure(backstore.write(15, ByteBuffer.allocate(2 * BLOCK), false), LbaOutOfRangeException.class);
        failure(backstore.read(0, ByteBuffer.allocate(BLOCK - 1)), IllegalArgumentException.class);

        assertThat(backstore.threads).isEmpty();
    }

    @Test
    void readOnlyBackstoreRefusesWritesBeforeDispatch() {
        ArrayBackstore backstore = new ArrayBackstore(storageThreads) {
            @Override
            public boolean isReadOnly() {
                return true;
            }
        };

        failure(backstore.write(0, ByteBuffer.allocate(BLOCK), false), WriteProtectedException.class);

        assertThat(backstore.threads).isEmpty();
    }

    @Test
    void storageExceptionsReachTheCaller() {
        ArrayBackstore backstore = new ArrayBackstore(storageThreads);
        backstore.failure = new MediumErrorException(3, "bad sector");

        MediumErrorException e = failure(backstore.read(3, ByteBuffer.allocate(BLOCK)), MediumErrorException.class);

        assertThat(e).isSameAs(backstore.failure);
        assertThat(e.lba()).isEqualTo(3);
    }

    @Test
    void rejectedTasksFailAsNotReady() {
        ArrayBackstore backstore = new ArrayBackstore(task -> {
            throw new RejectedExecutionException("shut down");
        });

        NotReadyException e = failure(backstore.flush(), NotReadyException.class);

        assertThat(e).hasCauseInstanceOf(RejectedExecutionException.class);
    }
}
