package io.iscsi4j.core.auth;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.entry;

class ChapAuthenticatorTest {

    private static final String INITIATOR = "iqn.1993-08.org.debian:01:abc";
    private static final Optional<String> TARGET = Optional.of("iqn.2026-11.io.iscsi4j:demo");
    private static final String USER = "alice";
    private static final String SECRET = "alice-secret-0123";
    private static final String TARGET_USER = "iqn.2026-11.io.iscsi4j:demo";
    private static final String TARGET_SECRET = "target-secret-4567";

    private static final ChapCredentials ONE_WAY = ChapCredentials.of(USER, SECRET);
    private static final ChapCredentials MUTUAL = ChapCredentials.of(USER, SECRET).withMutual(TARGET_USER, TARGET_SECRET);

    /** The RFC 1994 §4.1 response, computed here independently of the code under test. */
    private static byte[] rfc1994(String javaAlgorithm, int identifier, String secret, byte[] challenge)
            throws Exception {
        MessageDigest digest = MessageDigest.getInstance(javaAlgorithm);
        digest.update((byte) identifier);
        digest.update(secret.getBytes(StandardCharsets.UTF_8));
        digest.update(challenge);
        return digest.digest();
    }

    private static String javaName(ChapAlgorithm algorithm) {
        switch (algorithm) {
            case MD5:
                return "MD5";
            case SHA1:
                return "SHA-1";
            case SHA256:
                return "SHA-256";
            default:
                return "SHA3-256";
        }
    }

    private static String hex(byte[] bytes) {
        return "0x" + HexFormat.of().formatHex(bytes);
    }

    private static Map<String, String> keys(String... pairs) {
        Map<String, String> keys = new LinkedHashMap<>();
        for (String pair : pairs) {
            int eq = pair.indexOf('=');
            keys.put(pair.substring(0, eq), pair.substring(eq + 1));
        }
        return keys;
    }

    private static Map<String, String> inProgress(AuthenticationStep step) {
        assertThat(step).isInstanceOf(AuthenticationStep.InProgress.class);
        return ((AuthenticationStep.InProgress) step).responseKeys();
    }

    private static Map<String, String> succeeded(AuthenticationStep step) {
        assertThat(step).as("%s", step).isInstanceOf(AuthenticationStep.Succeeded.class);
        return ((AuthenticationStep.Succeeded) step).responseKeys();
    }

    private static String failed(AuthenticationStep step) {
        assertThat(step).isInstanceOf(AuthenticationStep.Failed.class);
        AuthenticationStep.Failed failed = (AuthenticationStep.Failed) step;
        assertThat(failed.reason()).isEqualTo(AuthenticationFailure.AUTHENTICATION_FAILED);
        assertThat(failed.detail()).doesNotContain(SECRET, TARGET_SECRET);
        return failed.detail();
    }

    private static AuthenticationExchange begin(ChapCredentials credentials) {
        return Authenticator.chap(ChapCredentialsLookup.fixed(credentials)).begin("CHAP", INITIATOR, TARGET);
    }

    /** The target's challenge, decoded. */
    private record Challenge(ChapAlgorithm algorithm, int identifier, byte[] bytes) {

        static Challenge of(Map<String, String> keys) {
            ChapAlgorithm algorithm = ChapAlgorithm.fromCode(Integer.parseInt(keys.get("CHAP_A"))).orElseThrow();
            assertThat(keys.get("CHAP_C")).startsWith("0x");
            return new Challenge(algorithm, Integer.parseInt(keys.get("CHAP_I")),
                    HexFormat.of().parseHex(keys.get("CHAP_C").substring(2)));
        }

        String response(String secret) throws Exception {
            return hex(rfc1994(javaName(algorithm), identifier, secret, bytes));
        }
    }

    @Nested
    class Algorithms {

