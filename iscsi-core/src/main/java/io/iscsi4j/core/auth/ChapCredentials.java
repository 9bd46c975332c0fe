package io.iscsi4j.core.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Objects;
import java.util.Optional;

/**
 * The CHAP credentials of one initiator: the user name ({@code CHAP_N}) and secret it must prove it knows, and
 * optionally the target's own user name and secret for mutual CHAP, with which the target answers an initiator
 * that asks the target to authenticate itself.
 *
 * <pre>{@code
 * ChapCredentials oneWay = ChapCredentials.of("alice", "a-long-random-secret");
 * ChapCredentials mutual = ChapCredentials.of("alice", "a-long-random-secret")
 *         .withMutual("iqn.2026-11.com.example:disk", "another-long-secret");
 * ChapCredentials lab = ChapCredentials.builder("bob", "short").allowShortSecrets().build();
 * }</pre>
 *
 * <p>Secrets must have at least {@value #MIN_SECRET_LENGTH} characters unless short secrets are allowed
 * explicitly: RFC 7143 §12.1.3 requires IPsec wherever CHAP secrets have fewer than 96 random bits, because a
 * recorded exchange lets anyone try guesses offline. The mutual secret must differ from the initiator's secret
 * (RFC 7143 §12.1.3: a secret that authenticates initiators must not authenticate targets).
 *
 * <p>Immutable and thread-safe. The secrets never appear in {@link #toString()} or in exception messages.
 *
 * @since 0.1.0
 */
public final class ChapCredentials {

    /** The fewest characters a secret may have unless short secrets are allowed (96 bits as 12 bytes). */
    public static final int MIN_SECRET_LENGTH = 12;

    /** The most bytes (UTF-8) a user name or secret may have; common initiators store at most 255. */
    public static final int MAX_LENGTH = 255;

    private final String user;
    private final byte[] secret;
    private final String targetUser;
    private final byte[] targetSecret;
    private final boolean shortSecretsAllowed;

    private ChapCredentials(String user, byte[] secret, String targetUser, byte[] targetSecret,
            boolean shortSecretsAllowed) {
        this.user = user;
        this.secret = secret;
        this.targetUser = targetUser;
        this.targetSecret = targetSecret;
        this.shortSecretsAllowed = shortSecretsAllowed;
    }

    /**
     * One-way CHAP credentials.
     *
     * @param user the name the initiator must send as {@code CHAP_N}
     * @param secret the shared secret, at least {@value #MIN_SECRET_LENGTH} characters
     * @return the credentials
     * @throws IllegalArgumentException when the user or secret is empty, too long, or the secret too short
     */
    public static ChapCredentials of(String user, String secret) {
        return builder(user, secret).build();
    }

    /**
     * A builder, for mutual credentials or short secrets.
     *
     * @param user the name the initiator must send as {@code CHAP_N}
     * @param secret the shared secret
     * @return a builder
     */
    public static Builder builder(String user, String secret) {
        return new Builder(user, secret);
    }

    /**
     * These credentials plus the target's, for initiators that ask the target to authenticate itself.
     *
     * @param targetUser the name the target sends as {@code CHAP_N}
     * @param targetSecret the target's secret; at least {@value #MIN_SECRET_LENGTH} characters unless these
     *     credentials were built with {@link Builder#allowShortSecrets()}, and different from the initiator's
     * @return new credentials
     * @throws IllegalArgumentException when the target user or secret is invalid
     */
    public ChapCredentials withMutual(String targetUser, String targetSecret) {
        String checkedUser = checkUser("target user", targetUser);
        byte[] checkedSecret = checkSecret("target secret of " + checkedUser, targetSecret, shortSecretsAllowed);
        if (MessageDigest.isEqual(checkedSecret, secret)) {
            throw new IllegalArgumentException("the mutual CHAP secret of target user " + checkedUser
                    + " equals the secret of user " + user
                    + "; RFC 7143 §12.1.3 forbids using a secret in both directions");
        }
        return new ChapCredentials(user, secret, checkedUser, checkedSecret, shortSecretsAllowed);
    }

    /**
     * The user name the initiator must send as {@code CHAP_N}.
     *
     * @return the name
     */
    public String user() {
        return user;
    }

