package io.iscsi4j.core.login;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;

import static io.iscsi4j.core.login.LoginRequests.INITIATOR;
import static io.iscsi4j.core.login.LoginRequests.ISID;
import static io.iscsi4j.core.login.LoginRequests.TARGET;
import static io.iscsi4j.core.login.LoginRequests.keysOf;
import static io.iscsi4j.core.login.LoginRequests.operational;
import static io.iscsi4j.core.login.LoginRequests.security;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.entry;

class LoginStateMachineTest {

    private final FakeLoginContext context = new FakeLoginContext();
    private final LoginStateMachine login = new LoginStateMachine(context);

    private static void assertFailed(LoginStep step, LoginStatus status) {
        assertThat(step.outcome()).as("outcome, reason %s", step.failureReason()).isEqualTo(LoginOutcome.FAILED);
        assertThat(step.response().status()).isEqualTo(status);
        assertThat(step.response().transit()).isFalse();
        assertThat(step.response().continueFlag()).isFalse();
        assertThat(step.response().text()).isEmpty();
        assertThat(step.failureReason()).isPresent();
        assertThat(step.parameters()).isEmpty();
    }

    private static void assertContinues(LoginStep step) {
        assertThat(step.outcome()).as("outcome, reason %s", step.failureReason()).isEqualTo(LoginOutcome.CONTINUE);
        assertThat(step.response().status()).isEqualTo(LoginStatus.SUCCESS);
    }

    /** Runs a None-authenticated security stage that transits to the operational stage. */
    private void passSecurityStage() {
        LoginStep step = login.process(security().transitTo(1).firstNormal("AuthMethod=None").build());
        assertContinues(step);
        assertThat(step.response().transit()).isTrue();
    }

    /** Negotiates the given keys in the operational stage and completes the login. */
    private LoginStep completeWith(String... keys) {
        passSecurityStage();
        return login.process(operational().transitTo(3).keys(keys).build());
    }

    @Nested
    class StageTransitions {

        @Test
        void securityThenOperationalThenFullFeature() {
            LoginStep first = login.process(security().transitTo(1).firstNormal("AuthMethod=None").build());

            assertContinues(first);
            LoginResponseFields response = first.response();
            assertThat(response.transit()).isTrue();
            assertThat(response.continueFlag()).isFalse();
            assertThat(response.csg()).isZero();
            assertThat(response.nsg()).isEqualTo(1);
            assertThat(response.versionMax()).isZero();
            assertThat(response.versionActive()).isZero();
            assertThat(response.isid()).isEqualTo(ISID);
            assertThat(response.tsih()).isZero();
            assertThat(keysOf(first)).containsExactly(entry("TargetPortalGroupTag", "1"), entry("AuthMethod", "None"));
            assertThat(login.currentStage()).hasValue(LoginStage.LOGIN_OPERATIONAL_NEGOTIATION);

            LoginStep last = login.process(operational().transitTo(3)
                    .keys("HeaderDigest=None", "MaxRecvDataSegmentLength=65536").build());

            assertThat(last.outcome()).isEqualTo(LoginOutcome.COMPLETE);
            assertThat(last.response().transit()).isTrue();
            assertThat(last.response().csg()).isEqualTo(1);
            assertThat(last.response().nsg()).isEqualTo(3);
            assertThat(last.response().tsih()).isEqualTo(0x1234);
            assertThat(keysOf(last)).containsExactly(entry("HeaderDigest", "None"),
                    entry("MaxRecvDataSegmentLength", "262144"));
            NegotiatedParameters parameters = last.parameters().orElseThrow();
            assertThat(parameters.initiatorName()).isEqualTo(INITIATOR);
            assertThat(parameters.targetName()).hasValue(TARGET);
            assertThat(parameters.sessionType()).isEqualTo(SessionType.NORMAL);
            assertThat(parameters.initiatorMaxRecvDataSegmentLength()).isEqualTo(65_536);
            assertThat(parameters.targetMaxRecvDataSegmentLength()).isEqualTo(262_144);
            assertThat(parameters.targetPortalGroupTag()).isEqualTo(1);
            assertThat(parameters.authMethod()).isEqualTo("None");
            assertThat(login.currentStage()).hasValue(LoginStage.FULL_FEATURE_PHASE);
        }

