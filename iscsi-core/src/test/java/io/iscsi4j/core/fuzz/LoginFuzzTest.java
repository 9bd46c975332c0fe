package io.iscsi4j.core.fuzz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.iscsi4j.core.auth.Authenticator;
import io.iscsi4j.core.auth.ChapCredentials;
import io.iscsi4j.core.auth.ChapCredentialsLookup;
import io.iscsi4j.core.login.LoginContext;
import io.iscsi4j.core.login.LoginLimits;
import io.iscsi4j.core.login.LoginOutcome;
import io.iscsi4j.core.login.LoginRequestFields;
import io.iscsi4j.core.login.LoginResponseFields;
import io.iscsi4j.core.login.LoginStateMachine;
import io.iscsi4j.core.login.LoginStatus;
import io.iscsi4j.core.login.LoginStep;
import io.iscsi4j.core.login.NegotiatedParameters;
import io.iscsi4j.core.login.PortalAddress;
import io.iscsi4j.core.login.SessionAdmission;
import io.iscsi4j.core.login.SessionRequest;
import io.iscsi4j.core.login.SessionType;
import io.iscsi4j.core.login.TargetDescription;
import io.iscsi4j.core.login.TargetPortals;
import io.iscsi4j.core.login.TextExchange;
import io.iscsi4j.core.login.TextFormatException;
import io.iscsi4j.core.login.TextParameters;
import io.iscsi4j.core.login.TextRequestFields;
import io.iscsi4j.core.login.TextResponseFields;
import io.iscsi4j.core.login.TextStep;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;

/**
 * Coverage-guided fuzzing of login and text negotiation: {@link LoginStateMachine} fed arbitrary sequences of
 * Login Request fields and text, {@link TextExchange} fed arbitrary Text Requests after a valid login, and the
 * {@link TextParameters} codec fed arbitrary bytes. Input layouts are described on each method and produced for the
 * seeds by {@link SeedCorpus}.
 */
class LoginFuzzTest {

    static final long ISID = 0x0002_3d00_0001L;
    static final String INITIATOR = "iqn.1993-08.org.debian:01:fuzz";
    static final String TARGET = "iqn.2026-11.io.iscsi4j:fuzz";
    static final String OTHER_TARGET = "iqn.2026-11.io.iscsi4j:" + "x".repeat(180);
    static final int INITIAL_ITT = 0x10;
    static final int CID = 1;
    static final int ADMITTED_TSIH = 0x1234;
    /** The initiator MaxRecvDataSegmentLength of the text exchange, selected by bits 1..2 of its first byte. */
    static final int[] TEXT_MAX_RECV = {8192, 512, 262_144, 1024};

    private static final SeedRuns RUNS = new SeedRuns(LoginFuzzTest.class);

    @AfterAll
    static void everySeedRan() {
        RUNS.verify();
    }

    /**
     * A login: byte 0 bit 0 CHAP instead of no authentication, bit 1 512-byte response segments, bit 2 the access
     * list refuses the initiator; then requests, each: flags (bit 7 T, bit 6 C, bits 2..3 CSG, bits 0..1 NSG), a
     * header byte (bit 0 other ISID, bit 1 TSIH 1, bit 2 CID 2, bit 3 other task tag, bit 4 Version-min 1, bit 5
     * Version-max 2), a 16-bit text length and the text.
     *
     * <p>Invariants: every response carries an assigned status; FAILED exactly when the status is not success, and
     * then no text; response parts fit the segment limit, never have T and C together, and the joined text of a
     * response decodes; COMPLETE only with T=1 NSG=3, a TSIH and parameters; after the login ends the machine
     * refuses further requests.
     */
    @FuzzTest(maxDuration = "5m")
    void loginSequence(byte[] input) {
        RUNS.record("loginSequence");
        login(input);
    }