        @ParameterizedTest
        @CsvSource({
                "MD5,      3da7c023d1f9ae3a85f248de4dded94f",
                "SHA1,     6f5280f4eade644fa02f50cec682cde0a32658f6",
                "SHA256,   b58c398e6af591925ab9191e3918b926ca93866ae7ec87a5c26a3ba242b86be9",
                "SHA3_256, bbe4344fa4534b270f6788675ce019635df4d1674ee9231e363d78f7e8e9fab0"})
        void responseIsTheDigestOfIdentifierSecretAndChallenge(ChapAlgorithm algorithm, String expected) {
            // Known answers computed outside Java: digest(0x2a || "a-secret-of-25-characters" || 00 01 ... 0f).
            byte[] challenge = new byte[16];
            for (int i = 0; i < challenge.length; i++) {
                challenge[i] = (byte) i;
            }

            byte[] response = algorithm.response(0x2a,
                    "a-secret-of-25-characters".getBytes(StandardCharsets.US_ASCII), challenge);

            assertThat(HexFormat.of().formatHex(response)).isEqualTo(expected);
            assertThat(response).hasSize(algorithm.digestLength());
        }

        @Test
        void codesAreTheLioAndOpenIscsiNumbers() {
            assertThat(ChapAlgorithm.MD5.code()).isEqualTo(5);
            assertThat(ChapAlgorithm.SHA1.code()).isEqualTo(6);
            assertThat(ChapAlgorithm.SHA256.code()).isEqualTo(7);
            assertThat(ChapAlgorithm.SHA3_256.code()).isEqualTo(8);
            assertThat(ChapAlgorithm.fromCode(4)).isEmpty();
            assertThat(ChapAlgorithm.fromCode(8)).hasValue(ChapAlgorithm.SHA3_256);
        }

        @ParameterizedTest
        @EnumSource(ChapAlgorithm.class)
        void eachAlgorithmAuthenticatesWithAHexResponse(ChapAlgorithm algorithm) throws Exception {
            AuthenticationExchange exchange = begin(ONE_WAY);

            Challenge challenge = Challenge.of(inProgress(exchange.process(keys("CHAP_A=" + algorithm.code()))));

            assertThat(challenge.algorithm()).isEqualTo(algorithm);
            assertThat(challenge.bytes()).hasSizeGreaterThanOrEqualTo(Math.max(16, algorithm.digestLength()));
            assertThat(succeeded(exchange.process(keys("CHAP_N=" + USER, "CHAP_R=" + challenge.response(SECRET)))))
                    .isEmpty();
        }

        @ParameterizedTest
        @EnumSource(ChapAlgorithm.class)
        void eachAlgorithmAuthenticatesWithABase64Response(ChapAlgorithm algorithm) throws Exception {
            AuthenticationExchange exchange = begin(ONE_WAY);
            Challenge challenge = Challenge.of(inProgress(exchange.process(keys("CHAP_A=" + algorithm.code()))));
            byte[] response = rfc1994(javaName(algorithm), challenge.identifier(), SECRET, challenge.bytes());

            AuthenticationStep step = exchange.process(keys("CHAP_N=" + USER,
                    "CHAP_R=0b" + Base64.getEncoder().encodeToString(response)));

            assertThat(succeeded(step)).isEmpty();
        }

        @Test
        void upperCaseHexAndPrefixAreAccepted() throws Exception {
            AuthenticationExchange exchange = begin(ONE_WAY);
            Challenge challenge = Challenge.of(inProgress(exchange.process(keys("CHAP_A=5"))));

            String response = "0X" + challenge.response(SECRET).substring(2).toUpperCase();

            assertThat(succeeded(exchange.process(keys("CHAP_N=" + USER, "CHAP_R=" + response)))).isEmpty();
        }

        @ParameterizedTest
        @CsvSource(delimiter = '|', value = {
                "5,6,7,8 | 8",
                "8,7,6,5 | 8",
                "5,7     | 7",
                "6,5     | 6",
                "99,5,x  | 5",
                "5       | 5"})
        void theStrongestOfferedAlgorithmIsChosen(String offer, int chosen) {
            Map<String, String> answer = inProgress(begin(ONE_WAY).process(keys("CHAP_A=" + offer)));

            assertThat(answer.get("CHAP_A")).isEqualTo(Integer.toString(chosen));
        }

