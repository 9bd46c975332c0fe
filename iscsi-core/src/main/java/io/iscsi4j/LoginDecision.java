package io.iscsi4j;

import io.iscsi4j.core.login.LoginStatus;

/**
 * What {@link TargetInterceptor#beforeLogin} decided. Immutable.
 *
 * @since 0.1
 */
public final class LoginDecision {

    /** The kinds of decision. */
    public enum Kind {
        /** The login completes normally. */
        ACCEPT,
        /** The login fails with a Login Response carrying {@link #statusClass()} and {@link #statusDetail()}. */
        REJECT,
        /** The connection is closed without a Login Response. */
        DROP_CONNECTION
    }

    private static final LoginDecision ACCEPT = new LoginDecision(Kind.ACCEPT, 0, 0);
    private static final LoginDecision DROP = new LoginDecision(Kind.DROP_CONNECTION, 0, 0);

    private final Kind kind;
    private final int statusClass;
    private final int statusDetail;

    private LoginDecision(Kind kind, int statusClass, int statusDetail) {
        this.kind = kind;
        this.statusClass = statusClass;
        this.statusDetail = statusDetail;
    }

    /**
     * Lets the login complete.
     *
     * @return the shared accepting decision
     */
    public static LoginDecision accept() {
        return ACCEPT;
    }

    /**
     * Closes the connection instead of answering the login.
     *
     * @return the shared dropping decision
     */
    public static LoginDecision dropConnection() {
        return DROP;
    }

    /**
     * Fails the login with a status of RFC 7143 §11.13.5: an initiator error (class 2, for example 0x0202
     * authorization failure) or a target error (class 3, for example 0x0301 service unavailable). The target closes
     * the connection after the response.
     *
     * @param statusClass 2 or 3
     * @param statusDetail a detail RFC 7143 assigns in that class
     * @return the rejecting decision
     * @throws IllegalArgumentException for success, redirection (which needs a TargetAddress) or an unassigned
     *     status
     */
    public static LoginDecision reject(int statusClass, int statusDetail) {
        if (statusClass != 2 && statusClass != 3
                || LoginStatus.fromCodes(statusClass, statusDetail).isEmpty()) {
            throw new IllegalArgumentException(String.format(
                    "not an initiator or target error login status: 0x%02X%02X", statusClass, statusDetail));
        }
        return new LoginDecision(Kind.REJECT, statusClass, statusDetail);
    }

    /**
     * The kind of decision.
     *
     * @return accept, reject or drop
     */
    public Kind kind() {
        return kind;
    }

    /**
     * The Status-Class of a rejection.
     *
     * @return 2 or 3 for {@link Kind#REJECT}, else 0
     */
    public int statusClass() {
        return statusClass;
    }

    /**
     * The Status-Detail of a rejection.
     *
     * @return the detail for {@link Kind#REJECT}, else 0
     */
    public int statusDetail() {
        return statusDetail;
    }

    @Override
    public String toString() {
        return kind == Kind.REJECT ? String.format("REJECT 0x%02X%02X", statusClass, statusDetail) : kind.name();
    }
}