    /**
     * Runs one login input, checking every invariant.
     *
     * @return the outcome of the last request processed
     */
    static LoginOutcome login(byte[] input) {
        FuzzInput in = new FuzzInput(input);
        int config = in.u8();
        boolean chap = (config & 1) != 0;
        LoginLimits limits = (config & 2) != 0 ? new LoginLimits(65_536, 512) : LoginLimits.DEFAULT;
        boolean denied = (config & 4) != 0;
        LoginStateMachine machine = new LoginStateMachine(new Context(chap, denied), limits);
        ByteArrayOutputStream responseText = new ByteArrayOutputStream();
        LoginOutcome outcome = LoginOutcome.CONTINUE;
        while (in.hasMore() && outcome == LoginOutcome.CONTINUE) {
            LoginRequestFields request = nextLoginRequest(in);
            LoginStep step = machine.process(request);
            outcome = step.outcome();
            checkLoginStep(request, step, limits, responseText);
        }
        if (outcome != LoginOutcome.CONTINUE) {
            assertThatThrownBy(() -> machine.process(loginRequest(0, 0, new byte[0])))
                    .isInstanceOf(IllegalStateException.class);
        }
        return outcome;
    }

    private static LoginRequestFields nextLoginRequest(FuzzInput in) {
        int flags = in.u8();
        int header = in.u8();
        byte[] text = in.take(in.u16());
        return new LoginRequestFields((flags & 0x80) != 0, (flags & 0x40) != 0, (flags >> 2) & 3, flags & 3,
                (header & 0x20) != 0 ? 2 : 0, (header & 0x10) != 0 ? 1 : 0, (header & 1) != 0 ? ISID ^ 1 : ISID,
                (header & 2) != 0 ? 1 : 0, (header & 8) != 0 ? INITIAL_ITT + 1 : INITIAL_ITT,
                (header & 4) != 0 ? 2 : CID, 7, 0, text);
    }

    private static LoginRequestFields loginRequest(int flags, int header, byte[] text) {
        return nextLoginRequest(new FuzzInput(concat(new byte[] {(byte) flags, (byte) header,
                (byte) (text.length >> 8), (byte) text.length}, text)));
    }

    private static void checkLoginStep(LoginRequestFields request, LoginStep step, LoginLimits limits,
            ByteArrayOutputStream responseText) {
        LoginResponseFields response = step.response();
        Optional<LoginStatus> status = LoginStatus.fromCodes(response.statusClass(), response.statusDetail());
        assertThat(status).as("assigned status in %s", response).isPresent();
        assertThat(response.statusClass()).as("status class").isBetween(0, 3);
        assertThat(step.outcome() == LoginOutcome.FAILED).as("FAILED exactly for a failure status: %s", step)
                .isEqualTo(!status.get().isSuccess());
        assertThat(response.transit() && response.continueFlag()).as("T and C both set").isFalse();
        assertThat(response.text().length).as("response segment length")
                .isLessThanOrEqualTo(limits.maxResponseSegmentLength());
        assertThat(response.isid()).as("ISID echoed").isEqualTo(request.isid());
        assertThat(response.versionMax()).as("Version-max").isZero();
        assertThat(response.versionActive()).as("Version-active").isZero();
        assertThat(response.csg()).as("CSG").isBetween(0, 3);
        assertThat(response.nsg()).as("NSG").isBetween(0, 3);
        if (step.outcome() == LoginOutcome.FAILED) {
            assertThat(response.text()).as("failure response text").isEmpty();
            assertThat(response.transit()).as("T in a failure response").isFalse();
            return;
        }
        responseText.writeBytes(response.text());
        if (!response.continueFlag()) {
            byte[] joined = responseText.toByteArray();
            responseText.reset();
            try {
                TextParameters.decode(joined);
            } catch (TextFormatException e) {
                throw new AssertionError("login response text does not decode: " + e.getMessage() + ": "
                        + printable(joined), e);
            }
        }
        if (step.outcome() == LoginOutcome.COMPLETE) {
            assertThat(response.transit()).as("T of the final response").isTrue();
            assertThat(response.nsg()).as("NSG of the final response").isEqualTo(3);
            assertThat(response.tsih()).as("TSIH of the final response").isEqualTo(ADMITTED_TSIH);
            NegotiatedParameters parameters = step.parameters().orElseThrow();
            assertThat(parameters.firstBurstLength()).isLessThanOrEqualTo(parameters.maxBurstLength());
            assertThat(parameters.initiatorName()).isNotEmpty();
        }
    }

