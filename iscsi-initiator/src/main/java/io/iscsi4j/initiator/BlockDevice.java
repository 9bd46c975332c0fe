package io.iscsi4j.initiator;

import io.netty.util.concurrent.FastThreadLocalThread;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;

/**
 * A LUN seen as a disk: capacity, block size, reads and writes of whole blocks at any LBA, flush and unmap, over
 * the SBC-4 commands READ (16), WRITE (16), SYNCHRONIZE CACHE (16) and UNMAP.
 *
 * <p>Transfers larger than the target's MAXIMUM TRANSFER LENGTH (Block Limits VPD page), or than
 * {@link #DEFAULT_MAX_TRANSFER_BYTES} when it reports none, are split into several commands that run in parallel.
 *
 * <p><b>Buffers:</b> {@code read} fills {@code dst} from its position over {@code remaining()} bytes and
 * {@code write} sends {@code src} from its position; neither moves the buffer's position, and neither buffer may be
 * touched until the stage completes. The length must be a whole number of blocks.
 *
 * <p>A command answered with UNIT ATTENTION is sent again (at most {@value #UNIT_ATTENTION_RETRIES} times), as disk
 * drivers do: the target reports such a condition once, after a reset or a session reinstatement.
 *
 * <p>Failures: {@link ScsiCommandException} for a status other than GOOD (for example a MEDIUM ERROR), otherwise
 * {@link IscsiException}; a command that does not complete within the session's
 * {@linkplain LoginOptions#commandTimeout() command timeout} is aborted and fails with
 * {@link CommandTimeoutException}, after which its buffer is the caller's again. Thread-safe. The {@code ...Blocking}
 * methods wait until their commands have ended and refuse to run on an I/O thread.
 *
 * @since 0.1
 */
public final class BlockDevice {

    /**
     * How many times a command answered with UNIT ATTENTION is sent again (SAM-5 §5.14: the condition is reported
     * once, for example after a reset or a session reinstatement, and the command did not run).
     */
    public static final int UNIT_ATTENTION_RETRIES = 5;

    /** The largest command this device sends when the target reports no limit: 1 MiB. */
    public static final int DEFAULT_MAX_TRANSFER_BYTES = 1 << 20;

    private final IscsiSession session;
    private final int lun;
    private final int blockSize;
    private final long blockCount;
    private final int maxTransferBlocks;
    private final long maxUnmapBlocks;

    private BlockDevice(IscsiSession session, int lun, int blockSize, long blockCount, int maxTransferBlocks,
                        long maxUnmapBlocks) {
        this.session = session;
        this.lun = lun;
        this.blockSize = blockSize;
        this.blockCount = blockCount;
        this.maxTransferBlocks = maxTransferBlocks;
        this.maxUnmapBlocks = maxUnmapBlocks;
    }

    /**
     * Opens a LUN of a session: READ CAPACITY (16) (READ CAPACITY (10) if the target does not support it), then
     * the Block Limits VPD page if the target has it.
     *
     * @param session the session
     * @param lun the LUN
     * @return the device
     */
    public static CompletionStage<BlockDevice> open(IscsiSession session, int lun) {
        Objects.requireNonNull(session, "session");
        byte[] rc16 = new byte[16];
        rc16[0] = (byte) 0x9E;
        rc16[1] = 0x10;
        rc16[13] = 32;
        return execute(session, ScsiRequest.read(lun, rc16, 32), UNIT_ATTENTION_RETRIES).thenCompose(result -> {
            if (result.isGood() && result.data().remaining() >= 12) {
                ByteBuffer d = result.data();
                return CompletableFuture.completedFuture(new long[] {d.getLong(0) + 1, d.getInt(8)});
            }
            byte[] rc10 = new byte[10];
            rc10[0] = 0x25;
            return execute(session, ScsiRequest.read(lun, rc10, 8), UNIT_ATTENTION_RETRIES).thenApply(r10 -> {
                if (!r10.isGood() || r10.data().remaining() < 8) {
                    throw new CompletionException(new ScsiCommandException("READ CAPACITY", r10));
                }
                return new long[] {Integer.toUnsignedLong(r10.data().getInt(0)) + 1, r10.data().getInt(4)};
            });
        }).thenCompose(capacity -> {
            byte[] inquiry = {0x12, 0x01, (byte) 0xB0, 0, 64, 0};
            return session.execute(ScsiRequest.read(lun, inquiry, 64)).thenApply(limits -> {
                int blockSize = (int) capacity[1];
                if (blockSize <= 0) {
                    throw new CompletionException(new IscsiException("LUN " + lun + " reports block size "
                            + blockSize));
                }
                int defaultBlocks = Math.max(1, DEFAULT_MAX_TRANSFER_BYTES / blockSize);
                int maxBlocks = defaultBlocks;
                long maxUnmap = 0xFFFF_FFFFL;
                ByteBuffer d = limits.data();
                if (limits.isGood() && d.remaining() >= 12 && (d.get(1) & 0xFF) == 0xB0) {
                    long reported = Integer.toUnsignedLong(d.getInt(8));
                    if (reported > 0) {
                        maxBlocks = (int) Math.min(reported, defaultBlocks);
                    }
                    if (d.remaining() >= 24) {
                        long unmap = Integer.toUnsignedLong(d.getInt(20));
                        if (unmap > 0) {
                            maxUnmap = unmap;
                        }
                    }
                }
                return new BlockDevice(session, lun, blockSize, capacity[0], maxBlocks, maxUnmap);
            });
        });
    }

