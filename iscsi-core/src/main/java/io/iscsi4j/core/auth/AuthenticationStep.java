package io.iscsi4j.core.auth;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The answer of an {@link AuthenticationExchange} to one login request: {@link InProgress}, {@link Succeeded}
 * or {@link Failed}.
 *
 * @since 0.1.0
 */
public sealed interface AuthenticationStep {

    /**
     * Authentication needs more login requests; the target answers with {@code responseKeys} and stays in the
     * security stage.
     *
     * @param responseKeys the keys to send, in wire order
     */
    record InProgress(Map<String, String> responseKeys) implements AuthenticationStep {
        /**
         * Copies the keys, keeping their order.
         *
         * @param responseKeys the keys to send, in wire order
         */
        public InProgress {
            responseKeys = orderedCopy(responseKeys);
        }
    }

    /**
     * The initiator is authenticated; the target answers with {@code responseKeys} (for mutual CHAP: the
     * target's {@code CHAP_N} and {@code CHAP_R}) and may leave the security stage.
     *
     * @param responseKeys the keys to send, in wire order; often empty
     */
    record Succeeded(Map<String, String> responseKeys) implements AuthenticationStep {
        /**
         * Copies the keys, keeping their order.
         *
         * @param responseKeys the keys to send, in wire order
         */
        public Succeeded {
            responseKeys = orderedCopy(responseKeys);
        }
    }

    /**
     * Authentication failed; the login ends with the status that {@code reason} maps to.
     *
     * @param reason why, mapped to a login status
     * @param detail a human-readable explanation for logs; never sent to the initiator
     */
    record Failed(AuthenticationFailure reason, String detail) implements AuthenticationStep {
        /**
         * Checks the components.
         *
         * @param reason why, mapped to a login status
         * @param detail a human-readable explanation for logs
         */
        public Failed {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(detail, "detail");
        }
    }

    /**
     * A step that needs more login requests.
     *
     * @param responseKeys the keys to send, in wire order
     * @return the step
     */
    static AuthenticationStep inProgress(Map<String, String> responseKeys) {
        return new InProgress(responseKeys);
    }

    /**
     * A successful last step.
     *
     * @param responseKeys the keys to send, in wire order; often empty
     * @return the step
     */
    static AuthenticationStep succeeded(Map<String, String> responseKeys) {
        return new Succeeded(responseKeys);
    }

    /**
     * A failed step.
     *
     * @param reason why, mapped to a login status
     * @param detail a human-readable explanation for logs
     * @return the step
     */
    static AuthenticationStep failed(AuthenticationFailure reason, String detail) {
        return new Failed(reason, detail);
    }

    private static Map<String, String> orderedCopy(Map<String, String> keys) {
        Objects.requireNonNull(keys, "responseKeys");
        Map<String, String> copy = new LinkedHashMap<>();
        keys.forEach((key, value) -> copy.put(Objects.requireNonNull(key, "key"),
                Objects.requireNonNull(value, "value")));
        return Collections.unmodifiableMap(copy);
    }
}
