package io.iscsi4j.initiator;

/**
 * The hash functions of a CHAP exchange, with their {@code CHAP_A} numbers (RFC 7143 §12.1.3: 5 is MD5; 6, 7 and 8
 * are the numbers Linux LIO and open-iscsi use for SHA-1, SHA-256 and SHA3-256).
 *
 * @since 0.1
 */
public enum ChapAlgorithm {
    /** {@code CHAP_A=5}: MD5. */
    MD5(5, "MD5"),
    /** {@code CHAP_A=6}: SHA-1. */
    SHA1(6, "SHA-1"),
    /** {@code CHAP_A=7}: SHA-256. */
    SHA256(7, "SHA-256"),
    /** {@code CHAP_A=8}: SHA3-256. */
    SHA3_256(8, "SHA3-256");

    private final int code;
    private final String javaName;

    ChapAlgorithm(int code, String javaName) {
        this.code = code;
        this.javaName = javaName;
    }

    /**
     * The number sent in {@code CHAP_A}.
     *
     * @return 5, 6, 7 or 8
     */
    public int code() {
        return code;
    }

    /**
     * The JDK {@link java.security.MessageDigest} algorithm name.
     *
     * @return for example {@code "SHA-256"}
     */
    public String javaName() {
        return javaName;
    }

    /**
     * The algorithm of a {@code CHAP_A} number.
     *
     * @param code the number
     * @return the algorithm, or {@code null} for a number this library does not implement
     */
    public static ChapAlgorithm fromCode(int code) {
        for (ChapAlgorithm a : values()) {
            if (a.code == code) {
                return a;
            }
        }
        return null;
    }
}
