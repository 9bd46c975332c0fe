package io.iscsi4j.core.auth;

import java.util.Map;

/**
 * One login's authentication conversation for the method the target selected (RFC 7143 §12.1).
 *
 * <p>The login state machine calls {@link #process} once for every security-stage login request that arrives
 * after the method was selected (and also for the selecting request when it already carries method keys),
 * passing the method-specific keys of that request. The exchange answers with the keys to send back and
 * whether authentication is still in progress, has succeeded, or has failed. After a success or failure the
 * exchange is not called again.
 *
 * <p>CHAP fits as: {@code CHAP_A} → answer {@code CHAP_A, CHAP_I, CHAP_C} (in progress);
 * {@code CHAP_N, CHAP_R} → verify, succeeded with no keys; or, for mutual CHAP,
 * {@code CHAP_N, CHAP_R, CHAP_I, CHAP_C} → verify, succeeded with the target's {@code CHAP_N, CHAP_R}.
 *
 * <p>Not thread-safe: one login drives it from one thread at a time.
 *
 * @since 0.1.0
 */
public interface AuthenticationExchange {

    /**
     * Processes the method-specific keys of one login request.
     *
     * @param keys the keys and values in the order received; unmodifiable; may be empty when the initiator sent
     *     none
     * @return what to answer and whether authentication is done
     */
    AuthenticationStep process(Map<String, String> keys);
}
