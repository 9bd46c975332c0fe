package io.iscsi4j.core.auth;

import java.security.SecureRandom;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * One-way and mutual CHAP (RFC 7143 §12.1.3, RFC 1994): the target challenges the initiator, and answers an
 * initiator that asks for mutual CHAP by proving the target's own secret. Only {@code AuthMethod=CHAP} is accepted:
 * an initiator that offers only {@code None}, or skips the security stage, fails with authentication failure
 * (0x0201).
 *
 * <pre>{@code
 * Authenticator chap = ChapAuthenticator.builder(ChapCredentialsLookup.perInitiator(Map.of(
 *                 "iqn.1993-08.org.debian:01:abc", ChapCredentials.of("abc", "abc-long-secret"))))
 *         .algorithms(ChapAlgorithm.SHA256, ChapAlgorithm.SHA3_256)    // default: all four, MD5 included
 *         .build();
 * }</pre>
 *
 * <p>The exchange, per login:
 * <ol>
 *   <li>The initiator offers {@code CHAP_A=<list>}; the target picks the strongest offered algorithm among the
 *       configured ones (RFC 7143 only requires one of the offered values; MD5 is the one all initiators offer)
 *       and answers {@code CHAP_A}, a random {@code CHAP_I} and a random {@code CHAP_C} as long as the digest
 *       (at least 16 bytes), both from a {@link SecureRandom} and fresh for every login.</li>
 *   <li>The initiator answers {@code CHAP_N} and {@code CHAP_R} (hex or base64); the target looks up the
 *       credentials for the initiator name and compares name and response in constant time.</li>
 *   <li>When the initiator also sent {@code CHAP_I} and {@code CHAP_C}, the target refuses a challenge equal to
 *       its own (a reflection), then answers {@code CHAP_N} and {@code CHAP_R} computed with the target secret.
 *       Without configured target credentials the login fails.</li>
 * </ol>
 * Any deviation (a missing, repeated or malformed key, an unknown initiator, a wrong response) fails the login
 * with authentication failure; the detail, for the target's log only, never contains a secret or a response.
 *
 * <p>Thread-safe; one instance serves every login of a target.
 *
 * @since 0.1.0
 */
public final class ChapAuthenticator implements Authenticator {

    private final ChapCredentialsLookup lookup;
    private final Set<ChapAlgorithm> algorithms;
    private final SecureRandom random;

    private ChapAuthenticator(Builder builder) {
        this.lookup = builder.lookup;
        this.algorithms = Collections.unmodifiableSet(EnumSet.copyOf(builder.algorithms));
        this.random = new SecureRandom();
    }

    /**
     * A builder.
     *
     * @param lookup finds each initiator's credentials
     * @return a builder allowing every {@link ChapAlgorithm}
     */
    public static Builder builder(ChapCredentialsLookup lookup) {
        return new Builder(lookup);
    }

    /**
     * The algorithms the target may pick from the initiator's {@code CHAP_A} offer.
     *
     * @return an unmodifiable set, never empty
     */
    public Set<ChapAlgorithm> algorithms() {
        return algorithms;
    }

    /**
     * {@inheritDoc}
     *
     * @return {@code CHAP} only
     */
    @Override
    public Set<String> acceptedMethods(String initiatorName, Optional<String> targetName) {
        return Set.of(CHAP);
    }

    @Override
    public AuthenticationExchange begin(String method, String initiatorName, Optional<String> targetName) {
        if (!CHAP.equals(method)) {
            throw new IllegalArgumentException("ChapAuthenticator has no exchange for AuthMethod=" + method);
        }
        return new ChapExchange(lookup, algorithms, random, Objects.requireNonNull(initiatorName, "initiatorName"),
                Objects.requireNonNull(targetName, "targetName"));
    }

    @Override
    public String toString() {
        return "ChapAuthenticator[algorithms=" + algorithms + ", lookup=" + lookup + "]";
    }

    /**
     * Builds a {@link ChapAuthenticator}. Not thread-safe.
     *
     * @since 0.1.0
     */
    public static final class Builder {

        private final ChapCredentialsLookup lookup;
        private Set<ChapAlgorithm> algorithms = EnumSet.allOf(ChapAlgorithm.class);

        private Builder(ChapCredentialsLookup lookup) {
            this.lookup = Objects.requireNonNull(lookup, "lookup");
        }

        /**
         * Restricts the algorithms the target accepts. Default: all of {@link ChapAlgorithm}, so that initiators
         * offering only MD5 (libiscsi, QEMU, older open-iscsi) can log in.
         *
         * @param first an algorithm
         * @param more more algorithms
         * @return this
         */
        public Builder algorithms(ChapAlgorithm first, ChapAlgorithm... more) {
            return algorithms(EnumSet.of(first, more));
        }

        /**
         * Restricts the algorithms the target accepts.
         *
         * @param allowed at least one algorithm; copied
         * @return this
         * @throws IllegalArgumentException when empty
         */
        public Builder algorithms(Set<ChapAlgorithm> allowed) {
            Objects.requireNonNull(allowed, "algorithms");
            if (allowed.isEmpty()) {
                throw new IllegalArgumentException("at least one CHAP algorithm must be allowed");
            }
            this.algorithms = EnumSet.copyOf(allowed);
            return this;
        }

        /**
         * Builds the authenticator.
         *
         * @return a new authenticator
         */
        public ChapAuthenticator build() {
            return new ChapAuthenticator(this);
        }
    }
}