        @Test
        void onlyConfiguredAlgorithmsAreChosen() {
            Authenticator md5Only = ChapAuthenticator.builder(ChapCredentialsLookup.fixed(ONE_WAY))
                    .algorithms(ChapAlgorithm.MD5).build();
            Authenticator noMd5 = ChapAuthenticator.builder(ChapCredentialsLookup.fixed(ONE_WAY))
                    .algorithms(ChapAlgorithm.SHA256, ChapAlgorithm.SHA3_256).build();

            assertThat(inProgress(md5Only.begin("CHAP", INITIATOR, TARGET).process(keys("CHAP_A=7,5"))))
                    .containsEntry("CHAP_A", "5");
            assertThat(failed(noMd5.begin("CHAP", INITIATOR, TARGET).process(keys("CHAP_A=5"))))
                    .contains("no allowed algorithm", "CHAP_A='5'", "7,8");
            assertThat(failed(md5Only.begin("CHAP", INITIATOR, TARGET).process(keys("CHAP_A=None"))))
                    .contains("no allowed algorithm");
        }

        @Test
        void algorithmSetCannotBeEmpty() {
            assertThatIllegalArgumentException().isThrownBy(
                    () -> ChapAuthenticator.builder(ChapCredentialsLookup.none()).algorithms(Set.of()));
        }

        @Test
        void everyExchangeHasAFreshIdentifierAndChallenge() {
            Authenticator chap = Authenticator.chap(ChapCredentialsLookup.fixed(ONE_WAY));
            Set<String> identifiers = new HashSet<>();
            Set<String> challenges = new HashSet<>();
            for (int i = 0; i < 32; i++) {
                Map<String, String> answer = inProgress(chap.begin("CHAP", INITIATOR, TARGET).process(keys("CHAP_A=5")));
                identifiers.add(answer.get("CHAP_I"));
                challenges.add(answer.get("CHAP_C"));
                assertThat(Integer.parseInt(answer.get("CHAP_I"))).isBetween(0, 255);
            }

            assertThat(challenges).hasSize(32);
            assertThat(identifiers).as("32 random identifiers of 256 are not all equal").hasSizeGreaterThan(1);
        }
    }

    @Nested
    class OneWay {

        @Test
        void wrongSecretFails() throws Exception {
            AuthenticationExchange exchange = begin(ONE_WAY);
            Challenge challenge = Challenge.of(inProgress(exchange.process(keys("CHAP_A=5"))));

            String detail = failed(exchange.process(keys("CHAP_N=" + USER,
                    "CHAP_R=" + challenge.response("not-the-secret-1"))));

            assertThat(detail).contains("wrong CHAP_R", "'alice'");
        }

        @Test
        void wrongUserFailsEvenWithTheRightResponse() throws Exception {
            AuthenticationExchange exchange = begin(ONE_WAY);
            Challenge challenge = Challenge.of(inProgress(exchange.process(keys("CHAP_A=5"))));

            String detail = failed(exchange.process(keys("CHAP_N=mallory", "CHAP_R=" + challenge.response(SECRET))));

            assertThat(detail).contains("'mallory'", "not the user");
        }

        @Test
        void aResponseToAnotherIdentifierFails() throws Exception {
            AuthenticationExchange exchange = begin(ONE_WAY);
            Challenge challenge = Challenge.of(inProgress(exchange.process(keys("CHAP_A=5"))));
            String otherIdentifier = hex(rfc1994("MD5", (challenge.identifier() + 1) & 0xff, SECRET, challenge.bytes()));

            failed(exchange.process(keys("CHAP_N=" + USER, "CHAP_R=" + otherIdentifier)));
        }

        @Test
        void truncatedResponseFails() throws Exception {
            AuthenticationExchange exchange = begin(ONE_WAY);
            Challenge challenge = Challenge.of(inProgress(exchange.process(keys("CHAP_A=5"))));
            String response = challenge.response(SECRET);

            failed(exchange.process(keys("CHAP_N=" + USER, "CHAP_R=" + response.substring(0, response.length() - 2))));
        }

