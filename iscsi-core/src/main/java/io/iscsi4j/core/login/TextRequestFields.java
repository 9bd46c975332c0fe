package io.iscsi4j.core.login;

import java.util.Objects;

/**
 * The fields of a Text Request PDU (RFC 7143 §11.10) that a {@link TextExchange} reads.
 *
 * @param finalFlag the F bit: the initiator has no more requests in this sequence
 * @param continueFlag the C bit: the text continues in the next request
 * @param initiatorTaskTag the initiator task tag; the same for every request of a sequence
 * @param targetTransferTag {@link TextExchange#RESERVED_TAG} to start a new sequence, else the tag of the
 *     target's previous response
 * @param text the data segment without padding; the exchange copies what it keeps
 * @since 0.1.0
 */
public record TextRequestFields(boolean finalFlag, boolean continueFlag, int initiatorTaskTag,
        int targetTransferTag, byte[] text) {

    /**
     * Checks the text is present.
     *
     * @param finalFlag the F bit
     * @param continueFlag the C bit
     * @param initiatorTaskTag the initiator task tag
     * @param targetTransferTag the target transfer tag
     * @param text the data segment without padding
     */
    public TextRequestFields {
        Objects.requireNonNull(text, "text");
    }
}
