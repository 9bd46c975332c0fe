package io.iscsi4j.client;

import io.iscsi4j.initiator.BlockDevice;
import io.iscsi4j.initiator.IscsiException;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.concurrent.CompletionStage;

/**
 * Pipelined block transfers between a stream and a LUN: up to {@code depth} commands of {@code chunk} bytes in
 * flight, completed (and written out) in order, with {@code depth} buffers reused.
 */
final class Transfers {

    /** What a copy into a LUN found at its end. */
    record Written(long bytes, int partialTail) {
    }

    private record Pending(CompletionStage<Void> io, byte[] buffer, int length, long lba) {
    }

    private Transfers() {
    }

    /**
     * Writes the stream's bytes to the LUN from {@code lba}, whole blocks only.
     *
     * @param digest updated with every byte written, or {@code null}
     * @return the bytes written and the length of a partial last block that was not written (0 if none)
     */
    static Written toLun(Connection c, BlockDevice dev, long lba, InputStream in, int chunk, int depth,
                         Progress progress, MessageDigest digest) throws IOException {
        int bs = dev.blockSize();
        chunk = Math.max(bs, chunk / bs * bs);
        ArrayDeque<Pending> inflight = new ArrayDeque<>();
        ArrayDeque<byte[]> free = new ArrayDeque<>();
        long written = 0;
        int tail = 0;
        boolean eof = false;
        long next = lba;
        try {
            while (true) {
                while (!eof && inflight.size() < depth) {
                    byte[] buf = free.isEmpty() ? new byte[chunk] : free.poll();
                    int n = in.readNBytes(buf, 0, chunk);
                    if (n < chunk) {
                        eof = true;
                    }
                    tail = n % bs;
                    n -= tail;
                    if (n == 0) {
                        free.add(buf);
                        break;
                    }
                    long blocks = n / bs;
                    if (next + blocks > dev.blockCount()) {
                        throw new IscsiException("the data goes beyond the end of the LUN (" + dev.blockCount()
                                + " blocks of " + bs + " bytes)");
                    }
                    if (digest != null) {
                        digest.update(buf, 0, n);
                    }
                    inflight.add(new Pending(dev.write(next, ByteBuffer.wrap(buf, 0, n)), buf, n, next));
                    next += blocks;
                }
                Pending head = inflight.poll();
                if (head == null) {
                    break;
                }
                c.await(head.io(), "WRITE at LBA " + head.lba());
                written += head.length();
                progress.add(head.length());
                free.add(head.buffer());
            }
        } finally {
            drain(inflight);
        }
        return new Written(written, tail);
    }

    /**
     * Reads {@code blocks} blocks from {@code lba} and writes them to {@code out} in order.
     *
     * @param out where the bytes go, or {@code null} to only digest them
     * @param digest updated with every byte read, or {@code null}
     */
    static void fromLun(Connection c, BlockDevice dev, long lba, long blocks, OutputStream out, int chunk, int depth,
                        Progress progress, MessageDigest digest) throws IOException {
        int bs = dev.blockSize();
        int chunkBlocks = Math.max(1, chunk / bs);
        ArrayDeque<Pending> inflight = new ArrayDeque<>();
        ArrayDeque<byte[]> free = new ArrayDeque<>();
        long next = lba;
        long end = lba + blocks;
        try {
            while (true) {
                while (next < end && inflight.size() < depth) {
                    int n = (int) Math.min(chunkBlocks, end - next) * bs;
                    byte[] buf = free.isEmpty() ? new byte[chunkBlocks * bs] : free.poll();
                    inflight.add(new Pending(dev.read(next, ByteBuffer.wrap(buf, 0, n)), buf, n, next));
                    next += n / bs;
                }
                Pending head = inflight.poll();
                if (head == null) {
                    break;
                }
                c.await(head.io(), "READ at LBA " + head.lba());
                if (out != null) {
                    out.write(head.buffer(), 0, head.length());
                }
                if (digest != null) {
                    digest.update(head.buffer(), 0, head.length());
                }
                progress.add(head.length());
                free.add(head.buffer());
            }
        } finally {
            drain(inflight);
        }
    }

    /** After a failure, lets the commands still in flight end before their buffers are dropped. */
    private static void drain(ArrayDeque<Pending> inflight) {
        for (Pending p : inflight) {
            try {
                p.io().toCompletableFuture().get(5, java.util.concurrent.TimeUnit.SECONDS);
            } catch (Exception e) {
                // already failing; the first failure is the one reported
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }
}
