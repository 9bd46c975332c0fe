package io.iscsi4j.core.login;

import java.util.Objects;

/** Ends a login: thrown inside the state machine, turned into a failed response with {@link #status()}. */
final class LoginFailure extends Exception {

    private static final long serialVersionUID = 1L;

    private final LoginStatus status;

    LoginFailure(LoginStatus status, String reason) {
        super(reason, null, false, false);
        this.status = Objects.requireNonNull(status, "status");
    }

    LoginStatus status() {
        return status;
    }
}
