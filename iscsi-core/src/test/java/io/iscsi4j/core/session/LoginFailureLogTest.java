package io.iscsi4j.core.session;

import org.junit.jupiter.api.Test;

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
        log.failed(ALICE, "AUTHENTICATION_FAILURE (0x0201): wrong CHAP_R");

        assertThat(lines).singleElement().asString()
                .startsWith(ALICE + ": login refused: AUTHENTICATION_FAILURE (0x0201): wrong CHAP_R")
                .contains("at most once every 60 s");
    }

    @Test
    void repeatedFailuresAreCountedNotLoggedEachTime() {
        for (int i = 0; i < 100; i++) {
            log.failed(ALICE, "wrong CHAP_R #" + i);
            clock.advance(Duration.ofMillis(100));
        }

        assertThat(lines).hasSize(1);

        clock.advance(Duration.ofMinutes(1));
        log.failed(ALICE, "wrong CHAP_R #100");

        assertThat(lines).hasSize(2);
        assertThat(lines.get(1)).startsWith(ALICE + ": 100 more failed logins since 2026-11-21T10:00:00Z")
                .endsWith("latest: wrong CHAP_R #100");
    }

    @Test
    void initiatorsAreCountedSeparatelyAndCaseInsensitively() {
        log.failed(ALICE, "a");
        log.failed(BOB, "b");
        log.failed(ALICE.toUpperCase(), "A");

        assertThat(lines).hasSize(2);
        assertThat(log.tracked()).isEqualTo(2);
    }

    @Test
    void aSuccessReportsUnreportedFailuresAndForgetsTheInitiator() {
        log.failed(ALICE, "wrong CHAP_R");
        log.failed(ALICE, "wrong CHAP_R again");
        log.failed(ALICE, "wrong CHAP_R once more");

        log.succeeded(ALICE);

        assertThat(lines).hasSize(2);
        assertThat(lines.get(1)).startsWith(ALICE + ": logged in after 2 more failed logins")
                .contains("latest: wrong CHAP_R once more");
        assertThat(log.tracked()).isZero();

        log.failed(ALICE, "again");
        assertThat(lines).hasSize(3);
    }

    @Test
    void aSuccessWithoutEarlierFailuresLogsNothing() {
        log.succeeded(ALICE);
        log.failed(ALICE, "x");
        log.succeeded(ALICE);

        assertThat(lines).hasSize(1);
    }

    @Test
    void theNumberOfTrackedInitiatorsIsBounded() {
        log.failed("iqn.2000-01.com.example:first", "x");
        log.failed("iqn.2000-01.com.example:first", "y");
        for (int i = 0; i < LoginFailureLog.MAX_TRACKED; i++) {
            log.failed("iqn.2000-01.com.example:" + i, "x");
        }

        assertThat(log.tracked()).isEqualTo(LoginFailureLog.MAX_TRACKED);
        assertThat(lines).contains("iqn.2000-01.com.example:first: 1 more failed logins (no longer tracked;"
                + " latest: y)");
    }

    @Test
    void initiatorNamesCannotForgeLogLines() {
        log.failed("iqn.evil\nWARN forged line" + "x".repeat(1000), "r");

        assertThat(lines).singleElement().asString().doesNotContain("\n").contains("iqn.evil\\x0aWARN forged line")
                .doesNotContain("x".repeat(300));
    }

    @Test
    void reasonsQuotingTheInitiatorCannotForgeLogLines() {
        log.failed(ALICE, "no target named iqn.x\r\nWARN forged");

        assertThat(lines).singleElement().asString().doesNotContain("\n").doesNotContain("\r")
                .contains("no target named iqn.x\\x0d\\x0aWARN forged");
    }
}