        @Test
        void unknownInitiatorFails() {
            AuthenticationExchange exchange = Authenticator.chap(ChapCredentialsLookup.perInitiator(
                    Map.of("iqn.1993-08.org.debian:01:other", ONE_WAY))).begin("CHAP", INITIATOR, TARGET);
            inProgress(exchange.process(keys("CHAP_A=5")));

            assertThat(failed(exchange.process(keys("CHAP_N=" + USER, "CHAP_R=0x00112233"))))
                    .contains("no CHAP credentials", INITIATOR);
        }

        @Test
        void aThrowingLookupFailsTheLogin() {
            ChapCredentialsLookup broken = (initiator, target) -> {
                throw new IllegalStateException("vault unreachable, password=" + SECRET);
            };
            AuthenticationExchange exchange = Authenticator.chap(broken).begin("CHAP", INITIATOR, TARGET);
            inProgress(exchange.process(keys("CHAP_A=5")));

            assertThat(failed(exchange.process(keys("CHAP_N=" + USER, "CHAP_R=0x00112233"))))
                    .contains("lookup failed", "IllegalStateException");
        }

        @Test
        void theLookupSeesTheInitiatorAndTarget() throws Exception {
            Map<String, Optional<String>> asked = new LinkedHashMap<>();
            ChapCredentialsLookup recording = (initiator, target) -> {
                asked.put(initiator, target);
                return Optional.of(ONE_WAY);
            };
            AuthenticationExchange exchange = Authenticator.chap(recording).begin("CHAP", INITIATOR, Optional.empty());
            Challenge challenge = Challenge.of(inProgress(exchange.process(keys("CHAP_A=5"))));

            succeeded(exchange.process(keys("CHAP_N=" + USER, "CHAP_R=" + challenge.response(SECRET))));

            assertThat(asked).containsExactly(entry(INITIATOR, Optional.empty()));
        }

        @Test
        void unknownKeysAreNotUnderstood() throws Exception {
            AuthenticationExchange exchange = begin(ONE_WAY);

            Map<String, String> challengeKeys = inProgress(exchange.process(keys("CHAP_A=5", "X-com.example.k=1")));
            Challenge challenge = Challenge.of(challengeKeys);

            assertThat(challengeKeys).containsEntry("X-com.example.k", "NotUnderstood");
            assertThat(succeeded(exchange.process(keys("CHAP_N=" + USER, "CHAP_R=" + challenge.response(SECRET),
                    "CHAP_X=1")))).containsExactly(entry("CHAP_X", "NotUnderstood"));
        }
    }

    @Nested
    class Mutual {

        @ParameterizedTest
        @EnumSource(ChapAlgorithm.class)
        void theTargetAnswersTheInitiatorsChallengeWithItsOwnSecret(ChapAlgorithm algorithm) throws Exception {
            AuthenticationExchange exchange = begin(MUTUAL);
            Challenge challenge = Challenge.of(inProgress(exchange.process(keys("CHAP_A=" + algorithm.code()))));
            byte[] initiatorChallenge = new byte[32];
            for (int i = 0; i < initiatorChallenge.length; i++) {
                initiatorChallenge[i] = (byte) (0xa0 + i);
            }

            Map<String, String> answer = succeeded(exchange.process(keys("CHAP_N=" + USER,
                    "CHAP_R=" + challenge.response(SECRET), "CHAP_I=77", "CHAP_C=" + hex(initiatorChallenge))));

            assertThat(answer).containsExactly(entry("CHAP_N", TARGET_USER),
                    entry("CHAP_R", hex(rfc1994(javaName(algorithm), 77, TARGET_SECRET, initiatorChallenge))));
        }

