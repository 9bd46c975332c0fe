package io.iscsi4j.core.auth;

import java.util.Optional;
import java.util.Set;

/**
 * Decides how initiators authenticate during the login security stage (RFC 7143 §6.3.1, §12).
 *
 * <p>The login state machine asks {@link #acceptedMethods} which {@code AuthMethod} values are acceptable, picks
 * the first value of the initiator's offer that is among them, and, unless that value is {@link #NONE}, calls
 * {@link #begin} once to get the {@link AuthenticationExchange} that verifies the initiator. An initiator that
 * skips the security stage is only admitted when {@link #NONE} is accepted.
 *
 * <p>Implementations must be thread-safe: one authenticator serves every login of a target; each exchange is
 * used by one login only.
 *
 * @since 0.1.0
 */
public interface Authenticator {

    /** The {@code AuthMethod} value meaning "no authentication". */
    String NONE = "None";

    /** The {@code AuthMethod} value of the Challenge Handshake Authentication Protocol (RFC 7143 §12.1.3). */
    String CHAP = "CHAP";

    /**
     * The authentication methods this authenticator accepts for a login, spelled as on the wire ({@code "None"},
     * {@code "CHAP"}, ...).
     *
     * @param initiatorName the iSCSI name the initiator declared
     * @param targetName the target the initiator logs in to; empty for a discovery session
     * @return the accepted methods; never empty (an authenticator that accepts nothing should accept a method
     *     whose exchange always fails)
     */
    Set<String> acceptedMethods(String initiatorName, Optional<String> targetName);

    /**
     * Starts the exchange for one login after the target selected {@code method}. Never called for
     * {@link #NONE}.
     *
     * @param method one of {@link #acceptedMethods}, as on the wire
     * @param initiatorName the iSCSI name the initiator declared
     * @param targetName the target the initiator logs in to; empty for a discovery session
     * @return a new exchange, used by this login only
     */
    AuthenticationExchange begin(String method, String initiatorName, Optional<String> targetName);

    /**
     * Whether this authenticator lets a login through without any authentication exchange.
     *
     * @param initiatorName the iSCSI name the initiator declared
     * @param targetName the target the initiator logs in to; empty for a discovery session
     * @return {@code true} when {@link #NONE} is among the accepted methods
     */
    default boolean allowsUnauthenticated(String initiatorName, Optional<String> targetName) {
        return acceptedMethods(initiatorName, targetName).contains(NONE);
    }

    /**
     * The authenticator that accepts only {@code AuthMethod=None}: every initiator is let in without
     * authentication, including one that starts its login in the operational stage.
     *
     * @return the shared no-authentication authenticator
     */
    static Authenticator none() {
        return NoAuthentication.INSTANCE;
    }

    /**
     * One-way and mutual CHAP with every {@link ChapAlgorithm} allowed; {@link ChapAuthenticator#builder} restricts
     * the algorithms. {@code AuthMethod=None} is refused.
     *
     * <pre>{@code
     * Authenticator.chap(ChapCredentialsLookup.fixed(ChapCredentials.of("alice", "a-long-random-secret")))
     * }</pre>
     *
     * @param lookup finds each initiator's credentials
     * @return a new CHAP authenticator
     */
    static Authenticator chap(ChapCredentialsLookup lookup) {
        return ChapAuthenticator.builder(lookup).build();
    }
}
