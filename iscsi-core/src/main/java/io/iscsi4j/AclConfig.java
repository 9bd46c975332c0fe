package io.iscsi4j;

import io.iscsi4j.core.auth.ChapCredentials;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * A node ACL of a target: which initiators it admits, which LUNs they see, which of those they may only read, and
 * optionally the CHAP credentials they must use (like LIO's node ACLs with mapped LUNs, {@code write_protect} and
 * per-ACL {@code auth}). Immutable; made by {@link TargetBuilder#allowInitiator(String)} or {@link TargetBuilder#acl}.
 *
 * <p><b>Which ACL applies.</b> When several ACLs of a target match an initiator name, the one used (for its LUNs,
 * write protection and CHAP credentials) is: an ACL whose pattern is the exact name (no wildcard) first; otherwise
 * the most specific pattern, the one with the most characters that are not wildcards; among equally specific
 * patterns, the one declared first. Nothing is merged from other matching ACLs.
 *
 * @param initiatorPattern an initiator name, compared case-insensitively, or a pattern where {@code *} matches any
 *        run of characters and {@code ?} one character (for example {@code iqn.1993-08.org.debian:*})
 * @param lunMapping mapped LUN (what the initiator sees) → the target's LUN; empty means every LUN under its own
 *        number
 * @param readOnlyLuns mapped LUNs (keys of {@code lunMapping}) the initiators may only read: writes end with DATA
 *        PROTECT / WRITE PROTECTED and MODE SENSE reports WP=1, for these initiators only
 * @param readOnly whether every LUN the initiators see is read-only to them
 * @param chap the CHAP credentials these initiators must use, replacing the target-wide authentication for them
 *        (one-way, or mutual when {@link ChapCredentials#isMutual()}); empty to use the target-wide authentication
 * @since 0.1
 */
public record AclConfig(String initiatorPattern, Map<Integer, Integer> lunMapping, Set<Integer> readOnlyLuns,
                        boolean readOnly, Optional<ChapCredentials> chap) {

    /**
     * Validates and copies.
     *
     * @param initiatorPattern an initiator name or pattern
     * @param lunMapping mapped LUN → the target's LUN
     * @param readOnlyLuns mapped LUNs the initiators may only read; each a key of {@code lunMapping}
     * @param readOnly whether every LUN is read-only to these initiators
     * @param chap the ACL's own CHAP credentials, or empty
     * @throws IllegalArgumentException when the pattern is blank or a read-only LUN is not mapped
     */
    public AclConfig {
        Objects.requireNonNull(initiatorPattern, "initiatorPattern");
        if (initiatorPattern.isBlank()) {
            throw new IllegalArgumentException("empty initiator pattern");
        }
        lunMapping = Map.copyOf(new TreeMap<>(lunMapping));
        readOnlyLuns = Set.copyOf(new TreeSet<>(readOnlyLuns));
        for (int lun : readOnlyLuns) {
            if (!lunMapping.containsKey(lun)) {
                throw new IllegalArgumentException("ACL " + initiatorPattern + ": read-only LUN " + lun
                        + " is not mapped");
            }
        }
        Objects.requireNonNull(chap, "chap");
    }

    /**
     * An ACL without write protection or CHAP credentials of its own.
     *
     * @param initiatorPattern an initiator name or pattern
     * @param lunMapping mapped LUN → the target's LUN; empty means every LUN under its own number
     */
    public AclConfig(String initiatorPattern, Map<Integer, Integer> lunMapping) {
        this(initiatorPattern, lunMapping, Set.of(), false, Optional.empty());
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
        if (isExact()) {
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

    /**
     * Whether the pattern is one exact initiator name (it has no wildcard).
     *
     * @return {@code true} without {@code *} and {@code ?}
     */
    public boolean isExact() {
        return initiatorPattern.indexOf('*') < 0 && initiatorPattern.indexOf('?') < 0;
    }

    /**
     * Whether the initiators of this ACL may only read a LUN they see.
     *
     * @param mappedLun the LUN as the initiator addresses it
     * @return {@code true} when the ACL is {@linkplain #readOnly() read-only} or maps the LUN read-only
     */
    public boolean isReadOnly(int mappedLun) {
        return readOnly || readOnlyLuns.contains(mappedLun);
    }

    /**
     * The ACL that applies to an initiator (see the class description): exact name first, then the most specific
     * pattern, then declaration order.
     *
     * @param acls the ACLs in declaration order
     * @param initiatorName the InitiatorName of the login
     * @return the ACL, or {@code null} when none matches
     */
    static AclConfig bestMatch(List<AclConfig> acls, String initiatorName) {
        AclConfig best = null;
        int bestRank = -1;
        for (AclConfig a : acls) {
            if (a.matches(initiatorName)) {
                int rank = a.specificity();
                if (rank > bestRank) { // strictly greater: the first declared wins a tie
                    best = a;
                    bestRank = rank;
                }
            }
        }
        return best;
    }

    /** How specific the pattern is: exact names above every pattern, then by the count of literal characters. */
    private int specificity() {
        if (isExact()) {
            return Integer.MAX_VALUE;
        }
        int literal = 0;
        for (int i = 0; i < initiatorPattern.length(); i++) {
            char c = initiatorPattern.charAt(i);
            if (c != '*' && c != '?') {
                literal++;
            }
        }
        return literal;
    }
}