        @Test
        void securityStraightToFullFeatureKeepsEveryDefault() {
            LoginStep step = login.process(security().transitTo(3).firstNormal("AuthMethod=None").build());

            assertThat(step.outcome()).isEqualTo(LoginOutcome.COMPLETE);
            assertThat(step.response().csg()).isZero();
            assertThat(step.response().nsg()).isEqualTo(3);
            NegotiatedParameters parameters = step.parameters().orElseThrow();
            assertThat(parameters.targetMaxRecvDataSegmentLength()).isEqualTo(8192);
            assertThat(parameters.initiatorMaxRecvDataSegmentLength()).isEqualTo(8192);
            assertThat(parameters.maxBurstLength()).isEqualTo(262_144);
            assertThat(parameters.firstBurstLength()).isEqualTo(65_536);
            assertThat(parameters.initialR2T()).isTrue();
            assertThat(parameters.immediateData()).isTrue();
            assertThat(parameters.maxOutstandingR2T()).isEqualTo(1);
            assertThat(parameters.defaultTime2Wait()).isEqualTo(2);
            assertThat(parameters.defaultTime2Retain()).isEqualTo(20);
            assertThat(parameters.dataPduInOrder()).isTrue();
            assertThat(parameters.dataSequenceInOrder()).isTrue();
            assertThat(parameters.errorRecoveryLevel()).isZero();
            assertThat(parameters.maxConnections()).isEqualTo(1);
            assertThat(parameters.headerDigest()).isEqualTo(Digest.NONE);
            assertThat(parameters.dataDigest()).isEqualTo(Digest.NONE);
            assertThat(parameters.taskReporting()).isEqualTo("RFC3720");
            assertThat(parameters.iscsiProtocolLevel()).isEqualTo(1);
        }

        @Test
        void operationalFirstIsAllowedWithoutAuthentication() {
            LoginStep step = login.process(operational().transitTo(3).firstNormal("ImmediateData=No").build());

            assertThat(step.outcome()).isEqualTo(LoginOutcome.COMPLETE);
            assertThat(step.response().csg()).isEqualTo(1);
            assertThat(keysOf(step)).containsExactly(entry("TargetPortalGroupTag", "1"),
                    entry("ImmediateData", "No"), entry("MaxRecvDataSegmentLength", "262144"));
            assertThat(step.parameters().orElseThrow().immediateData()).isFalse();
        }

        @Test
        void stayingInAStageThenMovingOn() {
            LoginStep first = login.process(security().firstNormal("AuthMethod=None").build());
            assertContinues(first);
            assertThat(first.response().transit()).isFalse();
            assertThat(first.response().nsg()).isZero();

            LoginStep second = login.process(security().transitTo(1).build());
            assertContinues(second);
            assertThat(second.response().transit()).isTrue();
            assertThat(second.response().text()).isEmpty();

            LoginStep third = login.process(operational().keys("MaxBurstLength=65536").build());
            assertContinues(third);
            assertThat(third.response().transit()).isFalse();
            assertThat(keysOf(third)).containsExactly(entry("MaxBurstLength", "65536"),
                    entry("MaxRecvDataSegmentLength", "262144"));

            LoginStep fourth = login.process(operational().transitTo(3).build());
            assertThat(fourth.outcome()).isEqualTo(LoginOutcome.COMPLETE);
            assertThat(fourth.response().text()).as("target declares its MaxRecvDataSegmentLength once").isEmpty();
            assertThat(fourth.parameters().orElseThrow().maxBurstLength()).isEqualTo(65_536);
        }

        @Test
        void nsgIsIgnoredWithoutTransit() {
            LoginStep step = login.process(security().nsg(2).firstNormal("AuthMethod=None").build());

            assertContinues(step);
            assertThat(step.response().transit()).isFalse();
        }

        @Test
        void firstRequestInFullFeaturePhaseIsAnError() {
            assertFailed(login.process(LoginRequests.security().csg(3).firstNormal().build()),
                    LoginStatus.INITIATOR_ERROR);
        }

        @Test
        void reservedStageTwoIsAnError() {
            assertFailed(login.process(security().transitTo(2).firstNormal().build()), LoginStatus.INITIATOR_ERROR);
        }

        @Test
        void transitToTheSameStageIsAnError() {
            passSecurityStage();

            assertFailed(login.process(operational().transitTo(1).build()), LoginStatus.INITIATOR_ERROR);
        }

        @Test
        void transitBackwardsIsAnError() {
            passSecurityStage();

            assertFailed(login.process(operational().transitTo(0).build()), LoginStatus.INITIATOR_ERROR);
        }

        @Test
        void csgMustBeTheStageTheTargetAgreedTo() {
            passSecurityStage();

            assertFailed(login.process(security().build()), LoginStatus.INITIATOR_ERROR);
        }

        @Test
        void transitAndContinueTogetherIsAnError() {
            assertFailed(login.process(security().transitTo(1).continues().firstNormal().build()),
                    LoginStatus.INITIATOR_ERROR);
        }

        @Test
        void noRequestIsAcceptedAfterTheLoginCompleted() {
            login.process(security().transitTo(3).firstNormal().build());

            assertThatIllegalStateException().isThrownBy(() -> login.process(operational().build()));
        }

        @Test
        void noRequestIsAcceptedAfterTheLoginFailed() {
            login.process(security().keys("SessionType=Normal").build());

            assertThatIllegalStateException().isThrownBy(() -> login.process(security().firstNormal().build()));
        }
    }

    @Nested
    class HeaderChecks {

        @Test
        void versionAboveZeroIsUnsupported() {
            LoginStep step = login.process(security().versions(2, 1).firstNormal().build());

            assertFailed(step, LoginStatus.UNSUPPORTED_VERSION);
            assertThat(step.response().versionMax()).isZero();
            assertThat(step.response().versionActive()).isZero();
        }

