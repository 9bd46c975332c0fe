package io.iscsi4j.core.auth;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;

/**
 * The hash functions a CHAP exchange may use, with the {@code CHAP_A} numbers initiators and targets use for them
 * (RFC 7143 §12.1.3 refers to the PPP authentication algorithm numbers of RFC 1994; 5 is the one every
 * implementation must support; 6, 7 and 8 are the numbers Linux LIO and open-iscsi assign to SHA-1, SHA-256 and
 * SHA3-256).
 *
 * <p>Constants are declared from the weakest to the strongest: when the initiator offers several algorithms the
 * configuration allows, {@link ChapAuthenticator} picks the one declared last.
 *
 * @since 0.1.0
 */
public enum ChapAlgorithm {

    /** {@code CHAP_A=5}: MD5, 16-byte responses. The only algorithm many initiators (libiscsi, older open-iscsi) offer. */
    MD5(5, "MD5", 16),

    /** {@code CHAP_A=6}: SHA-1, 20-byte responses. */
    SHA1(6, "SHA-1", 20),

    /** {@code CHAP_A=7}: SHA-256, 32-byte responses. */
    SHA256(7, "SHA-256", 32),

    /** {@code CHAP_A=8}: SHA3-256, 32-byte responses. */
    SHA3_256(8, "SHA3-256", 32);

    private final int code;
    private final String javaName;
    private final int digestLength;

    ChapAlgorithm(int code, String javaName, int digestLength) {
        this.code = code;
        this.javaName = javaName;
        this.digestLength = digestLength;
    }

    /**
     * The number sent as the value of {@code CHAP_A}.
     *
     * @return 5, 6, 7 or 8
     */
    public int code() {
        return code;
    }

    /**
     * The length of a response ({@code CHAP_R}).
     *
     * @return the digest length in bytes
     */
    public int digestLength() {
        return digestLength;
    }

    /**
     * The algorithm a {@code CHAP_A} number names.
     *
     * @param code a number from a {@code CHAP_A} list
     * @return the algorithm, or empty for a number this library does not implement
     */
    public static Optional<ChapAlgorithm> fromCode(int code) {
        for (ChapAlgorithm algorithm : values()) {
            if (algorithm.code == code) {
                return Optional.of(algorithm);
            }
        }
        return Optional.empty();
    }

    /**
     * The CHAP response of RFC 1994 §4.1: the digest of the identifier byte, then the secret, then the challenge.
     *
     * @param identifier the {@code CHAP_I} value, 0 to 255
     * @param secret the shared secret
     * @param challenge the {@code CHAP_C} bytes
     * @return a new array of {@link #digestLength()} bytes
     */
    byte[] response(int identifier, byte[] secret, byte[] challenge) {
        MessageDigest digest = newDigest();
        digest.update((byte) identifier);
        digest.update(secret);
        digest.update(challenge);
        return digest.digest();
    }

    private MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance(javaName);
        } catch (NoSuchAlgorithmException e) {
            // The JDK's SUN provider has all four; a runtime stripped of one cannot serve that algorithm.
            throw new IllegalStateException(javaName + " is missing from this Java runtime", e);
        }
    }

    @Override
    public String toString() {
        return javaName + " (CHAP_A=" + code + ")";
    }
}