        @Test
        void base64ChallengeAndHexIdentifierAreAccepted() throws Exception {
            AuthenticationExchange exchange = begin(MUTUAL);
            Challenge challenge = Challenge.of(inProgress(exchange.process(keys("CHAP_A=7"))));
            byte[] initiatorChallenge = "some initiator challenge".getBytes(StandardCharsets.US_ASCII);

            Map<String, String> answer = succeeded(exchange.process(keys("CHAP_N=" + USER,
                    "CHAP_R=" + challenge.response(SECRET), "CHAP_I=0xff",
                    "CHAP_C=0b" + Base64.getEncoder().encodeToString(initiatorChallenge))));

            assertThat(answer.get("CHAP_R"))
                    .isEqualTo(hex(rfc1994("SHA-256", 255, TARGET_SECRET, initiatorChallenge)));
        }

        @Test
        void anOddNumberOfHexDigitsHasAnImplicitLeadingZero() throws Exception {
            AuthenticationExchange exchange = begin(MUTUAL);
            Challenge challenge = Challenge.of(inProgress(exchange.process(keys("CHAP_A=5"))));

            Map<String, String> answer = succeeded(exchange.process(keys("CHAP_N=" + USER,
                    "CHAP_R=" + challenge.response(SECRET), "CHAP_I=1", "CHAP_C=0xabcde")));

            assertThat(answer.get("CHAP_R"))
                    .isEqualTo(hex(rfc1994("MD5", 1, TARGET_SECRET, new byte[] {0x0a, (byte) 0xbc, (byte) 0xde})));
        }

        @Test
        void aReflectedChallengeIsRefused() throws Exception {
            AuthenticationExchange exchange = begin(MUTUAL);
            Map<String, String> challengeKeys = inProgress(exchange.process(keys("CHAP_A=5")));
            Challenge challenge = Challenge.of(challengeKeys);

            String detail = failed(exchange.process(keys("CHAP_N=" + USER, "CHAP_R=" + challenge.response(SECRET),
                    "CHAP_I=" + challengeKeys.get("CHAP_I"), "CHAP_C=" + challengeKeys.get("CHAP_C"))));

            assertThat(detail).contains("reflected");
        }

        @Test
        void aReflectedChallengeInAnotherEncodingIsRefused() throws Exception {
            AuthenticationExchange exchange = begin(MUTUAL);
            Challenge challenge = Challenge.of(inProgress(exchange.process(keys("CHAP_A=5"))));

            failed(exchange.process(keys("CHAP_N=" + USER, "CHAP_R=" + challenge.response(SECRET), "CHAP_I=3",
                    "CHAP_C=0b" + Base64.getEncoder().encodeToString(challenge.bytes()))));
        }

        @Test
        void mutualRequestWithoutTargetCredentialsFails() throws Exception {
            AuthenticationExchange exchange = begin(ONE_WAY);
            Challenge challenge = Challenge.of(inProgress(exchange.process(keys("CHAP_A=5"))));

            assertThat(failed(exchange.process(keys("CHAP_N=" + USER, "CHAP_R=" + challenge.response(SECRET),
                    "CHAP_I=1", "CHAP_C=0x0123456789abcdef")))).contains("no mutual CHAP credentials");
        }

        @Test
        void mutualCredentialsStillServeOneWayInitiators() throws Exception {
            AuthenticationExchange exchange = begin(MUTUAL);
            Challenge challenge = Challenge.of(inProgress(exchange.process(keys("CHAP_A=5"))));

            assertThat(succeeded(exchange.process(keys("CHAP_N=" + USER, "CHAP_R=" + challenge.response(SECRET)))))
                    .isEmpty();
        }

        @Test
        void aWrongInitiatorResponseGetsNoTargetResponse() throws Exception {
            AuthenticationExchange exchange = begin(MUTUAL);
            Challenge challenge = Challenge.of(inProgress(exchange.process(keys("CHAP_A=5"))));

            failed(exchange.process(keys("CHAP_N=" + USER, "CHAP_R=" + challenge.response("wrong-secret-123"),
                    "CHAP_I=1", "CHAP_C=0x0123456789abcdef")));
        }