        @Test
        void versionRangeIncludingZeroIsAccepted() {
            assertContinues(login.process(security().versions(3, 0).firstNormal().build()));
        }

        @Test
        void isidMustNotChange() {
            login.process(security().firstNormal().build());

            assertFailed(login.process(security().isid(ISID + 1).build()), LoginStatus.INITIATOR_ERROR);
        }

        @Test
        void tsihMustNotChange() {
            login.process(security().firstNormal().build());

            assertFailed(login.process(security().tsih(5).build()), LoginStatus.INITIATOR_ERROR);
        }

        @Test
        void cidMustNotChange() {
            login.process(security().firstNormal().build());

            assertFailed(login.process(security().cid(9).build()), LoginStatus.INITIATOR_ERROR);
        }

        @Test
        void initiatorTaskTagMustNotChange() {
            login.process(security().firstNormal().build());

            assertFailed(login.process(security().initiatorTaskTag(0x11).build()), LoginStatus.INITIATOR_ERROR);
        }

        @Test
        void versionFieldsMustNotChange() {
            login.process(security().firstNormal().build());

            assertFailed(login.process(security().versions(1, 0).build()), LoginStatus.INITIATOR_ERROR);
        }

        @Test
        void malformedTextIsAnInitiatorError() {
            assertFailed(login.process(security().text("InitiatorName".getBytes(StandardCharsets.US_ASCII)).build()),
                    LoginStatus.INITIATOR_ERROR);
        }
    }

    @Nested
    class FirstRequest {

        @Test
        void missingInitiatorNameIsAMissingParameter() {
            assertFailed(login.process(security().keys("SessionType=Normal", "TargetName=" + TARGET).build()),
                    LoginStatus.MISSING_PARAMETER);
        }

        @Test
        void emptyInitiatorNameIsAMissingParameter() {
            assertFailed(login.process(security().keys("InitiatorName=", "TargetName=" + TARGET).build()),
                    LoginStatus.MISSING_PARAMETER);
        }

        @Test
        void missingTargetNameInANormalSessionIsAMissingParameter() {
            assertFailed(login.process(security().keys("InitiatorName=" + INITIATOR).build()),
                    LoginStatus.MISSING_PARAMETER);
        }

        @Test
        void unknownTargetIsNotFound() {
            assertFailed(login.process(security().keys("InitiatorName=" + INITIATOR, "TargetName=iqn.nope").build()),
                    LoginStatus.NOT_FOUND);
        }

        @Test
        void refusedInitiatorIsAnAuthorizationFailure() {
            context.refusedInitiators.add(INITIATOR);

            assertFailed(login.process(security().firstNormal().build()), LoginStatus.AUTHORIZATION_FAILURE);
        }

        @Test
        void unknownSessionTypeIsAnInitiatorError() {
            assertFailed(login.process(security().keys("InitiatorName=" + INITIATOR, "SessionType=Boot").build()),
                    LoginStatus.INITIATOR_ERROR);
        }

        @Test
        void targetAliasIsSentWithThePortalGroupTag() {
            context.targets.put(TARGET, new TargetDescription(TARGET, Optional.of("Demo disk")));
            context.portalGroupTag = 7;

            LoginStep step = login.process(security().firstNormal().build());

            assertThat(keysOf(step)).containsExactly(entry("TargetPortalGroupTag", "7"),
                    entry("TargetAlias", "Demo disk"));
        }

        @Test
        void sessionTypeCannotChangeAfterTheFirstRequest() {
            login.process(security().keys("InitiatorName=" + INITIATOR, "TargetName=" + TARGET).build());

            assertFailed(login.process(security().keys("SessionType=Discovery").build()),
                    LoginStatus.INITIATOR_ERROR);
        }
    }

    @Nested
    class DiscoverySession {

        @Test
        void needsOnlyTheInitiatorName() {
            LoginStep step = login.process(security().transitTo(3).firstDiscovery().build());

            assertThat(step.outcome()).isEqualTo(LoginOutcome.COMPLETE);
            assertThat(step.response().text()).as("no TargetPortalGroupTag without TargetName").isEmpty();
            NegotiatedParameters parameters = step.parameters().orElseThrow();
            assertThat(parameters.sessionType()).isEqualTo(SessionType.DISCOVERY);
            assertThat(parameters.targetName()).isEmpty();
            assertThat(context.authenticatorAskedFor).isEmpty();
            assertThat(context.admissions).singleElement()
                    .satisfies(request -> assertThat(request.parameters().sessionType()).isEqualTo(SessionType.DISCOVERY));
        }

