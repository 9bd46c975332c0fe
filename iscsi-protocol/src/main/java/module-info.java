/**
 * The iSCSI wire protocol (RFC 7143 §11) shared by iscsi4j's target ({@code io.iscsi4j.core}) and initiator
 * ({@code io.iscsi4j.initiator}): PDU value types, the Netty frame decoder and encoder, CRC32C digests.
 *
 * <p>Not API: the package is exported to those two modules only, and may change in any release.
 *
 * @since 0.1
 */
// Netty 4.1 ships automatic modules. "module": the qualified export names io.iscsi4j.initiator, which is not
// on the module path when this module is compiled.
@SuppressWarnings({"requires-automatic", "module"})
module io.iscsi4j.protocol {
    requires io.netty.buffer;
    requires io.netty.codec;
    requires io.netty.common;
    requires io.netty.transport;
    requires jdk.unsupported;

    exports io.iscsi4j.core.pdu to io.iscsi4j.core, io.iscsi4j.initiator;
}