        @ParameterizedTest
        @CsvSource(delimiter = '|', value = {
                "CHAP_I=1                  | ",
                "                          | CHAP_C=0x0123456789abcdef",
                "CHAP_I=256                | CHAP_C=0x0123456789abcdef",
                "CHAP_I=-1                 | CHAP_C=0x0123456789abcdef",
                "CHAP_I=one                | CHAP_C=0x0123456789abcdef",
                "CHAP_I=0x100              | CHAP_C=0x0123456789abcdef",
                "CHAP_I=1                  | CHAP_C=0x",
                "CHAP_I=1                  | CHAP_C=12345",
                "CHAP_I=1                  | CHAP_C=0xnothex"})
        void malformedMutualKeysFail(String identifier, String mutualChallenge) throws Exception {
            AuthenticationExchange exchange = begin(MUTUAL);
            Challenge challenge = Challenge.of(inProgress(exchange.process(keys("CHAP_A=5"))));
            Map<String, String> response = keys("CHAP_N=" + USER, "CHAP_R=" + challenge.response(SECRET));
            if (identifier != null) {
                response.putAll(keys(identifier));
            }
            if (mutualChallenge != null) {
                response.putAll(keys(mutualChallenge));
            }

            failed(exchange.process(response));
        }
    }

    @Nested
    class KeyOrder {

        @Test
        void missingAlgorithmFails() {
            assertThat(failed(begin(ONE_WAY).process(Map.of()))).contains("no CHAP_A");
        }

        @ParameterizedTest
        @ValueSource(strings = {"CHAP_N=alice", "CHAP_R=0x00", "CHAP_I=1", "CHAP_C=0x00"})
        void responseKeysBeforeTheChallengeFail(String early) {
            assertThat(failed(begin(ONE_WAY).process(keys("CHAP_A=5", early)))).contains("before the target's challenge");
        }

        @Test
        void algorithmOfferedAgainFails() throws Exception {
            AuthenticationExchange exchange = begin(ONE_WAY);
            Challenge challenge = Challenge.of(inProgress(exchange.process(keys("CHAP_A=5"))));

            assertThat(failed(exchange.process(keys("CHAP_A=5", "CHAP_N=" + USER,
                    "CHAP_R=" + challenge.response(SECRET))))).contains("CHAP_A sent again");
        }

        @ParameterizedTest
        @ValueSource(strings = {"CHAP_N=alice", "CHAP_R=0x00112233"})
        void aResponseWithoutNameOrValueFails(String only) {
            AuthenticationExchange exchange = begin(ONE_WAY);
            inProgress(exchange.process(keys("CHAP_A=5")));

            assertThat(failed(exchange.process(keys(only)))).contains("CHAP_N and CHAP_R are required");
        }

        @Test
        void anEmptyStepAfterTheChallengeFails() {
            AuthenticationExchange exchange = begin(ONE_WAY);
            inProgress(exchange.process(keys("CHAP_A=5")));

            failed(exchange.process(Map.of()));
        }

        @ParameterizedTest
        @ValueSource(strings = {"", "0x", "0b", "0xzz", "0b!!!!", "123456", "x0123", "0y0123"})
        void malformedResponsesFail(String response) {
            AuthenticationExchange exchange = begin(ONE_WAY);
            inProgress(exchange.process(keys("CHAP_A=5")));

            assertThat(failed(exchange.process(keys("CHAP_N=" + USER, "CHAP_R=" + response))))
                    .contains("not a hex (0x) or base64 (0b) value");
        }

        @Test
        void aFinishedExchangeAcceptsNothingMore() throws Exception {
            AuthenticationExchange exchange = begin(ONE_WAY);
            Challenge challenge = Challenge.of(inProgress(exchange.process(keys("CHAP_A=5"))));
            succeeded(exchange.process(keys("CHAP_N=" + USER, "CHAP_R=" + challenge.response(SECRET))));

            failed(exchange.process(keys("CHAP_N=" + USER, "CHAP_R=" + challenge.response(SECRET))));
        }

        @Test
        void aFailedExchangeStaysFailed() throws Exception {
            AuthenticationExchange exchange = begin(ONE_WAY);
            Challenge challenge = Challenge.of(inProgress(exchange.process(keys("CHAP_A=5"))));
            failed(exchange.process(keys("CHAP_N=" + USER, "CHAP_R=0x00")));

            failed(exchange.process(keys("CHAP_N=" + USER, "CHAP_R=" + challenge.response(SECRET))));
        }