    /**
     * A text exchange after a valid login: byte 0 bit 0 discovery session, bits 1..2 the initiator's
     * MaxRecvDataSegmentLength ({@link #TEXT_MAX_RECV}); then requests, each: flags (bit 7 F, bit 6 C, bits 0..1
     * the target transfer tag: reserved, the last one received, the last one plus one, or 4 more input bytes; bit 2
     * another task tag), a 16-bit text length and the text.
     *
     * <p>Invariants: an Answer echoes the task tag, fits the negotiated MaxRecvDataSegmentLength, never has F and C
     * together, carries the reserved target transfer tag exactly when F is set, and the text of a finished answer
     * (parts joined) is well-formed {@code key=value} text.
     */
    @FuzzTest(maxDuration = "5m")
    void textExchange(byte[] input) {
        RUNS.record("textExchange");
        text(input);
    }

    /**
     * Runs one text exchange input, checking every invariant.
     *
     * @return per request, {@code "answer"} or the Reject reason
     */
    static List<String> text(byte[] input) {
        List<String> steps = new ArrayList<>();
        FuzzInput in = new FuzzInput(input);
        int config = in.u8();
        boolean discovery = (config & 1) != 0;
        int maxRecv = TEXT_MAX_RECV[(config >> 1) & 3];
        NegotiatedParameters parameters = scriptedLogin(discovery, maxRecv);
        TextExchange exchange = new TextExchange(parameters, initiator -> List.of(
                new TargetPortals(TARGET, List.of(new PortalAddress("127.0.0.1", 3260, 1),
                        new PortalAddress("::1", 3260, 1))),
                new TargetPortals(OTHER_TARGET, List.of(new PortalAddress("192.0.2.7", 3261, 2)))));
        int lastTransferTag = TextExchange.RESERVED_TAG;
        ByteArrayOutputStream answerText = new ByteArrayOutputStream();
        while (in.hasMore()) {
            int flags = in.u8();
            int transferTag = switch (flags & 3) {
                case 0 -> TextExchange.RESERVED_TAG;
                case 1 -> lastTransferTag;
                case 2 -> lastTransferTag + 1;
                default -> in.i32();
            };
            int itt = (flags & 4) != 0 ? 0x20 : 0x21;
            byte[] text = in.take(in.u16());
            TextRequestFields request = new TextRequestFields((flags & 0x80) != 0, (flags & 0x40) != 0, itt,
                    transferTag, text);
            TextStep step = exchange.process(request);
            if (step instanceof TextStep.Rejection rejection) {
                assertThat(rejection.reason()).isNotNull();
                steps.add(rejection.reason().name());
                answerText.reset();
                continue;
            }
            TextResponseFields response = ((TextStep.Answer) step).response();
            assertThat(response.initiatorTaskTag()).as("task tag echoed").isEqualTo(itt);
            assertThat(response.finalFlag() && response.continueFlag()).as("F and C both set").isFalse();
            assertThat(response.targetTransferTag() == TextExchange.RESERVED_TAG)
                    .as("reserved target transfer tag exactly with F: %s", response).isEqualTo(response.finalFlag());
            assertThat(response.text().length).as("text response segment length")
                    .isLessThanOrEqualTo(exchange.parameters().initiatorMaxRecvDataSegmentLength());
            steps.add("answer");
            lastTransferTag = response.targetTransferTag();
            answerText.writeBytes(response.text());
            if (!response.continueFlag()) {
                checkKeyValueText(answerText.toByteArray());
                answerText.reset();
            }
        }
        return steps;
    }

