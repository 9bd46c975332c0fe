package io.iscsi4j.scsi;

import static io.iscsi4j.scsi.TaskAttribute.ACA;
import static io.iscsi4j.scsi.TaskAttribute.HEAD_OF_QUEUE;
import static io.iscsi4j.scsi.TaskAttribute.ORDERED;
import static io.iscsi4j.scsi.TaskAttribute.SIMPLE;
import static io.iscsi4j.scsi.TaskAttribute.UNTAGGED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class TaskOrderingTest {

    private final TaskOrdering ordering = new TaskOrdering();
    /** Names of the tasks in the order they started. */
    private final List<String> started = new ArrayList<>();

    /** A task of the test: admitted under a name, started now or on its turn. */
    private final class Task implements TaskOrdering.Turn {
        final String name;
        TaskOrdering.Ticket ticket;

        Task(String name) {
            this.name = name;
        }

        @Override
        public void onTurn(TaskOrdering.Ticket t) {
            assertThat(ticket).as("%s got its turn twice", name).isNull();
            ticket = t;
            started.add(name);
        }

        void end() {
            ordering.ended(ticket);
        }

        boolean running() {
            return ticket != null;
        }
    }

    private Task admit(String name, TaskAttribute attribute) {
        Task t = new Task(name);
        TaskOrdering.Ticket now = ordering.admit(attribute, t);
        if (now != null) {
            t.onTurn(now);
        }
        return t;
    }

    @Test
    void simpleTasksRunConcurrently() {
        Task a = admit("a", SIMPLE);
        Task b = admit("b", SIMPLE);
        Task c = admit("c", UNTAGGED);
        Task d = admit("d", ACA);

        assertThat(started).containsExactly("a", "b", "c", "d");
        b.end();
        a.end();
        admit("e", SIMPLE);
        assertThat(started).containsExactly("a", "b", "c", "d", "e");
        c.end();
        d.end();
        assertThat(ordering.waitingCount()).isZero();
    }

    @Test
    void anOrderedTaskWaitsForOlderTasksAndLaterSimpleTasksWaitForIt() {
        Task s1 = admit("s1", SIMPLE);
        Task s2 = admit("s2", SIMPLE);
        Task o = admit("o", ORDERED);
        Task s3 = admit("s3", SIMPLE);
        Task s4 = admit("s4", SIMPLE);

        assertThat(started).containsExactly("s1", "s2");
        assertThat(ordering.waitingCount()).isEqualTo(3);

        s2.end();
        assertThat(o.running()).as("one older task is still running").isFalse();
        s1.end();
        assertThat(started).containsExactly("s1", "s2", "o");
        assertThat(s3.running()).as("a later SIMPLE task waits for the ORDERED one").isFalse();

        o.end();
        assertThat(started).containsExactly("s1", "s2", "o", "s3", "s4");
        s3.end();
        s4.end();
        assertThat(ordering.waitingCount()).isZero();
    }

    @Test
    void orderedTasksRunOneAfterAnotherInOrder() {
        Task o1 = admit("o1", ORDERED);
        Task o2 = admit("o2", ORDERED);
        Task s = admit("s", SIMPLE);
        Task o3 = admit("o3", ORDERED);

        assertThat(started).containsExactly("o1");
        o1.end();
        assertThat(started).containsExactly("o1", "o2");
        o2.end();
        assertThat(started).containsExactly("o1", "o2", "s");
        s.end();
        assertThat(started).containsExactly("o1", "o2", "s", "o3");
        o3.end();
        admit("after", SIMPLE);
        assertThat(started).containsExactly("o1", "o2", "s", "o3", "after");
    }

    @Test
    void anOrderedTaskInAnIdleTaskSetRunsAtOnce() {
        Task s = admit("s", SIMPLE);
        s.end();
        Task o = admit("o", ORDERED);
        Task s2 = admit("s2", SIMPLE);
        Task h = admit("h", HEAD_OF_QUEUE);

        assertThat(started).as("a task admitted while an ORDERED one runs waits").containsExactly("s", "o", "h");
        o.end();
        assertThat(s2.running()).as("s2 waits for the HEAD OF QUEUE task too").isFalse();
        h.end();
        assertThat(started).containsExactly("s", "o", "h", "s2");
    }

    @Test
    void headOfQueueRunsAtOnceAndTheWaitingTasksWaitForIt() {
        Task s1 = admit("s1", SIMPLE);
        Task o = admit("o", ORDERED);
        Task s2 = admit("s2", SIMPLE);
        Task h = admit("h", HEAD_OF_QUEUE);

        assertThat(started).as("HEAD OF QUEUE starts ahead of the waiting tasks").containsExactly("s1", "h");

        s1.end();
        assertThat(o.running()).as("the ORDERED task waits for the HEAD OF QUEUE task ahead of it").isFalse();
        h.end();
        assertThat(started).containsExactly("s1", "h", "o");
        Task h2 = admit("h2", HEAD_OF_QUEUE);
        assertThat(h2.running()).as("HEAD OF QUEUE runs even while an ORDERED task runs").isTrue();
        o.end();
        assertThat(s2.running()).as("s2 waits for the HEAD OF QUEUE task now ahead of it").isFalse();
        h2.end();
        assertThat(started).containsExactly("s1", "h", "o", "h2", "s2");
    }

    @Test
    void anAbortedWaitingTaskUnblocksTheTasksAfterIt() {
        Task s1 = admit("s1", SIMPLE);
        Task o = admit("o", ORDERED);
        Task s2 = admit("s2", SIMPLE);
        Task o2 = admit("o2", ORDERED);
        Task s3 = admit("s3", SIMPLE);

        assertThat(ordering.withdraw(o)).isTrue();
        assertThat(ordering.withdraw(o)).as("withdrawn once").isFalse();
        assertThat(started).as("s2 waited only for the withdrawn ORDERED task").containsExactly("s1", "s2");
        assertThat(ordering.withdraw(s2)).as("its turn came already: it must end its ticket").isFalse();

        s1.end();
        assertThat(o2.running()).as("o2 still waits for s2").isFalse();
        assertThat(ordering.withdraw(o2)).isTrue();
        assertThat(started).containsExactly("s1", "s2", "s3");
        s2.end();
        s3.end();
        assertThat(ordering.waitingCount()).isZero();
        assertThat(admit("o3", ORDERED).running()).isTrue();
    }

    @Test
    void withdrawingTheNewestOrderedTaskLetsLaterSimpleTasksRunWithTheOlderOnes() {
        Task s1 = admit("s1", SIMPLE);
        Task o = admit("o", ORDERED);

        assertThat(ordering.withdraw(o)).isTrue();
        Task s2 = admit("s2", SIMPLE);
        assertThat(started).containsExactly("s1", "s2");
        s1.end();
        s2.end();
    }

    @Test
    void withdrawnTasksOfEveryKindLeaveTheOrderOfTheOthersIntact() {
        Task s1 = admit("s1", SIMPLE);
        Task o1 = admit("o1", ORDERED);
        Task s2 = admit("s2", SIMPLE);
        Task o2 = admit("o2", ORDERED);
        Task o3 = admit("o3", ORDERED);
        Task s3 = admit("s3", SIMPLE);

        assertThat(ordering.withdraw(s2)).isTrue();
        assertThat(ordering.withdraw(o1)).isTrue();
        assertThat(ordering.withdraw(o3)).isTrue();
        assertThat(started).containsExactly("s1");
        assertThat(ordering.waitingCount()).isEqualTo(2);

        s1.end();
        assertThat(started).containsExactly("s1", "o2");
        o2.end();
        assertThat(started).containsExactly("s1", "o2", "s3");
        s3.end();
    }

    @Test
    void endingATicketTooOftenIsRefused() {
        Task s = admit("s", SIMPLE);
        s.end();

        assertThatThrownBy(s::end).isInstanceOf(IllegalStateException.class);
        assertThat(admit("s2", SIMPLE).running()).as("the ordering still works").isTrue();
    }

    /**
     * The common case costs no allocation: measured with the JDK's per-thread allocation counter, reached reflectively
     * (tests compile against this module, which does not read {@code java.management}).
     */
    @Test
    void simpleAndHeadOfQueueTasksDoNotAllocate() throws Exception {
        Object threads = Class.forName("java.lang.management.ManagementFactory").getMethod("getThreadMXBean")
                .invoke(null);
        Class<?> extended = Class.forName("com.sun.management.ThreadMXBean");
        assumeTrue(extended.isInstance(threads));
        assumeTrue((Boolean) extended.getMethod("isThreadAllocatedMemoryEnabled").invoke(threads));
        Method allocatedBytes = extended.getMethod("getThreadAllocatedBytes", long.class);
        TaskOrdering.Turn never = t -> {
            throw new AssertionError("no task waits");
        };
        @SuppressWarnings("deprecation")
        long id = Thread.currentThread().getId();
        for (int round = 0; round < 3; round++) {
            long before = (Long) allocatedBytes.invoke(threads, id);
            for (int i = 0; i < 100_000; i++) {
                TaskOrdering.Ticket a = ordering.admit(SIMPLE, never);
                TaskOrdering.Ticket b = ordering.admit(HEAD_OF_QUEUE, never);
                ordering.ended(a);
                ordering.ended(b);
            }
            long allocated = (Long) allocatedBytes.invoke(threads, id) - before;
            if (allocated < 4096) {
                return; // not a byte per task: what was allocated is the measurement's own
            }
        }
        throw new AssertionError("admitting and ending SIMPLE and HEAD OF QUEUE tasks allocates");
    }

    /**
     * One thread admits tasks with random attributes (and withdraws some waiting ones, as aborts do); four threads end
     * the running ones. Whenever a task starts, every rule must hold for the tasks admitted before it.
     */
    @Test
    @Timeout(60)
    void concurrentEndsNeverStartATaskOutOfOrder() throws Exception {
        int tasks = 20_000;
        Random random = new Random(42);
        TaskAttribute[] attributes = new TaskAttribute[tasks];
        AtomicIntegerArray state = new AtomicIntegerArray(tasks); // WAITING, RUNNING, then ENDED (or withdrawn)
        AtomicInteger floor = new AtomicInteger(); // every task below it has ended
        TaskOrdering.Ticket[] tickets = new TaskOrdering.Ticket[tasks];
        BlockingQueue<Integer> toEnd = new LinkedBlockingQueue<>();
        Queue<String> violations = new ConcurrentLinkedQueue<>();
        AtomicInteger finished = new AtomicInteger();
        List<TaskOrdering.Turn> turns = new ArrayList<>(tasks);

        for (int i = 0; i < tasks; i++) {
            int r = random.nextInt(100);
            attributes[i] = r < 80 ? SIMPLE : r < 92 ? ORDERED : HEAD_OF_QUEUE;
            int index = i;
            turns.add(ticket -> {
                tickets[index] = ticket; // published to the ending thread by the queue
                if (state.compareAndSet(index, WAITING, RUNNING)) {
                    checkStart(index, attributes, state, floor, violations);
                } else if (state.get(index) != ENDED) {
                    violations.add("task " + index + " got its turn twice");
                } // else aborted while its turn was on its way: it only ends its ticket
                toEnd.add(index);
            });
        }

        ExecutorService enders = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                long seed = w;
                workers.add(enders.submit(() -> {
                    Random delays = new Random(seed);
                    while (finished.get() < tasks) {
                        Integer i = toEnd.poll(10, TimeUnit.MILLISECONDS);
                        if (i == null) {
                            continue;
                        }
                        if (delays.nextInt(4) == 0) {
                            LockSupport.parkNanos(20_000); // a task that takes a little longer
                        }
                        state.set(i, ENDED);
                        finished.incrementAndGet();
                        ordering.ended(tickets[i]);
                    }
                    return null;
                }));
            }

            List<Integer> waiting = new ArrayList<>();
            for (int i = 0; i < tasks; i++) {
                if (random.nextInt(100) == 0) {
                    // A pause until the task set is empty, so the next tasks start at once, an ORDERED one too.
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
                    while (finished.get() < i && System.nanoTime() < deadline) {
                        LockSupport.parkNanos(50_000);
                    }
                }
                TaskOrdering.Ticket now = ordering.admit(attributes[i], turns.get(i));
                if (now != null) {
                    turns.get(i).onTurn(now);
                } else {
                    if (attributes[i] == HEAD_OF_QUEUE) {
                        violations.add("HEAD OF QUEUE task " + i + " had to wait");
                    }
                    waiting.add(i);
                }
                if (random.nextInt(50) == 0 && !waiting.isEmpty()) {
                    int victim = waiting.remove(random.nextInt(waiting.size()));
                    // Counted ended first: once withdrawn, the tasks after it may start at once.
                    if (state.compareAndSet(victim, WAITING, ENDED) && ordering.withdraw(turns.get(victim))) {
                        finished.incrementAndGet();
                    } // else its turn came: the turn sees it aborted and the ending thread ends its ticket
                }
            }
            for (Future<?> f : workers) {
                f.get(50, TimeUnit.SECONDS);
            }
        } finally {
            enders.shutdownNow();
        }
        assertThat(violations).isEmpty();
        assertThat(ordering.waitingCount()).isZero();
        for (int i = 0; i < tasks; i++) {
            assertThat(state.get(i)).as("task %d ended", i).isEqualTo(ENDED);
        }
        assertThat(admit("last", ORDERED).running()).as("nothing is left in the task set").isTrue();
    }

    private static final int WAITING = 0;
    private static final int RUNNING = 1;
    private static final int ENDED = 2;

    /** Checks the rules as task {@code i} starts against every older task. */
    private static void checkStart(int i, TaskAttribute[] attributes, AtomicIntegerArray state, AtomicInteger floor,
                                   Queue<String> violations) {
        if (attributes[i] == HEAD_OF_QUEUE) {
            return;
        }
        int j = floor.get();
        while (j < i && state.get(j) == ENDED) {
            j++;
        }
        floor.accumulateAndGet(j, Math::max);
        for (; j < i; j++) {
            if (state.get(j) == ENDED) {
                continue;
            }
            if (attributes[i] == ORDERED) {
                violations.add("ORDERED task " + i + " started before older task " + j + " ended");
                return;
            }
            if (attributes[j] == ORDERED) {
                violations.add(attributes[i] + " task " + i + " started before older ORDERED task " + j + " ended");
                return;
            }
        }
    }
}
