package io.iscsi4j;

/**
 * Caps that keep hostile or broken initiators from exhausting the target: connection, login and session counts,
 * immediate commands per session, buffered write data per session and queued output per connection. Set through
 * {@link IscsiTarget.Builder}; immutable.
 *
 * <p>What happens at each cap:
 * <ul>
 *   <li>{@code maxConnections}, {@code maxConnectionsPerAddress}, {@code maxPendingLogins},
 *       {@code maxPendingLoginsPerAddress}: a TCP connection over the cap is closed right after accept, before any
 *       byte is read (no Login Response: nothing was asked yet). The per-address cap on pending logins is well
 *       below the global one, so that one address cannot hold every pending-login slot and keep everyone else
 *       out.</li>
 *   <li>{@code maxSessions}, {@code maxDiscoverySessions}: a leading login of a normal, respectively discovery,
 *       session over the cap fails with status 0x0302 (Out of resources, RFC 7143 §11.13.5) and the connection
 *       closes. The two are counted apart, so discovery sessions (which need no ACL) cannot take the place of
 *       normal ones.</li>
 *   <li>{@code maxSessionsPerInitiator}: a leading login of an initiator name that already has that many
 *       sessions fails with status 0x0206 (Too many connections); reinstating one of its sessions (same ISID)
 *       is always allowed. With one connection per session this also caps connections per initiator name.</li>
 *   <li>{@code maxImmediateCommands}: a SCSI command with the I bit over the cap is answered with a Reject,
 *       reason 0x06 (Immediate command reject, RFC 7143 §11.17.1). Non-immediate commands are already capped by
 *       the CmdSN window.</li>
 *   <li>{@code maxDataBufferBytesPerSession}: the data buffers of the session's commands (each counted at its
 *       expected data transfer length, at most the cap) may not exceed the cap together. A command over it is not
 *       executed yet (a write gets no R2T) until earlier commands of the session completed; reads also wait while
 *       the connection's output is over {@code maxPendingOutputBytes}; later commands wait behind it, so commands
 *       still run in CmdSN order. A single command larger than the cap still runs once it is alone.</li>
 *   <li>{@code maxPendingOutputBytes}: once this much output is queued for a connection the target stops reading
 *       from it until the initiator has read enough (TCP flow control pushes back on a sender that does not read
 *       its responses).</li>
 * </ul>
 *
 * @param maxConnections TCP connections open at once, over all portals
 * @param maxConnectionsPerAddress TCP connections open at once from one IP address
 * @param maxPendingLogins connections open at once that have not completed their login (half-open logins)
 * @param maxPendingLoginsPerAddress connections open at once from one IP address that have not completed their
 *     login
 * @param maxSessions normal sessions at once
 * @param maxDiscoverySessions discovery sessions at once
 * @param maxSessionsPerInitiator sessions at once per initiator name
 * @param maxImmediateCommands immediate SCSI commands outstanding at once per session
 * @param maxDataBufferBytesPerSession bytes of read and write data buffered at once per session
 * @param maxPendingOutputBytes bytes queued for sending on one connection before the target stops reading it
 * @since 0.1
 */
public record ResourceLimits(int maxConnections, int maxConnectionsPerAddress, int maxPendingLogins,
                             int maxPendingLoginsPerAddress, int maxSessions, int maxDiscoverySessions,
                             int maxSessionsPerInitiator, int maxImmediateCommands, int maxDataBufferBytesPerSession,
                             int maxPendingOutputBytes) {

    /**
     * The defaults: 1024 connections, 64 per address, 64 pending logins, 8 per address, 1024 normal sessions, 16
     * discovery sessions, 64 sessions per initiator name, 16 immediate commands per session, 64 MiB of read and write
     * data buffers per session, 4 MiB of queued output per connection.
     */
    public static final ResourceLimits DEFAULT = new ResourceLimits(1024, 64, 64, 8, 1024, 16, 64, 16,
            64 << 20, 4 << 20);

    /**
     * Checks every cap is positive.
     *
     * @param maxConnections at least 1
     * @param maxConnectionsPerAddress at least 1
     * @param maxPendingLogins at least 1
     * @param maxPendingLoginsPerAddress at least 1
     * @param maxSessions at least 1
     * @param maxDiscoverySessions at least 1
     * @param maxSessionsPerInitiator at least 1
     * @param maxImmediateCommands at least 1
     * @param maxDataBufferBytesPerSession at least 65536
     * @param maxPendingOutputBytes at least 65536
     */
    public ResourceLimits {
        positive("maxConnections", maxConnections, 1);
        positive("maxConnectionsPerAddress", maxConnectionsPerAddress, 1);
        positive("maxPendingLogins", maxPendingLogins, 1);
        positive("maxPendingLoginsPerAddress", maxPendingLoginsPerAddress, 1);
        positive("maxSessions", maxSessions, 1);
        positive("maxDiscoverySessions", maxDiscoverySessions, 1);
        positive("maxSessionsPerInitiator", maxSessionsPerInitiator, 1);
        positive("maxImmediateCommands", maxImmediateCommands, 1);
        positive("maxDataBufferBytesPerSession", maxDataBufferBytesPerSession, 65536);
        positive("maxPendingOutputBytes", maxPendingOutputBytes, 65536);
    }

    private static void positive(String name, int value, int min) {
        if (value < min) {
            throw new IllegalArgumentException(name + " must be at least " + min + ": " + value);
        }
    }
}
