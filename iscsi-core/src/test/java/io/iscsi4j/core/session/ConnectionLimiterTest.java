package io.iscsi4j.core.session;

import io.iscsi4j.ResourceLimits;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ConnectionLimiterTest {

    private static final InetAddress A = address(1);
    private static final InetAddress B = address(2);

    private static InetAddress address(int last) {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) 192, 0, 2, (byte) last});
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** 100 connections, 50 per address, 10 pending logins, 3 per address. */
    private final ConnectionLimiter limiter = new ConnectionLimiter(
            new ResourceLimits(100, 50, 10, 3, 100, 16, 100, 16, 65536, 65536));

    @Test
    void oneAddressGetsAtMostItsShareOfPendingLogins() {
        List<ConnectionLimiter.Ticket> fromA = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            fromA.add(limiter.tryAdmit(A));
        }
        assertThat(fromA).doesNotContainNull();
        assertThat(limiter.tryAdmit(A)).isNull();
        assertThat(limiter.refusalReason(A)).contains("maxPendingLoginsPerAddress 3");
        assertThat(limiter.tryAdmit(B)).as("another address").isNotNull();
        assertThat(limiter.pendingLogins(A)).isEqualTo(3);
        assertThat(limiter.pendingLogins()).isEqualTo(4);
        assertThat(limiter.refused()).isEqualTo(1);
    }

    @Test
    void aCompletedLoginOrAClosedConnectionFreesThePendingSlot() {
        ConnectionLimiter.Ticket first = limiter.tryAdmit(A);
        ConnectionLimiter.Ticket second = limiter.tryAdmit(A);
        ConnectionLimiter.Ticket third = limiter.tryAdmit(A);
        assertThat(limiter.tryAdmit(A)).isNull();

        first.loginCompleted();
        first.loginCompleted(); // idempotent
        ConnectionLimiter.Ticket fourth = limiter.tryAdmit(A);
        assertThat(fourth).isNotNull();
        assertThat(limiter.tryAdmit(A)).isNull();

        second.release();
        second.release(); // idempotent
        assertThat(limiter.pendingLogins(A)).isEqualTo(2);
        first.release(); // logged in: its pending slot was already given back
        third.release();
        fourth.release();
        assertThat(limiter.pendingLogins(A)).isZero();
        assertThat(limiter.pendingLogins()).isZero();
        assertThat(limiter.connections()).isZero();
    }
}