        @Test
        void dataMovementKeysAreIrrelevant() {
            login.process(security().transitTo(1).firstDiscovery().build());

            LoginStep step = login.process(operational().transitTo(3).keys("HeaderDigest=CRC32C,None",
                    "MaxBurstLength=65536", "FirstBurstLength=8192", "InitialR2T=No", "ImmediateData=Yes",
                    "MaxOutstandingR2T=4", "DataPDUInOrder=Yes", "DataSequenceInOrder=Yes", "MaxConnections=2",
                    "DefaultTime2Wait=5", "DefaultTime2Retain=0", "ErrorRecoveryLevel=2").build());

            assertThat(keysOf(step)).containsExactly(entry("HeaderDigest", "CRC32C"),
                    entry("MaxBurstLength", "Irrelevant"), entry("FirstBurstLength", "Irrelevant"),
                    entry("InitialR2T", "Irrelevant"), entry("ImmediateData", "Irrelevant"),
                    entry("MaxOutstandingR2T", "Irrelevant"), entry("DataPDUInOrder", "Irrelevant"),
                    entry("DataSequenceInOrder", "Irrelevant"), entry("MaxConnections", "Irrelevant"),
                    entry("DefaultTime2Wait", "5"), entry("DefaultTime2Retain", "0"),
                    entry("ErrorRecoveryLevel", "0"), entry("MaxRecvDataSegmentLength", "262144"));
            NegotiatedParameters parameters = step.parameters().orElseThrow();
            assertThat(parameters.maxBurstLength()).isEqualTo(262_144);
            assertThat(parameters.headerDigest()).isEqualTo(Digest.CRC32C);
        }

        @Test
        void targetNameIsIgnored() {
            LoginStep step = login.process(security().transitTo(3)
                    .firstDiscovery("TargetName=iqn.does-not-exist").build());

            assertThat(step.outcome()).isEqualTo(LoginOutcome.COMPLETE);
            assertThat(step.parameters().orElseThrow().targetName()).isEmpty();
        }
    }

    @Nested
    class Negotiation {

        @Test
        void minimumKeysTakeTheSmallerValue() {
            LoginStep step = completeWith("MaxBurstLength=16777215", "FirstBurstLength=65536",
                    "MaxOutstandingR2T=64", "DefaultTime2Retain=60", "MaxConnections=8", "ErrorRecoveryLevel=2",
                    "iSCSIProtocolLevel=2");

            assertThat(keysOf(step)).contains(entry("MaxBurstLength", "1048576"), entry("FirstBurstLength", "65536"),
                    entry("MaxOutstandingR2T", "16"), entry("DefaultTime2Retain", "20"),
                    entry("MaxConnections", "1"), entry("ErrorRecoveryLevel", "0"),
                    entry("iSCSIProtocolLevel", "1"));
            NegotiatedParameters parameters = step.parameters().orElseThrow();
            assertThat(parameters.maxBurstLength()).isEqualTo(1_048_576);
            assertThat(parameters.firstBurstLength()).isEqualTo(65_536);
            assertThat(parameters.maxOutstandingR2T()).isEqualTo(16);
            assertThat(parameters.defaultTime2Retain()).isEqualTo(20);
        }

        @Test
        void maximumKeysTakeTheLargerValue() {
            LoginStep step = completeWith("DefaultTime2Wait=0");

            assertThat(keysOf(step)).contains(entry("DefaultTime2Wait", "2"));
            assertThat(step.parameters().orElseThrow().defaultTime2Wait()).isEqualTo(2);
        }

        @Test
        void andAndOrKeys() {
            context.config = TargetNegotiationConfig.builder().immediateData(false).build();

            LoginStep step = completeWith("ImmediateData=Yes", "InitialR2T=No", "DataPDUInOrder=No",
                    "DataSequenceInOrder=No");

            assertThat(keysOf(step)).contains(entry("ImmediateData", "No"), entry("InitialR2T", "No"),
                    entry("DataPDUInOrder", "Yes"), entry("DataSequenceInOrder", "Yes"));
            NegotiatedParameters parameters = step.parameters().orElseThrow();
            assertThat(parameters.immediateData()).isFalse();
            assertThat(parameters.initialR2T()).isFalse();
            assertThat(parameters.dataPduInOrder()).isTrue();
        }

        @Test
        void orKeyIsYesWhenTheTargetSaysYes() {
            context.config = TargetNegotiationConfig.builder().initialR2T(true).build();

            LoginStep step = completeWith("InitialR2T=No");

            assertThat(keysOf(step)).contains(entry("InitialR2T", "Yes"));
            assertThat(step.parameters().orElseThrow().initialR2T()).isTrue();
        }

        @Test
        void listKeysTakeTheInitiatorsFirstAcceptableChoice() {
            LoginStep step = completeWith("HeaderDigest=CRC32C,None", "DataDigest=None,CRC32C",
                    "TaskReporting=FastAbort,RFC3720");

            assertThat(keysOf(step)).contains(entry("HeaderDigest", "CRC32C"), entry("DataDigest", "None"),
                    entry("TaskReporting", "RFC3720"));
            NegotiatedParameters parameters = step.parameters().orElseThrow();
            assertThat(parameters.headerDigest()).isEqualTo(Digest.CRC32C);
            assertThat(parameters.dataDigest()).isEqualTo(Digest.NONE);
        }

