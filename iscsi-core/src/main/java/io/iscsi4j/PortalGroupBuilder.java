package io.iscsi4j;

import io.iscsi4j.core.auth.Authenticator;
import io.iscsi4j.core.auth.ChapCredentials;
import io.iscsi4j.core.auth.ChapCredentialsLookup;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Configures one portal group ({@link IscsiTarget.Builder#portalGroup}): its portals, the targets it serves, its
 * discovery authentication. Not thread-safe.
 *
 * <pre>{@code
 * IscsiTarget.builder()
 *         .portal("10.0.0.5", 3260)                                  // the default group: every target
 *         .portalGroup(2, g -> g
 *                 .portal("192.168.7.5", 3260)                       // a second network...
 *                 .target("iqn.2026-11.com.example:backup")          // ...that reaches one target only
 *                 .discoveryChap("discovery", "a-long-random-secret"))
 * }</pre>
 *
 * @since 0.2
 */
public final class PortalGroupBuilder {

    private final int tag;
    private final List<InetSocketAddress> portals = new ArrayList<>();
    private final Set<String> targets = new LinkedHashSet<>();
    private Authenticator discoveryAuthenticator;

    PortalGroupBuilder(int tag) {
        this.tag = tag;
    }

    /**
     * Adds a portal of this group.
     *
     * @param host the address to listen on
     * @param port the TCP port, 0 for any free one
     * @return this
     */
    public PortalGroupBuilder portal(String host, int port) {
        Objects.requireNonNull(host, "host");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535: " + port);
        }
        portals.add(new InetSocketAddress(host, port));
        return this;
    }

    /**
     * Adds a portal of this group.
     *
     * @param address the address to listen on
     * @return this
     */
    public PortalGroupBuilder portal(InetSocketAddress address) {
        portals.add(Objects.requireNonNull(address, "address"));
        return this;
    }

    /**
     * Makes a target reachable through this group. Without any call the group serves every target; once one is
     * named, logins to others fail with TARGET NOT FOUND (0x0203) on this group's portals and SendTargets there does
     * not list them.
     *
     * @param names the targets' iSCSI names
     * @return this
     */
    public PortalGroupBuilder target(String... names) {
        for (String n : names) {
            targets.add(Objects.requireNonNull(n, "name").toLowerCase(Locale.ROOT));
        }
        return this;
    }

    /**
     * Requires one-way CHAP for discovery sessions on this group's portals, instead of the target-wide discovery
     * authentication.
     *
     * @param user the name initiators send as {@code CHAP_N}
     * @param secret the secret, at least 12 characters; never logged
     * @return this
     */
    public PortalGroupBuilder discoveryChap(String user, String secret) {
        this.discoveryAuthenticator = Authenticator.chap(ChapCredentialsLookup.fixed(ChapCredentials.of(user, secret)));
        return this;
    }

    /**
     * Authenticates discovery sessions on this group's portals with a custom {@link Authenticator}.
     *
     * @param authenticator the authenticator; must be thread-safe
     * @return this
     */
    public PortalGroupBuilder discoveryAuthenticator(Authenticator authenticator) {
        this.discoveryAuthenticator = Objects.requireNonNull(authenticator, "authenticator");
        return this;
    }

    PortalGroupConfig build() {
        return new PortalGroupConfig(tag, portals, targets, discoveryAuthenticator);
    }
}
