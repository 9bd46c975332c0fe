package io.iscsi4j;

import io.iscsi4j.backstore.Backstore;
import io.iscsi4j.core.auth.Authenticator;
import io.iscsi4j.core.auth.ChapAlgorithm;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Configures one target inside {@link IscsiTarget.Builder#target(String, Consumer)}: its LUNs, alias and
 * authentication. Not thread-safe; used only while building.
 *
 * <pre>{@code
 * .target("iqn.2026-11.com.example:disk", t -> t
 *         .lun(0, Backstores.memory(1L << 30))
 *         .chap("alice", "a-long-random-secret")                     // initiators must authenticate
 *         .mutualChap("disk", "another-long-secret"))                // and may ask the target to, too
 * }</pre>
 *
 * <p>Without {@link #chap} or {@link #authenticator} every initiator may log in without authentication.
 *
 * <p>Node ACLs ({@link #allowInitiator}, {@link #acl}) restrict who may log in and what they see, like LIO's node
 * ACLs: once one is configured, only initiators matching an ACL may log in (others get authorization failure,
 * 0x0202, and do not see the target in SendTargets); each ACL may map LUNs, write-protect them, and carry CHAP
 * credentials that replace the target-wide ones for its initiators:
 *
 * <pre>{@code
 * .target("iqn.2026-11.com.example:disk", t -> t
 *         .lun(0, Backstores.memory(1L << 30))
 *         .lun(1, Backstores.memory(1L << 30))
 *         .chap("everyone", "a-long-random-secret")                  // for ACLs without CHAP of their own
 *         .acl("iqn.1993-08.org.debian:01:db1", a -> a
 *                 .mapLun(0, 1)                                      // sees only LUN 1, as its LUN 0
 *                 .chap("db1", "db1-long-random-secret"))            // and authenticates with its own secret
 *         .acl("iqn.1993-08.org.debian:01:*", a -> a.readOnly()))   // other Debian hosts may read every LUN
 * }</pre>
 * @since 0.1
 */
public final class TargetBuilder {

    private final String name;
    private String alias;
    private final List<LunConfig> luns = new ArrayList<>();
    /** ACL options by pattern, in declaration order; built in {@link #build()}, when every target option is known. */
    private final Map<String, AclBuilder> acls = new LinkedHashMap<>();
    private final AuthenticationSettings authentication;

    TargetBuilder(String name) {
        this.name = name;
        this.authentication = new AuthenticationSettings(AuthenticationSettings.TARGET_NAMES, name);
    }

    /**
     * Sets the TargetAlias reported at login.
     *
     * @param value a human-readable name
     * @return this
     */
    public TargetBuilder alias(String value) {
        this.alias = value;
        return this;
    }

    /**
     * Adds a LUN with default options.
     *
     * @param lun the LUN, 0 to 16383, unique within the target
     * @param backstore the storage; the target closes it when it closes
     * @return this
     */
    public TargetBuilder lun(int lun, Backstore backstore) {
        return lun(lun, backstore, o -> { });
    }

    /**
     * Adds a LUN with options.
     *
     * @param lun the LUN, 0 to 16383, unique within the target
     * @param backstore the storage; the target closes it when it closes
     * @param options sets read-only, write-back and serial
     * @return this
     */
    public TargetBuilder lun(int lun, Backstore backstore, Consumer<LunBuilder> options) {
        if (backstore == null) {
            throw new IllegalArgumentException("target " + name + ": LUN " + lun + " has no backstore");
        }
        for (LunConfig c : luns) {
            if (c.lun() == lun) {
                throw new IllegalArgumentException("target " + name + ": LUN " + lun + " is defined twice");
            }
        }
        LunBuilder b = new LunBuilder();
        options.accept(b);
        luns.add(b.build(name, lun, backstore));
        return this;
    }

    /**
     * Requires one-way CHAP (RFC 7143 §12.1.3): every initiator must prove it knows {@code secret} under the name
     * {@code user}; {@code AuthMethod=None} and logins that skip the security stage fail with authentication
     * failure (0x0201). Replaces an earlier call. For different credentials per initiator use
     * {@link #authenticator} with {@link io.iscsi4j.core.auth.ChapCredentialsLookup#perInitiator}.
     *
     * @param user the name initiators send as {@code CHAP_N}
     * @param secret the shared secret, at least 12 characters unless {@link #allowShortSecrets()}; never logged
     * @return this
     */
    public TargetBuilder chap(String user, String secret) {
        authentication.chap(user, secret);
        return this;
    }

    /**
     * Enables mutual CHAP: an initiator that sends its own challenge gets the target's response, computed with
     * {@code targetSecret}, and can so verify the target. Needs {@link #chap}; initiators that do not ask are still
     * served after one-way CHAP. Replaces an earlier call.
     *
     * @param targetUser the name the target sends as {@code CHAP_N}
     * @param targetSecret the target's secret, different from the initiators' secret, at least 12 characters
     *     unless {@link #allowShortSecrets()}; never logged
     * @return this
     */
    public TargetBuilder mutualChap(String targetUser, String targetSecret) {
        authentication.mutualChap(targetUser, targetSecret);
        return this;
    }

    /**
     * Restricts the CHAP algorithms ({@code CHAP_A}) the target accepts; the strongest one the initiator offers is
     * used. Default: all of {@link ChapAlgorithm}, MD5 included, because libiscsi, QEMU and older open-iscsi
     * offer only MD5. Needs {@link #chap}.
     *
     * @param first an algorithm
     * @param more more algorithms
     * @return this
     */
    public TargetBuilder chapAlgorithms(ChapAlgorithm first, ChapAlgorithm... more) {
        authentication.chapAlgorithms(first, more);
        return this;
    }

    /**
     * Accepts CHAP secrets shorter than 12 characters. Only for tests and labs, or where IPsec protects the
     * connections (RFC 7143 §12.1.3).
     *
     * @return this
     */
    public TargetBuilder allowShortSecrets() {
        authentication.allowShortSecrets();
        return this;
    }

    /**
     * Authenticates initiators with a custom {@link Authenticator}, for example
     * {@code Authenticator.chap(ChapCredentialsLookup.perInitiator(...))} for per-initiator secrets. Instead of
     * {@link #chap}, not together with it. Default: {@link Authenticator#none()}.
     *
     * @param authenticator decides how initiators of this target authenticate; must be thread-safe
     * @return this
     */
    public TargetBuilder authenticator(Authenticator authenticator) {
        this.authentication.authenticator(authenticator);
        return this;
    }

    /**
     * Admits an initiator (or a pattern of names, {@code *} and {@code ?} as wildcards) to every LUN, with the
     * target-wide authentication. Once any ACL is configured, initiators that match none are refused at login
     * (authorization failure, 0x0202) and do not see the target in SendTargets.
     *
     * @param initiatorPattern an initiator name or pattern
     * @return this
     * @throws IllegalArgumentException when an ACL with the same pattern (ignoring case) exists
     */
    public TargetBuilder allowInitiator(String initiatorPattern) {
        return acl(initiatorPattern, a -> { });
    }

    /**
     * Adds a node ACL: the initiators matching {@code initiatorPattern} (see {@link #allowInitiator}) see the LUNs
     * mapped in {@code configure} (all LUNs when nothing is mapped), read-write or read-only, and authenticate with
     * the ACL's CHAP credentials when it has some, otherwise with the target-wide authentication.
     *
     * <p>When several ACLs match an initiator, one applies, and nothing is merged from the others: the ACL naming
     * the initiator exactly; otherwise the most specific pattern (the most characters that are not wildcards);
     * among equally specific patterns, the one added first (see {@link AclConfig}).
     *
     * @param initiatorPattern an initiator name or pattern
     * @param configure maps LUNs, sets write protection and CHAP credentials
     * @return this
     * @throws IllegalArgumentException when the pattern is blank or an ACL with the same pattern (ignoring case)
     *     exists
     */
    public TargetBuilder acl(String initiatorPattern, Consumer<AclBuilder> configure) {
        if (initiatorPattern == null || initiatorPattern.isBlank()) {
            throw new IllegalArgumentException("target " + name + ": empty initiator pattern");
        }
        for (String existing : acls.keySet()) {
            if (existing.toLowerCase(Locale.ROOT).equals(initiatorPattern.toLowerCase(Locale.ROOT))) {
                throw new IllegalArgumentException("target " + name + ": ACL " + initiatorPattern
                        + " is defined twice");
            }
        }
        AclBuilder b = new AclBuilder();
        configure.accept(b);
        acls.put(initiatorPattern, b);
        return this;
    }

    /**
     * A builder for a running target's new access configuration ({@link TargetControl#setAccess}): its alias and
     * LUNs as they are, nothing of its authentication or ACLs.
     */
    static TargetBuilder forAccessOf(TargetConfig current) {
        TargetBuilder b = new TargetBuilder(current.name());
        b.alias = current.alias();
        b.luns.addAll(current.luns());
        return b;
    }

    /** The LUNs configured so far, for {@link TargetControl#setAccess} to refuse LUNs added through it. */
    int lunCount() {
        return luns.size();
    }

    TargetConfig build() {
        if (luns.isEmpty()) {
            throw new IllegalStateException("target " + name + " has no LUN: add one with lun(0, backstore)");
        }
        luns.sort(Comparator.comparingInt(LunConfig::lun));
        List<AclConfig> built = new ArrayList<>();
        acls.forEach((pattern, b) -> built.add(b.build(pattern, authentication.shortSecretsAllowed())));
        for (AclConfig a : built) {
            for (Map.Entry<Integer, Integer> m : a.lunMapping().entrySet()) {
                if (luns.stream().noneMatch(l -> l.lun() == m.getValue())) {
                    throw new IllegalStateException("target " + name + ": ACL " + a.initiatorPattern()
                            + " maps LUN " + m.getKey() + " to LUN " + m.getValue() + ", which the target lacks");
                }
            }
        }
        Map<AclConfig, Authenticator> aclChap = new HashMap<>();
        for (AclConfig a : built) {
            a.chap().ifPresent(c -> aclChap.put(a, authentication.chapAuthenticator(c)));
        }
        Authenticator targetWide = authentication.build(!aclChap.isEmpty());
        Authenticator authenticator = aclChap.isEmpty() ? targetWide
                : new AclAuthenticator(targetWide, built, aclChap);
        return new TargetConfig(name, alias, luns, authenticator, built);
    }
}
