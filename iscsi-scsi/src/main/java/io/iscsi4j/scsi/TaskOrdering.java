package io.iscsi4j.scsi;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * When the tasks of one logical unit's task set may start, by their {@linkplain TaskAttribute task attributes}
 * (SAM-5 task set management): the transport asks before it hands a task to the {@link ScsiDispatcher}. The logical
 * unit has one task set shared by every I_T nexus (the control mode page's TST 000b), so one instance per
 * {@link LogicalUnit} ({@link LogicalUnit#taskOrdering()}) orders the tasks of every session.
 *
 * <p>A task enters the task set when the transport {@linkplain #admit admits} it; that order is the order SAM-5
 * speaks of. Then:
 * <ul>
 *   <li>a SIMPLE task starts once every ORDERED task that entered before it has ended; SIMPLE tasks run with each
 *       other in any order (QUEUE ALGORITHM MODIFIER 1);</li>
 *   <li>an ORDERED task starts once every task that entered before it has ended, and no task that enters after it
 *       (but HEAD OF QUEUE) starts before it has ended;</li>
 *   <li>a HEAD OF QUEUE task starts at once. It goes to the head of the task set: it runs with the tasks running
 *       now, and the tasks still waiting (older or newer) wait for it as for those;</li>
 *   <li>UNTAGGED and ACA are treated as SIMPLE (ACA is not supported: the dispatcher refuses NACA=1, so no ACA
 *       condition ever exists).</li>
 * </ul>
 *
 * <p>Tasks are kept in epochs: each ORDERED task has an epoch of its own, and the SIMPLE tasks between two ORDERED
 * tasks share one. The epoch at the head is open: its tasks run. When the last task of the head epoch ends, the next
 * epoch opens and its waiting tasks start. When an ORDERED task is withdrawn, the SIMPLE epochs on either side of
 * it become one. A HEAD OF QUEUE task joins the head epoch. While no ORDERED task is in the
 * task set there is one open epoch, and {@link #admit} and {@link #ended} of SIMPLE and HEAD OF QUEUE tasks are one
 * or two atomic operations on it, without a lock and without allocation; the rest takes a lock held briefly.
 *
 * <p>A task that waits is given its {@link Ticket} through its {@link Turn} when its epoch opens. The transport
 * calls {@link #ended} exactly once for every ticket it received, when the task ends (completed or aborted), and
 * {@link #withdraw} for a task aborted while it still waits, so an aborted task never holds the tasks after it.
 *
 * <p>Thread-safe. Turns run on the thread whose {@link #ended}, {@link #admit} or {@link #withdraw} call let their
 * tasks start, after every lock is released; a turn should only hand the task to the transport's own thread.
 *
 * @since 0.1
 */
public final class TaskOrdering {

    private static final Logger LOG = LoggerFactory.getLogger(TaskOrdering.class);

    /** {@link Ticket#state} bit: every older epoch has ended; the epoch's tasks may start. */
    private static final int OPEN = 1;
    /** {@link Ticket#state} bit: no SIMPLE task joins the epoch (an ORDERED epoch, or while a newer one exists). */
    private static final int SEALED = 2;
    /** {@link Ticket#state}: one task of the epoch admitted and not ended (the count is above the two flag bits). */
    private static final int ONE = 4;

    /**
     * What runs when a task that had to wait may start.
     *
     * @since 0.1
     */
    @FunctionalInterface
    public interface Turn {

        /**
         * The task may start now. Runs on whatever thread opened the task's epoch: hand the task to the
         * transport's own thread and return; must not throw.
         *
         * @param ticket the task's ticket, for {@link #ended} when the task ends
         */
        void onTurn(Ticket ticket);
    }

    /**
     * A task's place in the task set, handed back to {@link #ended} when the task ends. Opaque; the tasks of one
     * epoch share one ticket.
     *
     * @since 0.1
     */
    public static final class Ticket {

        /** {@link #OPEN} | {@link #SEALED} | live tasks × {@link #ONE}. */
        private final AtomicInteger state;
        /** The epoch of one ORDERED task (always sealed); else of SIMPLE tasks. */
        private final boolean ordered;
        /** The next newer epoch, or {@code null}; guarded by the ordering's lock. */
        private Ticket next;
        /** Turns of tasks admitted before the epoch opened, or {@code null}; guarded by the ordering's lock. */
        private ArrayDeque<Turn> waiting;

        private Ticket(boolean ordered, int state) {
            this.ordered = ordered;
            this.state = new AtomicInteger(state);
        }
    }

    /** Turns to run outside the lock: those of one epoch that opened. */
    private record Opened(Ticket ticket, ArrayDeque<Turn> turns) {
    }

    private final Object lock = new Object();
    /** The oldest epoch not yet passed; always open. Guarded by {@link #lock}. */
    private Ticket head;
    /** The newest epoch; written under {@link #lock}, read without it by the fast path of {@link #admit}. */
    private volatile Ticket tail;

    /** Creates the ordering of an empty task set. */
    public TaskOrdering() {
        Ticket first = new Ticket(false, OPEN);
        head = first;
        tail = first;
    }

    /**
     * A task enters the task set. Returns its ticket when it may start now; otherwise keeps {@code turn} and runs
     * it once the task may start (or never, after {@link #withdraw}), and returns {@code null}.
     *
     * @param attribute the task attribute ({@code null} counts as SIMPLE)
     * @param turn what runs when the task may start, if it has to wait; the same object (compared by identity)
     *     identifies the task to {@link #withdraw}
     * @return the ticket when the task may start now, else {@code null}
     */
    public Ticket admit(TaskAttribute attribute, Turn turn) {
        Objects.requireNonNull(turn, "turn");
        if (attribute != TaskAttribute.ORDERED) {
            // The newest epoch open and not sealed is also the oldest: join it and start.
            Ticket t = tail;
            int s = t.state.get();
            while ((s & (OPEN | SEALED)) == OPEN) {
                if (t.state.compareAndSet(s, s + ONE)) {
                    return t;
                }
                s = t.state.get();
            }
        }
        return admitWithLock(attribute, turn);
    }

    private Ticket admitWithLock(TaskAttribute attribute, Turn turn) {
        List<Opened> opened = new ArrayList<>(0);
        Ticket into;
        boolean now;
        synchronized (lock) {
            advance(opened);
            if (attribute == TaskAttribute.HEAD_OF_QUEUE) {
                into = head;
                into.state.addAndGet(ONE);
            } else if (attribute == TaskAttribute.ORDERED) {
                into = new Ticket(true, SEALED | ONE);
                append(into);
                advance(opened);
            } else {
                Ticket t = tail;
                if ((t.state.get() & SEALED) != 0) {
                    into = new Ticket(false, ONE);
                    append(into);
                    advance(opened);
                } else {
                    into = t;
                    into.state.addAndGet(ONE);
                }
            }
            now = (into.state.get() & OPEN) != 0;
            if (!now) {
                if (into.waiting == null) {
                    into.waiting = new ArrayDeque<>(4);
                }
                into.waiting.add(turn);
            }
        }
        run(opened);
        return now ? into : null;
    }

    /**
     * A task that received a ticket (from {@link #admit} or its {@link Turn}) ended: completed, or aborted. Call
     * exactly once per such task.
     *
     * @param ticket the task's ticket
     * @throws IllegalStateException when more tasks ended than were admitted with this ticket
     */
    public void ended(Ticket ticket) {
        int s = ticket.state.addAndGet(-ONE);
        if (s < 0) {
            ticket.state.addAndGet(ONE);
            throw new IllegalStateException("a task ended twice");
        }
        if ((s & SEALED) != 0 && s < ONE) {
            // The last task of a sealed epoch: the epochs after it may open.
            List<Opened> opened = new ArrayList<>(1);
            synchronized (lock) {
                advance(opened);
            }
            run(opened);
        }
    }

    /**
     * A task still waiting for its turn leaves the task set (it was aborted): it counts as ended, and the tasks
     * after it no longer wait for it. Withdrawing an ORDERED task lets the SIMPLE tasks that waited only for it join
     * those before it: they may start at once.
     *
     * @param turn the turn the task was admitted with
     * @return {@code true} when the task was waiting and is now out of the task set; {@code false} when its turn
     *     has come already (its {@link Turn} runs or ran, and the task must still end its ticket with {@link #ended})
     *     or it was never waiting
     */
    public boolean withdraw(Turn turn) {
        List<Opened> opened = new ArrayList<>(1);
        boolean found = false;
        synchronized (lock) {
            // A waiting task is in an epoch not yet open, so never in the head.
            for (Ticket before = head, t = head.next; t != null && !found; before = t, t = t.next) {
                if (t.waiting == null) {
                    continue;
                }
                for (Iterator<Turn> i = t.waiting.iterator(); i.hasNext(); ) {
                    if (i.next() == turn) {
                        i.remove();
                        t.state.addAndGet(-ONE);
                        if (t.ordered) {
                            unlink(before, t, opened);
                        }
                        found = true;
                        break;
                    }
                }
            }
            advance(opened);
        }
        run(opened);
        return found;
    }

    /**
     * Under the lock: removes the emptied epoch {@code gone} of a withdrawn ORDERED task, which followed
     * {@code before}. When SIMPLE epochs were on both sides of it, the later one joins the earlier one: its tasks now
     * wait only for what the earlier one waits for (nothing, when it is open).
     */
    private void unlink(Ticket before, Ticket gone, List<Opened> opened) {
        Ticket after = gone.next;
        if (after != null && !before.ordered && !after.ordered) {
            before.next = after.next;
            before.state.addAndGet(after.state.get() & ~(OPEN | SEALED));
            if (after == tail) {
                tail = before;
                before.state.getAndUpdate(s -> s & ~SEALED);
            }
            if (after.waiting != null) {
                if ((before.state.get() & OPEN) != 0) {
                    opened.add(new Opened(before, after.waiting));
                } else if (before.waiting == null) {
                    before.waiting = after.waiting;
                } else {
                    before.waiting.addAll(after.waiting);
                }
                after.waiting = null;
            }
            return;
        }
        before.next = after;
        if (gone == tail) {
            tail = before;
            if (!before.ordered) {
                before.state.getAndUpdate(s -> s & ~SEALED);
            }
        }
    }

    /** {@return how many admitted tasks wait for their turn} */
    int waitingCount() {
        synchronized (lock) {
            int n = 0;
            for (Ticket t = head; t != null; t = t.next) {
                n += t.waiting == null ? 0 : t.waiting.size();
            }
            return n;
        }
    }

    /** Under the lock: seals the newest epoch and appends {@code epoch} after it. */
    private void append(Ticket epoch) {
        Ticket t = tail;
        t.state.getAndUpdate(s -> s | SEALED);
        t.next = epoch;
        tail = epoch;
    }

    /**
     * Under the lock: passes the head over every ended epoch but the newest, opening the next one each time, and
     * collects the turns of the epochs it opened.
     */
    private void advance(List<Opened> opened) {
        Ticket h = head;
        while (h != tail && h.state.get() < ONE) {
            Ticket n = h.next;
            n.state.getAndUpdate(s -> s | OPEN);
            if (n.waiting != null) {
                opened.add(new Opened(n, n.waiting));
                n.waiting = null;
            }
            h = n;
        }
        head = h;
    }

    private static void run(List<Opened> opened) {
        for (Opened o : opened) {
            for (Turn turn : o.turns()) {
                try {
                    turn.onTurn(o.ticket());
                } catch (RuntimeException e) {
                    LOG.error("a task's turn failed; the tasks after it may wait for it forever", e);
                }
            }
        }
    }

    @Override
    public String toString() {
        return "TaskOrdering[waiting=" + waitingCount() + "]";
    }
}
