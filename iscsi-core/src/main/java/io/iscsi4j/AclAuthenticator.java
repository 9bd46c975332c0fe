package io.iscsi4j;

import io.iscsi4j.core.auth.AuthenticationExchange;
import io.iscsi4j.core.auth.Authenticator;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A target's authenticator when some of its ACLs have CHAP credentials of their own: an initiator is
 * authenticated by the CHAP authenticator of the ACL that applies to it ({@link AclConfig#bestMatch}), or by the
 * target-wide authenticator when that ACL has no credentials (or no ACL matches; such a login is refused for
 * authorization before authentication starts). Immutable and thread-safe; never shows a secret.
 */
final class AclAuthenticator implements Authenticator {

    private final Authenticator targetWide;
    private final List<AclConfig> acls;
    private final Map<AclConfig, Authenticator> byAcl;

    /**
     * @param targetWide the target's own authenticator
     * @param acls every ACL of the target, in declaration order
     * @param byAcl the authenticators of the ACLs with CHAP credentials; copied
     */
    AclAuthenticator(Authenticator targetWide, List<AclConfig> acls, Map<AclConfig, Authenticator> byAcl) {
        this.targetWide = targetWide;
        this.acls = List.copyOf(acls);
        this.byAcl = new IdentityHashMap<>(byAcl);
    }

    /** The authenticator that applies to an initiator. */
    Authenticator forInitiator(String initiatorName) {
        AclConfig acl = AclConfig.bestMatch(acls, initiatorName);
        Authenticator a = acl == null ? null : byAcl.get(acl);
        return a != null ? a : targetWide;
    }

    @Override
    public Set<String> acceptedMethods(String initiatorName, Optional<String> targetName) {
        return forInitiator(initiatorName).acceptedMethods(initiatorName, targetName);
    }

    @Override
    public AuthenticationExchange begin(String method, String initiatorName, Optional<String> targetName) {
        return forInitiator(initiatorName).begin(method, initiatorName, targetName);
    }

    @Override
    public boolean allowsUnauthenticated(String initiatorName, Optional<String> targetName) {
        return forInitiator(initiatorName).allowsUnauthenticated(initiatorName, targetName);
    }

    @Override
    public String toString() {
        return "AclAuthenticator[target=" + targetWide + ", " + byAcl.size() + " ACLs with CHAP]";
    }
}
