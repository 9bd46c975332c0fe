package io.iscsi4j;

import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A node ACL of a target: which initiators it admits and which LUNs they see (like LIO's node ACLs with mapped
 * LUNs). Immutable; made by {@link TargetBuilder#allowInitiator(String)} or {@link TargetBuilder#acl}.
 *
 * @param initiatorPattern an initiator name, compared case-insensitively, or a pattern where {@code *} matches any
 *        run of characters and {@code ?} one character (for example {@code iqn.1993-08.org.debian:*})
 * @param lunMapping mapped LUN (what the initiator sees) → the target's LUN; empty means every LUN under its own
 *        number
 * @since 0.1
 */
public record AclConfig(String initiatorPattern, Map<Integer, Integer> lunMapping) {

    /**
     * Validates and copies.
     *
     * @param initiatorPattern an initiator name or pattern, not blank
     * @param lunMapping mapped LUN to the target's LUN; copied
     * @throws IllegalArgumentException when the pattern is blank
     */
    public AclConfig {
        Objects.requireNonNull(initiatorPattern, "initiatorPattern");
        if (initiatorPattern.isBlank()) {
            throw new IllegalArgumentException("empty initiator pattern");
        }
        lunMapping = Map.copyOf(new TreeMap<>(lunMapping));
    }

    /**
     * Whether the ACL admits an initiator.
     *
     * @param initiatorName the InitiatorName of the login
     * @return {@code true} when the name matches the pattern
     */
    public boolean matches(String initiatorName) {
        String p = initiatorPattern.toLowerCase(Locale.ROOT);
        String n = initiatorName.toLowerCase(Locale.ROOT);
        if (p.indexOf('*') < 0 && p.indexOf('?') < 0) {
            return p.equals(n);
        }
        StringBuilder regex = new StringBuilder();
        for (char c : p.toCharArray()) {
            regex.append(switch (c) {
                case '*' -> ".*";
                case '?' -> ".";
                default -> Pattern.quote(String.valueOf(c));
            });
        }
        return n.matches(regex.toString());
    }
}
