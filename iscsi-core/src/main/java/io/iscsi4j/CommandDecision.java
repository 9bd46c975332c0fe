package io.iscsi4j;

import io.iscsi4j.scsi.AdditionalSense;
import io.iscsi4j.scsi.ScsiStatus;
import io.iscsi4j.scsi.SenseData;
import io.iscsi4j.scsi.SenseKey;

import java.util.Objects;

/**
 * What {@link TargetInterceptor#beforeCommand} decided. Immutable; the common decisions are shared instances, so
 * returning them allocates nothing.
 *
 * @since 0.1
 */
public final class CommandDecision {

    /** The kinds of decision. */
    public enum Kind {
        /** The command runs normally. */
        PROCEED,
        /**
         * The command is not run; it completes with {@link #status()} (and {@link #sense()} for CHECK CONDITION)
         * and no data. Data the initiator sends for it is accepted and discarded.
         */
        RESPOND,
        /** The connection is closed; the command gets no response. */
        DROP_CONNECTION
    }

    private static final CommandDecision PROCEED = new CommandDecision(Kind.PROCEED, null, null);
    private static final CommandDecision DROP = new CommandDecision(Kind.DROP_CONNECTION, null, null);
    private static final CommandDecision BUSY = new CommandDecision(Kind.RESPOND, ScsiStatus.BUSY, null);
    private static final CommandDecision TASK_SET_FULL =
            new CommandDecision(Kind.RESPOND, ScsiStatus.TASK_SET_FULL, null);

    private final Kind kind;
    private final ScsiStatus status;
    private final SenseData sense;

    private CommandDecision(Kind kind, ScsiStatus status, SenseData sense) {
        this.kind = kind;
        this.status = status;
        this.sense = sense;
    }

    /**
     * Lets the command run.
     *
     * @return the shared proceeding decision
     */
    public static CommandDecision proceed() {
        return PROCEED;
    }

    /**
     * Closes the connection; the command and every other task of the session get no response.
     *
     * @return the shared dropping decision
     */
    public static CommandDecision dropConnection() {
        return DROP;
    }

    /**
     * Answers BUSY (08h, SAM-5 §5.3): the logical unit cannot take the command now; initiators retry later.
     *
     * @return the shared decision
     */
    public static CommandDecision busy() {
        return BUSY;
    }

    /**
     * Answers TASK SET FULL (28h, SAM-5 §5.3): too many commands are outstanding; initiators retry, usually with
     * fewer commands in flight.
     *
     * @return the shared decision
     */
    public static CommandDecision taskSetFull() {
        return TASK_SET_FULL;
    }

    /**
     * Answers a status without sense data.
     *
     * @param status any status but CHECK CONDITION (use {@link #checkCondition})
     * @return the decision
     */
    public static CommandDecision respond(ScsiStatus status) {
        Objects.requireNonNull(status, "status");
        if (status == ScsiStatus.CHECK_CONDITION) {
            throw new IllegalArgumentException("CHECK CONDITION needs sense data: use checkCondition(key, sense)");
        }
        return new CommandDecision(Kind.RESPOND, status, null);
    }

    /**
     * Answers CHECK CONDITION with sense data, for example NOT READY / LOGICAL UNIT NOT READY, CAUSE NOT REPORTABLE.
     *
     * @param key the sense key
     * @param additionalSense the additional sense code and qualifier
     * @return the decision
     */
    public static CommandDecision checkCondition(SenseKey key, AdditionalSense additionalSense) {
        return new CommandDecision(Kind.RESPOND, ScsiStatus.CHECK_CONDITION, SenseData.of(key, additionalSense));
    }

    /**
     * The kind of decision.
     *
     * @return proceed, respond or drop
     */
    public Kind kind() {
        return kind;
    }

    /**
     * The status to answer with.
     *
     * @return the status for {@link Kind#RESPOND}, else {@code null}
     */
    public ScsiStatus status() {
        return status;
    }

    /**
     * The sense data to answer with.
     *
     * @return the sense data for CHECK CONDITION, else {@code null}
     */
    public SenseData sense() {
        return sense;
    }

    @Override
    public String toString() {
        return kind == Kind.RESPOND ? "RESPOND " + status + (sense != null ? " " + sense : "") : kind.name();
    }
}
