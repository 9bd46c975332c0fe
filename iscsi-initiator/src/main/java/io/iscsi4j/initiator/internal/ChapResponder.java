package io.iscsi4j.initiator.internal;

import io.iscsi4j.initiator.ChapAlgorithm;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;

/** The initiator's CHAP computations (RFC 1994 §4.1, RFC 7143 §12.1.3). Secrets never leave this class. */
public final class ChapResponder {

    private static final SecureRandom RANDOM = new SecureRandom();

    private ChapResponder() {
    }

    /**
     * The response to a challenge: digest(identifier || secret || challenge).
     *
     * @param algorithm the hash
     * @param identifier CHAP_I, 0..255
     * @param secret the secret
     * @param challenge CHAP_C
     * @return the response bytes
     */
    public static byte[] response(ChapAlgorithm algorithm, int identifier, String secret, byte[] challenge) {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance(algorithm.javaName());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm.javaName() + " is missing from this Java runtime", e);
        }
        digest.update((byte) identifier);
        digest.update(secret.getBytes(StandardCharsets.UTF_8));
        digest.update(challenge);
        return digest.digest();
    }

    /**
     * A random challenge for mutual CHAP.
     *
     * @return 32 random bytes
     */
    public static byte[] challenge() {
        byte[] c = new byte[32];
        RANDOM.nextBytes(c);
        return c;
    }

    /**
     * A random identifier for mutual CHAP.
     *
     * @return 0..255
     */
    public static int identifier() {
        return RANDOM.nextInt(256);
    }

    /**
     * Compares two responses in constant time.
     *
     * @param expected the expected bytes
     * @param received the received bytes
     * @return whether equal
     */
    public static boolean matches(byte[] expected, byte[] received) {
        return MessageDigest.isEqual(expected, received);
    }
}