    /** Logs in with a fixed, valid sequence and returns the negotiated parameters. */
    private static NegotiatedParameters scriptedLogin(boolean discovery, int maxRecv) {
        LoginStateMachine machine = new LoginStateMachine(new Context(false, false));
        String keys = "InitiatorName=" + INITIATOR + "\0"
                + (discovery ? "SessionType=Discovery\0" : "SessionType=Normal\0TargetName=" + TARGET + "\0")
                + "MaxRecvDataSegmentLength=" + maxRecv + "\0";
        // operational stage (CSG 1), T=1 to full feature phase (NSG 3)
        LoginStep step = machine.process(loginRequest(0x80 | (1 << 2) | 3, 0, keys.getBytes(StandardCharsets.UTF_8)));
        assertThat(step.outcome()).as("scripted login: %s", step.failureReason()).isEqualTo(LoginOutcome.COMPLETE);
        NegotiatedParameters parameters = step.parameters().orElseThrow();
        assertThat(parameters.sessionType()).isEqualTo(discovery ? SessionType.DISCOVERY : SessionType.NORMAL);
        return parameters;
    }

    /**
     * The key=value codec on arbitrary bytes: decoding either fails with {@link TextFormatException} or yields pairs
     * that encode to exactly the input and are accepted by {@link TextParameters#of}.
     */
    @FuzzTest(maxDuration = "2m")
    void textParameters(byte[] input) {
        RUNS.record("textParameters");
        TextParameters decoded;
        try {
            decoded = TextParameters.decode(input);
        } catch (TextFormatException e) {
            return;
        }
        assertThat(decoded.encode()).as("re-encoded text").isEqualTo(input);
        assertThat(TextParameters.of(decoded.pairs())).isEqualTo(decoded);
    }

    /** Text responses may repeat keys (SendTargets), so this checks the form only: key=value pairs, NUL-ended. */
    private static void checkKeyValueText(byte[] text) {
        if (text.length == 0) {
            return;
        }
        assertThat(text[text.length - 1]).as("text ends with NUL: %s", printable(text)).isZero();
        String all = new String(text, 0, text.length - 1, StandardCharsets.UTF_8);
        for (String pair : all.split("\0", -1)) {
            assertThat(pair).as("pair in %s", printable(text)).matches("[A-Za-z][A-Za-z0-9.+@_#-]*=.*");
        }
    }

    private static String printable(byte[] text) {
        return new String(text, StandardCharsets.UTF_8).replace('\0', '|');
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** One target (plus a discovery session), CHAP or no authentication, an optional refusing access list. */
    private static final class Context implements LoginContext {
        private final Authenticator authenticator;
        private final boolean denied;

        Context(boolean chap, boolean denied) {
            this.authenticator = chap
                    ? Authenticator.chap(ChapCredentialsLookup.fixed(ChapCredentials.of("fuzz", "fuzz-secret-0123")))
                    : Authenticator.none();
            this.denied = denied;
        }

        @Override
        public Optional<TargetDescription> findTarget(String targetName) {
            return TARGET.equals(targetName)
                    ? Optional.of(new TargetDescription(TARGET, Optional.of("fuzz target")))
                    : Optional.empty();
        }

        @Override
        public boolean mayAccess(String initiatorName, String targetName) {
            return !denied;
        }

        @Override
        public Authenticator authenticator(Optional<String> targetName) {
            return authenticator;
        }

        @Override
        public int targetPortalGroupTag() {
            return 1;
        }

        @Override
        public SessionAdmission admitSession(SessionRequest request) {
            return request.tsih() == 0 ? SessionAdmission.admitted(ADMITTED_TSIH)
                    : SessionAdmission.refused(LoginStatus.SESSION_DOES_NOT_EXIST);
        }
    }
}
