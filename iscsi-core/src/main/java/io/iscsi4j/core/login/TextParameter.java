package io.iscsi4j.core.login;

import java.util.Objects;

/**
 * One {@code key=value} pair of a login or text data segment (RFC 7143 §6.1).
 *
 * @param key the key name, e.g. {@code MaxBurstLength}
 * @param value the value as text, possibly empty, e.g. {@code 262144}
 * @since 0.1.0
 */
public record TextParameter(String key, String value) {

    /**
     * Checks the components are present.
     *
     * @param key the key name
     * @param value the value as text
     */
    public TextParameter {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
    }

    @Override
    public String toString() {
        return key + "=" + value;
    }
}
