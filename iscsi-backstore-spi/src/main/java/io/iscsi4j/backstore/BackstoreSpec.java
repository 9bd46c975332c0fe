package io.iscsi4j.backstore;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * A backstore named in text: {@code kind[:key=value[,key=value]...]}, for example
 * {@code memory:size=1G,blockSize=4096}. Keys and values are trimmed; values cannot contain commas.
 */
record BackstoreSpec(String kind, Map<String, String> options) {

    BackstoreSpec {
        options = Map.copyOf(options);
    }

    static BackstoreSpec parse(String spec) {
        Objects.requireNonNull(spec, "spec");
        int colon = spec.indexOf(':');
        String kind = (colon < 0 ? spec : spec.substring(0, colon)).trim().toLowerCase(Locale.ROOT);
        if (kind.isEmpty()) {
            throw new IllegalArgumentException(
                    "backstore spec '" + spec + "' has no kind; expected kind:key=value,... such as memory:size=1G");
        }
        Map<String, String> options = new LinkedHashMap<>();
        String rest = colon < 0 ? "" : spec.substring(colon + 1);
        if (!rest.isBlank()) {
            for (String option : rest.split(",", -1)) {
                int equals = option.indexOf('=');
                String key = equals < 0 ? "" : option.substring(0, equals).trim();
                if (key.isEmpty()) {
                    throw new IllegalArgumentException(
                            "backstore spec '" + spec + "': option '" + option + "' is not key=value");
                }
                if (options.put(key, option.substring(equals + 1).trim()) != null) {
                    throw new IllegalArgumentException("backstore spec '" + spec + "': option " + key + " repeated");
                }
            }
        }
        return new BackstoreSpec(kind, options);
    }
}