        @Test
        void loggedDetailsQuoteInitiatorTextSafely() {
            AuthenticationExchange exchange = begin(ONE_WAY);
            inProgress(exchange.process(keys("CHAP_A=5")));

            String detail = failed(exchange.process(keys("CHAP_N=evil\nFAKE LOG LINE" + "x".repeat(200),
                    "CHAP_R=0x00112233")));

            assertThat(detail).doesNotContain("\n").contains("evil?FAKE LOG LINE").doesNotContain("x".repeat(100));
        }
    }

    @Nested
    class Authenticators {

        @Test
        void chapAcceptsOnlyChap() {
            Authenticator chap = Authenticator.chap(ChapCredentialsLookup.fixed(ONE_WAY));

            assertThat(chap.acceptedMethods(INITIATOR, TARGET)).containsExactly("CHAP");
            assertThat(chap.allowsUnauthenticated(INITIATOR, TARGET)).isFalse();
            assertThatIllegalArgumentException().isThrownBy(() -> chap.begin("None", INITIATOR, TARGET));
        }

        @Test
        void defaultAlgorithmsAreAllFour() {
            assertThat(ChapAuthenticator.builder(ChapCredentialsLookup.none()).build().algorithms())
                    .containsExactlyInAnyOrder(ChapAlgorithm.values());
        }

        @Test
        void noneLookupKnowsNobody() {
            assertThat(ChapCredentialsLookup.none().lookup(INITIATOR, TARGET)).isEmpty();
        }

        @Test
        void fixedLookupAnswersEveryone() {
            ChapCredentialsLookup fixed = ChapCredentialsLookup.fixed(ONE_WAY);

            assertThat(fixed.lookup(INITIATOR, TARGET)).containsSame(ONE_WAY);
            assertThat(fixed.lookup("iqn.2000-01.com.example:other", Optional.empty())).containsSame(ONE_WAY);
        }

        @Test
        void perInitiatorLookupComparesNamesCaseInsensitively() {
            ChapCredentialsLookup lookup = ChapCredentialsLookup.perInitiator(Map.of(
                    "IQN.1993-08.org.debian:01:ABC", ONE_WAY, "iqn.1993-08.org.debian:01:def", MUTUAL));

            assertThat(lookup.lookup(INITIATOR, TARGET)).containsSame(ONE_WAY);
            assertThat(lookup.lookup("iqn.1993-08.org.debian:01:DEF", TARGET)).containsSame(MUTUAL);
            assertThat(lookup.lookup("iqn.1993-08.org.debian:01:xyz", TARGET)).isEmpty();
        }

        @Test
        void perInitiatorLookupRefusesNamesThatDifferOnlyInCase() {
            Map<String, ChapCredentials> twice = new LinkedHashMap<>();
            twice.put("iqn.2000-01.com.example:a", ONE_WAY);
            twice.put("IQN.2000-01.com.example:A", MUTUAL);

            assertThatIllegalArgumentException().isThrownBy(() -> ChapCredentialsLookup.perInitiator(twice));
        }

        @Test
        void toStringsNeverShowSecrets() {
            Authenticator perInitiator = Authenticator.chap(ChapCredentialsLookup.perInitiator(Map.of(INITIATOR, MUTUAL)));
            Authenticator fixed = Authenticator.chap(ChapCredentialsLookup.fixed(MUTUAL));

            assertThat(MUTUAL.toString()).contains(USER, TARGET_USER).doesNotContain(SECRET, TARGET_SECRET);
            assertThat(ChapCredentials.builder(USER, SECRET).mutual(TARGET_USER, TARGET_SECRET).toString())
                    .contains(USER).doesNotContain(SECRET, TARGET_SECRET);
            assertThat(fixed.toString()).contains("MD5", USER).doesNotContain(SECRET, TARGET_SECRET);
            assertThat(perInitiator.toString()).contains("1 initiators").doesNotContain(SECRET, TARGET_SECRET);
        }
    }
}
