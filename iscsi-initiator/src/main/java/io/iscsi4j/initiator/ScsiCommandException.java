package io.iscsi4j.initiator;

/**
 * A {@link BlockDevice} command ended with a status other than GOOD (CHECK CONDITION with its sense, BUSY...).
 *
 * @since 0.1
 */
public class ScsiCommandException extends IscsiException {

    private static final long serialVersionUID = 1L;

    private final transient ScsiResult result;

    /**
     * A failed command.
     *
     * @param command what was run, for the message
     * @param result the target's answer
     */
    public ScsiCommandException(String command, ScsiResult result) {
        super(command + " failed: " + result.statusName() + (result.sense() != null ? ", " + result.sense() : ""));
        this.result = result;
    }

    /**
     * The target's answer.
     *
     * @return status and sense
     */
    public ScsiResult result() {
        return result;
    }

    /**
     * The sense, if any.
     *
     * @return the sense data or {@code null}
     */
    public SenseData sense() {
        return result == null ? null : result.sense();
    }
}