    /**
     * The session this device uses.
     *
     * @return the session
     */
    public IscsiSession session() {
        return session;
    }

    /**
     * The LUN.
     *
     * @return the LUN
     */
    public int lun() {
        return lun;
    }

    /**
     * The logical block size.
     *
     * @return bytes per block (512, 4096...)
     */
    public int blockSize() {
        return blockSize;
    }

    /**
     * The number of logical blocks.
     *
     * @return the block count
     */
    public long blockCount() {
        return blockCount;
    }

    /**
     * The capacity.
     *
     * @return {@link #blockCount()} times {@link #blockSize()}, in bytes
     */
    public long capacity() {
        return blockCount * blockSize;
    }

    /**
     * The largest transfer one command carries.
     *
     * @return bytes
     */
    public int maxTransferBytes() {
        return maxTransferBlocks * blockSize;
    }

    /**
     * Reads blocks.
     *
     * @param lba the first block
     * @param dst where the data goes: {@code dst.remaining()} bytes, a multiple of the block size
     * @return completes when every byte arrived
     */
    public CompletionStage<Void> read(long lba, ByteBuffer dst) {
        return transfer(lba, dst, false);
    }

    /**
     * Writes blocks.
     *
     * @param lba the first block
     * @param src the data: {@code src.remaining()} bytes, a multiple of the block size
     * @return completes when the target acknowledged every byte
     */
    public CompletionStage<Void> write(long lba, ByteBuffer src) {
        return transfer(lba, src, true);
    }

