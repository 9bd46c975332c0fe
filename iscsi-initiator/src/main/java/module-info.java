/**
 * An asynchronous iSCSI initiator (RFC 7143): {@link io.iscsi4j.initiator.IscsiInitiator} discovers targets and
 * logs in; an {@link io.iscsi4j.initiator.IscsiSession} runs SCSI commands, many in flight; a
 * {@link io.iscsi4j.initiator.BlockDevice} reads and writes the blocks of a LUN. Package {@code io.iscsi4j.initiator}
 * is the whole API; the engine ({@code io.iscsi4j.initiator.internal}) may change in any release.
 *
 * <p>It shares the PDU code with the iscsi4j target through module {@code io.iscsi4j.protocol} but does not read
 * the target module.
 *
 * @since 0.1
 */
// Netty 4.1 ships automatic modules; of their types only EventLoopGroup appears in this module's API.
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module io.iscsi4j.initiator {
    requires io.iscsi4j.protocol;
    requires io.netty.buffer;
    requires io.netty.codec;
    requires io.netty.common;
    // EventLoopGroup appears in IscsiInitiator.Builder
    requires transitive io.netty.transport;
    requires org.slf4j;
    requires jdk.unsupported;

    exports io.iscsi4j.initiator;
}
