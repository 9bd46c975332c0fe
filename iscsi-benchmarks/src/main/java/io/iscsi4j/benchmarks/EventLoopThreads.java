package io.iscsi4j.benchmarks;

import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.FastThreadLocalThread;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The JMH executor of these benchmarks: worker threads that are Netty {@link FastThreadLocalThread}s, like the event
 * loop threads the target's network code runs on in production.
 *
 * <p>Why: Netty's pooled allocator gives a per-thread buffer cache only to such threads (unless
 * {@code io.netty.allocator.useCacheForAllThreads} is set), and its object recyclers treat them differently too. On
 * JMH's plain worker threads every buffer would come from the shared arenas, and time and allocation would not be
 * those of the target. JMH creates this executor when the forked JVM has {@code -Djmh.executor=CUSTOM
 * -Djmh.executor.class=io.iscsi4j.benchmarks.EventLoopThreads} ({@link JvmOptions}, set by every benchmark's
 * {@code @Fork}).
 */
public final class EventLoopThreads extends ThreadPoolExecutor {

    private static volatile boolean warned;

    /**
     * Called by JMH.
     *
     * @param maxThreads the number of benchmark threads
     * @param prefix the thread name prefix JMH chose
     */
    public EventLoopThreads(int maxThreads, String prefix) {
        super(maxThreads, maxThreads, 1, TimeUnit.MINUTES, new LinkedBlockingQueue<>(),
                new DefaultThreadFactory(prefix, true));
    }

    /** Warns once, on standard error, when a benchmark runs on a thread that is not an event loop thread. */
    static void checkThread() {
        if (!(Thread.currentThread() instanceof FastThreadLocalThread) && !warned) {
            warned = true;
            System.err.println("WARNING: the benchmark runs on " + Thread.currentThread()
                    + ", not on a Netty FastThreadLocalThread: Netty's buffer caches and recyclers behave unlike"
                    + " on the target's event loops; run with " + JvmOptions.EXECUTOR + " "
                    + JvmOptions.EXECUTOR_CLASS);
        }
    }
}
