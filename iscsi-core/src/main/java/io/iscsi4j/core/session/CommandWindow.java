package io.iscsi4j.core.session;

/**
 * The session's command window (RFC 7143 §3.2.2.1, §4.2.2.1): ExpCmdSN is the next CmdSN expected, MaxCmdSN the
 * last one the initiator may send. MaxCmdSN = ExpCmdSN - 1 + (window - outstanding), so it grows only as commands
 * complete and never shrinks. Serial-number arithmetic (RFC 1982) throughout. Not thread-safe.
 */
final class CommandWindow {

    private final int window;
    private int expCmdSN;
    private int outstanding;

    CommandWindow(int window, int initialCmdSN) {
        this.window = window;
        this.expCmdSN = initialCmdSN;
    }

    int expCmdSN() {
        return expCmdSN;
    }

    int maxCmdSN() {
        return expCmdSN - 1 + (window - outstanding);
    }

    /** Whether {@code cmdSN} lies in [ExpCmdSN, MaxCmdSN]. */
    boolean inWindow(int cmdSN) {
        return Integer.toUnsignedLong(cmdSN - expCmdSN) < (long) (window - outstanding);
    }

    /** Whether {@code cmdSN} is the next expected one. */
    boolean isNext(int cmdSN) {
        return cmdSN == expCmdSN;
    }

    /** Accepts the next command in order: it now counts as outstanding until {@link #completed()}. */
    void deliver() {
        expCmdSN++;
        outstanding++;
    }

    /** A delivered command finished (its response was sent). */
    void completed() {
        if (outstanding > 0) {
            outstanding--;
        }
    }

    int outstanding() {
        return outstanding;
    }
}