    private CompletionStage<Void> transfer(long lba, ByteBuffer buffer, boolean write) {
        Objects.requireNonNull(buffer, "buffer");
        int length = buffer.remaining();
        if (length % blockSize != 0) {
            return CompletableFuture.failedFuture(new IllegalArgumentException(length
                    + " bytes is not a whole number of " + blockSize + "-byte blocks"));
        }
        long blocks = length / blockSize;
        if (lba < 0 || lba + blocks > blockCount) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("blocks " + lba + "+" + blocks
                    + " are outside LUN " + lun + " (" + blockCount + " blocks)"));
        }
        List<CompletableFuture<Void>> parts = new ArrayList<>();
        for (long done = 0; done < blocks; ) {
            int chunk = (int) Math.min(maxTransferBlocks, blocks - done);
            ByteBuffer slice = buffer.duplicate();
            int from = buffer.position() + (int) (done * blockSize);
            slice.limit(from + chunk * blockSize).position(from);
            slice = slice.slice();
            byte[] cdb = rw16(write ? 0x8A : 0x88, lba + done, chunk);
            String name = (write ? "WRITE (16) at LBA " : "READ (16) at LBA ") + (lba + done);
            ScsiRequest request = write ? ScsiRequest.write(lun, cdb, slice) : ScsiRequest.read(lun, cdb, slice);
            int expected = chunk * blockSize;
            parts.add(execute(request, UNIT_ATTENTION_RETRIES).thenAccept(r -> check(name, r, expected))
                    .toCompletableFuture());
            done += chunk;
        }
        return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new));
    }

    private CompletionStage<ScsiResult> execute(ScsiRequest request, int retries) {
        return execute(session, request, retries);
    }

    /** Runs a command, again while it is answered with UNIT ATTENTION, at most {@code retries} more times. */
    private static CompletionStage<ScsiResult> execute(IscsiSession session, ScsiRequest request, int retries) {
        return session.execute(request).thenCompose(result -> {
            if (retries > 0 && result.status() == ScsiResult.CHECK_CONDITION && result.sense() != null
                    && result.sense().senseKey() == SenseData.UNIT_ATTENTION) {
                return execute(session, request, retries - 1);
            }
            return CompletableFuture.completedFuture(result);
        });
    }

    private static byte[] rw16(int opcode, long lba, int blocks) {
        byte[] cdb = new byte[16];
        cdb[0] = (byte) opcode;
        ByteBuffer.wrap(cdb).putLong(2, lba).putInt(10, blocks);
        return cdb;
    }

    private static void check(String command, ScsiResult result, int expected) {
        if (!result.isGood()) {
            throw new CompletionException(new ScsiCommandException(command, result));
        }
        if (result.residual() != 0 && expected > 0) {
            throw new CompletionException(new IscsiException(command + ": residual " + result.residual()
                    + " of " + expected + " bytes"));
        }
    }

    /**
     * Makes written data durable: SYNCHRONIZE CACHE (16) over the whole LUN.
     *
     * @return completes when the target reported GOOD
     */
    public CompletionStage<Void> flush() {
        byte[] cdb = new byte[16];
        cdb[0] = (byte) 0x91;
        return execute(ScsiRequest.noData(lun, cdb), UNIT_ATTENTION_RETRIES)
                .thenAccept(r -> check("SYNCHRONIZE CACHE", r, 0));
    }

    /**
     * Deallocates blocks: UNMAP, split by the target's MAXIMUM UNMAP LBA COUNT.
     *
     * @param lba the first block
     * @param blocks how many
     * @return completes when the target reported GOOD
     */
    public CompletionStage<Void> unmap(long lba, long blocks) {
        if (lba < 0 || blocks < 0 || lba + blocks > blockCount) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("blocks " + lba + "+" + blocks
                    + " are outside LUN " + lun + " (" + blockCount + " blocks)"));
        }
        List<CompletableFuture<Void>> parts = new ArrayList<>();
        for (long done = 0; done < blocks; ) {
            long chunk = Math.min(maxUnmapBlocks, blocks - done);
            ByteBuffer parameters = ByteBuffer.allocate(24);
            parameters.putShort(0, (short) 22).putShort(2, (short) 16).putLong(8, lba + done)
                    .putInt(16, (int) chunk);
            byte[] cdb = new byte[10];
            cdb[0] = 0x42;
            cdb[8] = 24;
            parts.add(execute(ScsiRequest.write(lun, cdb, parameters), UNIT_ATTENTION_RETRIES)
                    .thenAccept(r -> check("UNMAP", r, 0)).toCompletableFuture());
            done += chunk;
        }
        return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new));
    }

    /**
     * {@link #read} and wait.
     *
     * @param lba the first block
     * @param dst where the data goes
     * @throws IscsiException if the read failed or timed out
     */
    public void readBlocking(long lba, ByteBuffer dst) throws IscsiException {
        await(read(lba, dst), "read");
    }

    /**
     * {@link #write} and wait.
     *
     * @param lba the first block
     * @param src the data
     * @throws IscsiException if the write failed or timed out
     */
    public void writeBlocking(long lba, ByteBuffer src) throws IscsiException {
        await(write(lba, src), "write");
    }

    /**
     * {@link #flush} and wait.
     *
     * @throws IscsiException if the flush failed or timed out
     */
    public void flushBlocking() throws IscsiException {
        await(flush(), "flush");
    }

    /**
     * {@link #unmap} and wait.
     *
     * @param lba the first block
     * @param blocks how many
     * @throws IscsiException if the unmap failed or timed out
     */
    public void unmapBlocking(long lba, long blocks) throws IscsiException {
        await(unmap(lba, blocks), "unmap");
    }

    private void await(CompletionStage<Void> stage, String what) throws IscsiException {
        if (Thread.currentThread() instanceof FastThreadLocalThread) {
            throw new IllegalStateException("a blocking " + what + " on an I/O thread would deadlock; use the "
                    + "asynchronous method");
        }
        try {
            // No timeout of its own: every command ends within about twice the command timeout (it is aborted, or
            // its connection closed), and only then may the caller touch the buffer again.
            stage.toCompletableFuture().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IscsiException(what + " interrupted", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IscsiException ie) {
                throw ie;
            }
            if (cause instanceof IllegalArgumentException iae) {
                throw iae;
            }
            throw new IscsiException(what + " failed: " + cause, cause);
        }
    }

    @Override
    public String toString() {
        return "BlockDevice[LUN " + lun + ", " + blockCount + " x " + blockSize + " bytes]";
    }
}
