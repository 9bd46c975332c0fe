package io.iscsi4j.core.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One login's CHAP exchange, target side (RFC 7143 §12.1.3): {@code CHAP_A} → challenge; {@code CHAP_N},
 * {@code CHAP_R} [, {@code CHAP_I}, {@code CHAP_C}] → verdict [and the target's response]. Not thread-safe: one
 * login drives it.
 */
final class ChapExchange implements AuthenticationExchange {

    static final String ALGORITHM = "CHAP_A";
    static final String IDENTIFIER = "CHAP_I";
    static final String CHALLENGE = "CHAP_C";
    static final String NAME = "CHAP_N";
    static final String RESPONSE = "CHAP_R";

    /** The shortest challenge the target sends, whatever the digest: RFC 1994 suggests the digest length. */
    static final int MIN_CHALLENGE_LENGTH = 16;

    private static final Set<String> CHAP_KEYS = Set.of(ALGORITHM, IDENTIFIER, CHALLENGE, NAME, RESPONSE);
    private static final String NOT_UNDERSTOOD = "NotUnderstood";
    private static final int MAX_LOGGED_TEXT = 64;

    private enum State {
        /** Waiting for the initiator's {@code CHAP_A} list. */
        AWAIT_ALGORITHMS,
        /** The challenge went out; waiting for {@code CHAP_N} and {@code CHAP_R}. */
        AWAIT_RESPONSE,
        /** Succeeded or failed; no more steps. */
        DONE
    }

    private final ChapCredentialsLookup lookup;
    private final Set<ChapAlgorithm> allowed;
    private final SecureRandom random;
    private final String initiatorName;
    private final Optional<String> targetName;

    private State state = State.AWAIT_ALGORITHMS;
    private ChapAlgorithm algorithm;
    private int identifier;
    private byte[] challenge;

    ChapExchange(ChapCredentialsLookup lookup, Set<ChapAlgorithm> allowed, SecureRandom random, String initiatorName,
            Optional<String> targetName) {
        this.lookup = lookup;
        this.allowed = allowed;
        this.random = random;
        this.initiatorName = initiatorName;
        this.targetName = targetName;
    }

    @Override
    public AuthenticationStep process(Map<String, String> keys) {
        switch (state) {
            case AWAIT_ALGORITHMS:
                return chooseAlgorithm(keys);
            case AWAIT_RESPONSE:
                return verify(keys);
            default:
                return failed("CHAP exchange already finished");
        }
    }

    private AuthenticationStep chooseAlgorithm(Map<String, String> keys) {
        for (String key : new String[] {NAME, RESPONSE, IDENTIFIER, CHALLENGE}) {
            if (keys.containsKey(key)) {
                return failed(key + " sent before the target's challenge");
            }
        }
        String offer = keys.get(ALGORITHM);
        if (offer == null) {
            return failed("no CHAP_A in the first CHAP step");
        }
        ChapAlgorithm chosen = null;
        for (String item : offer.split(",", -1)) {
            Optional<ChapAlgorithm> offered = parseAlgorithm(item);
            if (offered.isPresent() && allowed.contains(offered.get())
                    && (chosen == null || offered.get().compareTo(chosen) > 0)) {
                chosen = offered.get();
            }
        }
        if (chosen == null) {
            return failed("no allowed algorithm in CHAP_A=" + printable(offer) + " (allowed: " + allowedCodes() + ")");
        }
        algorithm = chosen;
        identifier = random.nextInt(256);
        challenge = new byte[Math.max(MIN_CHALLENGE_LENGTH, chosen.digestLength())];
        random.nextBytes(challenge);
        state = State.AWAIT_RESPONSE;
        Map<String, String> answer = new LinkedHashMap<>();
        answer.put(ALGORITHM, Integer.toString(chosen.code()));
        answer.put(IDENTIFIER, Integer.toString(identifier));
        answer.put(CHALLENGE, ChapValues.encodeHex(challenge));
        notUnderstood(keys, answer);
        return AuthenticationStep.inProgress(answer);
    }

    private AuthenticationStep verify(Map<String, String> keys) {
        if (keys.containsKey(ALGORITHM)) {
            return failed("CHAP_A sent again after the target's challenge");
        }
        String name = keys.get(NAME);
        String responseText = keys.get(RESPONSE);
        if (name == null || responseText == null) {
            return failed("CHAP_N and CHAP_R are required after the challenge; got " + presentChapKeys(keys));
        }
        String mutualIdentifierText = keys.get(IDENTIFIER);
        String mutualChallengeText = keys.get(CHALLENGE);
        if ((mutualIdentifierText == null) != (mutualChallengeText == null)) {
            return failed("mutual CHAP needs both CHAP_I and CHAP_C; got " + presentChapKeys(keys));
        }
        Optional<byte[]> response = ChapValues.decodeBinary(responseText);
        if (response.isEmpty()) {
            return failed("CHAP_R of user " + printable(name) + " is not a hex (0x) or base64 (0b) value");
        }
        Optional<ChapCredentials> found;
        try {
            found = lookup.lookup(initiatorName, targetName);
        } catch (RuntimeException e) {
            return failed("the CHAP credentials lookup failed with " + e.getClass().getName());
        }
        if (found == null || found.isEmpty()) {
            return failed("no CHAP credentials are configured for initiator " + printable(initiatorName));
        }
        ChapCredentials credentials = found.get();
        byte[] expected = algorithm.response(identifier, credentials.secret(), challenge);
        boolean userMatches = MessageDigest.isEqual(name.getBytes(StandardCharsets.UTF_8),
                credentials.user().getBytes(StandardCharsets.UTF_8));
        boolean responseMatches = MessageDigest.isEqual(expected, response.get());
        if (!userMatches) {
            return failed("CHAP_N " + printable(name) + " is not the user configured for initiator "
                    + printable(initiatorName));
        }
        if (!responseMatches) {
            return failed("wrong CHAP_R for user " + printable(name) + " with " + algorithm);
        }
        if (mutualIdentifierText == null) {
            state = State.DONE;
            Map<String, String> answer = new LinkedHashMap<>();
            notUnderstood(keys, answer);
            return AuthenticationStep.succeeded(answer);
        }
        return answerMutual(keys, credentials, mutualIdentifierText, mutualChallengeText);
    }

    private AuthenticationStep answerMutual(Map<String, String> keys, ChapCredentials credentials,
            String identifierText, String challengeText) {
        Optional<Integer> mutualIdentifier = ChapValues.decodeIdentifier(identifierText);
        if (mutualIdentifier.isEmpty()) {
            return failed("CHAP_I " + printable(identifierText) + " of the mutual challenge is not a number from 0 to 255");
        }
        Optional<byte[]> mutualChallenge = ChapValues.decodeBinary(challengeText);
        if (mutualChallenge.isEmpty()) {
            return failed("CHAP_C of the mutual challenge is not a hex (0x) or base64 (0b) value of 1 to "
                    + ChapValues.MAX_BINARY_LENGTH + " bytes");
        }
        if (MessageDigest.isEqual(mutualChallenge.get(), challenge)) {
            return failed("the initiator reflected the target's challenge as its mutual CHAP_C (RFC 7143 §12.1.3)");
        }
        if (!credentials.isMutual()) {
            return failed("initiator " + printable(initiatorName)
                    + " asked the target to authenticate, but no mutual CHAP credentials are configured");
        }
        byte[] targetResponse = algorithm.response(mutualIdentifier.get(), credentials.targetSecret(),
                mutualChallenge.get());
        state = State.DONE;
        Map<String, String> answer = new LinkedHashMap<>();
        answer.put(NAME, credentials.targetUser().orElseThrow());
        answer.put(RESPONSE, ChapValues.encodeHex(targetResponse));
        notUnderstood(keys, answer);
        return AuthenticationStep.succeeded(answer);
    }

    private AuthenticationStep failed(String detail) {
        state = State.DONE;
        return AuthenticationStep.failed(AuthenticationFailure.AUTHENTICATION_FAILED, detail);
    }

    /** A {@code CHAP_A} list item: a decimal algorithm number; anything else is skipped. */
    private static Optional<ChapAlgorithm> parseAlgorithm(String item) {
        if (item.isEmpty() || item.length() > 3) {
            return Optional.empty();
        }
        for (int i = 0; i < item.length(); i++) {
            if (item.charAt(i) < '0' || item.charAt(i) > '9') {
                return Optional.empty();
            }
        }
        return ChapAlgorithm.fromCode(Integer.parseInt(item));
    }

    /** Answers keys no CHAP step uses with NotUnderstood (RFC 7143 §6.2). */
    private static void notUnderstood(Map<String, String> keys, Map<String, String> answer) {
        for (String key : keys.keySet()) {
            if (!CHAP_KEYS.contains(key)) {
                answer.put(key, NOT_UNDERSTOOD);
            }
        }
    }

    private String allowedCodes() {
        StringBuilder codes = new StringBuilder();
        for (ChapAlgorithm a : allowed) {
            codes.append(codes.length() == 0 ? "" : ",").append(a.code());
        }
        return codes.toString();
    }

    private static String presentChapKeys(Map<String, String> keys) {
        StringBuilder present = new StringBuilder();
        for (String key : keys.keySet()) {
            if (CHAP_KEYS.contains(key)) {
                present.append(present.length() == 0 ? "" : ", ").append(key);
            }
        }
        return present.length() == 0 ? "no CHAP keys" : present.toString();
    }

    /** Initiator-supplied text made safe for a log line: control characters replaced, length bounded. */
    static String printable(String text) {
        StringBuilder out = new StringBuilder("'");
        int limit = Math.min(text.length(), MAX_LOGGED_TEXT);
        for (int i = 0; i < limit; i++) {
            char c = text.charAt(i);
            out.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        if (text.length() > MAX_LOGGED_TEXT) {
            out.append("...");
        }
        return out.append('\'').toString();
    }
}
