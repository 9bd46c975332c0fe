/**
 * The iSCSI target of iscsi4j (RFC 7143): {@link io.iscsi4j.IscsiTarget} and its builder (package
 * {@code io.iscsi4j}) and authentication (package {@code io.iscsi4j.core.auth}). These two packages are the
 * whole API of this module; the protocol engine ({@code io.iscsi4j.core.login}, {@code .session}, {@code .transport}, and the
 * PDUs in module {@code io.iscsi4j.protocol}) is encapsulated and may change in any release.
 *
 * <p>Reading this module also reads {@code io.iscsi4j.backstore} (LUNs are backed by a
 * {@link io.iscsi4j.backstore.Backstore}) and {@code io.iscsi4j.scsi} (interceptors and statistics use its
 * status, sense and statistics types).
 *
 * @since 0.1
 */
// Netty 4.1 ships automatic modules (named by their Automatic-Module-Name manifest entries); none of their types
// appear in this module's API, so requiring them is an implementation detail.
@SuppressWarnings("requires-automatic")
module io.iscsi4j.core {
    requires transitive io.iscsi4j.backstore;
    requires transitive io.iscsi4j.scsi;

    requires io.iscsi4j.protocol;
    requires io.netty.buffer;
    requires io.netty.codec;
    requires io.netty.common;
    requires io.netty.transport;
    requires org.slf4j;
    // Netty's automatic modules read every module in the graph but cannot add one: without this, an application
    // on the module path runs Netty without sun.misc.Unsafe (slower buffers, no cleaner for direct memory).
    requires jdk.unsupported;

    exports io.iscsi4j;
    exports io.iscsi4j.core.auth;
    exports io.iscsi4j.management;
    // JMX reads the MXBean interfaces; java.management is part of every JDK image this library supports.
    requires java.management;
}
