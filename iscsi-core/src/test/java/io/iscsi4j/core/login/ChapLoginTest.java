package io.iscsi4j.core.login;

import io.iscsi4j.core.auth.Authenticator;
import io.iscsi4j.core.auth.ChapCredentials;
import io.iscsi4j.core.auth.ChapCredentialsLookup;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;

import static io.iscsi4j.core.login.LoginRequests.INITIATOR;
import static io.iscsi4j.core.login.LoginRequests.keysOf;
import static io.iscsi4j.core.login.LoginRequests.operational;
import static io.iscsi4j.core.login.LoginRequests.security;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

/** The login state machine driving the real CHAP authenticator, as libiscsi and open-iscsi log in. */
class ChapLoginTest {

    private static final String USER = "alice";
    private static final String SECRET = "alice-secret-0123";
    private static final String TARGET_USER = "disk";
    private static final String TARGET_SECRET = "disk-secret-4567";

    private final FakeLoginContext context = new FakeLoginContext();
    private final LoginStateMachine login = new LoginStateMachine(context);

    ChapLoginTest() {
        context.authenticator = Authenticator.chap(ChapCredentialsLookup.perInitiator(Map.of(INITIATOR,
                ChapCredentials.of(USER, SECRET).withMutual(TARGET_USER, TARGET_SECRET))));
    }

    private static String md5Response(String identifier, String secret, String hexChallenge) throws Exception {
        MessageDigest md5 = MessageDigest.getInstance("MD5");
        md5.update((byte) Integer.parseInt(identifier));
        md5.update(secret.getBytes(StandardCharsets.UTF_8));
        md5.update(HexFormat.of().parseHex(hexChallenge.substring(2)));
        return "0x" + HexFormat.of().formatHex(md5.digest());
    }

    private static void assertFailed(LoginStep step, LoginStatus status) {
        assertThat(step.outcome()).as("reason %s", step.failureReason()).isEqualTo(LoginOutcome.FAILED);
        assertThat(step.response().status()).isEqualTo(status);
        assertThat(step.response().text()).isEmpty();
        assertThat(step.failureReason().orElseThrow()).doesNotContain(SECRET, TARGET_SECRET);
    }

    /** Offers CHAP like libiscsi (T=1 towards the operational stage), then CHAP_A=5; returns the challenge keys. */
    private Map<String, String> challenge() {
        LoginStep selected = login.process(security().transitTo(1).firstNormal("AuthMethod=CHAP,None").build());
        assertThat(selected.outcome()).isEqualTo(LoginOutcome.CONTINUE);
        assertThat(selected.response().transit()).as("no transit before authentication").isFalse();
        assertThat(keysOf(selected)).containsEntry("AuthMethod", "CHAP");
        LoginStep challenge = login.process(security().keys("CHAP_A=5").build());
        assertThat(challenge.outcome()).isEqualTo(LoginOutcome.CONTINUE);
        return keysOf(challenge);
    }

    @Test
    void oneWayChapLogsIn() throws Exception {
        Map<String, String> challenge = challenge();

        LoginStep verified = login.process(security().transitTo(1).keys("CHAP_N=" + USER,
                "CHAP_R=" + md5Response(challenge.get("CHAP_I"), SECRET, challenge.get("CHAP_C"))).build());
        LoginStep done = login.process(operational().transitTo(3).build());

        assertThat(verified.response().transit()).isTrue();
        assertThat(verified.response().text()).isEmpty();
        assertThat(done.outcome()).isEqualTo(LoginOutcome.COMPLETE);
        assertThat(done.parameters().orElseThrow().authMethod()).isEqualTo("CHAP");
    }

    @Test
    void mutualChapAnswersInTheTransitResponse() throws Exception {
        Map<String, String> challenge = challenge();
        String initiatorChallenge = "0x00112233445566778899aabbccddeeff";

        LoginStep verified = login.process(security().transitTo(1).keys("CHAP_N=" + USER,
                "CHAP_R=" + md5Response(challenge.get("CHAP_I"), SECRET, challenge.get("CHAP_C")),
                "CHAP_I=9", "CHAP_C=" + initiatorChallenge).build());

        assertThat(verified.response().transit()).isTrue();
        assertThat(verified.response().csg()).isZero();
        assertThat(keysOf(verified)).containsExactly(entry("CHAP_N", TARGET_USER),
                entry("CHAP_R", md5Response("9", TARGET_SECRET, initiatorChallenge)));
    }

    @Test
    void wrongSecretIsAuthenticationFailure() throws Exception {
        Map<String, String> challenge = challenge();

        assertFailed(login.process(security().transitTo(1).keys("CHAP_N=" + USER,
                "CHAP_R=" + md5Response(challenge.get("CHAP_I"), "wrong-secret-99", challenge.get("CHAP_C"))).build()),
                LoginStatus.AUTHENTICATION_FAILURE);
    }

    @Test
    void reflectedChallengeIsAuthenticationFailure() throws Exception {
        Map<String, String> challenge = challenge();

        assertFailed(login.process(security().transitTo(1).keys("CHAP_N=" + USER,
                "CHAP_R=" + md5Response(challenge.get("CHAP_I"), SECRET, challenge.get("CHAP_C")),
                "CHAP_I=" + challenge.get("CHAP_I"), "CHAP_C=" + challenge.get("CHAP_C")).build()),
                LoginStatus.AUTHENTICATION_FAILURE);
    }

    @Test
    void authMethodNoneIsRefused() {
        assertFailed(login.process(security().transitTo(1).firstNormal("AuthMethod=None").build()),
                LoginStatus.AUTHENTICATION_FAILURE);
    }

    @Test
    void skippingTheSecurityStageIsRefused() {
        // libiscsi without a user name starts in the operational stage.
        assertFailed(login.process(operational().transitTo(3).firstNormal().build()),
                LoginStatus.AUTHENTICATION_FAILURE);
    }

    @Test
    void leavingTheSecurityStageBeforeTheResponseIsRefused() {
        challenge();

        LoginStep step = login.process(security().transitTo(1).build());

        assertFailed(step, LoginStatus.AUTHENTICATION_FAILURE);
    }

    @Test
    void anUnknownInitiatorIsRefused() {
        context.authenticator = Authenticator.chap(ChapCredentialsLookup.perInitiator(Map.of(
                "iqn.1993-08.org.debian:01:someone-else", ChapCredentials.of(USER, SECRET))));
        Map<String, String> challenge = challenge();

        assertFailed(login.process(security().transitTo(1).keys("CHAP_N=" + USER,
                "CHAP_R=0x00112233445566778899aabbccddeeff").build()), LoginStatus.AUTHENTICATION_FAILURE);
        assertThat(challenge).containsKeys("CHAP_A", "CHAP_I", "CHAP_C");
    }

    @Test
    void theMachineReportsTheInitiatorName() {
        assertThat(login.initiatorName()).isEmpty();

        challenge();

        assertThat(login.initiatorName()).hasValue(INITIATOR);
    }
}
