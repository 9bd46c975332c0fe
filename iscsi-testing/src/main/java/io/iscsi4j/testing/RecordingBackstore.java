package io.iscsi4j.testing;

import io.iscsi4j.backstore.Backstore;
import io.iscsi4j.backstore.ForwardingBackstore;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A backstore decorator that records every read, write, flush, unmap, write same and compare and write the target
 * issues (with LBA, block count and FUA) before forwarding it, for tests to take in order with
 * {@link #takeCommand(Duration)}, like a mock server's request queue. {@link #writeBlocks} and {@link #readBlocks}
 * seed and inspect the contents directly, without being recorded.
 *
 * <p>The queue is unbounded: a test that moves gigabytes through the target should {@link #clearCommands()} now
 * and then. Thread-safe.
 *
 * @since 0.1
 */
public final class RecordingBackstore extends ForwardingBackstore {

    private static final Duration DIRECT_TIMEOUT = Duration.ofSeconds(30);

    private final BlockingQueue<RecordedCommand> commands = new LinkedBlockingQueue<>();
    private final Backstore direct;

    /**
     * Records the calls to a backstore.
     *
     * @param delegate the storage; closed when this is closed
     */
    public RecordingBackstore(Backstore delegate) {
        this(delegate, delegate);
    }

    /**
     * @param delegate where recorded calls go (perhaps through a fault injector)
     * @param direct the storage itself, for {@link #writeBlocks} and {@link #readBlocks}
     */
    RecordingBackstore(Backstore delegate, Backstore direct) {
        super(delegate);
        this.direct = Objects.requireNonNull(direct, "direct");
    }

    // ---- the recorded queue ----

    /**
     * Takes the oldest recorded command, waiting for one to arrive.
     *
     * @param timeout how long to wait
     * @return the command
     * @throws AssertionError when none arrived within {@code timeout}
     * @throws InterruptedException when interrupted while waiting
     */
    public RecordedCommand takeCommand(Duration timeout) throws InterruptedException {
        RecordedCommand c = commands.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        if (c == null) {
            throw new AssertionError("no storage command recorded within " + timeout.toMillis() + " ms");
        }
        return c;
    }

    /**
     * Takes the oldest recorded command of a type, dropping older ones of other types (the target's own reads
     * and flushes around the one a test waits for).
     *
     * @param type the type to wait for
     * @param timeout how long to wait in total
     * @return the command
     * @throws AssertionError when none arrived within {@code timeout}
     * @throws InterruptedException when interrupted while waiting
     */
    public RecordedCommand takeCommand(RecordedCommand.Type type, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            RecordedCommand c = left > 0 ? commands.poll(left, TimeUnit.NANOSECONDS) : commands.poll();
            if (c == null) {
                throw new AssertionError("no " + type + " recorded within " + timeout.toMillis() + " ms");
            }
            if (c.type() == type) {
                return c;
            }
        }
    }

    /**
     * Takes the oldest recorded command without waiting.
     *
     * @return the command, or empty when none is queued
     */
    public Optional<RecordedCommand> pollCommand() {
        return Optional.ofNullable(commands.poll());
    }

    /**
     * Takes every queued command.
     *
     * @return the commands, oldest first
     */
    public List<RecordedCommand> drainCommands() {
        List<RecordedCommand> all = new ArrayList<>();
        commands.drainTo(all);
        return all;
    }

    /** Forgets every queued command. */
    public void clearCommands() {
        commands.clear();
    }

    // ---- direct access ----

    /**
     * Writes blocks directly to the storage, neither recorded nor subject to faults: seeds the LUN before the
     * initiator reads it.
     *
     * @param lba the first block
     * @param data a whole number of blocks
     * @throws UncheckedIOException when the storage fails
     */
    public void writeBlocks(long lba, byte[] data) {
        if (data.length % blockSize() != 0) {
            throw new IllegalArgumentException(data.length + " bytes is not a whole number of "
                    + blockSize() + "-byte blocks");
        }
        await(direct.write(lba, ByteBuffer.wrap(data), false));
    }

    /**
     * Reads blocks directly from the storage, neither recorded nor subject to faults: checks what the initiator
     * wrote.
     *
     * @param lba the first block
     * @param blocks how many blocks
     * @return the bytes
     * @throws UncheckedIOException when the storage fails
     */
    public byte[] readBlocks(long lba, int blocks) {
        byte[] data = new byte[Math.multiplyExact(blocks, blockSize())];
        await(direct.read(lba, ByteBuffer.wrap(data)));
        return data;
    }

    private static void await(CompletionStage<Void> stage) {
        try {
            stage.toCompletableFuture().get(DIRECT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw new UncheckedIOException(cause instanceof IOException io ? io : new IOException(cause));
        } catch (TimeoutException e) {
            throw new UncheckedIOException(new IOException("storage did not answer within " + DIRECT_TIMEOUT, e));
        }
    }

    // ---- recorded operations ----

    @Override
    public CompletionStage<Void> read(long lba, ByteBuffer dst) {
        commands.add(new RecordedCommand(RecordedCommand.Type.READ, lba, dst.remaining() / blockSize(), false));
        return super.read(lba, dst);
    }

    @Override
    public CompletionStage<Void> write(long lba, ByteBuffer src, boolean fua) {
        commands.add(new RecordedCommand(RecordedCommand.Type.WRITE, lba, src.remaining() / blockSize(), fua));
        return super.write(lba, src, fua);
    }

    @Override
    public CompletionStage<Void> flush() {
        commands.add(new RecordedCommand(RecordedCommand.Type.FLUSH, 0, 0, false));
        return super.flush();
    }

    @Override
    public CompletionStage<Void> unmap(long lba, long blocks) {
        commands.add(new RecordedCommand(RecordedCommand.Type.UNMAP, lba, blocks, false));
        return super.unmap(lba, blocks);
    }

    @Override
    public CompletionStage<Void> writeSame(long lba, long blocks, ByteBuffer block, boolean fua) {
        commands.add(new RecordedCommand(RecordedCommand.Type.WRITE_SAME, lba, blocks, fua));
        return super.writeSame(lba, blocks, block, fua);
    }

    @Override
    public CompletionStage<Void> compareAndWrite(long lba, ByteBuffer expected, ByteBuffer data, boolean fua) {
        commands.add(new RecordedCommand(RecordedCommand.Type.COMPARE_AND_WRITE, lba,
                data.remaining() / blockSize(), fua));
        return super.compareAndWrite(lba, expected, data, fua);
    }
}
