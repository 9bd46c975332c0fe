/**
 * The storage SPI of iscsi4j (JDK only): {@link io.iscsi4j.backstore.Backstore}, the stock memory, file and
 * read-only backstores, and {@link io.iscsi4j.backstore.BackstoreProvider}s that
 * {@link io.iscsi4j.backstore.Backstores#open(String)} finds by name with {@link java.util.ServiceLoader}.
 *
 * <p>A provider in another named module declares
 * {@code provides io.iscsi4j.backstore.BackstoreProvider with com.example.MyProvider;}; on the class path it is
 * listed in {@code META-INF/services/io.iscsi4j.backstore.BackstoreProvider} as before.
 *
 * @uses io.iscsi4j.backstore.BackstoreProvider
 * @provides io.iscsi4j.backstore.BackstoreProvider the built-in {@code memory} and {@code file} kinds
 * @since 0.1
 */
module io.iscsi4j.backstore {
    exports io.iscsi4j.backstore;

    uses io.iscsi4j.backstore.BackstoreProvider;

    provides io.iscsi4j.backstore.BackstoreProvider with
            io.iscsi4j.backstore.MemoryBackstoreProvider,
            io.iscsi4j.backstore.FileBackstoreProvider;
}
