package io.iscsi4j.core.login;

import java.util.Objects;

/**
 * The fields of a Text Response PDU (RFC 7143 §11.11) that a {@link TextExchange} decides. The connection layer
 * adds StatSN, ExpCmdSN and MaxCmdSN.
 *
 * @param finalFlag the F bit: the sequence is complete
 * @param continueFlag the C bit: the response text continues; the initiator asks for the rest with an empty
 *     Text Request carrying {@code targetTransferTag}
 * @param initiatorTaskTag the request's initiator task tag
 * @param targetTransferTag {@link TextExchange#RESERVED_TAG} when {@code finalFlag}, else the tag the initiator
 *     must echo
 * @param text the data segment; owned by the caller
 * @since 0.1.0
 */
public record TextResponseFields(boolean finalFlag, boolean continueFlag, int initiatorTaskTag,
        int targetTransferTag, byte[] text) {

    /**
     * Checks the text is present.
     *
     * @param finalFlag the F bit
     * @param continueFlag the C bit
     * @param initiatorTaskTag the initiator task tag
     * @param targetTransferTag the target transfer tag
     * @param text the data segment
     */
    public TextResponseFields {
        Objects.requireNonNull(text, "text");
    }
}
