package io.iscsi4j.core.session;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class LoginFailureLogTest {

    private static final String ALICE = "iqn.1993-08.org.debian:01:alice";
    private static final String BOB = "iqn.1993-08.org.debian:01:bob";

    private final MutableClock clock = new MutableClock();
    private final List<String> lines = new ArrayList<>();
    private final LoginFailureLog log = new LoginFailureLog(clock, Duration.ofMinutes(1), lines::add);

    private static final InetAddress HOST_A = address(192, 0, 2, 1);

    private static InetAddress address(int a, int b, int c, int d) {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d});
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** The address of host {@code i} of 198.18.0.0/15. */
    private static InetAddress host(int i) {
        return address(198, 18 + (i >> 16), i >> 8, i);
    }

    /** An authentication failure of {@code name} from {@link #HOST_A}. */
    private void fail(String name, String reason) {
        log.failed(HOST_A, name, reason);
    }

    /** A clock the test moves by hand. */
    private static final class MutableClock extends Clock {
        private Instant now = Instant.parse("2026-11-21T10:00:00Z");

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void theFirstFailureIsLoggedWithItsReason() {
        fail(ALICE, "AUTHENTICATION_FAILURE (0x0201): wrong CHAP_R");

        assertThat(lines).singleElement().asString()
                .startsWith(ALICE + ": login refused: AUTHENTICATION_FAILURE (0x0201): wrong CHAP_R")
                .contains("at most once every 60 s");
    }

    @Test
    void repeatedFailuresAreCountedNotLoggedEachTime() {
        for (int i = 0; i < 100; i++) {
            fail(ALICE, "wrong CHAP_R #" + i);
            clock.advance(Duration.ofMillis(100));
        }

        assertThat(lines).hasSize(1);

        clock.advance(Duration.ofMinutes(1));
        fail(ALICE, "wrong CHAP_R #100");

        assertThat(lines).hasSize(2);
        assertThat(lines.get(1)).startsWith(ALICE + ": 100 more failed logins since 2026-11-21T10:00:00Z")
                .endsWith("latest: wrong CHAP_R #100");
    }

    @Test
    void initiatorsAreCountedSeparatelyAndCaseInsensitively() {
        fail(ALICE, "a");
        fail(BOB, "b");
        fail(ALICE.toUpperCase(), "A");

        assertThat(lines).hasSize(2);
        assertThat(log.tracked()).isEqualTo(2);
    }

    @Test
    void aSuccessReportsUnreportedFailuresAndForgetsTheInitiator() {
        fail(ALICE, "wrong CHAP_R");
        fail(ALICE, "wrong CHAP_R again");
        fail(ALICE, "wrong CHAP_R once more");

        log.succeeded(ALICE);

        assertThat(lines).hasSize(2);
        assertThat(lines.get(1)).startsWith(ALICE + ": logged in after 2 more failed logins")
                .contains("latest: wrong CHAP_R once more");
        assertThat(log.tracked()).isZero();

        fail(ALICE, "again");
        assertThat(lines).hasSize(3);
    }

    @Test
    void aSuccessWithoutEarlierFailuresLogsNothing() {
        log.succeeded(ALICE);
        fail(ALICE, "x");
        log.succeeded(ALICE);

        assertThat(lines).hasSize(1);
    }

    @Test
    void theNumberOfTrackedInitiatorsIsBounded() {
        fail("iqn.2000-01.com.example:first", "x");
        fail("iqn.2000-01.com.example:first", "y");
        for (int i = 0; i < LoginFailureLog.MAX_TRACKED; i++) {
            if (i % (LoginFailureLog.LINES_PER_INTERVAL / 2) == 0) {
                clock.advance(Duration.ofMinutes(1)); // stay within the overall budget of lines
            }
            log.failed(host(i), "iqn.2000-01.com.example:" + i, "x");
        }

        assertThat(log.tracked()).isEqualTo(LoginFailureLog.MAX_TRACKED);
        assertThat(lines).contains("iqn.2000-01.com.example:first: 1 more failed logins (no longer tracked;"
                + " latest: y)");
    }

    @Test
    void initiatorNamesCannotForgeLogLines() {
        fail("iqn.evil\nWARN forged line" + "x".repeat(1000), "r");

        assertThat(lines).singleElement().asString().doesNotContain("\n").contains("iqn.evil\\x0aWARN forged line")
                .doesNotContain("x".repeat(300));
    }

    @Test
    void reasonsQuotingTheInitiatorCannotForgeLogLines() {
        fail(ALICE, "no target named iqn.x\r\nWARN forged");

        assertThat(lines).singleElement().asString().doesNotContain("\n").doesNotContain("\r")
                .contains("no target named iqn.x\\x0d\\x0aWARN forged");
    }

    @Test
    void oneAddressVaryingItsNamesGetsItsBudgetOfLinesThenACount() {
        for (int i = 0; i < 1000; i++) {
            log.failed(HOST_A, "iqn.2000-01.com.example:random-" + i, "wrong CHAP_R");
        }

        assertThat(lines).hasSize(LoginFailureLog.LINES_PER_ADDRESS);
        assertThat(log.tracked()).as("names over the budget are not remembered")
                .isEqualTo(LoginFailureLog.LINES_PER_ADDRESS);

        clock.advance(Duration.ofMinutes(1));
        log.failed(HOST_A, "iqn.2000-01.com.example:later", "wrong CHAP_R");

        assertThat(lines).hasSize(LoginFailureLog.LINES_PER_ADDRESS + 2);
        assertThat(lines.get(LoginFailureLog.LINES_PER_ADDRESS))
                .startsWith("192.0.2.1: 990 more refused logins since 2026-11-21T10:00:00Z not logged")
                .endsWith("latest: iqn.2000-01.com.example:random-999: wrong CHAP_R");
        assertThat(lines.get(LoginFailureLog.LINES_PER_ADDRESS + 1))
                .startsWith("iqn.2000-01.com.example:later: login refused: wrong CHAP_R");
    }

    @Test
    void anotherAddressKeepsItsOwnBudget() {
        for (int i = 0; i < 100; i++) {
            log.failed(HOST_A, "iqn.2000-01.com.example:random-" + i, "x");
        }
        log.failed(address(192, 0, 2, 2), ALICE, "wrong CHAP_R");

        assertThat(lines).hasSize(LoginFailureLog.LINES_PER_ADDRESS + 1)
                .last().asString().startsWith(ALICE + ": login refused: wrong CHAP_R");
    }

    @Test
    void manyAddressesShareTheOverallBudgetAndAreForgottenBeyondTheCap() {
        int floods = 2 * LoginFailureLog.MAX_TRACKED;
        for (int i = 0; i < floods; i++) {
            log.failed(host(i), "iqn.2000-01.com.example:random-" + i, "x");
        }

        assertThat(lines).hasSize(LoginFailureLog.LINES_PER_INTERVAL);
        assertThat(log.trackedAddresses()).isEqualTo(LoginFailureLog.MAX_TRACKED);
        assertThat(log.tracked()).isEqualTo(LoginFailureLog.LINES_PER_INTERVAL);

        clock.advance(Duration.ofMinutes(1));
        log.failed(HOST_A, ALICE, "wrong CHAP_R");

        assertThat(lines).hasSize(LoginFailureLog.LINES_PER_INTERVAL + 2);
        assertThat(lines.get(LoginFailureLog.LINES_PER_INTERVAL))
                .startsWith((floods - LoginFailureLog.LINES_PER_INTERVAL) + " more refused logins since "
                        + "2026-11-21T10:00:00Z not logged (over 100 lines every 60 s)");
        assertThat(log.trackedAddresses()).as("addresses with nothing to report are forgotten").isEqualTo(1);
    }

    @Test
    void aKnownInitiatorRetryingWithinTheIntervalTakesNoLine() {
        for (int i = 0; i < 1000; i++) {
            fail(ALICE, "wrong CHAP_R");
        }
        fail(BOB, "wrong CHAP_R");

        assertThat(lines).hasSize(2);
    }

    @Test
    void otherRefusalsAreLoggedOneLineEachWithinTheBudget() {
        List<String> warnings = new ArrayList<>();
        List<String> infos = new ArrayList<>();
        LoginFailureLog split = new LoginFailureLog(clock, Duration.ofMinutes(1), warnings::add, infos::add);

        split.refused(HOST_A, null, "NOT_FOUND from /192.0.2.1:4000: no target named iqn.x\nFORGED");
        split.refused(HOST_A, ALICE, "NOT_FOUND from /192.0.2.1:4001: no target named iqn.y");
        for (int i = 0; i < 100; i++) {
            split.refused(HOST_A, null, "INITIATOR_ERROR from /192.0.2.1:4002: malformed");
        }

        assertThat(warnings).isEmpty();
        assertThat(infos).hasSize(LoginFailureLog.LINES_PER_ADDRESS);
        assertThat(infos.get(0)).isEqualTo("(unnamed initiator): login refused: NOT_FOUND from /192.0.2.1:4000: "
                + "no target named iqn.x\\x0aFORGED");
        assertThat(infos.get(1)).startsWith(ALICE + ": login refused: NOT_FOUND");

        clock.advance(Duration.ofMinutes(1));
        split.refused(HOST_A, null, "INITIATOR_ERROR from /192.0.2.1:4003: malformed");

        assertThat(warnings).singleElement().asString().startsWith("192.0.2.1: 92 more refused logins since");
        assertThat(infos).hasSize(LoginFailureLog.LINES_PER_ADDRESS + 1);
    }
}
