package io.iscsi4j.core.login;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Text requests of one connection in full feature phase (RFC 7143 §6.2, §11.10, §11.11, Appendix C): Text
 * Request fields in, a Text Response or a Reject out.
 *
 * <p><b>SendTargets.</b> {@code SendTargets=All} lists every target the initiator may access in a discovery session;
 * in a normal session it lists the session's own target, as an empty value does (RFC 7143 Appendix C); {@code SendTargets=<name>} lists that target if the
 * initiator may access it; {@code SendTargets=} (empty) lists the session's own target in a normal session and
 * nothing in a discovery session. Each target is a {@code TargetName} followed by one {@code TargetAddress}
 * ({@code host:port,tag}) per portal.
 *
 * <p><b>Other keys.</b> The initiator may re-declare MaxRecvDataSegmentLength (it applies from this response
 * on, see {@link #parameters()}) and InitiatorAlias; every other known key is login-only and answered
 * {@code Reject}; unknown keys are answered {@code NotUnderstood}.
 *
 * <p><b>Sequences.</b> A response longer than the initiator's MaxRecvDataSegmentLength is split: each part but
 * the last has C=1, F=0 and a target transfer tag the initiator echoes in an empty Text Request to get the next
 * part; the last part has F=1 and the tag {@link #RESERVED_TAG}. A request with C=1 is buffered and answered
 * with an empty F=0 response carrying a tag. A request whose tag is {@link #RESERVED_TAG} starts over,
 * abandoning any sequence in progress; a tag or initiator task tag that does not match the sequence in progress
 * is rejected.
 *
 * <p>Not thread-safe: one connection drives it, one request at a time.
 *
 * @since 0.1.0
 */
public final class TextExchange {

    /** The target transfer tag that means "no sequence": 0xffffffff. */
    public static final int RESERVED_TAG = 0xFFFFFFFF;

    /** The default bound on request text joined by the C bit. */
    public static final int DEFAULT_MAX_REQUEST_TEXT_LENGTH = 65_536;

    private final TargetDirectory directory;
    private final TextAccumulator requestText;
    private final int maxRequestTextLength;
    private NegotiatedParameters parameters;

    private boolean sequenceOpen;
    private int sequenceInitiatorTaskTag;
    private int sequenceTransferTag = RESERVED_TAG;
    private int lastTransferTag;
    private TextSegments responseText;
    private boolean finalAfterResponse;

    /**
     * An exchange with the default request text bound.
     *
     * @param parameters what the connection's login negotiated
     * @param directory the targets for SendTargets
     */
    public TextExchange(NegotiatedParameters parameters, TargetDirectory directory) {
        this(parameters, directory, DEFAULT_MAX_REQUEST_TEXT_LENGTH);
    }

    /**
     * An exchange with an explicit request text bound.
     *
     * @param parameters what the connection's login negotiated
     * @param directory the targets for SendTargets
     * @param maxRequestTextLength the most text, in bytes, joined across requests linked by the C bit
     */
    public TextExchange(NegotiatedParameters parameters, TargetDirectory directory, int maxRequestTextLength) {
        this.parameters = Objects.requireNonNull(parameters, "parameters");
        this.directory = Objects.requireNonNull(directory, "directory");
        if (maxRequestTextLength < 8192) {
            throw new IllegalArgumentException("maxRequestTextLength must be at least 8192: " + maxRequestTextLength);
        }
        this.maxRequestTextLength = maxRequestTextLength;
        this.requestText = new TextAccumulator(maxRequestTextLength);
    }

    /**
     * The connection's parameters, including a MaxRecvDataSegmentLength the initiator re-declared in full
     * feature phase.
     *
     * @return the current parameters
     */
    public NegotiatedParameters parameters() {
        return parameters;
    }

    /**
     * Processes one Text Request.
     *
     * @param request the request's fields
     * @return the Text Response to send, or the reason to reject the request
     */
    public TextStep process(TextRequestFields request) {
        Objects.requireNonNull(request, "request");
        if (request.finalFlag() && request.continueFlag()) {
            return reject(TextRejectReason.PROTOCOL_ERROR, "F and C bits both set");
        }
        if (request.targetTransferTag() == RESERVED_TAG) {
            resetSequence();
        } else if (!sequenceOpen || request.targetTransferTag() != sequenceTransferTag
                || request.initiatorTaskTag() != sequenceInitiatorTaskTag) {
            return new TextStep.Rejection(TextRejectReason.INVALID_PDU_FIELD, String.format(
                    "target transfer tag 0x%08x with initiator task tag 0x%08x matches no text sequence",
                    request.targetTransferTag(), request.initiatorTaskTag()));
        }
        if (responseText != null) {
            if (request.text().length > 0 || request.continueFlag()) {
                return reject(TextRejectReason.PROTOCOL_ERROR,
                        "text request must be empty while the target's response continues");
            }
            return sendResponsePart(request.initiatorTaskTag());
        }
        if (!requestText.append(request.text())) {
            return reject(TextRejectReason.OUT_OF_RESOURCES,
                    "text request exceeds " + maxRequestTextLength + " bytes");
        }
        if (request.continueFlag()) {
            openSequence(request.initiatorTaskTag());
            return answer(false, false, request.initiatorTaskTag(), sequenceTransferTag, new byte[0]);
        }
        TextParameters offers;
        try {
            offers = TextParameters.decode(requestText.take());
        } catch (TextFormatException e) {
            return reject(TextRejectReason.PROTOCOL_ERROR, "malformed text: " + e.getMessage());
        }
        List<TextParameter> answers = new ArrayList<>();
        for (TextParameter offer : offers.pairs()) {
            Optional<String> problem = answer(offer, answers);
            if (problem.isPresent()) {
                return reject(TextRejectReason.PROTOCOL_ERROR, problem.get());
            }
        }
        responseText = new TextSegments(TextParameters.of(answers).encode());
        finalAfterResponse = request.finalFlag();
        return sendResponsePart(request.initiatorTaskTag());
    }

    /** Answers one key; returns a problem that rejects the whole request. */
    private Optional<String> answer(TextParameter offer, List<TextParameter> answers) {
        Optional<TextKey> key = TextKey.byWireName(offer.key());
        if (key.isEmpty()) {
            answers.add(new TextParameter(offer.key(), TextKey.NOT_UNDERSTOOD));
            return Optional.empty();
        }
        switch (key.get()) {
            case SEND_TARGETS:
                sendTargets(offer.value(), answers);
                return Optional.empty();
            case MAX_RECV_DATA_SEGMENT_LENGTH:
                try {
                    parameters = parameters.withInitiatorMaxRecvDataSegmentLength(
                            OperationalNegotiation.declaredMaxRecvDataSegmentLength(offer));
                } catch (LoginFailure invalid) {
                    return Optional.of(invalid.getMessage());
                }
                return Optional.empty();
            case INITIATOR_ALIAS:
                return Optional.empty();
            default:
                answers.add(new TextParameter(offer.key(), TextKey.REJECT));
                return Optional.empty();
        }
    }

    private void sendTargets(String value, List<TextParameter> answers) {
        boolean discovery = parameters.sessionType() == SessionType.DISCOVERY;
        List<TargetPortals> listed = new ArrayList<>();
        if ("All".equals(value) && discovery) {
            listed.addAll(accessibleTargets());
        } else if (value.isEmpty() || "All".equals(value)) {
            // RFC 7143 Appendix C: in a normal session SendTargets returns path information about the target
            // the session is connected to only (for "All" as well as for an empty value).
            if (!discovery) {
                String own = parameters.targetName().orElseThrow();
                accessibleTargets().stream().filter(target -> sameName(target.targetName(), own))
                        .forEach(listed::add);
            }
        } else {
            accessibleTargets().stream().filter(target -> sameName(target.targetName(), value))
                    .forEach(listed::add);
        }
        for (TargetPortals target : listed) {
            answers.add(new TextParameter(TextKey.TARGET_NAME.wireName(), target.targetName()));
            for (PortalAddress portal : target.portals()) {
                answers.add(new TextParameter(TextKey.TARGET_ADDRESS.wireName(), portal.toTargetAddress()));
            }
        }
    }

    private List<TargetPortals> accessibleTargets() {
        return Objects.requireNonNull(directory.targetsFor(parameters.initiatorName()), "targets");
    }

    /** iSCSI names are compared without regard to case (RFC 7143 §4.2.7.1: names are normalized to lower case). */
    private static boolean sameName(String a, String b) {
        return a.toLowerCase(Locale.ROOT).equals(b.toLowerCase(Locale.ROOT));
    }

    private TextStep sendResponsePart(int initiatorTaskTag) {
        byte[] part = responseText.next(parameters.initiatorMaxRecvDataSegmentLength());
        if (responseText.hasMore()) {
            openSequence(initiatorTaskTag);
            return answer(false, true, initiatorTaskTag, sequenceTransferTag, part);
        }
        responseText = null;
        if (finalAfterResponse) {
            resetSequence();
            return answer(true, false, initiatorTaskTag, RESERVED_TAG, part);
        }
        openSequence(initiatorTaskTag);
        return answer(false, false, initiatorTaskTag, sequenceTransferTag, part);
    }

    /** Keeps the sequence in progress, giving it a target transfer tag if it has none yet. */
    private void openSequence(int initiatorTaskTag) {
        if (!sequenceOpen) {
            sequenceOpen = true;
            sequenceInitiatorTaskTag = initiatorTaskTag;
            sequenceTransferTag = nextTransferTag();
        }
    }

    private void resetSequence() {
        sequenceOpen = false;
        sequenceTransferTag = RESERVED_TAG;
        requestText.clear();
        responseText = null;
    }

    private int nextTransferTag() {
        lastTransferTag++;
        if (lastTransferTag == RESERVED_TAG) {
            lastTransferTag++;
        }
        return lastTransferTag;
    }

    private TextStep reject(TextRejectReason reason, String detail) {
        resetSequence();
        return new TextStep.Rejection(reason, detail);
    }

    private static TextStep answer(boolean finalFlag, boolean continueFlag, int initiatorTaskTag,
            int targetTransferTag, byte[] text) {
        return new TextStep.Answer(new TextResponseFields(finalFlag, continueFlag, initiatorTaskTag,
                targetTransferTag, text));
    }
}
