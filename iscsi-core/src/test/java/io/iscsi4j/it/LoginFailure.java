package io.iscsi4j.it;

import java.io.IOException;

/** The target ended a login with a non-zero Status-Class (RFC 7143 §11.13.5). */
final class LoginFailure extends IOException {

    private static final long serialVersionUID = 1L;

    private final int statusClass;
    private final int statusDetail;

    LoginFailure(int statusClass, int statusDetail) {
        super(String.format("login failed: Status-Class 0x%02x, Status-Detail 0x%02x", statusClass, statusDetail));
        this.statusClass = statusClass;
        this.statusDetail = statusDetail;
    }

    int statusClass() {
        return statusClass;
    }

    int statusDetail() {
        return statusDetail;
    }
}
