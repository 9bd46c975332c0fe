package io.iscsi4j.core.login;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Answers the keys of one login request in the operational stage (RFC 7143 §6.2, §13) with the target's
 * configuration, recording agreed values. The identity keys (InitiatorName, TargetName, SessionType) are
 * checked by {@link LoginStateMachine} before; this class skips them.
 */
final class OperationalNegotiation {

    private final TargetNegotiationConfig config;
    private final SessionType sessionType;
    private final boolean leadingConnection;

    OperationalNegotiation(TargetNegotiationConfig config, SessionType sessionType, boolean leadingConnection) {
        this.config = config;
        this.sessionType = sessionType;
        this.leadingConnection = leadingConnection;
    }

    /**
     * Answers every key of a request.
     *
     * @param offers the request's pairs
     * @param parameters where agreed values go
     * @param answers where the answers go, in request order
     * @throws LoginFailure when a key is sent by the wrong side, in the wrong phase or with an invalid declaration
     */
    void answer(TextParameters offers, NegotiatedParameters.Builder parameters, List<TextParameter> answers)
            throws LoginFailure {
        long maxBurstInForce = maxBurstLengthInForce(offers, parameters);
        for (TextParameter offer : offers.pairs()) {
            Optional<TextKey> key = TextKey.byWireName(offer.key());
            if (key.isEmpty()) {
                answers.add(new TextParameter(offer.key(), TextKey.NOT_UNDERSTOOD));
            } else {
                answerKnownKey(key.get(), offer, parameters, answers, maxBurstInForce);
            }
        }
    }

    private void answerKnownKey(TextKey key, TextParameter offer, NegotiatedParameters.Builder parameters,
            List<TextParameter> answers, long maxBurstInForce) throws LoginFailure {
        if (key.sender() == TextKey.Sender.TARGET) {
            throw new LoginFailure(LoginStatus.INITIATOR_ERROR, "initiator sent the target-only key " + key);
        }
        switch (key.use()) {
            case SECURITY_NEGOTIATION_ONLY:
                throw new LoginFailure(LoginStatus.INITIATOR_ERROR, key + " sent outside the security stage");
            case FULL_FEATURE_ONLY:
                throw new LoginFailure(LoginStatus.INITIATOR_ERROR, key + " is only allowed in full feature phase");
            default:
                break;
        }
        switch (key) {
            case INITIATOR_NAME:
            case TARGET_NAME:
            case SESSION_TYPE:
                return;
            case INITIATOR_ALIAS:
                parameters.initiatorAlias(offer.value());
                return;
            case MAX_RECV_DATA_SEGMENT_LENGTH:
                parameters.initiatorMaxRecvDataSegmentLength(declaredMaxRecvDataSegmentLength(offer));
                return;
            default:
                break;
        }
        Optional<String> obsoleteAnswer = key.obsoleteAnswer();
        if (obsoleteAnswer.isPresent()) {
            answers.add(new TextParameter(key.wireName(), obsoleteAnswer.get()));
            return;
        }
        if (sessionType == SessionType.DISCOVERY && key.irrelevantInDiscovery()) {
            answers.add(new TextParameter(key.wireName(), TextKey.IRRELEVANT));
            return;
        }
        if (!leadingConnection && key.use() == TextKey.Use.LEADING_ONLY) {
            throw new LoginFailure(LoginStatus.INITIATOR_ERROR,
                    "leading-only key " + key + " sent when adding a connection to a session");
        }
        String answer = key.negotiate(offer.value(), config.responderValue(key, maxBurstInForce));
        if (!TextKey.REJECT.equals(answer)) {
            parameters.negotiated(key, answer);
        }
        answers.add(new TextParameter(key.wireName(), answer));
    }

    /**
     * The MaxBurstLength the session will have once this request is answered, which caps the target's
     * FirstBurstLength so the result cannot exceed it (RFC 7143 §13.14).
     */
    private long maxBurstLengthInForce(TextParameters offers, NegotiatedParameters.Builder parameters) {
        Optional<String> offered = offers.get(TextKey.MAX_BURST_LENGTH.wireName());
        if (offered.isEmpty() || sessionType == SessionType.DISCOVERY) {
            return parameters.maxBurstLength();
        }
        String answer = TextKey.MAX_BURST_LENGTH.negotiate(offered.get(),
                config.responderValue(TextKey.MAX_BURST_LENGTH, Long.MAX_VALUE));
        OptionalLong agreed = TextKey.parseNumber(answer);
        return agreed.isPresent() ? agreed.getAsLong() : parameters.maxBurstLength();
    }

    static int declaredMaxRecvDataSegmentLength(TextParameter offer) throws LoginFailure {
        OptionalLong bytes = TextKey.parseNumber(offer.value());
        if (bytes.isEmpty() || !TextKey.MAX_RECV_DATA_SEGMENT_LENGTH.inRange(bytes.getAsLong())) {
            throw new LoginFailure(LoginStatus.INITIATOR_ERROR,
                    "invalid MaxRecvDataSegmentLength " + offer.value());
        }
        return (int) bytes.getAsLong();
    }
}
