package io.iscsi4j.scsi;

/**
 * The sanitize state of one logical unit (SBC-4 §4.11): idle, a sanitize operation in progress (with its progress),
 * or the sanitize failure mode a failed operation left behind. The operation belongs to the logical unit, not to the
 * SANITIZE command that started it: task management and the loss of the I_T nexus do not touch this state.
 *
 * <p>Thread-safe. The data path pays one volatile read ({@link #refusal}) while the logical unit is idle.
 */
final class SanitizeState {

    /** Where the logical unit stands. */
    enum Phase {
        /** No sanitize operation is in progress and none failed: commands run normally. */
        IDLE,
        /** A sanitize operation is in progress: NOT READY / SANITIZE IN PROGRESS, with a progress indication. */
        RUNNING,
        /** The last sanitize operation failed: MEDIUM ERROR / SANITIZE COMMAND FAILED until the mode is left. */
        FAILED
    }

    static final SenseData COMMAND_FAILED =
            SenseData.of(SenseKey.MEDIUM_ERROR, AdditionalSense.SANITIZE_COMMAND_FAILED);

    private volatile Phase phase = Phase.IDLE;
    /** Work units (blocks times passes) of the running operation, and how many are done. */
    private volatile long total = 1;
    private volatile long done;
    /** AUSE of the operation in progress or of the failed one: whether EXIT FAILURE MODE may leave the failure. */
    private boolean unrestricted;

    Phase phase() {
        return phase;
    }

    /**
     * Enters {@link Phase#RUNNING} for an operation of {@code totalUnits} units (at least 1).
     *
     * @param allowUnrestrictedExit the SANITIZE command's AUSE bit
     * @return {@code false} when an operation is already in progress
     */
    synchronized boolean begin(long totalUnits, boolean allowUnrestrictedExit) {
        if (phase == Phase.RUNNING) {
            return false;
        }
        total = Math.max(1, totalUnits);
        done = 0;
        unrestricted = allowUnrestrictedExit;
        phase = Phase.RUNNING;
        return true;
    }

    /** Records that {@code units} more units are done. Called by the one operation in progress only. */
    void advance(long units) {
        done = Math.min(total, done + units);
    }

    /** The operation completed without error: back to {@link Phase#IDLE}. */
    synchronized void succeeded() {
        phase = Phase.IDLE;
    }

    /** The operation failed: the logical unit enters the sanitize failure mode. */
    synchronized void failed() {
        phase = Phase.FAILED;
    }

    /**
     * Whether the failure mode was entered by an operation requested in the restricted completion mode (AUSE=0),
     * which only another sanitize operation completing without error may leave (SBC-4 §4.11.3).
     */
    synchronized boolean restricted() {
        return phase == Phase.FAILED && !unrestricted;
    }

    /**
     * SANITIZE EXIT FAILURE MODE: leaves a failure mode entered with AUSE=1.
     *
     * @return {@code false} when the failure mode is restricted (AUSE=0) and may not be left this way
     */
    synchronized boolean exitFailureMode() {
        if (phase == Phase.FAILED && !unrestricted) {
            return false;
        }
        if (phase == Phase.FAILED) {
            phase = Phase.IDLE;
        }
        return true;
    }

    /**
     * The PROGRESS INDICATION of the operation in progress: the fraction done, as a numerator over 65536 (SPC-5
     * §4.4.2.4.3), from 0 to 65535.
     */
    int progress() {
        long t = total;
        long d = done;
        return (int) Math.min(0xFFFF, (long) (d / (double) t * 65536.0));
    }

    /**
     * The sense data ending a command the state forbids: {@code null} while idle, NOT READY / LOGICAL UNIT NOT READY,
     * SANITIZE IN PROGRESS with SKSV=1 and the progress indication while an operation runs, MEDIUM ERROR / SANITIZE
     * COMMAND FAILED in the failure mode. REQUEST SENSE returns the same sense data (with GOOD status).
     */
    SenseData refusal() {
        Phase p = phase;
        if (p == Phase.IDLE) {
            return null;
        }
        if (p == Phase.RUNNING) {
            return Sense.SANITIZE_IN_PROGRESS.withSenseKeySpecific(progress());
        }
        return COMMAND_FAILED;
    }
}
