package io.iscsi4j.core.login;

import io.iscsi4j.core.auth.AuthenticationExchange;
import io.iscsi4j.core.auth.AuthenticationStep;
import io.iscsi4j.core.auth.Authenticator;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The login phase of one connection, target side (RFC 7143 §6.3, §11.12, §11.13): Login Request fields in,
 * Login Response fields out. The stage transitions are tabled in the {@linkplain io.iscsi4j.core.login package
 * documentation}.
 *
 * <p>What it enforces:
 * <ul>
 *   <li>Version 0 only; Version-min above 0 fails with 0x0205.</li>
 *   <li>ISID, TSIH, CID, initiator task tag and the version fields stay as in the first request; CSG is the
 *       current stage; NSG is a later stage (1 or 3) when T is set; T and C are never both set. A violation
 *       fails with 0x0200.</li>
 *   <li>The first request (the first whose text is complete) names the initiator (0x0207 without
 *       InitiatorName) and, in a normal session, an existing target (0x0207 without TargetName, 0x0203 for an
 *       unknown one, 0x0202 when the access list refuses the initiator). The answer carries
 *       TargetPortalGroupTag and, if configured, TargetAlias.</li>
 *   <li>Security stage: AuthMethod and an {@link AuthenticationExchange} from the context's
 *       {@link Authenticator}; the target agrees to leave the stage only once authenticated. Starting in the
 *       operational stage is allowed only when the authenticator accepts {@code None} (else 0x0201).</li>
 *   <li>Operational stage: every key answered per {@link TextKey} and the {@link TargetNegotiationConfig};
 *       the target declares its MaxRecvDataSegmentLength in its first operational response. A key sent twice
 *       in one login fails with 0x0200 (RFC 7143 §6.2), except that InitiatorName, TargetName and SessionType
 *       may be declared again with the same value (libiscsi does so after {@code AuthMethod=None}).</li>
 *   <li>C bit: request text is joined up to {@link LoginLimits#maxRequestTextLength()} (else 0x0302) and each
 *       part is answered with an empty response; response text longer than
 *       {@link LoginLimits#maxResponseSegmentLength()} goes out in parts with C set, each fetched by an empty
 *       request.</li>
 *   <li>Entering full feature phase asks {@link LoginContext#admitSession} for the TSIH.</li>
 * </ul>
 *
 * <p>Not thread-safe: one connection drives it, one request at a time. It never blocks; the login timeout
 * belongs to the connection layer. After a {@link LoginOutcome#COMPLETE} or {@link LoginOutcome#FAILED} step
 * the machine accepts no more requests.
 *
 * <pre>{@code
 * LoginStateMachine login = new LoginStateMachine(context);
 * LoginStep step = login.process(fieldsOf(loginRequestPdu));
 * send(loginResponsePdu(step.response(), request.initiatorTaskTag()));
 * switch (step.outcome()) {
 *     case COMPLETE -> enterFullFeaturePhase(step.parameters().orElseThrow());
 *     case FAILED -> close();
 *     case CONTINUE -> { }
 * }
 * }</pre>
 *
 * @since 0.1.0
 */
public final class LoginStateMachine {

    private static final int SUPPORTED_VERSION = 0;
    private static final byte[] NO_TEXT = new byte[0];

    private final LoginContext context;
    private final LoginLimits limits;
    private final TextAccumulator requestText;
    private final Set<String> keysReceived = new HashSet<>();

    private boolean started;
    private boolean finished;
    private long isid;
    private int tsih;
    private int cid;
    private int initiatorTaskTag;
    private int versionMax;
    private int versionMin;
    private int cmdSN;
    private LoginStage stage;

    private boolean identified;
    private String initiatorName;
    private SessionType sessionType;
    private Optional<String> targetName = Optional.empty();
    private String requestedTargetName;
    private Authenticator authenticator;
    private TargetNegotiationConfig config;
    private NegotiatedParameters.Builder parameters;
    private OperationalNegotiation negotiation;

    private boolean authMethodSelected;
    private boolean authenticated;
    private AuthenticationExchange exchange;
    private boolean targetMaxRecvDeclared;

    private TextSegments responseText;
    private Optional<LoginStage> transitAfterResponse = Optional.empty();

    /**
     * A login with the default limits.
     *
     * @param context the target the connection belongs to
     */
    public LoginStateMachine(LoginContext context) {
        this(context, LoginLimits.DEFAULT);
    }

    /**
     * A login with explicit limits.
     *
     * @param context the target the connection belongs to
     * @param limits the size limits
     */
    public LoginStateMachine(LoginContext context, LoginLimits limits) {
        this.context = Objects.requireNonNull(context, "context");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.requestText = new TextAccumulator(limits.maxRequestTextLength());
    }

    /**
     * Processes one Login Request.
     *
     * @param request the request's fields
     * @return the response to send and what to do next
     * @throws IllegalStateException if the login already completed or failed
     */
    public LoginStep process(LoginRequestFields request) {
        Objects.requireNonNull(request, "request");
        if (finished) {
            throw new IllegalStateException("the login phase of this connection is over");
        }
        try {
            return step(request);
        } catch (LoginFailure failure) {
            return fail(request, failure.status(), failure.getMessage());
        }
    }

    /**
     * The InitiatorName of this login, for logs and accounting.
     *
     * @return the name the initiator declared in its first complete request; empty before that
     */
    public Optional<String> initiatorName() {
        return Optional.ofNullable(initiatorName);
    }

    /**
     * The TargetName this login asked for, for logs and listeners, whether or not such a target exists.
     *
     * @return the name from the first complete request; empty for discovery sessions and before that
     */
    public Optional<String> requestedTargetName() {
        return Optional.ofNullable(requestedTargetName);
    }

    /**
     * The stage the next request must be in.
     *
     * @return the current stage; empty before the first request
     */
    public Optional<LoginStage> currentStage() {
        return Optional.ofNullable(stage);
    }

    private LoginStep step(LoginRequestFields request) throws LoginFailure {
        checkHeader(request);
        if (responseText != null) {
            if (request.text().length > 0 || request.continueFlag()) {
                throw new LoginFailure(LoginStatus.INITIATOR_ERROR,
                        "login request must be empty while the target's response continues");
            }
            return sendResponsePart();
        }
        if (!requestText.append(request.text())) {
            throw new LoginFailure(LoginStatus.OUT_OF_RESOURCES,
                    "login request text exceeds " + limits.maxRequestTextLength() + " bytes");
        }
        if (request.continueFlag()) {
            return new LoginStep(response(false, false, 0, LoginStatus.SUCCESS, tsih, NO_TEXT),
                    LoginOutcome.CONTINUE, Optional.empty(), Optional.empty());
        }
        TextParameters offers;
        try {
            offers = TextParameters.decode(requestText.take());
        } catch (TextFormatException e) {
            throw new LoginFailure(LoginStatus.INITIATOR_ERROR, "malformed login text: " + e.getMessage());
        }
        List<TextParameter> answers = new ArrayList<>();
        boolean firstRequest = !identified;
        if (firstRequest) {
            identify(offers, answers);
        }
        rejectRepeatedKeys(offers);
        boolean transit;
        if (stage == LoginStage.SECURITY_NEGOTIATION) {
            transit = negotiateSecurity(offers, answers, firstRequest, request.transit());
        } else {
            negotiateOperational(offers, answers, firstRequest);
            transit = request.transit();
        }
        Optional<LoginStage> next = transit ? LoginStage.fromCode(request.nsg()) : Optional.empty();
        if (next.isPresent() && next.get() == LoginStage.FULL_FEATURE_PHASE
                && parameters.firstBurstLength() > parameters.maxBurstLength()) {
            throw new LoginFailure(LoginStatus.INITIATOR_ERROR, "negotiated FirstBurstLength "
                    + parameters.firstBurstLength() + " exceeds MaxBurstLength " + parameters.maxBurstLength());
        }
        responseText = new TextSegments(TextParameters.of(answers).encode());
        transitAfterResponse = next;
        return sendResponsePart();
    }

    private void checkHeader(LoginRequestFields request) throws LoginFailure {
        if (!started) {
            if (request.versionMin() > SUPPORTED_VERSION || request.versionMax() < SUPPORTED_VERSION) {
                throw new LoginFailure(LoginStatus.UNSUPPORTED_VERSION, "initiator supports versions "
                        + request.versionMin() + " to " + request.versionMax() + ", the target only 0");
            }
            Optional<LoginStage> first = LoginStage.fromCode(request.csg());
            if (first.isEmpty() || first.get() == LoginStage.FULL_FEATURE_PHASE) {
                throw new LoginFailure(LoginStatus.INITIATOR_ERROR, "invalid CSG " + request.csg());
            }
            started = true;
            isid = request.isid();
            tsih = request.tsih();
            cid = request.cid();
            initiatorTaskTag = request.initiatorTaskTag();
            versionMax = request.versionMax();
            versionMin = request.versionMin();
            cmdSN = request.cmdSN();
            stage = first.get();
        } else {
            if (request.versionMax() != versionMax || request.versionMin() != versionMin) {
                throw new LoginFailure(LoginStatus.INITIATOR_ERROR, "version fields changed during login");
            }
            if (request.isid() != isid) {
                throw new LoginFailure(LoginStatus.INITIATOR_ERROR, "ISID changed during login");
            }
            if (request.tsih() != tsih) {
                throw new LoginFailure(LoginStatus.INITIATOR_ERROR, "TSIH changed during login");
            }
            if (request.cid() != cid) {
                throw new LoginFailure(LoginStatus.INITIATOR_ERROR, "CID changed during login");
            }
            if (request.initiatorTaskTag() != initiatorTaskTag) {
                throw new LoginFailure(LoginStatus.INITIATOR_ERROR, "initiator task tag changed during login");
            }
            if (request.csg() != stage.code()) {
                throw new LoginFailure(LoginStatus.INITIATOR_ERROR,
                        "CSG " + request.csg() + " but the login is in stage " + stage.code());
            }
        }
        if (request.transit() && request.continueFlag()) {
            throw new LoginFailure(LoginStatus.INITIATOR_ERROR, "T and C bits both set");
        }
        if (request.transit()) {
            Optional<LoginStage> next = LoginStage.fromCode(request.nsg());
            if (next.isEmpty() || next.get().code() <= request.csg()) {
                throw new LoginFailure(LoginStatus.INITIATOR_ERROR,
                        "invalid transit from CSG " + request.csg() + " to NSG " + request.nsg());
            }
        }
    }

    /** Reads the identity keys of the first complete request and looks up the target. */
    private void identify(TextParameters offers, List<TextParameter> answers) throws LoginFailure {
        initiatorName = offers.get(TextKey.INITIATOR_NAME.wireName()).filter(name -> !name.isEmpty())
                .orElseThrow(() -> new LoginFailure(LoginStatus.MISSING_PARAMETER,
                        "first login request has no InitiatorName"));
        String sessionTypeValue = offers.get(TextKey.SESSION_TYPE.wireName())
                .orElse(SessionType.NORMAL.wireValue());
        sessionType = SessionType.fromWireValue(sessionTypeValue)
                .orElseThrow(() -> new LoginFailure(LoginStatus.INITIATOR_ERROR,
                        "invalid SessionType " + sessionTypeValue));
        Optional<TargetDescription> target = Optional.empty();
        if (sessionType == SessionType.NORMAL) {
            String name = offers.get(TextKey.TARGET_NAME.wireName()).filter(value -> !value.isEmpty())
                    .orElseThrow(() -> new LoginFailure(LoginStatus.MISSING_PARAMETER,
                            "first login request of a normal session has no TargetName"));
            requestedTargetName = name;
            target = context.findTarget(name);
            if (target.isEmpty()) {
                throw new LoginFailure(LoginStatus.NOT_FOUND, "no target named " + name);
            }
            if (!context.mayAccess(initiatorName, name)) {
                throw new LoginFailure(LoginStatus.AUTHORIZATION_FAILURE,
                        initiatorName + " may not access " + name);
            }
            targetName = Optional.of(name);
        }
        authenticator = Objects.requireNonNull(context.authenticator(targetName), "authenticator");
        config = Objects.requireNonNull(context.negotiationConfig(targetName), "negotiationConfig");
        int portalGroupTag = context.targetPortalGroupTag();
        parameters = NegotiatedParameters.builder(initiatorName, sessionType)
                .targetName(targetName.orElse(null))
                .targetAlias(target.flatMap(TargetDescription::alias).orElse(null))
                .targetPortalGroupTag(portalGroupTag);
        negotiation = new OperationalNegotiation(config, sessionType, tsih == 0);
        if (target.isPresent()) {
            answers.add(new TextParameter(TextKey.TARGET_PORTAL_GROUP_TAG.wireName(),
                    Integer.toString(portalGroupTag)));
            target.get().alias().ifPresent(alias ->
                    answers.add(new TextParameter(TextKey.TARGET_ALIAS.wireName(), alias)));
        }
        if (stage == LoginStage.LOGIN_OPERATIONAL_NEGOTIATION) {
            if (!authenticator.allowsUnauthenticated(initiatorName, targetName)) {
                throw new LoginFailure(LoginStatus.AUTHENTICATION_FAILURE,
                        "initiator skipped the security stage but authentication is required");
            }
            authenticated = true;
        }
        identified = true;
    }

    /**
     * Fails a key negotiated or declared twice in this login (RFC 7143 §6.2). Exempt are the keys of an
     * authentication method, which are the exchange's business, and the identity declarations, which
     * {@link #checkRedeclaration} compares instead.
     */
    private void rejectRepeatedKeys(TextParameters offers) throws LoginFailure {
        for (TextParameter offer : offers.pairs()) {
            Optional<TextKey> key = TextKey.byWireName(offer.key());
            boolean methodKey = stage == LoginStage.SECURITY_NEGOTIATION && key.isEmpty();
            boolean identityKey = key.isPresent() && isIdentityKey(key.get());
            if (!methodKey && !identityKey && !keysReceived.add(offer.key())) {
                throw new LoginFailure(LoginStatus.INITIATOR_ERROR, "key " + offer.key() + " sent twice in one login");
            }
        }
    }

    private static boolean isIdentityKey(TextKey key) {
        return key == TextKey.INITIATOR_NAME || key == TextKey.TARGET_NAME || key == TextKey.SESSION_TYPE
                || key == TextKey.INITIATOR_ALIAS;
    }

    /**
     * Checks an identity key sent after the first request. Some initiators (libiscsi) declare InitiatorName,
     * TargetName and SessionType again in the operational stage; the same value is tolerated, another value
     * fails the login. A later InitiatorAlias replaces the earlier one.
     */
    private void checkRedeclaration(TextKey key, String value) throws LoginFailure {
        boolean same;
        switch (key) {
            case INITIATOR_NAME:
                same = value.equals(initiatorName);
                break;
            case TARGET_NAME:
                same = sessionType == SessionType.DISCOVERY || targetName.map(value::equals).orElse(false);
                break;
            case SESSION_TYPE:
                same = SessionType.fromWireValue(value).map(type -> type == sessionType).orElse(false);
                break;
            default:
                parameters.initiatorAlias(value);
                same = true;
                break;
        }
        if (!same) {
            throw new LoginFailure(LoginStatus.INITIATOR_ERROR, key + " changed to " + value + " during login");
        }
    }

    /**
     * Handles a security-stage request.
     *
     * @return whether the target agrees to leave the stage
     */
    private boolean negotiateSecurity(TextParameters offers, List<TextParameter> answers, boolean firstRequest,
            boolean transitRequested) throws LoginFailure {
        Map<String, String> methodKeys = new LinkedHashMap<>();
        boolean selectedNow = false;
        for (TextParameter offer : offers.pairs()) {
            Optional<TextKey> key = TextKey.byWireName(offer.key());
            if (key.isEmpty()) {
                methodKeys.put(offer.key(), offer.value());
                continue;
            }
            switch (key.get()) {
                case AUTH_METHOD:
                    answers.add(selectAuthMethod(offer.value()));
                    selectedNow = true;
                    break;
                case INITIATOR_NAME:
                case TARGET_NAME:
                case SESSION_TYPE:
                case INITIATOR_ALIAS:
                    if (!firstRequest) {
                        checkRedeclaration(key.get(), offer.value());
                    } else if (key.get() == TextKey.INITIATOR_ALIAS) {
                        parameters.initiatorAlias(offer.value());
                    }
                    break;
                default:
                    if (key.get().sender() == TextKey.Sender.TARGET) {
                        throw new LoginFailure(LoginStatus.INITIATOR_ERROR,
                                "initiator sent the target-only key " + key.get());
                    }
                    throw new LoginFailure(LoginStatus.INITIATOR_ERROR,
                            "operational key " + key.get() + " sent in the security stage");
            }
        }
        boolean exchangeRunning = exchange != null && !authenticated;
        if (exchangeRunning && (!methodKeys.isEmpty() || !selectedNow)) {
            answers.addAll(runExchange(methodKeys));
        } else {
            methodKeys.keySet().forEach(name -> answers.add(new TextParameter(name, TextKey.NOT_UNDERSTOOD)));
        }
        if (!transitRequested) {
            return false;
        }
        if (authenticated) {
            return true;
        }
        if (exchange != null) {
            return false;
        }
        if (!authMethodSelected && authenticator.allowsUnauthenticated(initiatorName, targetName)) {
            authenticated = true;
            return true;
        }
        throw new LoginFailure(LoginStatus.AUTHENTICATION_FAILURE,
                "initiator tried to leave the security stage without authenticating");
    }

    private TextParameter selectAuthMethod(String offered) throws LoginFailure {
        Set<String> accepted = authenticator.acceptedMethods(initiatorName, targetName);
        String selected = null;
        for (String choice : TextKey.splitList(offered)) {
            if (accepted.contains(choice)) {
                selected = choice;
                break;
            }
        }
        if (selected == null) {
            throw new LoginFailure(LoginStatus.AUTHENTICATION_FAILURE,
                    "no acceptable AuthMethod in " + offered + "; accepted: " + accepted);
        }
        authMethodSelected = true;
        parameters.authMethod(selected);
        if (Authenticator.NONE.equals(selected)) {
            authenticated = true;
        } else {
            exchange = Objects.requireNonNull(authenticator.begin(selected, initiatorName, targetName),
                    "authentication exchange");
        }
        return new TextParameter(TextKey.AUTH_METHOD.wireName(), selected);
    }

    private List<TextParameter> runExchange(Map<String, String> methodKeys) throws LoginFailure {
        AuthenticationStep step = Objects.requireNonNull(
                exchange.process(Collections.unmodifiableMap(methodKeys)), "authentication step");
        Map<String, String> responseKeys;
        if (step instanceof AuthenticationStep.InProgress inProgress) {
            responseKeys = inProgress.responseKeys();
        } else if (step instanceof AuthenticationStep.Succeeded succeeded) {
            authenticated = true;
            responseKeys = succeeded.responseKeys();
        } else {
            AuthenticationStep.Failed failed = (AuthenticationStep.Failed) step;
            throw new LoginFailure(statusOf(failed), "authentication failed: " + failed.detail());
        }
        List<TextParameter> answers = new ArrayList<>();
        responseKeys.forEach((key, value) -> answers.add(new TextParameter(key, value)));
        return answers;
    }

    private static LoginStatus statusOf(AuthenticationStep.Failed failed) {
        switch (failed.reason()) {
            case AUTHENTICATION_FAILED:
                return LoginStatus.AUTHENTICATION_FAILURE;
            case AUTHORIZATION_FAILED:
                return LoginStatus.AUTHORIZATION_FAILURE;
            case MISSING_PARAMETER:
                return LoginStatus.MISSING_PARAMETER;
            default:
                return LoginStatus.INITIATOR_ERROR;
        }
    }

    private void negotiateOperational(TextParameters offers, List<TextParameter> answers, boolean firstRequest)
            throws LoginFailure {
        if (!firstRequest) {
            for (TextParameter offer : offers.pairs()) {
                Optional<TextKey> key = TextKey.byWireName(offer.key());
                if (key.isPresent() && key.get() != TextKey.INITIATOR_ALIAS && isIdentityKey(key.get())) {
                    checkRedeclaration(key.get(), offer.value());
                }
            }
        }
        negotiation.answer(offers, parameters, answers);
        if (!targetMaxRecvDeclared) {
            int bytes = config.targetMaxRecvDataSegmentLength();
            answers.add(new TextParameter(TextKey.MAX_RECV_DATA_SEGMENT_LENGTH.wireName(), Integer.toString(bytes)));
            parameters.targetMaxRecvDataSegmentLength(bytes);
            targetMaxRecvDeclared = true;
        }
    }

    /** Sends the next part of the pending response text; the last part carries the transit decision. */
    private LoginStep sendResponsePart() throws LoginFailure {
        byte[] part = responseText.next(limits.maxResponseSegmentLength());
        if (responseText.hasMore()) {
            return new LoginStep(response(false, true, 0, LoginStatus.SUCCESS, tsih, part),
                    LoginOutcome.CONTINUE, Optional.empty(), Optional.empty());
        }
        responseText = null;
        Optional<LoginStage> next = transitAfterResponse;
        transitAfterResponse = Optional.empty();
        if (next.isEmpty()) {
            return new LoginStep(response(false, false, 0, LoginStatus.SUCCESS, tsih, part),
                    LoginOutcome.CONTINUE, Optional.empty(), Optional.empty());
        }
        LoginStage current = stage;
        if (next.get() != LoginStage.FULL_FEATURE_PHASE) {
            stage = next.get();
            return new LoginStep(responseIn(current, true, next.get().code(), tsih, part),
                    LoginOutcome.CONTINUE, Optional.empty(), Optional.empty());
        }
        NegotiatedParameters negotiated = parameters.build();
        SessionAdmission admission = Objects.requireNonNull(
                context.admitSession(new SessionRequest(isid, tsih, cid, cmdSN, negotiated)), "session admission");
        if (!admission.isAdmitted()) {
            throw new LoginFailure(admission.status(), "session not admitted: " + admission.status());
        }
        stage = LoginStage.FULL_FEATURE_PHASE;
        finished = true;
        return new LoginStep(responseIn(current, true, LoginStage.FULL_FEATURE_PHASE.code(), admission.tsih(), part),
                LoginOutcome.COMPLETE, Optional.of(negotiated), Optional.empty());
    }

    private LoginResponseFields response(boolean transit, boolean continueFlag, int nsg, LoginStatus status,
            int responseTsih, byte[] text) {
        return new LoginResponseFields(transit, continueFlag, stage.code(), nsg, SUPPORTED_VERSION,
                SUPPORTED_VERSION, isid, responseTsih, status.statusClass(), status.statusDetail(), text);
    }

    private LoginResponseFields responseIn(LoginStage current, boolean transit, int nsg, int responseTsih,
            byte[] text) {
        return new LoginResponseFields(transit, false, current.code(), nsg, SUPPORTED_VERSION, SUPPORTED_VERSION,
                isid, responseTsih, LoginStatus.SUCCESS.statusClass(), LoginStatus.SUCCESS.statusDetail(), text);
    }

    private LoginStep fail(LoginRequestFields request, LoginStatus status, String reason) {
        finished = true;
        requestText.clear();
        responseText = null;
        int csg = stage != null ? stage.code() : request.csg() & 0x3;
        LoginResponseFields response = new LoginResponseFields(false, false, csg, 0, SUPPORTED_VERSION,
                SUPPORTED_VERSION, request.isid(), request.tsih(), status.statusClass(), status.statusDetail(),
                NO_TEXT);
        return new LoginStep(response, LoginOutcome.FAILED, Optional.empty(), Optional.of(reason));
    }
}
