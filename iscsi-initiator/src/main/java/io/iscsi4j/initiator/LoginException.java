package io.iscsi4j.initiator;

/**
 * The target refused a login (RFC 7143 §11.13.5): the Status-Class and Status-Detail of its Login Response, or
 * the initiator gave up (for example when mutual CHAP did not authenticate the target, class 0 then).
 *
 * @since 0.1
 */
public class LoginException extends IscsiException {

    private static final long serialVersionUID = 1L;

    private final int statusClass;
    private final int statusDetail;

    /**
     * A refused login.
     *
     * @param message what went wrong
     * @param statusClass the Status-Class (1 redirection, 2 initiator error, 3 target error), 0 if the initiator
     *     ended the login
     * @param statusDetail the Status-Detail
     */
    public LoginException(String message, int statusClass, int statusDetail) {
        super(message);
        this.statusClass = statusClass;
        this.statusDetail = statusDetail;
    }

    /**
     * The Status-Class.
     *
     * @return 1, 2 or 3 for a target's refusal, 0 when the initiator ended the login
     */
    public int statusClass() {
        return statusClass;
    }

    /**
     * The Status-Detail.
     *
     * @return the detail code
     */
    public int statusDetail() {
        return statusDetail;
    }

    /**
     * Whether the target said the initiator failed authentication (status 0201h).
     *
     * @return {@code true} for an authentication failure
     */
    public boolean isAuthenticationFailure() {
        return statusClass == 2 && statusDetail == 1;
    }
}
