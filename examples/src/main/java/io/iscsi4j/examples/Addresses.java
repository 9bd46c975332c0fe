package io.iscsi4j.examples;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/** Formats socket addresses the way iSCSI URLs and portals write them: {@code 127.0.0.1:3260}, {@code [::1]:3260}. */
final class Addresses {

    private Addresses() {
    }

    /**
     * The address as {@code HOST:PORT}, an IPv6 host in brackets and in its shortest form.
     *
     * @param address a resolved socket address
     * @return the text
     */
    static String hostPort(InetSocketAddress address) {
        InetAddress ip = address.getAddress();
        if (ip == null) {
            return address.getHostString() + ":" + address.getPort();
        }
        if (ip instanceof Inet6Address) {
            return "[" + compressIpv6(ip.getHostAddress()) + "]:" + address.getPort();
        }
        return ip.getHostAddress() + ":" + address.getPort();
    }

    /**
     * Shortens Java's full IPv6 text ({@code 0:0:0:0:0:0:0:1}) to the RFC 5952 form ({@code ::1}): the longest run
     * of two or more zero groups becomes {@code ::}. A {@code %scope} suffix is kept.
     */
    static String compressIpv6(String text) {
        String scope = "";
        int percent = text.indexOf('%');
        if (percent >= 0) {
            scope = text.substring(percent);
            text = text.substring(0, percent);
        }
        String[] groups = text.split(":", -1);
        if (groups.length != 8) {
            return text + scope;
        }
        int bestStart = -1;
        int bestLength = 0;
        for (int i = 0; i < 8; ) {
            if (groups[i].replace("0", "").isEmpty()) {
                int j = i;
                while (j < 8 && groups[j].replace("0", "").isEmpty()) {
                    j++;
                }
                if (j - i > bestLength) {
                    bestStart = i;
                    bestLength = j - i;
                }
                i = j;
            } else {
                i++;
            }
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (bestLength >= 2 && i == bestStart) {
                out.append("::");
                i += bestLength - 1;
                continue;
            }
            if (out.length() > 0 && out.charAt(out.length() - 1) != ':') {
                out.append(':');
            }
            out.append(groups[i].replaceFirst("^0+(?=.)", ""));
        }
        return out + scope;
    }
}
