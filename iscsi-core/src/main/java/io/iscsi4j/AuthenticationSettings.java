package io.iscsi4j;

import io.iscsi4j.core.auth.Authenticator;
import io.iscsi4j.core.auth.ChapAlgorithm;
import io.iscsi4j.core.auth.ChapAuthenticator;
import io.iscsi4j.core.auth.ChapCredentials;
import io.iscsi4j.core.auth.ChapCredentialsLookup;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * The authentication part of a builder, shared by a target's {@link TargetBuilder} and the discovery settings of
 * {@link IscsiTarget.Builder}: CHAP user and secret, mutual CHAP, algorithms, short-secret permission, or a custom
 * {@link Authenticator}. Validated only in {@link #build()}, so the setters may come in any order. Holds secrets:
 * never printed.
 */
final class AuthenticationSettings {

    /** The builder method names, for messages that tell the user what to call. */
    record Names(String scope, String chap, String mutualChap, String chapAlgorithms, String allowShortSecrets,
                 String authenticator) {
    }

    static final Names TARGET_NAMES = new Names("target %s", "chap", "mutualChap", "chapAlgorithms",
            "allowShortSecrets", "authenticator");
    static final Names DISCOVERY_NAMES = new Names("discovery", "discoveryChap", "discoveryMutualChap",
            "discoveryChapAlgorithms", "allowShortDiscoverySecrets", "discoveryAuthenticator");

    private final Names names;
    private final String scope;
    private String user;
    private String secret;
    private String targetUser;
    private String targetSecret;
    private Set<ChapAlgorithm> algorithms;
    private boolean shortSecretsAllowed;
    private Authenticator authenticator;

    AuthenticationSettings(Names names, String subject) {
        this.names = names;
        this.scope = String.format(names.scope(), subject);
    }

    void chap(String chapUser, String chapSecret) {
        this.user = Objects.requireNonNull(chapUser, "user");
        this.secret = Objects.requireNonNull(chapSecret, "secret");
    }

    void mutualChap(String mutualUser, String mutualSecret) {
        this.targetUser = Objects.requireNonNull(mutualUser, "targetUser");
        this.targetSecret = Objects.requireNonNull(mutualSecret, "targetSecret");
    }

    void chapAlgorithms(ChapAlgorithm first, ChapAlgorithm... more) {
        this.algorithms = EnumSet.of(Objects.requireNonNull(first, "first"), more);
    }

    void allowShortSecrets() {
        this.shortSecretsAllowed = true;
    }

    void authenticator(Authenticator custom) {
        this.authenticator = Objects.requireNonNull(custom, "authenticator");
    }

    /**
     * The authenticator these settings describe.
     *
     * @return {@link Authenticator#none()} when nothing is set
     * @throws IllegalStateException when the settings contradict each other
     * @throws IllegalArgumentException when a user or secret is invalid (the message never quotes a secret)
     */
    Authenticator build() {
        return build(false);
    }

    /**
     * The authenticator these settings describe, where CHAP may also be configured elsewhere (a target's ACLs):
     * then {@code chapAlgorithms} and {@code allowShortSecrets} are valid without {@code chap}.
     *
     * @param chapElsewhere whether ACLs carry CHAP credentials these settings' algorithms apply to
     * @return {@link Authenticator#none()} when nothing is set
     */
    Authenticator build(boolean chapElsewhere) {
        if (authenticator != null && (user != null || targetUser != null || algorithms != null)) {
            throw new IllegalStateException(scope + ": " + names.authenticator() + "(...) replaces "
                    + names.chap() + "(...), " + names.mutualChap() + "(...) and " + names.chapAlgorithms()
                    + "(...); set one or the other");
        }
        if (authenticator != null) {
            return authenticator;
        }
        if (user == null) {
            if (targetUser != null) {
                throw new IllegalStateException(scope + ": " + names.mutualChap() + "(...) needs " + names.chap()
                        + "(user, secret): the target only authenticates itself to initiators that authenticated");
            }
            if (algorithms != null && !chapElsewhere) {
                throw new IllegalStateException(scope + ": " + names.chapAlgorithms() + "(...) needs "
                        + names.chap() + "(user, secret)");
            }
            return Authenticator.none();
        }
        ChapCredentials.Builder credentials = ChapCredentials.builder(user, secret);
        if (targetUser != null) {
            credentials.mutual(targetUser, targetSecret);
        }
        if (shortSecretsAllowed) {
            credentials.allowShortSecrets();
        }
        ChapCredentials built;
        try {
            built = credentials.build();
        } catch (IllegalArgumentException e) {
            String hint = e.getMessage().contains("allow short secrets")
                    ? e.getMessage().replace("allow short secrets explicitly",
                            "call " + names.allowShortSecrets() + "()")
                    : e.getMessage();
            throw new IllegalArgumentException(scope + ": " + hint, e);
        }
        return chapAuthenticator(built);
    }

    /** Whether secrets shorter than 12 characters are accepted. */
    boolean shortSecretsAllowed() {
        return shortSecretsAllowed;
    }

    /** A CHAP authenticator for fixed credentials, restricted to these settings' algorithms when set. */
    Authenticator chapAuthenticator(ChapCredentials credentials) {
        ChapAuthenticator.Builder chap = ChapAuthenticator.builder(ChapCredentialsLookup.fixed(credentials));
        if (algorithms != null) {
            chap.algorithms(algorithms);
        }
        return chap.build();
    }

    @Override
    public String toString() {
        return "AuthenticationSettings[" + scope + (user == null ? "" : ", user=" + user) + "]";
    }
}