        @Test
        void listWithoutAcceptableChoiceIsRejected() {
            context.config = TargetNegotiationConfig.builder()
                    .dataDigests(EnumSet.of(Digest.CRC32C)).build();

            LoginStep step = completeWith("DataDigest=None");

            assertThat(keysOf(step)).contains(entry("DataDigest", "Reject"));
            assertThat(step.parameters().orElseThrow().dataDigest()).isEqualTo(Digest.NONE);
        }

        @Test
        void outOfRangeOffersAreRejectedAndKeepTheDefault() {
            LoginStep step = completeWith("MaxBurstLength=100", "MaxConnections=0", "ErrorRecoveryLevel=3",
                    "DefaultTime2Wait=lots");

            assertThat(keysOf(step)).contains(entry("MaxBurstLength", "Reject"), entry("MaxConnections", "Reject"),
                    entry("ErrorRecoveryLevel", "Reject"), entry("DefaultTime2Wait", "Reject"));
            assertThat(step.outcome()).isEqualTo(LoginOutcome.COMPLETE);
            assertThat(step.parameters().orElseThrow().maxBurstLength()).isEqualTo(262_144);
        }

        @Test
        void unknownAndPrivateKeysAreNotUnderstood() {
            LoginStep step = completeWith("X-com.example.Turbo=Yes", "X#ExampleKey=1", "FancyKey=2", "CHAP_A=5");

            assertThat(keysOf(step)).contains(entry("X-com.example.Turbo", "NotUnderstood"),
                    entry("X#ExampleKey", "NotUnderstood"), entry("FancyKey", "NotUnderstood"),
                    entry("CHAP_A", "NotUnderstood"));
        }

        @Test
        void obsoleteMarkerKeys() {
            LoginStep step = completeWith("OFMarker=Yes", "IFMarker=Yes", "OFMarkInt=2048~8192", "IFMarkInt=2048");

            assertThat(keysOf(step)).contains(entry("OFMarker", "No"), entry("IFMarker", "No"),
                    entry("OFMarkInt", "Reject"), entry("IFMarkInt", "Reject"));
        }

        @Test
        void declarationsAreNotAnswered() {
            LoginStep step = completeWith("MaxRecvDataSegmentLength=0x2000", "InitiatorAlias=web-01");

            assertThat(keysOf(step)).containsExactly(entry("MaxRecvDataSegmentLength", "262144"));
            NegotiatedParameters parameters = step.parameters().orElseThrow();
            assertThat(parameters.initiatorMaxRecvDataSegmentLength()).isEqualTo(8192);
            assertThat(parameters.initiatorAlias()).hasValue("web-01");
        }

        @Test
        void invalidMaxRecvDataSegmentLengthDeclarationIsAnError() {
            assertFailed(completeWith("MaxRecvDataSegmentLength=256"), LoginStatus.INITIATOR_ERROR);
        }

        @Test
        void targetMaxRecvDataSegmentLengthComesFromTheConfiguration() {
            context.config = TargetNegotiationConfig.builder().targetMaxRecvDataSegmentLength(65_536).build();

            LoginStep step = completeWith();

            assertThat(keysOf(step)).containsExactly(entry("MaxRecvDataSegmentLength", "65536"));
            assertThat(step.parameters().orElseThrow().targetMaxRecvDataSegmentLength()).isEqualTo(65_536);
        }

        @Test
        void firstBurstIsCappedByAMaxBurstOfferedInTheSameRequest() {
            LoginStep step = completeWith("FirstBurstLength=262144", "MaxBurstLength=65536");

            assertThat(keysOf(step)).contains(entry("FirstBurstLength", "65536"), entry("MaxBurstLength", "65536"));
            assertThat(step.outcome()).isEqualTo(LoginOutcome.COMPLETE);
        }

        @Test
        void firstBurstIsCappedByTheDefaultMaxBurst() {
            context.config = TargetNegotiationConfig.builder().firstBurstLength(1_048_576).build();

            LoginStep step = completeWith("FirstBurstLength=1048576");

            assertThat(keysOf(step)).contains(entry("FirstBurstLength", "262144"));
        }

        @Test
        void maxBurstBelowAnAgreedFirstBurstFailsTheLogin() {
            passSecurityStage();
            login.process(operational().keys("FirstBurstLength=65536").build());

            assertFailed(login.process(operational().transitTo(3).keys("MaxBurstLength=4096").build()),
                    LoginStatus.INITIATOR_ERROR);
        }

        @Test
        void keyRepeatedInOneRequestIsAnError() {
            passSecurityStage();

            assertFailed(login.process(operational().keys("MaxBurstLength=512", "MaxBurstLength=1024").build()),
                    LoginStatus.INITIATOR_ERROR);
        }

        @Test
        void keyRepeatedInALaterRequestIsAnError() {
            passSecurityStage();
            login.process(operational().keys("MaxBurstLength=512").build());

            assertFailed(login.process(operational().keys("MaxBurstLength=1024").build()),
                    LoginStatus.INITIATOR_ERROR);
        }

