package io.iscsi4j.testing;

import io.iscsi4j.CommandDecision;
import io.iscsi4j.InterceptedCommand;
import io.iscsi4j.InterceptedLogin;
import io.iscsi4j.LoginDecision;
import io.iscsi4j.TargetInterceptor;
import io.iscsi4j.backstore.Backstore;
import io.iscsi4j.scsi.AdditionalSense;
import io.iscsi4j.scsi.SenseKey;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Faults an in-process target injects, changeable at any time while it runs: latency, stalled I/O, medium errors
 * at LBA ranges, a not-ready logical unit, BUSY or TASK SET FULL answers, dropped connections and rejected logins.
 *
 * <p>Two layers apply a policy. {@link #wrap(Backstore)} decorates a backstore with the storage faults (latency,
 * stall, medium error, not ready); {@link #interceptor()} is the {@link TargetInterceptor} for the connection and
 * status faults (not ready for every command, BUSY, TASK SET FULL, dropped connections, rejected logins).
 * {@link InProcessTarget} installs both. One policy may serve several backstores: its faults then apply to every
 * LUN.
 *
 * <p>Command faults (status answers and {@link #dropConnectionAfter dropped connections}) concern media-access
 * commands only: reads, writes, verifies, WRITE SAME, UNMAP, COMPARE AND WRITE, PRE-FETCH and SYNCHRONIZE CACHE.
 * Discovery commands (INQUIRY, READ CAPACITY, REPORT LUNS, MODE SENSE) still work, so an initiator can open the
 * device and then meet the fault on I/O. Login faults concern normal sessions; discovery sessions log in normally.
 *
 * <p>Thread-safe: every setter takes effect for I/O and commands that start after it returns.
 *
 * @since 0.1
 */
public final class FaultPolicy {

    /** A range of logical blocks, {@code [lba, lba + blocks)}. */
    private record LbaRange(long lba, long blocks) {
        boolean overlaps(long start, long count) {
            return start < lba + blocks && lba < start + count;
        }
    }

    private volatile long latencyNanos;
    private volatile boolean stalled;
    private volatile boolean notReady;
    private volatile List<LbaRange> mediumErrors = List.of();
    private volatile CommandDecision answer;
    private final AtomicInteger answersLeft = new AtomicInteger();
    /** Media-access commands still allowed before the connection is dropped; -1 when not armed. */
    private final AtomicInteger commandsBeforeDrop = new AtomicInteger(-1);
    private volatile boolean dropLogins;
    private volatile LoginDecision loginRejection;
    private final AtomicInteger droppedConnections = new AtomicInteger();
    private final StallGate gate = new StallGate();
    private final TargetInterceptor interceptor = new Interceptor();

    /** A policy without faults. */
    public FaultPolicy() {
    }

    // ---- storage faults ----

    /**
     * Delays the start of every storage operation (read, write, flush, unmap, write same, compare and write).
     *
     * @param delay the added latency; zero removes it
     * @return this
     */
    public FaultPolicy latency(Duration delay) {
        if (delay.isNegative()) {
            throw new IllegalArgumentException("latency must not be negative: " + delay);
        }
        latencyNanos = delay.toNanos();
        return this;
    }

    /**
     * Stalls storage operations: from now on none completes until {@link #releaseStalled()}, {@link #reset()} or
     * {@link InProcessTarget#close()}. Initiators see commands that never finish (and typically time out and abort
     * them, or reset). Closing an {@link InProcessTarget} releases stalled operations first, so it never hangs.
     *
     * @return this
     */
    public FaultPolicy stall() {
        stalled = true;
        return this;
    }

    /**
     * Ends a {@link #stall()}: stalled operations run now, later ones run at once.
     *
     * @return this
     */
    public FaultPolicy releaseStalled() {
        stalled = false;
        gate.releaseAll();
        return this;
    }

    /**
     * The storage operations currently held by {@link #stall()}.
     *
     * @return how many operations wait
     */
    public int stalledOperations() {
        return gate.size();
    }

    /**
     * Fails reads and writes touching blocks {@code [lba, lba + blocks)} with a medium error: the initiator gets
     * CHECK CONDITION, MEDIUM ERROR / UNRECOVERED READ ERROR (reads) or WRITE ERROR (writes), with the first bad LBA
     * in the sense data's INFORMATION field. Adds to earlier ranges.
     *
     * @param lba the first bad block
     * @param blocks how many blocks, at least 1
     * @return this
     */
    public FaultPolicy mediumError(long lba, long blocks) {
        if (lba < 0 || blocks < 1) {
            throw new IllegalArgumentException("bad range: lba " + lba + ", " + blocks + " blocks");
        }
        synchronized (this) {
            List<LbaRange> next = new ArrayList<>(mediumErrors);
            next.add(new LbaRange(lba, blocks));
            mediumErrors = List.copyOf(next);
        }
        return this;
    }

    /**
     * Removes every {@link #mediumError} range.
     *
     * @return this
     */
    public FaultPolicy clearMediumErrors() {
        mediumErrors = List.of();
        return this;
    }

    /**
     * Makes the logical units not ready (or ready again): every command except INQUIRY, REPORT LUNS and REQUEST
     * SENSE (SPC-5 §5.4) is answered CHECK CONDITION, NOT READY / LOGICAL UNIT NOT READY, CAUSE NOT REPORTABLE
     * (04h/00h), TEST UNIT READY included. A backstore wrapped with {@link #wrap} also fails its operations with
     * {@link io.iscsi4j.backstore.NotReadyException}.
     *
     * @param value {@code true} for not ready
     * @return this
     */
    public FaultPolicy notReady(boolean value) {
        notReady = value;
        return this;
    }

    // ---- command and connection faults ----

    /**
     * Answers the next {@code times} media-access commands with BUSY (08h) without running them.
     *
     * @param times how many commands, {@link Integer#MAX_VALUE} for all until {@link #reset()}
     * @return this
     */
    public FaultPolicy busy(int times) {
        return answer(CommandDecision.busy(), times);
    }

    /**
     * Answers the next {@code times} media-access commands with TASK SET FULL (28h) without running them.
     *
     * @param times how many commands, {@link Integer#MAX_VALUE} for all until {@link #reset()}
     * @return this
     */
    public FaultPolicy taskSetFull(int times) {
        return answer(CommandDecision.taskSetFull(), times);
    }

    /**
     * Answers the next {@code times} media-access commands with a decision of the interceptor SPI, for example
     * {@code CommandDecision.respond(ScsiStatus.RESERVATION_CONFLICT)}.
     *
     * @param decision the answer
     * @param times how many commands, at least 1; {@link Integer#MAX_VALUE} for all until {@link #reset()}
     * @return this
     */
    public FaultPolicy answer(CommandDecision decision, int times) {
        Objects.requireNonNull(decision, "decision");
        if (times < 1) {
            throw new IllegalArgumentException("times must be at least 1: " + times);
        }
        answersLeft.set(times);
        answer = decision;
        return this;
    }

    /**
     * Drops the connection once: the next {@code commands} media-access commands run, the one after closes its
     * connection without a response; later commands (on the connection the initiator opens again) run normally.
     *
     * @param commands how many commands still run, 0 to drop on the next one
     * @return this
     */
    public FaultPolicy dropConnectionAfter(int commands) {
        if (commands < 0) {
            throw new IllegalArgumentException("commands must not be negative: " + commands);
        }
        commandsBeforeDrop.set(commands);
        return this;
    }

    /**
     * Closes every connection of a normal session at the end of its login, instead of the final Login Response,
     * until set back to {@code false}.
     *
     * @param value {@code true} to drop logins
     * @return this
     */
    public FaultPolicy dropLogins(boolean value) {
        dropLogins = value;
        return this;
    }

    /**
     * Rejects every normal-session login with AUTHORIZATION FAILURE (0x0202) until {@link #acceptLogins()}.
     *
     * @return this
     */
    public FaultPolicy rejectLogins() {
        return rejectLogins(2, 2);
    }

    /**
     * Rejects every normal-session login with a status of RFC 7143 §11.13.5 until {@link #acceptLogins()}, for
     * example {@code (3, 1)} service unavailable or {@code (3, 2)} out of resources.
     *
     * @param statusClass 2 (initiator error) or 3 (target error)
     * @param statusDetail a detail RFC 7143 assigns in that class
     * @return this
     */
    public FaultPolicy rejectLogins(int statusClass, int statusDetail) {
        loginRejection = LoginDecision.reject(statusClass, statusDetail);
        return this;
    }

    /**
     * Ends {@link #rejectLogins()} and {@link #dropLogins(boolean)}.
     *
     * @return this
     */
    public FaultPolicy acceptLogins() {
        loginRejection = null;
        dropLogins = false;
        return this;
    }

    /**
     * Removes every fault and releases stalled operations.
     *
     * @return this
     */
    public FaultPolicy reset() {
        latencyNanos = 0;
        notReady = false;
        mediumErrors = List.of();
        answer = null;
        answersLeft.set(0);
        commandsBeforeDrop.set(-1);
        acceptLogins();
        releaseStalled();
        return this;
    }

    /**
     * How many connections this policy dropped so far ({@link #dropConnectionAfter} and {@link #dropLogins}), for
     * tests to check the fault fired.
     *
     * @return the count since the policy was made
     */
    public int droppedConnections() {
        return droppedConnections.get();
    }

    // ---- the two layers ----

    /**
     * Decorates a backstore with this policy's storage faults. The result owns {@code backstore} (closing it closes
     * the delegate).
     *
     * @param backstore the storage
     * @return a backstore applying latency, stalls, medium errors and not ready
     */
    public Backstore wrap(Backstore backstore) {
        return new FaultInjectingBackstore(backstore, this);
    }

    /**
     * The interceptor applying this policy's command, connection and login faults; set it with
     * {@link io.iscsi4j.IscsiTarget.Builder#interceptor}.
     *
     * @return the interceptor (always the same instance)
     */
    public TargetInterceptor interceptor() {
        return interceptor;
    }

    // ---- state read by the layers ----

    long latencyNanos() {
        return latencyNanos;
    }

    boolean stalled() {
        return stalled;
    }

    boolean isNotReady() {
        return notReady;
    }

    StallGate gate() {
        return gate;
    }

    /** The first bad block in {@code [lba, lba + blocks)}, or -1. */
    long firstBadBlock(long lba, long blocks) {
        long first = -1;
        for (LbaRange r : mediumErrors) {
            if (r.overlaps(lba, blocks)) {
                long bad = Math.max(lba, r.lba());
                if (first < 0 || bad < first) {
                    first = bad;
                }
            }
        }
        return first;
    }

    /** Media-access operation codes (SBC-4 §5): the commands status and drop faults apply to. */
    static boolean isMediaAccess(int opcode) {
        return switch (opcode) {
            case 0x08, 0x28, 0xA8, 0x88,             // READ (6, 10, 12, 16)
                 0x0A, 0x2A, 0xAA, 0x8A,             // WRITE (6, 10, 12, 16)
                 0x2E, 0xAE, 0x8E,                   // WRITE AND VERIFY (10, 12, 16)
                 0x2F, 0xAF, 0x8F,                   // VERIFY (10, 12, 16)
                 0x41, 0x93,                         // WRITE SAME (10, 16)
                 0x42,                               // UNMAP
                 0x89,                               // COMPARE AND WRITE
                 0x34, 0x90,                         // PRE-FETCH (10, 16)
                 0x35, 0x91 -> true;                 // SYNCHRONIZE CACHE (10, 16)
            default -> false;
        };
    }

    private static final CommandDecision NOT_READY = CommandDecision.checkCondition(SenseKey.NOT_READY,
            AdditionalSense.LOGICAL_UNIT_NOT_READY_CAUSE_NOT_REPORTABLE);

    /** The connection, status and login faults. */
    private final class Interceptor implements TargetInterceptor {

        @Override
        public LoginDecision beforeLogin(InterceptedLogin login) {
            if (login.discovery()) {
                return LoginDecision.accept();
            }
            if (dropLogins) {
                droppedConnections.incrementAndGet();
                return LoginDecision.dropConnection();
            }
            LoginDecision rejection = loginRejection;
            return rejection != null ? rejection : LoginDecision.accept();
        }

        @Override
        public CommandDecision beforeCommand(InterceptedCommand command) {
            int opcode = command.operationCode();
            if (notReady && opcode != 0x12 && opcode != 0xA0 && opcode != 0x03) {
                return NOT_READY;
            }
            if (!isMediaAccess(opcode)) {
                return CommandDecision.proceed();
            }
            if (shouldDrop()) {
                droppedConnections.incrementAndGet();
                return CommandDecision.dropConnection();
            }
            CommandDecision a = answer;
            if (a != null && takeAnswer()) {
                return a;
            }
            return CommandDecision.proceed();
        }

        private boolean shouldDrop() {
            while (true) {
                int n = commandsBeforeDrop.get();
                if (n < 0) {
                    return false;
                }
                if (commandsBeforeDrop.compareAndSet(n, n - 1)) {
                    return n == 0;
                }
            }
        }

        private boolean takeAnswer() {
            while (true) {
                int n = answersLeft.get();
                if (n <= 0) {
                    return false;
                }
                if (n == Integer.MAX_VALUE || answersLeft.compareAndSet(n, n - 1)) {
                    return true;
                }
            }
        }
    }
}
