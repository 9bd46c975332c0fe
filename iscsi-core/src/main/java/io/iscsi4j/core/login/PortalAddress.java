package io.iscsi4j.core.login;

import java.util.Objects;

/**
 * A network portal of a target: the address an initiator connects to and the portal group it belongs to
 * (RFC 7143 §13.8).
 *
 * @param host a DNS name, a dotted IPv4 address or an IPv6 address (with or without brackets)
 * @param port the TCP port, 1 to 65535
 * @param portalGroupTag the target portal group tag, 0 to 65535
 * @since 0.1.0
 */
public record PortalAddress(String host, int port, int portalGroupTag) {

    /**
     * Checks the components.
     *
     * @param host a host name or address
     * @param port the TCP port
     * @param portalGroupTag the target portal group tag
     */
    public PortalAddress {
        Objects.requireNonNull(host, "host");
        if (host.isEmpty()) {
            throw new IllegalArgumentException("empty host");
        }
        if (port < 1 || port > 0xFFFF) {
            throw new IllegalArgumentException("port must be 1 to 65535: " + port);
        }
        if (portalGroupTag < 0 || portalGroupTag > 0xFFFF) {
            throw new IllegalArgumentException("portal group tag must be 0 to 65535: " + portalGroupTag);
        }
    }

    /**
     * The value of a TargetAddress key in a SendTargets response: {@code host:port,tag}, an IPv6 address in
     * brackets.
     *
     * @return e.g. {@code 192.0.2.7:3260,1} or {@code [2001:db8::7]:3260,1}
     */
    public String toTargetAddress() {
        boolean bareIpv6 = host.indexOf(':') >= 0 && !host.startsWith("[");
        String hostPart = bareIpv6 ? "[" + host + "]" : host;
        return hostPart + ":" + port + "," + portalGroupTag;
    }
}