        @Test
        void identityKeyRedeclaredWithAnotherValueIsAnError() {
            passSecurityStage();

            assertFailed(login.process(operational().keys("InitiatorName=iqn.1993-08.org.debian:01:other").build()),
                    LoginStatus.INITIATOR_ERROR);
        }

        @Test
        void identityKeysRedeclaredWithTheSameValueAreTolerated() {
            LoginStep security = login.process(security().transitTo(1)
                    .firstNormal("InitiatorAlias=qemu", "AuthMethod=CHAP,None").build());
            assertThat(keysOf(security)).contains(entry("AuthMethod", "None"));

            LoginStep step = login.process(operational().transitTo(3).firstNormal("InitiatorAlias=qemu",
                    "HeaderDigest=None,CRC32C", "MaxRecvDataSegmentLength=262144").build());

            assertThat(step.outcome()).isEqualTo(LoginOutcome.COMPLETE);
            assertThat(keysOf(step)).containsExactly(entry("HeaderDigest", "None"),
                    entry("MaxRecvDataSegmentLength", "262144"));
            assertThat(step.parameters().orElseThrow().initiatorAlias()).hasValue("qemu");
        }

        @Test
        void operationalKeyInTheSecurityStageIsAnError() {
            assertFailed(login.process(security().firstNormal("MaxBurstLength=512").build()),
                    LoginStatus.INITIATOR_ERROR);
        }

        @Test
        void authMethodInTheOperationalStageIsAnError() {
            passSecurityStage();

            assertFailed(login.process(operational().keys("AuthMethod=None").build()), LoginStatus.INITIATOR_ERROR);
        }

        @Test
        void sendTargetsDuringLoginIsAnError() {
            passSecurityStage();

            assertFailed(login.process(operational().keys("SendTargets=All").build()), LoginStatus.INITIATOR_ERROR);
        }

        @Test
        void targetOnlyKeyFromTheInitiatorIsAnError() {
            passSecurityStage();

            assertFailed(login.process(operational().keys("TargetAlias=me").build()), LoginStatus.INITIATOR_ERROR);
        }
    }

    @Nested
    class Continuation {

        @Test
        void requestTextSplitAcrossPdusIsJoined() {
            byte[] text = LoginRequests.text("InitiatorName=" + INITIATOR, "SessionType=Normal", "TargetName=" + TARGET,
                    "AuthMethod=None");
            int cut = 20;

            LoginStep first = login.process(security().continues().text(Arrays.copyOf(text, cut)).build());

            assertContinues(first);
            assertThat(first.response().text()).isEmpty();
            assertThat(first.response().transit()).isFalse();
            assertThat(first.response().continueFlag()).isFalse();
            assertThat(first.response().csg()).isZero();

            LoginStep second = login.process(security().transitTo(1)
                    .text(Arrays.copyOfRange(text, cut, text.length)).build());

            assertContinues(second);
            assertThat(second.response().transit()).isTrue();
            assertThat(keysOf(second)).containsExactly(entry("TargetPortalGroupTag", "1"), entry("AuthMethod", "None"));
        }

        @Test
        void requestTextBeyondTheLimitIsOutOfResources() {
            LoginStateMachine limited = new LoginStateMachine(context, new LoginLimits(8192, 8192));
            byte[] part = new byte[5000];
            Arrays.fill(part, (byte) 'a');

            assertContinues(limited.process(security().continues().text(part).build()));
            assertFailed(limited.process(security().continues().text(part).build()), LoginStatus.OUT_OF_RESOURCES);
        }

        @Test
        void longResponseIsSentInPartsEachFetchedByAnEmptyRequest() {
            String challenge = "0x" + "c".repeat(1200);
            context.authenticator = new FakeChapAuthenticator(challenge);
            LoginStateMachine small = new LoginStateMachine(context, new LoginLimits(65_536, 512));
            small.process(security().firstNormal("AuthMethod=CHAP").build());

            LoginStep part = small.process(security().keys("CHAP_A=5").build());
            ByteArrayOutputStream joined = new ByteArrayOutputStream();
            int parts = 0;
            while (part.response().continueFlag()) {
                assertContinues(part);
                assertThat(part.response().transit()).isFalse();
                assertThat(part.response().text()).hasSize(512);
                joined.writeBytes(part.response().text());
                parts++;
                part = small.process(security().build());
            }
            joined.writeBytes(part.response().text());

            assertThat(parts).isEqualTo(2);
            assertThat(part.response().text().length).isLessThanOrEqualTo(512);
            assertThat(keysOf(joined.toByteArray())).containsExactly(entry("CHAP_A", "5"), entry("CHAP_I", "7"),
                    entry("CHAP_C", challenge));
        }

