package io.iscsi4j.backstore;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/** Typed access to a provider's string options; every error message names the kind and the option. */
final class ProviderOptions {

    private final String kind;
    private final Map<String, String> values;

    private ProviderOptions(String kind, Map<String, String> values) {
        this.kind = kind;
        this.values = values;
    }

    /** @throws IllegalArgumentException when an option is not one of {@code known} */
    static ProviderOptions of(String kind, Map<String, String> values, Set<String> known) {
        Objects.requireNonNull(values, "options");
        for (String key : values.keySet()) {
            if (!known.contains(key)) {
                throw new IllegalArgumentException("unknown option '" + key + "' for a " + kind
                        + " backstore; known options: " + String.join(", ", new TreeSet<>(known)));
            }
        }
        return new ProviderOptions(kind, values);
    }

    Path path(String name) {
        String value = values.get(name);
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("a " + kind + " backstore needs option " + name);
        }
        try {
            return Path.of(value);
        } catch (InvalidPathException e) {
            throw invalid(name, e.getMessage(), e);
        }
    }

    /** A size in bytes ({@link Sizes} syntax), {@code defaultValue} when absent. */
    long size(String name, long defaultValue) {
        String value = values.get(name);
        if (value == null) {
            return defaultValue;
        }
        try {
            return Sizes.parse(value);
        } catch (IllegalArgumentException e) {
            throw invalid(name, e.getMessage(), e);
        }
    }

    /** A size in bytes that is required. */
    long requiredSize(String name) {
        if (!values.containsKey(name)) {
            throw new IllegalArgumentException("a " + kind + " backstore needs option " + name + " (e.g. 1G)");
        }
        return size(name, 0);
    }

    /** A positive {@code int}, sizes syntax allowed (blockSize=4K), {@code defaultValue} when absent. */
    int positiveInt(String name, int defaultValue) {
        long value = size(name, defaultValue);
        if (value < 1 || value > Integer.MAX_VALUE) {
            throw invalid(name, "must be a positive 32-bit integer, got " + value, null);
        }
        return (int) value;
    }

    private IllegalArgumentException invalid(String name, String problem, Throwable cause) {
        return new IllegalArgumentException(kind + " backstore option " + name + ": " + problem, cause);
    }
}
