/**
 * In-process iSCSI targets for unit tests: the JUnit 5 extension {@link io.iscsi4j.testing.IscsiTargetExtension}
 * and {@link io.iscsi4j.testing.IscsiTest}, a recording backstore, a fault policy and a connected client
 * ({@link io.iscsi4j.testing.InProcessTarget#client()}).
 *
 * <p>Reading this module also reads {@code io.iscsi4j.core} (and through it the backstore and SCSI modules),
 * {@code io.iscsi4j.initiator} and
 * {@code org.junit.jupiter.api}, whose types appear in this module's API.
 *
 * @since 0.1
 */
module io.iscsi4j.testing {
    requires transitive io.iscsi4j.core;
    requires transitive io.iscsi4j.initiator;
    requires transitive org.junit.jupiter.api;

    exports io.iscsi4j.testing;
}