    /**
     * The name the target sends as {@code CHAP_N} when the initiator asks for mutual CHAP.
     *
     * @return the target's user name; empty for one-way credentials
     */
    public Optional<String> targetUser() {
        return Optional.ofNullable(targetUser);
    }

    /**
     * Whether these credentials let the target authenticate itself.
     *
     * @return {@code true} when a target user and secret are set
     */
    public boolean isMutual() {
        return targetUser != null;
    }

    /** The initiator's secret; never copied out of this package. */
    byte[] secret() {
        return secret;
    }

    /** The target's secret, or {@code null}; never copied out of this package. */
    byte[] targetSecret() {
        return targetSecret;
    }

    /** Says which users are set, never the secrets. */
    @Override
    public String toString() {
        return "ChapCredentials[user=" + user + (targetUser == null ? "" : ", targetUser=" + targetUser) + "]";
    }

    private static String checkUser(String what, String user) {
        Objects.requireNonNull(user, what);
        if (user.isEmpty()) {
            throw new IllegalArgumentException("the CHAP " + what + " is empty");
        }
        if (user.getBytes(StandardCharsets.UTF_8).length > MAX_LENGTH) {
            throw new IllegalArgumentException("the CHAP " + what + " is longer than " + MAX_LENGTH + " bytes");
        }
        for (int i = 0; i < user.length(); i++) {
            char c = user.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                throw new IllegalArgumentException("the CHAP " + what + " contains a control character");
            }
        }
        return user;
    }

    private static byte[] checkSecret(String what, String secret, boolean shortSecretsAllowed) {
        Objects.requireNonNull(secret, what);
        if (secret.isEmpty()) {
            throw new IllegalArgumentException("the CHAP " + what + " is empty");
        }
        if (secret.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("the CHAP " + what + " contains a NUL character");
        }
        int length = secret.codePointCount(0, secret.length());
        if (length < MIN_SECRET_LENGTH && !shortSecretsAllowed) {
            throw new IllegalArgumentException("the CHAP " + what + " has " + length + " characters; use at least "
                    + MIN_SECRET_LENGTH + " (RFC 7143 §12.1.3: secrets of fewer than 96 random bits need IPsec),"
                    + " or allow short secrets explicitly");
        }
        byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > MAX_LENGTH) {
            throw new IllegalArgumentException("the CHAP " + what + " is longer than " + MAX_LENGTH + " bytes");
        }
        return bytes;
    }

    /**
     * Builds {@link ChapCredentials}. Not thread-safe.
     *
     * @since 0.1.0
     */
    public static final class Builder {

        private final String user;
        private final String secret;
        private String targetUser;
        private String targetSecret;
        private boolean shortSecretsAllowed;

        private Builder(String user, String secret) {
            this.user = Objects.requireNonNull(user, "user");
            this.secret = Objects.requireNonNull(secret, "secret");
        }

        /**
         * Adds the target's credentials for mutual CHAP.
         *
         * @param user the name the target sends as {@code CHAP_N}
         * @param secret the target's secret, different from the initiator's
         * @return this
         */
        public Builder mutual(String user, String secret) {
            this.targetUser = Objects.requireNonNull(user, "targetUser");
            this.targetSecret = Objects.requireNonNull(secret, "targetSecret");
            return this;
        }

        /**
         * Accepts secrets shorter than {@value #MIN_SECRET_LENGTH} characters. Only for tests and labs, or where
         * IPsec protects the connections.
         *
         * @return this
         */
        public Builder allowShortSecrets() {
            this.shortSecretsAllowed = true;
            return this;
        }

        /**
         * Validates and builds.
         *
         * @return the credentials
         * @throws IllegalArgumentException naming the invalid user or secret (never quoting a secret)
         */
        public ChapCredentials build() {
            String checkedUser = checkUser("user", user);
            byte[] checkedSecret = checkSecret("secret of user " + checkedUser, secret, shortSecretsAllowed);
            ChapCredentials credentials = new ChapCredentials(checkedUser, checkedSecret, null, null,
                    shortSecretsAllowed);
            return targetUser == null ? credentials : credentials.withMutual(targetUser, targetSecret);
        }

        /** Says which users are set, never the secrets. */
        @Override
        public String toString() {
            return "ChapCredentials.Builder[user=" + user
                    + (targetUser == null ? "" : ", targetUser=" + targetUser) + "]";
        }
    }
}
