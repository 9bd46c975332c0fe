package io.iscsi4j.backstore;

import java.util.Map;
import java.util.Set;

/**
 * Provider {@code "memory"}: {@link Backstores#memory(long, int)} from options {@code size} (required, bytes,
 * {@link Backstores#parseSize} syntax) and {@code blockSize} (bytes, default 512). Example spec:
 * {@code memory:size=1G,blockSize=4096}. Stateless and thread-safe.
 *
 * @since 0.1
 */
public final class MemoryBackstoreProvider implements BackstoreProvider {

    /** Kind name: {@value}. */
    public static final String NAME = "memory";

    private static final Set<String> OPTIONS = Set.of("size", "blockSize");

    /** For {@link java.util.ServiceLoader}. */
    public MemoryBackstoreProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Backstore open(Map<String, String> options) {
        ProviderOptions o = ProviderOptions.of(NAME, options, OPTIONS);
        return Backstores.memory(o.requiredSize("size"), o.positiveInt("blockSize", Backstores.DEFAULT_BLOCK_SIZE));
    }
}
