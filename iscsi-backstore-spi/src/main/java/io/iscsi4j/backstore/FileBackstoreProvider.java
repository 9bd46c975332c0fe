package io.iscsi4j.backstore;

import java.io.IOException;
import java.util.Map;
import java.util.Set;

/**
 * Provider {@code "file"}: {@link Backstores#file(java.nio.file.Path, long, int, int)} from options {@code path}
 * (required), {@code size} (bytes, {@link Backstores#parseSize} syntax; default 0: use the existing file's size),
 * {@code blockSize} (bytes, default 512) and {@code ioThreads} (default
 * {@value Backstores#DEFAULT_FILE_IO_THREADS}). Example spec: {@code file:path=/var/lib/lun0.img,size=10G}.
 * Stateless and thread-safe.
 *
 * @since 0.1
 */
public final class FileBackstoreProvider implements BackstoreProvider {

    /** Kind name: {@value}. */
    public static final String NAME = "file";

    private static final Set<String> OPTIONS = Set.of("path", "size", "blockSize", "ioThreads");

    /** For {@link java.util.ServiceLoader}. */
    public FileBackstoreProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Backstore open(Map<String, String> options) throws IOException {
        ProviderOptions o = ProviderOptions.of(NAME, options, OPTIONS);
        return Backstores.file(
                o.path("path"),
                o.size("size", 0),
                o.positiveInt("blockSize", Backstores.DEFAULT_BLOCK_SIZE),
                o.positiveInt("ioThreads", Backstores.DEFAULT_FILE_IO_THREADS));
    }
}
