package io.iscsi4j.initiator;

import java.net.InetSocketAddress;
import java.util.Locale;
import java.util.Objects;

/**
 * A libiscsi-style iSCSI URL: {@code iscsi://[user%secret@]host[:port][/target[/lun]]}. The host may be an IPv6
 * literal in brackets; the port defaults to 3260; without a target the URL names a portal (for discovery); without
 * a LUN it names a target.
 *
 * <p>{@link #toString()} never shows the secret.
 *
 * @param host the host name or address (IPv6 without brackets)
 * @param port the TCP port
 * @param target the target name, or {@code null}
 * @param lun the LUN, or -1 if none was given
 * @param user the CHAP user, or {@code null}
 * @param secret the CHAP secret, or {@code null}
 * @since 0.1
 */
public record IscsiUrl(String host, int port, String target, int lun, String user, String secret) {

    /** The iSCSI port assigned by IANA. */
    public static final int DEFAULT_PORT = 3260;

    /**
     * Checks the fields.
     *
     * @param host the host
     * @param port the port
     * @param target the target, or {@code null}
     * @param lun the LUN or -1
     * @param user the user or {@code null}
     * @param secret the secret or {@code null}
     */
    public IscsiUrl {
        Objects.requireNonNull(host, "host");
        if (host.isEmpty()) {
            throw new IllegalArgumentException("no host");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        if (lun < -1 || lun > 16383) {
            throw new IllegalArgumentException("LUN out of range 0..16383: " + lun);
        }
        if ((user == null) != (secret == null)) {
            throw new IllegalArgumentException("a CHAP user needs a secret and a secret a user");
        }
    }

    /**
     * Parses a URL.
     *
     * @param url for example {@code iscsi://alice%s3cret@127.0.0.1:3260/iqn.2026-11.io.iscsi4j:demo/0}
     * @return the parsed URL
     * @throws IllegalArgumentException if it is not an iSCSI URL (the message never contains the secret)
     */
    public static IscsiUrl parse(String url) {
        Objects.requireNonNull(url, "url");
        String prefix = "iscsi://";
        if (!url.regionMatches(true, 0, prefix, 0, prefix.length())) {
            throw new IllegalArgumentException("an iSCSI URL starts with iscsi://");
        }
        String rest = url.substring(prefix.length());
        int slash = rest.indexOf('/');
        String authority = slash < 0 ? rest : rest.substring(0, slash);
        String path = slash < 0 ? "" : rest.substring(slash + 1);
        String user = null;
        String secret = null;
        int at = authority.lastIndexOf('@');
        if (at >= 0) {
            String credentials = authority.substring(0, at);
            authority = authority.substring(at + 1);
            int percent = credentials.indexOf('%');
            if (percent <= 0 || percent == credentials.length() - 1) {
                throw new IllegalArgumentException("credentials must be user%secret");
            }
            user = credentials.substring(0, percent);
            secret = credentials.substring(percent + 1);
        }
        String host;
        int port = DEFAULT_PORT;
        if (authority.startsWith("[")) {
            int close = authority.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("unclosed IPv6 literal: " + authority);
            }
            host = authority.substring(1, close);
            String after = authority.substring(close + 1);
            if (!after.isEmpty()) {
                if (!after.startsWith(":")) {
                    throw new IllegalArgumentException("garbage after the IPv6 literal: " + after);
                }
                port = parsePort(after.substring(1));
            }
        } else {
            int colon = authority.lastIndexOf(':');
            if (colon >= 0) {
                host = authority.substring(0, colon);
                port = parsePort(authority.substring(colon + 1));
            } else {
                host = authority;
            }
        }
        String target = null;
        int lun = -1;
        if (!path.isEmpty()) {
            int next = path.indexOf('/');
            target = next < 0 ? path : path.substring(0, next);
            String lunText = next < 0 ? "" : path.substring(next + 1);
            if (lunText.endsWith("/")) {
                lunText = lunText.substring(0, lunText.length() - 1);
            }
            if (!lunText.isEmpty()) {
                try {
                    lun = Integer.parseInt(lunText);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("the LUN is not a number: " + lunText, e);
                }
            }
            if (target.isEmpty()) {
                target = null;
            }
        }
        return new IscsiUrl(host, port, target == null ? null : target.toLowerCase(Locale.ROOT), lun, user, secret);
    }

    private static int parsePort(String text) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("the port is not a number: " + text, e);
        }
    }

    /**
     * The portal, not resolved yet.
     *
     * @return host and port
     */
    public InetSocketAddress portal() {
        return InetSocketAddress.createUnresolved(host, port);
    }

    /**
     * The LUN, which the URL must name.
     *
     * @return the LUN
     * @throws IllegalStateException if the URL names none
     */
    public int requireLun() {
        if (lun < 0) {
            throw new IllegalStateException("the URL names no LUN: " + this);
        }
        return lun;
    }

    /**
     * The target, which the URL must name.
     *
     * @return the target name
     * @throws IllegalStateException if the URL names none
     */
    public String requireTarget() {
        if (target == null) {
            throw new IllegalStateException("the URL names no target: " + this);
        }
        return target;
    }

    /**
     * Login options with this URL's CHAP credentials (if any) on top of {@code base}.
     *
     * @param base the other options
     * @return the options
     */
    public LoginOptions loginOptions(LoginOptions base) {
        return user == null ? base : base.toBuilder().chap(user, secret).build();
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("iscsi://");
        if (user != null) {
            sb.append(user).append("%***@");
        }
        sb.append(host.indexOf(':') >= 0 ? "[" + host + "]" : host).append(':').append(port);
        if (target != null) {
            sb.append('/').append(target);
            if (lun >= 0) {
                sb.append('/').append(lun);
            }
        }
        return sb.toString();
    }
}
