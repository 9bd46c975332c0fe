package io.iscsi4j.core.session;

import io.iscsi4j.ResourceLimits;
import io.netty.util.AttributeKey;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;

/**
 * Counts the target's TCP connections — all of them and those still logging in, in total and per remote IP
 * address — and refuses a new one over {@link ResourceLimits#maxConnections()},
 * {@link ResourceLimits#maxConnectionsPerAddress()}, {@link ResourceLimits#maxPendingLogins()} or
 * {@link ResourceLimits#maxPendingLoginsPerAddress()}. The transport asks at accept time and closes a refused channel
 * before reading from it; each admitted channel carries its {@link Ticket} in {@link #TICKET}, which the
 * connection marks when its login completes and the transport releases when the channel closes. Thread-safe.
 */
public final class ConnectionLimiter {

    /** The admitted channel's ticket. */
    public static final AttributeKey<Ticket> TICKET = AttributeKey.valueOf(ConnectionLimiter.class, "TICKET");

    private final ResourceLimits limits;
    private final Map<InetAddress, Integer> perAddress = new HashMap<>();
    /** Connections not logged in yet, per address; an address without any has no entry. */
    private final Map<InetAddress, Integer> pendingPerAddress = new HashMap<>();
    private int connections;
    private int pendingLogins;
    private long refused;

    /**
     * @param limits the caps
     */
    public ConnectionLimiter(ResourceLimits limits) {
        this.limits = limits;
    }

    /** One admitted connection's share of the counts. */
    public final class Ticket {
        private final InetAddress address;
        private boolean loggedIn;
        private boolean released;

        private Ticket(InetAddress address) {
            this.address = address;
        }

        /** The login completed: the connection no longer counts as a pending login. Idempotent. */
        void loginCompleted() {
            synchronized (ConnectionLimiter.this) {
                if (!loggedIn && !released) {
                    loggedIn = true;
                    pendingLogins--;
                    decrement(pendingPerAddress, address);
                }
            }
        }

        /** The channel closed: gives the connection's share back. Idempotent. */
        public void release() {
            synchronized (ConnectionLimiter.this) {
                if (released) {
                    return;
                }
                released = true;
                connections--;
                if (!loggedIn) {
                    pendingLogins--;
                    decrement(pendingPerAddress, address);
                }
                decrement(perAddress, address);
            }
        }
    }

    /**
     * Admits a new connection if every cap allows it.
     *
     * @param address the initiator's IP address
     * @return the ticket to release when the channel closes, or {@code null} when refused
     */
    public synchronized Ticket tryAdmit(InetAddress address) {
        int fromAddress = perAddress.getOrDefault(address, 0);
        int pendingFromAddress = pendingPerAddress.getOrDefault(address, 0);
        if (connections >= limits.maxConnections() || fromAddress >= limits.maxConnectionsPerAddress()
                || pendingLogins >= limits.maxPendingLogins()
                || pendingFromAddress >= limits.maxPendingLoginsPerAddress()) {
            refused++;
            return null;
        }
        connections++;
        pendingLogins++;
        perAddress.put(address, fromAddress + 1);
        pendingPerAddress.put(address, pendingFromAddress + 1);
        return new Ticket(address);
    }

    private static void decrement(Map<InetAddress, Integer> counts, InetAddress address) {
        counts.computeIfPresent(address, (a, n) -> n == 1 ? null : n - 1);
    }

    /**
     * Why {@link #tryAdmit} would refuse a connection from {@code address} now, for logs.
     *
     * @param address the initiator's IP address
     * @return a short reason
     */
    public synchronized String refusalReason(InetAddress address) {
        if (connections >= limits.maxConnections()) {
            return connections + " connections open (maxConnections " + limits.maxConnections() + ")";
        }
        if (perAddress.getOrDefault(address, 0) >= limits.maxConnectionsPerAddress()) {
            return "maxConnectionsPerAddress " + limits.maxConnectionsPerAddress() + " reached";
        }
        if (pendingPerAddress.getOrDefault(address, 0) >= limits.maxPendingLoginsPerAddress()) {
            return "maxPendingLoginsPerAddress " + limits.maxPendingLoginsPerAddress() + " reached";
        }
        return pendingLogins + " logins pending (maxPendingLogins " + limits.maxPendingLogins() + ")";
    }

    /** Open connections. */
    public synchronized int connections() {
        return connections;
    }

    /** Connections that have not completed their login. */
    public synchronized int pendingLogins() {
        return pendingLogins;
    }

    /**
     * Connections from one address that have not completed their login.
     *
     * @param address the initiator's IP address
     * @return the count, 0 when none
     */
    public synchronized int pendingLogins(InetAddress address) {
        return pendingPerAddress.getOrDefault(address, 0);
    }

    /** Connections refused so far. */
    public synchronized long refused() {
        return refused;
    }
}
