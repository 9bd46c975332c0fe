package io.iscsi4j.core.login;

import io.iscsi4j.core.auth.AuthenticationExchange;
import io.iscsi4j.core.auth.AuthenticationFailure;
import io.iscsi4j.core.auth.AuthenticationStep;
import io.iscsi4j.core.auth.Authenticator;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A CHAP-shaped authenticator for tests (not real CHAP: the "hash" is {@code String.hashCode}). It runs the same
 * steps: CHAP_A → CHAP_A, CHAP_I, CHAP_C; then CHAP_N, CHAP_R [, CHAP_I, CHAP_C for mutual] → success
 * [with the target's CHAP_N, CHAP_R].
 */
final class FakeChapAuthenticator implements Authenticator {

    static final String USER = "alice";
    static final String SECRET = "alice-secret";
    static final String TARGET_USER = "target";
    static final String TARGET_SECRET = "target-secret";

    final List<Map<String, String>> stepsSeen = new ArrayList<>();
    final String challenge;

    FakeChapAuthenticator() {
        this("0x0123456789abcdef");
    }

    /** @param challenge the CHAP_C value to send, long ones force the response to be split */
    FakeChapAuthenticator(String challenge) {
        this.challenge = challenge;
    }

    static String responseTo(String identifier, String secret, String challenge) {
        return "0x" + Integer.toHexString((identifier + secret + challenge).hashCode());
    }

    @Override
    public Set<String> acceptedMethods(String initiatorName, Optional<String> targetName) {
        return Set.of(CHAP);
    }

    @Override
    public AuthenticationExchange begin(String method, String initiatorName, Optional<String> targetName) {
        if (!CHAP.equals(method)) {
            throw new IllegalArgumentException(method);
        }
        return new Exchange();
    }

    private final class Exchange implements AuthenticationExchange {

        private boolean challengeSent;

        @Override
        public AuthenticationStep process(Map<String, String> keys) {
            stepsSeen.add(Map.copyOf(keys));
            if (!challengeSent) {
                String algorithms = keys.get("CHAP_A");
                if (algorithms == null) {
                    return AuthenticationStep.failed(AuthenticationFailure.MISSING_PARAMETER, "no CHAP_A");
                }
                if (!TextKey.splitList(algorithms).contains("5")) {
                    return AuthenticationStep.failed(AuthenticationFailure.AUTHENTICATION_FAILED,
                            "no supported CHAP_A in " + algorithms);
                }
                challengeSent = true;
                Map<String, String> answer = new LinkedHashMap<>();
                answer.put("CHAP_A", "5");
                answer.put("CHAP_I", "7");
                answer.put("CHAP_C", challenge);
                return AuthenticationStep.inProgress(answer);
            }
            String name = keys.get("CHAP_N");
            String response = keys.get("CHAP_R");
            if (name == null || response == null) {
                return AuthenticationStep.failed(AuthenticationFailure.MISSING_PARAMETER, "no CHAP_N or CHAP_R");
            }
            if (!USER.equals(name) || !responseTo("7", SECRET, challenge).equals(response)) {
                return AuthenticationStep.failed(AuthenticationFailure.AUTHENTICATION_FAILED, "wrong response");
            }
            String mutualIdentifier = keys.get("CHAP_I");
            String mutualChallenge = keys.get("CHAP_C");
            if (mutualIdentifier == null && mutualChallenge == null) {
                return AuthenticationStep.succeeded(Map.of());
            }
            if (mutualIdentifier == null || mutualChallenge == null) {
                return AuthenticationStep.failed(AuthenticationFailure.MISSING_PARAMETER,
                        "mutual CHAP needs CHAP_I and CHAP_C");
            }
            Map<String, String> answer = new LinkedHashMap<>();
            answer.put("CHAP_N", TARGET_USER);
            answer.put("CHAP_R", responseTo(mutualIdentifier, TARGET_SECRET, mutualChallenge));
            return AuthenticationStep.succeeded(answer);
        }
    }
}
