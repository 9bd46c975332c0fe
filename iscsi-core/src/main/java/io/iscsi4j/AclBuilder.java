package io.iscsi4j;

import io.iscsi4j.core.auth.ChapCredentials;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Options of one node ACL, set in {@link TargetBuilder#acl(String, java.util.function.Consumer)}: the LUNs its
 * initiators see, which of them they may only read, and CHAP credentials of their own. Not thread-safe; used only
 * while building.
 *
 * <pre>{@code
 * .acl("iqn.1993-08.org.debian:01:web1", a -> a
 *         .mapLun(0, 4)                                  // sees the target's LUN 4 as its LUN 0
 *         .mapLunReadOnly(1, 7)                          // and LUN 7 as LUN 1, read-only
 *         .chap("web1", "web1-long-secret")              // its own CHAP user and secret
 *         .mutualChap("disk", "target-long-secret"))     // and the target's, for mutual CHAP
 * }</pre>
 *
 * @since 0.1
 */
public final class AclBuilder {

    private final Map<Integer, Integer> mapping = new LinkedHashMap<>();
    private final Set<Integer> readOnlyLuns = new TreeSet<>();
    private boolean readOnly;
    private String user;
    private String secret;
    private String targetUser;
    private String targetSecret;

    AclBuilder() {
    }

    /**
     * Shows the target's LUN {@code targetLun} to this ACL's initiators as LUN {@code mappedLun}, read-write (unless
     * the LUN itself is read-only). Without any mapping the initiators see every LUN under its own number; with
     * mappings they see only the mapped ones (LUN masking): REPORT LUNS lists them and other LUNs answer LOGICAL
     * UNIT NOT SUPPORTED.
     *
     * @param mappedLun the LUN the initiator addresses, 0 to 16383
     * @param targetLun a LUN defined on the target
     * @return this
     * @throws IllegalArgumentException when {@code mappedLun} is out of range or already mapped
     */
    public AclBuilder mapLun(int mappedLun, int targetLun) {
        if (mappedLun < 0 || mappedLun > 16383) {
            throw new IllegalArgumentException("mapped LUN must be 0..16383: " + mappedLun);
        }
        if (mapping.putIfAbsent(mappedLun, targetLun) != null) {
            throw new IllegalArgumentException("mapped LUN " + mappedLun + " is mapped twice");
        }
        return this;
    }

    /**
     * Like {@link #mapLun}, but write-protected for this ACL's initiators (LIO's {@code write_protect}): commands that
     * change the medium, and MODE SELECT, end with DATA PROTECT / WRITE PROTECTED, and MODE SENSE reports WP=1;
     * initiators of other ACLs may still write the LUN.
     *
     * @param mappedLun the LUN the initiator addresses, 0 to 16383
     * @param targetLun a LUN defined on the target
     * @return this
     * @throws IllegalArgumentException when {@code mappedLun} is out of range or already mapped
     */
    public AclBuilder mapLunReadOnly(int mappedLun, int targetLun) {
        mapLun(mappedLun, targetLun);
        readOnlyLuns.add(mappedLun);
        return this;
    }

    /**
     * Makes every LUN this ACL's initiators see read-only to them, mapped or not (see {@link #mapLunReadOnly}).
     *
     * @return this
     */
    public AclBuilder readOnly() {
        this.readOnly = true;
        return this;
    }

    /**
     * Requires this ACL's initiators to authenticate with one-way CHAP as {@code user} with {@code secret}, instead of
     * the target-wide {@link TargetBuilder#chap} or {@link TargetBuilder#authenticator}: a wrong, missing or other
     * initiator's secret fails with authentication failure (0x0201). The target's
     * {@link TargetBuilder#chapAlgorithms} and {@link TargetBuilder#allowShortSecrets()} apply. Replaces an earlier
     * call.
     *
     * @param chapUser the name the initiators send as {@code CHAP_N}
     * @param chapSecret the shared secret, at least 12 characters unless the target
     *        {@linkplain TargetBuilder#allowShortSecrets() allows short secrets}; never logged
     * @return this
     */
    public AclBuilder chap(String chapUser, String chapSecret) {
        this.user = Objects.requireNonNull(chapUser, "user");
        this.secret = Objects.requireNonNull(chapSecret, "secret");
        return this;
    }

    /**
     * Enables mutual CHAP for this ACL: an initiator that asks the target to authenticate gets a response computed
     * with {@code targetSecret}. Needs {@link #chap}; the target-wide {@link TargetBuilder#mutualChap} is not used for
     * this ACL's initiators. Replaces an earlier call.
     *
     * @param mutualUser the name the target sends as {@code CHAP_N}
     * @param mutualSecret the target's secret, different from the ACL's {@link #chap} secret; never logged
     * @return this
     */
    public AclBuilder mutualChap(String mutualUser, String mutualSecret) {
        this.targetUser = Objects.requireNonNull(mutualUser, "targetUser");
        this.targetSecret = Objects.requireNonNull(mutualSecret, "targetSecret");
        return this;
    }

    /**
     * The ACL these options describe.
     *
     * @throws IllegalStateException when {@link #mutualChap} is set without {@link #chap}
     * @throws IllegalArgumentException when a CHAP user or secret is invalid (the message quotes no secret)
     */
    AclConfig build(String initiatorPattern, boolean shortSecretsAllowed) {
        Optional<ChapCredentials> credentials = Optional.empty();
        if (user == null && targetUser != null) {
            throw new IllegalStateException("ACL " + initiatorPattern + ": mutualChap(...) needs chap(user, secret)");
        }
        if (user != null) {
            ChapCredentials.Builder b = ChapCredentials.builder(user, secret);
            if (targetUser != null) {
                b.mutual(targetUser, targetSecret);
            }
            if (shortSecretsAllowed) {
                b.allowShortSecrets();
            }
            try {
                credentials = Optional.of(b.build());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("ACL " + initiatorPattern + ": " + e.getMessage()
                        .replace("allow short secrets explicitly", "call allowShortSecrets() on the target"), e);
            }
        }
        return new AclConfig(initiatorPattern, mapping, readOnlyLuns, readOnly, credentials);
    }

    /** Says which users are set, never the secrets. */
    @Override
    public String toString() {
        return "AclBuilder[mapping=" + mapping + (user == null ? "" : ", user=" + user)
                + (targetUser == null ? "" : ", targetUser=" + targetUser) + "]";
    }
}