        @Test
        void lastResponsePartCarriesTheTransit() {
            LoginStateMachine small = new LoginStateMachine(context, new LoginLimits(65_536, 512));
            small.process(security().transitTo(1).firstNormal().build());
            String[] privateKeys = new String[30];
            for (int i = 0; i < privateKeys.length; i++) {
                privateKeys[i] = String.format("X-com.example.key%02d=1", i);
            }

            LoginStep first = small.process(operational().transitTo(3).keys(privateKeys).build());

            assertContinues(first);
            assertThat(first.response().continueFlag()).isTrue();
            assertThat(first.response().transit()).isFalse();
            assertThat(context.admissions).isEmpty();

            LoginStep middle = small.process(operational().build());
            assertThat(middle.response().continueFlag()).isTrue();

            LoginStep last = small.process(operational().transitTo(3).build());

            assertThat(last.response().continueFlag()).isFalse();
            assertThat(last.response().transit()).isTrue();
            assertThat(last.response().csg()).isEqualTo(1);
            assertThat(last.response().nsg()).isEqualTo(3);
            assertThat(last.outcome()).isEqualTo(LoginOutcome.COMPLETE);
            assertThat(context.admissions).hasSize(1);
        }

        @Test
        void textWhileTheResponseContinuesIsAnError() {
            context.authenticator = new FakeChapAuthenticator("0x" + "c".repeat(1200));
            LoginStateMachine small = new LoginStateMachine(context, new LoginLimits(65_536, 512));
            small.process(security().firstNormal("AuthMethod=CHAP").build());
            assertThat(small.process(security().keys("CHAP_A=5").build()).response().continueFlag()).isTrue();

            assertFailed(small.process(security().keys("CHAP_N=alice").build()), LoginStatus.INITIATOR_ERROR);
        }
    }

    @Nested
    class Authentication {

        @Test
        void noneAuthenticatorPicksNoneFromTheOffer() {
            LoginStep step = login.process(security().firstNormal("AuthMethod=CHAP,None").build());

            assertThat(keysOf(step)).contains(entry("AuthMethod", "None"));
        }

        @Test
        void offerWithoutAnAcceptableMethodFails() {
            assertFailed(login.process(security().firstNormal("AuthMethod=CHAP,SRP").build()),
                    LoginStatus.AUTHENTICATION_FAILURE);
        }

        @Test
        void leavingTheSecurityStageWithoutAuthMethodIsFineWhenNoneIsAccepted() {
            LoginStep step = login.process(security().transitTo(1).firstNormal().build());

            assertContinues(step);
            assertThat(step.response().transit()).isTrue();
        }

        @Test
        void leavingTheSecurityStageWithoutAuthenticatingFailsWhenRequired() {
            context.authenticator = new FakeChapAuthenticator();

            assertFailed(login.process(security().transitTo(1).firstNormal().build()),
                    LoginStatus.AUTHENTICATION_FAILURE);
        }

        @Test
        void skippingTheSecurityStageFailsWhenAuthenticationIsRequired() {
            context.authenticator = new FakeChapAuthenticator();

            assertFailed(login.process(operational().transitTo(3).firstNormal().build()),
                    LoginStatus.AUTHENTICATION_FAILURE);
        }

        @Test
        void multiStepExchangeAuthenticatesTheInitiator() {
            FakeChapAuthenticator chap = new FakeChapAuthenticator();
            context.authenticator = chap;

            LoginStep selected = login.process(security().firstNormal("AuthMethod=None,CHAP").build());
            assertThat(keysOf(selected)).contains(entry("AuthMethod", "CHAP"));
            assertThat(chap.stepsSeen).as("the exchange waits for the initiator's first step").isEmpty();

            LoginStep challenge = login.process(security().keys("CHAP_A=7,5").build());
            assertThat(keysOf(challenge)).containsExactly(entry("CHAP_A", "5"), entry("CHAP_I", "7"),
                    entry("CHAP_C", chap.challenge));
            assertThat(challenge.response().transit()).isFalse();

            LoginStep verified = login.process(security().transitTo(1).keys("CHAP_N=" + FakeChapAuthenticator.USER,
                    "CHAP_R=" + FakeChapAuthenticator.responseTo("7", FakeChapAuthenticator.SECRET, chap.challenge))
                    .build());
            assertContinues(verified);
            assertThat(verified.response().transit()).isTrue();
            assertThat(verified.response().text()).isEmpty();

            LoginStep done = login.process(operational().transitTo(3).build());
            assertThat(done.outcome()).isEqualTo(LoginOutcome.COMPLETE);
            assertThat(done.parameters().orElseThrow().authMethod()).isEqualTo("CHAP");
            assertThat(chap.stepsSeen).containsExactly(Map.of("CHAP_A", "7,5"),
                    Map.of("CHAP_N", FakeChapAuthenticator.USER, "CHAP_R",
                            FakeChapAuthenticator.responseTo("7", FakeChapAuthenticator.SECRET, chap.challenge)));
        }

