package io.iscsi4j.client;

import io.iscsi4j.initiator.BlockDevice;
import io.iscsi4j.initiator.IscsiException;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A closed-loop load: {@code depth} commands of {@code blockBytes} each kept in flight for {@code seconds}; each
 * completion issues the next command from the I/O thread. Sequential patterns share one cursor that wraps at the end
 * of the LUN; random ones pick aligned offsets uniformly.
 */
final class Bench {

    /** The access pattern. */
    enum Pattern {
        READ, WRITE, RANDREAD, RANDWRITE;

        boolean writes() {
            return this == WRITE || this == RANDWRITE;
        }

        boolean random() {
            return this == RANDREAD || this == RANDWRITE;
        }
    }

    /**
     * What a run did.
     *
     * @param cpuNanos CPU time of the whole client process over the measured interval (all threads), or -1
     */
    record Result(long operations, long bytes, long nanos, long cpuNanos) {

        double iops() {
            return operations * 1e9 / nanos;
        }
    }

    private final BlockDevice dev;
    private final Pattern pattern;
    private final int blockBytes;
    private final int depth;
    private final long slots;
    private final AtomicLong cursor = new AtomicLong();
    private final AtomicLong operations = new AtomicLong();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile long deadline;
    private CountDownLatch finished;

    Bench(BlockDevice dev, Pattern pattern, int blockBytes, int depth) throws IscsiException {
        this.dev = dev;
        this.pattern = pattern;
        this.blockBytes = blockBytes;
        this.depth = depth;
        if (blockBytes % dev.blockSize() != 0) {
            throw new IscsiException("--bs " + blockBytes + " is not a multiple of the LUN's block size "
                    + dev.blockSize());
        }
        this.slots = dev.capacity() / blockBytes;
        if (slots == 0) {
            throw new IscsiException("the LUN (" + dev.capacity() + " bytes) is smaller than one --bs");
        }
    }

    /**
     * Runs the load for {@code ramp + seconds}; counts the commands that complete in the last {@code seconds} (the
     * ramp, like fio's {@code ramp_time}, lets the JIT compile the I/O path first).
     */
    Result run(long ramp, long seconds, long timeoutMillis) throws IscsiException {
        finished = new CountDownLatch(depth);
        long start = System.nanoTime();
        deadline = start + TimeUnit.SECONDS.toNanos(ramp + seconds);
        for (int i = 0; i < depth; i++) {
            ByteBuffer buffer = ByteBuffer.allocateDirect(blockBytes);
            if (pattern.writes()) {
                byte[] fill = new byte[blockBytes];
                ThreadLocalRandom.current().nextBytes(fill);
                buffer.put(fill).flip();
            }
            issue(buffer);
        }
        long measuredFrom;
        long opsBefore;
        long ops;
        long end;
        long cpuBefore;
        long cpu;
        try {
            sleepUntil(start + TimeUnit.SECONDS.toNanos(ramp));
            measuredFrom = System.nanoTime();
            cpuBefore = processCpuNanos();
            opsBefore = operations.get();
            sleepUntil(deadline);
            end = System.nanoTime();
            ops = operations.get() - opsBefore;
            cpu = cpuBefore < 0 ? -1 : processCpuNanos() - cpuBefore;
            if (!finished.await(timeoutMillis, TimeUnit.MILLISECONDS)) {
                throw new IscsiException("bench: commands still outstanding " + timeoutMillis + " ms after the end");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IscsiException("bench interrupted", e);
        }
        Throwable t = failure.get();
        if (t != null) {
            throw new IscsiException("bench: " + Connection.describe(t), Connection.unwrap(t));
        }
        return new Result(ops, ops * blockBytes, end - measuredFrom, cpu);
    }

    /** The process's CPU time so far, or -1 where the JVM does not tell. */
    private static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }

    private void sleepUntil(long nanoTime) throws InterruptedException {
        for (long left; (left = nanoTime - System.nanoTime()) > 0 && failure.get() == null; ) {
            TimeUnit.NANOSECONDS.sleep(Math.min(left, 50_000_000L));
        }
    }

    private void issue(ByteBuffer buffer) {
        if (failure.get() != null || System.nanoTime() - deadline >= 0) {
            finished.countDown();
            return;
        }
        long slot = pattern.random() ? ThreadLocalRandom.current().nextLong(slots)
                : Math.floorMod(cursor.getAndIncrement(), slots);
        long lba = slot * (blockBytes / dev.blockSize());
        (pattern.writes() ? dev.write(lba, buffer) : dev.read(lba, buffer)).whenComplete((v, e) -> {
            if (e != null) {
                failure.compareAndSet(null, e);
            } else {
                operations.incrementAndGet();
            }
            issue(buffer);
        });
    }
}
