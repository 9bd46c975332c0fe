package io.iscsi4j.scsi;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Asynchronous shared/exclusive locks on ranges of logical blocks, one instance per logical unit: how the device
 * server makes COMPARE AND WRITE, ORWRITE, WRITE ATOMIC and SANITIZE atomic with respect to every other command
 * that touches the same blocks, whatever the backstore.
 *
 * <p>Every command that reads or writes the medium holds a claim on its range while its backstore calls run:
 * shared for plain reads and writes (which SCSI lets run concurrently, in any order), exclusive for the atomic
 * read-modify-write commands. Shared claims never conflict with each other; an exclusive claim conflicts with every
 * overlapping claim. A claim that conflicts with a granted claim, or with an earlier claim still waiting, waits:
 * grants are first-come first-served among conflicting claims, so a stream of reads cannot starve an exclusive
 * claim, and claims on disjoint ranges never wait for each other. Claims are taken after Data-Out has arrived, never
 * while the initiator is still sending, and each command holds at most one claim, so there is no deadlock.
 *
 * <p>Waiting never blocks a thread: {@link #acquire} runs the claim's continuation inline when the claim is granted
 * at once, otherwise {@link #release} of the conflicting claim runs it, on the releasing thread (a backstore
 * completion thread or the logical unit's executor). Continuations run outside the monitor. Thread-safe.
 *
 * <p>A claim is an object the caller supplies: a command in flight on the data path ({@link BlockIo}) is its own
 * claim, so a READ or WRITE allocates nothing here; other callers pass a continuation and get a claim made for it.
 * Each claim object is acquired once and released once.
 */
final class LbaLocks {

    /**
     * A granted or waiting claim on blocks {@code [start, end)}: one acquisition. Subclasses say what runs when it is
     * granted. The range is set by {@link #acquire(Claim, long, long, boolean)}, under the monitor of the locks, and
     * read only under it.
     */
    abstract static class Claim {
        private long start;
        private long end;
        private boolean exclusive;
        /** Set by its one {@link #acquire}: a claim object is never acquired again, not even after its release. */
        private boolean acquired;

        /**
         * The claim was granted: before {@link #acquire} returned when nothing conflicted, otherwise on the thread that
         * released the last conflicting claim, outside the monitor. Must not throw; the claim must be
         * {@linkplain #release released} exactly once, by this method or by what it starts.
         */
        abstract void granted();

        final boolean conflictsWith(Claim other) {
            return (exclusive || other.exclusive) && start < other.end && other.start < end;
        }
    }

    /** The claim made for a continuation ({@link #acquire(long, long, boolean, Consumer)}). */
    private static final class ContinuationClaim extends Claim {
        private final Consumer<Claim> onGranted;

        ContinuationClaim(Consumer<Claim> onGranted) {
            this.onGranted = onGranted;
        }

        @Override
        void granted() {
            onGranted.accept(this);
        }
    }

    /** A range covering every block: what SANITIZE claims. */
    static final long ALL = Long.MAX_VALUE;

    private final List<Claim> granted = new ArrayList<>();
    private final List<Claim> waiting = new ArrayList<>();
    /** Granted or waiting exclusive claims; when 0, a shared claim is granted without looking at the lists. */
    private int exclusives;

    /**
     * Claims blocks {@code [lba, lba + blocks)} with a claim made for {@code onGranted}, and passes the claim to it
     * once it is granted: before this method returns when nothing conflicts, otherwise on the thread that releases the
     * last conflicting claim. The continuation (or what it starts) must {@link #release} the claim exactly once.
     *
     * @param lba first block, {@code >= 0}
     * @param blocks number of blocks, {@code >= 1} ({@link #ALL} for every block)
     * @param exclusive whether the claim excludes every overlapping claim, shared or exclusive
     * @param onGranted what to run when granted, given the claim to release; must not throw
     */
    void acquire(long lba, long blocks, boolean exclusive, Consumer<Claim> onGranted) {
        acquire(new ContinuationClaim(onGranted), lba, blocks, exclusive);
    }

    /**
     * Claims blocks {@code [lba, lba + blocks)} with the caller's claim object, and runs its {@link Claim#granted}
     * once the claim is granted: before this method returns when nothing conflicts, otherwise on the thread that
     * releases the last conflicting claim. {@code granted} (or what it starts) must {@link #release} the claim exactly
     * once.
     *
     * @param claim a claim object never acquired before
     * @param lba first block, {@code >= 0}
     * @param blocks number of blocks, {@code >= 1} ({@link #ALL} for every block)
     * @param exclusive whether the claim excludes every overlapping claim, shared or exclusive
     * @throws IllegalStateException if {@code claim} was acquired before
     */
    void acquire(Claim claim, long lba, long blocks, boolean exclusive) {
        boolean grantNow;
        synchronized (this) {
            if (claim.acquired) {
                throw new IllegalStateException("a claim is acquired once");
            }
            claim.acquired = true;
            claim.start = lba;
            claim.end = blocks >= ALL - lba ? ALL : lba + blocks;
            claim.exclusive = exclusive;
            if (exclusive) {
                exclusives++;
            }
            grantNow = (!exclusive && exclusives == 0) || !conflicts(claim, granted) && !conflicts(claim, waiting);
            (grantNow ? granted : waiting).add(claim);
        }
        if (grantNow) {
            claim.granted();
        }
    }

    /** Releases a granted claim and runs the continuations of the claims this grants. */
    void release(Claim claim) {
        List<Claim> grantNow = null;
        synchronized (this) {
            if (!removeIdentity(granted, claim)) {
                throw new IllegalStateException("releasing a claim that is not granted");
            }
            if (claim.exclusive) {
                exclusives--;
            }
            for (int i = 0; i < waiting.size(); i++) {
                Claim candidate = waiting.get(i);
                if (!conflicts(candidate, granted) && !conflicts(candidate, waiting.subList(0, i))) {
                    waiting.remove(i--);
                    granted.add(candidate);
                    if (grantNow == null) {
                        grantNow = new ArrayList<>(2);
                    }
                    grantNow.add(candidate);
                }
            }
        }
        if (grantNow != null) {
            for (Claim c : grantNow) {
                c.granted();
            }
        }
    }

    /** Number of granted claims (for tests). */
    synchronized int grantedCount() {
        return granted.size();
    }

    /** Number of waiting claims (for tests). */
    synchronized int waitingCount() {
        return waiting.size();
    }

    private static boolean conflicts(Claim claim, List<Claim> others) {
        for (Claim other : others) {
            if (claim.conflictsWith(other)) {
                return true;
            }
        }
        return false;
    }

    private static boolean removeIdentity(List<Claim> list, Claim claim) {
        for (int i = list.size() - 1; i >= 0; i--) {
            if (list.get(i) == claim) {
                list.remove(i);
                return true;
            }
        }
        return false;
    }
}