        @Test
        void mutualExchangeReturnsTheTargetsResponse() {
            FakeChapAuthenticator chap = new FakeChapAuthenticator();
            context.authenticator = chap;
            login.process(security().firstNormal("AuthMethod=CHAP").build());
            login.process(security().keys("CHAP_A=5").build());

            LoginStep verified = login.process(security().transitTo(1).keys("CHAP_N=" + FakeChapAuthenticator.USER,
                    "CHAP_R=" + FakeChapAuthenticator.responseTo("7", FakeChapAuthenticator.SECRET, chap.challenge),
                    "CHAP_I=42", "CHAP_C=0xfeedface").build());

            assertThat(verified.response().transit()).isTrue();
            assertThat(keysOf(verified)).containsExactly(entry("CHAP_N", FakeChapAuthenticator.TARGET_USER),
                    entry("CHAP_R", FakeChapAuthenticator.responseTo("42", FakeChapAuthenticator.TARGET_SECRET,
                            "0xfeedface")));
        }

        @Test
        void methodKeysInTheSelectingRequestGoToTheExchange() {
            FakeChapAuthenticator chap = new FakeChapAuthenticator();
            context.authenticator = chap;

            LoginStep step = login.process(security().firstNormal("AuthMethod=CHAP", "CHAP_A=5").build());

            assertThat(keysOf(step)).containsExactly(entry("TargetPortalGroupTag", "1"), entry("AuthMethod", "CHAP"),
                    entry("CHAP_A", "5"), entry("CHAP_I", "7"), entry("CHAP_C", chap.challenge));
        }

        @Test
        void targetDoesNotTransitBeforeTheExchangeSucceeds() {
            context.authenticator = new FakeChapAuthenticator();
            login.process(security().firstNormal("AuthMethod=CHAP").build());

            LoginStep step = login.process(security().transitTo(1).keys("CHAP_A=5").build());

            assertContinues(step);
            assertThat(step.response().transit()).isFalse();
            assertThat(login.currentStage()).hasValue(LoginStage.SECURITY_NEGOTIATION);
        }

        @Test
        void wrongResponseIsAnAuthenticationFailure() {
            context.authenticator = new FakeChapAuthenticator();
            login.process(security().firstNormal("AuthMethod=CHAP").build());
            login.process(security().keys("CHAP_A=5").build());

            assertFailed(login.process(security().transitTo(1).keys("CHAP_N=alice", "CHAP_R=0x00").build()),
                    LoginStatus.AUTHENTICATION_FAILURE);
        }

        @Test
        void missingMethodKeyIsAMissingParameter() {
            context.authenticator = new FakeChapAuthenticator();
            login.process(security().firstNormal("AuthMethod=CHAP").build());

            assertFailed(login.process(security().keys("CHAP_X=5").build()), LoginStatus.MISSING_PARAMETER);
        }

        @Test
        void methodKeysWithoutAnExchangeAreNotUnderstood() {
            LoginStep step = login.process(security().firstNormal("AuthMethod=None", "CHAP_A=5").build());

            assertThat(keysOf(step)).contains(entry("AuthMethod", "None"), entry("CHAP_A", "NotUnderstood"));
        }
    }

    @Nested
    class SessionAdmissionAndTsih {

        @Test
        void leadingLoginGetsTheAdmittedTsih() {
            context.admission = request -> SessionAdmission.admitted(0x0042);

            LoginStep step = login.process(security().transitTo(3).firstNormal().build());

            assertThat(step.response().tsih()).isEqualTo(0x0042);
            SessionRequest request = context.admissions.get(0);
            assertThat(request.isLeading()).isTrue();
            assertThat(request.isid()).isEqualTo(ISID);
            assertThat(request.cid()).isEqualTo(1);
            assertThat(request.cmdSN()).isEqualTo(7);
            assertThat(request.parameters()).isSameAs(step.parameters().orElseThrow());
        }

        @Test
        void unknownSessionForAnAddedConnection() {
            context.admission = request -> SessionAdmission.refused(LoginStatus.SESSION_DOES_NOT_EXIST);

            LoginStep step = login.process(security().tsih(0x0099).transitTo(3).firstNormal().build());

            assertFailed(step, LoginStatus.SESSION_DOES_NOT_EXIST);
            assertThat(step.response().tsih()).isEqualTo(0x0099);
            assertThat(context.admissions.get(0).isLeading()).isFalse();
        }

        @Test
        void tooManyConnections() {
            context.admission = request -> SessionAdmission.refused(LoginStatus.TOO_MANY_CONNECTIONS);

            assertFailed(login.process(security().tsih(0x0099).transitTo(3).firstNormal().build()),
                    LoginStatus.TOO_MANY_CONNECTIONS);
        }

        @Test
        void leadingOnlyKeyWhenAddingAConnectionIsAnError() {
            LoginStep step = login.process(operational().tsih(0x0099).firstNormal("MaxBurstLength=65536").build());

            assertFailed(step, LoginStatus.INITIATOR_ERROR);
        }

        @Test
        void connectionKeysAreAllowedWhenAddingAConnection() {
            LoginStep step = login.process(operational().tsih(0x0099).transitTo(3)
                    .firstNormal("HeaderDigest=CRC32C", "MaxRecvDataSegmentLength=16384").build());

            assertThat(step.outcome()).isEqualTo(LoginOutcome.COMPLETE);
            assertThat(step.parameters().orElseThrow().headerDigest()).isEqualTo(Digest.CRC32C);
        }
    }
}
