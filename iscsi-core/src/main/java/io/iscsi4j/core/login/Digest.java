package io.iscsi4j.core.login;

import java.util.Optional;

/**
 * A digest choice of the {@code HeaderDigest} and {@code DataDigest} keys (RFC 7143 §13.1).
 *
 * @since 0.1.0
 */
public enum Digest {

    /** No digest. */
    NONE("None"),

    /** CRC32C (Castagnoli) over the header or data segment. */
    CRC32C("CRC32C");

    private final String wireValue;

    Digest(String wireValue) {
        this.wireValue = wireValue;
    }

    /**
     * The value as written in a digest key.
     *
     * @return {@code None} or {@code CRC32C}
     */
    public String wireValue() {
        return wireValue;
    }

    /**
     * Parses one digest choice.
     *
     * @param value a list item, compared case-sensitively
     * @return the digest, or empty for an unknown choice
     */
    public static Optional<Digest> fromWireValue(String value) {
        for (Digest digest : values()) {
            if (digest.wireValue.equals(value)) {
                return Optional.of(digest);
            }
        }
        return Optional.empty();
    }
}
