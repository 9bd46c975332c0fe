package io.iscsi4j.it;

import io.iscsi4j.IscsiTarget;
import io.iscsi4j.ResourceLimits;
import io.iscsi4j.backstore.Backstores;
import java.io.IOException;
import java.net.InetAddress;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Connection floods and session caps (small caps so the tests stay fast): connections over a cap are closed right
 * after accept, logins over a session cap fail with the RFC 7143 §11.13.5 status, and a well-behaved initiator
 * gets in again once the flood is gone.
 */
@Timeout(60)
class ConnectionLimitsTest {

    private static final Duration CLOSE_WITHIN = Duration.ofSeconds(3);
    /** Two source addresses on the loopback interface (Linux routes all of 127.0.0.0/8 there). */
    private static final InetAddress LOOPBACK_1 = loopback(1);
    private static final InetAddress LOOPBACK_2 = loopback(2);

    private static InetAddress loopback(int last) {
        try {
            return InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) last});
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private static IscsiTarget start(Consumer<IscsiTarget.Builder> limits) throws IOException {
        IscsiTarget.Builder b = IscsiTarget.builder()
                .portal("127.0.0.1", 0)
                .target(Targets.IQN, t -> t.lun(0, Backstores.memory(1 << 20)))
                .eventLoopThreads(2)
                .ioThreads(1);
        limits.accept(b);
        return b.build().start();
    }

    @Test
    void halfOpenLoginsOverTheCapAreClosedAtOnce() throws IOException {
        try (IscsiTarget target = start(b -> b.maxPendingLogins(2))) {
            List<PduChannel> idle = new ArrayList<>();
            try {
                idle.add(halfOpen(target));
                idle.add(halfOpen(target));
                assertRefused(target, "over maxPendingLogins");
                for (PduChannel c : idle) {
                    assertThat(c.awaitClose(Duration.ofMillis(200))).as("admitted connections stay open").isFalse();
                }
            } finally {
                closeAll(idle);
            }
            assertServedSoon(target, TestInitiator.INITIATOR_NAME);
        }
    }

    @Test
    void theLoginTimeoutFreesHalfOpenSlots() throws IOException {
        try (IscsiTarget target = start(b -> b.maxPendingLogins(1).loginTimeout(Duration.ofMillis(800)))) {
            try (PduChannel silent = PduChannel.connect(target.localAddress())) {
                assertThat(silent.awaitClose(Duration.ofSeconds(4))).as("closed by the login timeout").isTrue();
                assertServedSoon(target, TestInitiator.INITIATOR_NAME);
            }
        }
    }

    @Test
    void connectionsOverTheGlobalCapAreClosedAtOnce() throws IOException {
        try (IscsiTarget target = start(b -> b.maxConnections(3).maxPendingLogins(3))) {
            List<TestInitiator> sessions = new ArrayList<>();
            try {
                sessions.add(login(target, "iqn.2026-11.io.iscsi4j:a"));
                sessions.add(login(target, "iqn.2026-11.io.iscsi4j:b"));
                try (PduChannel idle = halfOpen(target)) {
                    assertRefused(target, "over maxConnections");
                    assertThat(idle.awaitClose(Duration.ofMillis(200))).isFalse();
                }
                sessions.remove(0).close();
                assertServedSoon(target, TestInitiator.INITIATOR_NAME);
            } finally {
                for (TestInitiator i : sessions) {
                    i.close();
                }
            }
        }
    }

    @Test
    void connectionsOverThePerAddressCapAreClosedAtOnce() throws IOException {
        try (IscsiTarget target = start(b -> b.maxConnectionsPerAddress(2))) {
            List<PduChannel> idle = new ArrayList<>();
            try {
                idle.add(halfOpen(target));
                idle.add(halfOpen(target));
                assertRefused(target, "over maxConnectionsPerAddress");
            } finally {
                closeAll(idle);
            }
            assertServedSoon(target, TestInitiator.INITIATOR_NAME);
        }
    }

    /**
     * One address opens as many idle connections as there are pending-login slots in all (64 at the defaults) and
     * never logs in: only {@code maxPendingLoginsPerAddress} of them (8) are admitted, the others are closed at
     * once, and an initiator at another address still logs in.
     */
    @Test
    void oneAddressCannotTakeEveryPendingLoginSlot() throws IOException {
        try (IscsiTarget target = start(b -> { })) {
            int flood = ResourceLimits.DEFAULT.maxPendingLogins();
            int admitted = ResourceLimits.DEFAULT.maxPendingLoginsPerAddress();
            List<PduChannel> idle = new ArrayList<>();
            try {
                int refusedWhileConnecting = 0;
                for (int i = 0; i < flood; i++) {
                    try {
                        idle.add(PduChannel.connect(target.localAddress(), LOOPBACK_1));
                    } catch (SocketException reset) {
                        refusedWhileConnecting++;
                    }
                }
                assertThat(openAfterRefusals(idle, flood - admitted - refusedWhileConnecting))
                        .as("idle connections left open from one address").isEqualTo(admitted);

                try (TestInitiator other = TestInitiator.connect(target.localAddress(), LOOPBACK_2)) {
                    other.login(TestInitiator.INITIATOR_NAME, Targets.IQN, Map.of());
                    assertThat(other.testUnitReady().good()).isTrue();
                    assertThat(other.logout()).isZero();
                }
                try (PduChannel more = PduChannel.connect(target.localAddress(), LOOPBACK_2)) {
                    HostileInputTest.startLogin(more);
                }
                assertRefused(target, "a ninth pending login from the flooding address");
            } finally {
                closeAll(idle);
            }
            assertServedSoon(target, TestInitiator.INITIATOR_NAME);
        }
    }

    /** The per-address cap counts logins in progress only: logged-in sessions from one address do not count. */
    @Test
    void sessionsThatCompletedLoginFreeTheirPendingSlot() throws IOException {
        try (IscsiTarget target = start(b -> b.maxPendingLoginsPerAddress(1))) {
            List<TestInitiator> sessions = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    sessions.add(login(target, "iqn.2026-11.io.iscsi4j:s" + i));
                }
                try (PduChannel pending = halfOpen(target)) {
                    assertRefused(target, "a second pending login from the address");
                    assertThat(pending.awaitClose(Duration.ofMillis(200))).isFalse();
                }
                for (TestInitiator s : sessions) {
                    assertThat(s.testUnitReady().good()).isTrue();
                }
            } finally {
                for (TestInitiator s : sessions) {
                    s.close();
                }
            }
            assertServedSoon(target, TestInitiator.INITIATOR_NAME);
        }
    }

    /**
     * Waits (bounded) until {@code expectedRefusals} of {@code channels} were closed by the target, then checks the
     * others stay open a little longer.
     *
     * @return how many are still open
     */
    private static int openAfterRefusals(List<PduChannel> channels, int expectedRefusals) throws IOException {
        List<PduChannel> open = new ArrayList<>(channels);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        int closed = 0;
        while (closed < expectedRefusals && System.nanoTime() < deadline) {
            for (int i = open.size() - 1; i >= 0; i--) {
                if (open.get(i).awaitClose(Duration.ofMillis(5))) {
                    open.remove(i);
                    closed++;
                }
            }
        }
        for (PduChannel c : open) {
            assertThat(c.awaitClose(Duration.ofMillis(50))).as("an admitted idle connection stays open").isFalse();
        }
        return open.size();
    }

    @Test
    void loginsOverTheSessionCapFailWithOutOfResources() throws IOException {
        try (IscsiTarget target = start(b -> b.maxSessions(2))) {
            try (TestInitiator a = login(target, "iqn.2026-11.io.iscsi4j:a");
                 TestInitiator b = login(target, "iqn.2026-11.io.iscsi4j:b")) {
                assertThat(b.testUnitReady().good()).isTrue();
                assertLoginFails(target, "iqn.2026-11.io.iscsi4j:c", 0x03, 0x02);
                // Reinstating a live session (same initiator and ISID) replaces it: always allowed.
                try (TestInitiator again = TestInitiator.connect(target.localAddress())) {
                    again.useIsidOf(a);
                    again.login("iqn.2026-11.io.iscsi4j:a", Targets.IQN, Map.of());
                    assertThat(again.testUnitReady().asc()).as("I_T NEXUS LOSS OCCURRED first").isEqualTo(0x29);
                    assertThat(again.testUnitReady().good()).isTrue();
                    assertThat(a.awaitClose(CLOSE_WITHIN)).as("the reinstated session's connection").isTrue();
                }
            }
            assertServedSoon(target, TestInitiator.INITIATOR_NAME);
        }
    }

    @Test
    void loginsOverThePerInitiatorCapFailWithTooManyConnections() throws IOException {
        try (IscsiTarget target = start(b -> b.maxSessionsPerInitiator(1))) {
            try (TestInitiator a = login(target, TestInitiator.INITIATOR_NAME)) {
                assertLoginFails(target, TestInitiator.INITIATOR_NAME, 0x02, 0x06);
                try (TestInitiator other = login(target, "iqn.2026-11.io.iscsi4j:other")) {
                    assertThat(other.testUnitReady().good()).isTrue();
                }
                assertThat(a.testUnitReady().good()).isTrue();
            }
            assertServedSoon(target, TestInitiator.INITIATOR_NAME);
        }
    }

    @Test
    void aSecondConnectionForASessionFailsWithTooManyConnections() throws IOException {
        try (IscsiTarget target = start(b -> { })) {
            byte[] isid = {(byte) 0x80, 9, 9, 9, 0, 1};
            byte[] keys = TextKeys.encode(Map.of("InitiatorName", TestInitiator.INITIATOR_NAME,
                    "TargetName", Targets.IQN));
            try (PduChannel leading = PduChannel.connect(target.localAddress())) {
                // Straight to the operational stage and on to full feature phase (no authentication configured).
                leading.send(operationalLogin(isid, 0, 0), keys, 0, keys.length);
                RawPdu done = leading.receive();
                assertThat(done.u8(36)).as("Status-Class of %s", done).isZero();
                int tsih = done.u16(14);
                assertThat(tsih).isNotZero();
                try (PduChannel second = PduChannel.connect(target.localAddress())) {
                    second.send(operationalLogin(isid, tsih, 1), keys, 0, keys.length);
                    RawPdu refused = second.receive();
                    assertThat(refused.u8(36)).as("Status-Class of %s", refused).isEqualTo(0x02);
                    assertThat(refused.u8(37)).as("MaxConnections=1: too many connections").isEqualTo(0x06);
                    assertThat(second.awaitClose(CLOSE_WITHIN)).isTrue();
                }
            }
            assertServedSoon(target, TestInitiator.INITIATOR_NAME);
        }
    }

    private static Bhs operationalLogin(byte[] isid, int tsih, int cid) {
        return Bhs.of(Bhs.LOGIN_REQUEST).immediate(true).flags(0x80 | 1 << 2 | 3).bytes(8, isid).u16(14, tsih)
                .itt(0x20).u16(20, cid);
    }

    /**
     * A connection whose login has started but never completes. Waiting for the first Login Response also makes
     * sure the target admitted it before the test opens the next connection.
     */
    private static PduChannel halfOpen(IscsiTarget target) throws IOException {
        PduChannel c = PduChannel.connect(target.localAddress());
        try {
            HostileInputTest.startLogin(c);
            return c;
        } catch (IOException | RuntimeException | Error e) {
            c.close();
            throw e;
        }
    }

    /** A new connection is closed (or reset, possibly while connecting) at once. */
    private static void assertRefused(IscsiTarget target, String why) throws IOException {
        try (PduChannel c = PduChannel.connect(target.localAddress())) {
            assertThat(c.awaitClose(CLOSE_WITHIN)).as(why).isTrue();
        } catch (SocketException reset) {
            // refused so fast that the reset arrived while connecting: closed as well
        }
    }

    private static TestInitiator login(IscsiTarget target, String initiatorName) throws IOException {
        TestInitiator i = TestInitiator.connect(target.localAddress());
        try {
            i.login(initiatorName, Targets.IQN, Map.of());
            return i;
        } catch (IOException | RuntimeException | Error e) {
            i.close();
            throw e;
        }
    }

    private static void assertLoginFails(IscsiTarget target, String initiatorName, int statusClass,
                                         int statusDetail) throws IOException {
        try (TestInitiator i = TestInitiator.connect(target.localAddress())) {
            assertThatThrownBy(() -> i.login(initiatorName, Targets.IQN, Map.of()))
                    .isInstanceOfSatisfying(LoginFailure.class, f -> {
                        assertThat(f.statusClass()).isEqualTo(statusClass);
                        assertThat(f.statusDetail()).isEqualTo(statusDetail);
                    });
            assertThat(i.awaitClose(CLOSE_WITHIN)).isTrue();
        }
    }

    /** A good initiator gets in once the target has noticed the flood's connections closing (bounded wait). */
    private static void assertServedSoon(IscsiTarget target, String initiatorName) throws IOException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        for (;;) {
            try {
                HostileInputTest.assertServed(target, initiatorName);
                return;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                pause();
            }
        }
    }

    private static void pause() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeAll(List<PduChannel> channels) throws IOException {
        for (PduChannel c : channels) {
            c.close();
        }
    }
}
