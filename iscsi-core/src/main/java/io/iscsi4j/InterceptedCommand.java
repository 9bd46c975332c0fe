package io.iscsi4j;

import java.net.SocketAddress;
import java.nio.ByteBuffer;

/**
 * A SCSI command seen by {@link TargetInterceptor#beforeCommand}. The object is a view the connection reuses: it is
 * valid only during that call, on that thread.
 *
 * @since 0.1
 */
public interface InterceptedCommand {

    /**
     * The initiator's iSCSI name, in lower case.
     *
     * @return the name
     */
    String initiatorName();

    /**
     * The target's iSCSI name (lower case).
     *
     * @return the name
     */
    String targetName();

    /**
     * The LUN the command addresses, as the initiator sees it (before ACL LUN mapping), or -1 when the LUN field
     * uses an addressing method the target does not support.
     *
     * @return the LUN
     */
    int lun();

    /**
     * The operation code, the CDB's first byte (for example {@code 0x28} READ(10), {@code 0x2A} WRITE(10)).
     *
     * @return 0 to 255
     */
    int operationCode();

    /**
     * The command descriptor block.
     *
     * @return a read-only buffer positioned at the CDB's first byte
     */
    ByteBuffer cdb();

    /**
     * The initiator's address.
     *
     * @return the remote address of the connection
     */
    SocketAddress remoteAddress();
}
