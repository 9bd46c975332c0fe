package io.iscsi4j.core.auth;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Finds the CHAP credentials an initiator must use, for {@link ChapAuthenticator}. Stock implementations:
 * {@link #none()}, {@link #fixed(ChapCredentials)} (one user and secret for every initiator) and
 * {@link #perInitiator(Map)} (credentials by initiator name); anything else (a database, a secrets vault) is a
 * lambda.
 *
 * <pre>{@code
 * ChapCredentialsLookup lookup = (initiatorName, targetName) ->
 *         Optional.ofNullable(secretsCache.get(initiatorName));
 * }</pre>
 *
 * <p>Called once per CHAP login, on a network thread, after the initiator sent its response: it must be
 * thread-safe and must not block (keep credentials in memory and refresh them elsewhere). A lookup that throws
 * fails the login like unknown credentials.
 *
 * @since 0.1.0
 */
@FunctionalInterface
public interface ChapCredentialsLookup {

    /**
     * The credentials of an initiator.
     *
     * @param initiatorName the iSCSI name the initiator declared (as sent; compare case-insensitively)
     * @param targetName the target it logs in to; empty for a discovery session
     * @return the credentials, or empty when the initiator is unknown (its login fails with authentication failure)
     */
    Optional<ChapCredentials> lookup(String initiatorName, Optional<String> targetName);

    /**
     * Knows no initiator: every CHAP login fails.
     *
     * @return the lookup
     */
    static ChapCredentialsLookup none() {
        return new ChapCredentialsLookup() {
            @Override
            public Optional<ChapCredentials> lookup(String initiatorName, Optional<String> targetName) {
                return Optional.empty();
            }

            @Override
            public String toString() {
                return "ChapCredentialsLookup.none()";
            }
        };
    }

    /**
     * The same credentials for every initiator (like a LIO target portal group's CHAP settings without per-node
     * ACLs).
     *
     * @param credentials the user and secret every initiator must use
     * @return the lookup
     */
    static ChapCredentialsLookup fixed(ChapCredentials credentials) {
        Objects.requireNonNull(credentials, "credentials");
        Optional<ChapCredentials> answer = Optional.of(credentials);
        return new ChapCredentialsLookup() {
            @Override
            public Optional<ChapCredentials> lookup(String initiatorName, Optional<String> targetName) {
                return answer;
            }

            @Override
            public String toString() {
                return "ChapCredentialsLookup.fixed(" + credentials + ")";
            }
        };
    }

    /**
     * Credentials by initiator name (like LIO's node ACLs with CHAP): initiators not in the map cannot log in.
     *
     * @param credentialsByInitiator iSCSI initiator name → its credentials; names are compared case-insensitively;
     *     copied
     * @return the lookup
     * @throws IllegalArgumentException when two names differ only in case
     */
    static ChapCredentialsLookup perInitiator(Map<String, ChapCredentials> credentialsByInitiator) {
        Map<String, ChapCredentials> byName = new HashMap<>();
        credentialsByInitiator.forEach((name, credentials) -> {
            String key = Objects.requireNonNull(name, "initiator name").toLowerCase(Locale.ROOT);
            if (byName.put(key, Objects.requireNonNull(credentials, "credentials of " + name)) != null) {
                throw new IllegalArgumentException("initiator " + name + " has CHAP credentials twice");
            }
        });
        Map<String, ChapCredentials> copy = Map.copyOf(byName);
        return new ChapCredentialsLookup() {
            @Override
            public Optional<ChapCredentials> lookup(String initiatorName, Optional<String> targetName) {
                return Optional.ofNullable(copy.get(initiatorName.toLowerCase(Locale.ROOT)));
            }

            @Override
            public String toString() {
                return "ChapCredentialsLookup.perInitiator(" + copy.size() + " initiators)";
            }
        };
    }
}
