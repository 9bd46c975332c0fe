package io.iscsi4j.core.login;

import java.util.Objects;

/**
 * The answer of a {@link TextExchange} to one Text Request: an {@link Answer} to send as a Text Response, or a
 * {@link Rejection} to send as a Reject PDU (with the request's header as its data segment).
 *
 * @since 0.1.0
 */
public sealed interface TextStep {

    /**
     * Send this Text Response.
     *
     * @param response the response fields
     */
    record Answer(TextResponseFields response) implements TextStep {
        /**
         * Checks the response is present.
         *
         * @param response the response fields
         */
        public Answer {
            Objects.requireNonNull(response, "response");
        }
    }

    /**
     * Reject the request.
     *
     * @param reason the Reject PDU's reason
     * @param detail a human-readable explanation for logs; never sent
     */
    record Rejection(TextRejectReason reason, String detail) implements TextStep {
        /**
         * Checks the components are present.
         *
         * @param reason the Reject PDU's reason
         * @param detail a human-readable explanation for logs
         */
        public Rejection {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(detail, "detail");
        }
    }
}
