package io.iscsi4j.backstore;

import java.io.IOException;
import java.util.Map;

/**
 * Creates backstores of one kind from string options, so a backstore can be named in configuration text
 * (for example the demo's {@code --backstore file:path=/x,size=1G}). Providers are found with
 * {@link java.util.ServiceLoader} by {@link #name()}; code that embeds the target usually passes a
 * {@link Backstore} instance to the builder instead.
 *
 * @since 0.1
 */
public interface BackstoreProvider {

    /** {@return the kind's name, lower case, for example {@code "memory"} or {@code "file"}} */
    String name();

    /**
     * Opens a backstore.
     *
     * @param options provider-specific options, for example {@code size}, {@code path}, {@code blockSize}
     * @return a new backstore, owned by the caller (who closes it)
     * @throws IOException when the storage cannot be opened
     * @throws IllegalArgumentException when an option is missing or malformed; the message names it
     */
    Backstore open(Map<String, String> options) throws IOException;
}
