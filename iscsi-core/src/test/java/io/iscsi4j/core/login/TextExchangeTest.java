package io.iscsi4j.core.login;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static io.iscsi4j.core.login.LoginRequests.INITIATOR;
import static io.iscsi4j.core.login.LoginRequests.TARGET;
import static io.iscsi4j.core.login.LoginRequests.keysOf;
import static io.iscsi4j.core.login.LoginRequests.text;
import static io.iscsi4j.core.login.TextExchange.RESERVED_TAG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

class TextExchangeTest {

    private static final String OTHER = "iqn.2026-11.io.iscsi4j:other";
    private static final int ITT = 0x77;

    private final List<String> directoryAskedFor = new ArrayList<>();
    private final List<TargetPortals> targets = new ArrayList<>(List.of(
            new TargetPortals(TARGET, List.of(new PortalAddress("192.0.2.7", 3260, 1),
                    new PortalAddress("2001:db8::7", 3260, 1))),
            new TargetPortals(OTHER, List.of(new PortalAddress("[2001:db8::8]", 3261, 2)))));
    private final TargetDirectory directory = initiatorName -> {
        directoryAskedFor.add(initiatorName);
        return targets;
    };

    private static NegotiatedParameters discovery() {
        return NegotiatedParameters.builder(INITIATOR, SessionType.DISCOVERY).build();
    }

    private static NegotiatedParameters normal() {
        return NegotiatedParameters.builder(INITIATOR, SessionType.NORMAL).targetName(TARGET).build();
    }

    private static TextRequestFields request(String... keys) {
        return new TextRequestFields(true, false, ITT, RESERVED_TAG, text(keys));
    }

    private static TextResponseFields answer(TextStep step) {
        assertThat(step).isInstanceOf(TextStep.Answer.class);
        return ((TextStep.Answer) step).response();
    }

    private static List<TextParameter> pairsOf(TextResponseFields response) {
        try {
            return TextParameters.decode(response.text(), true).pairs();
        } catch (TextFormatException e) {
            throw new AssertionError(e);
        }
    }

    private static void assertRejected(TextStep step, TextRejectReason reason) {
        assertThat(step).isInstanceOf(TextStep.Rejection.class);
        assertThat(((TextStep.Rejection) step).reason()).isEqualTo(reason);
    }

    @Test
    void sendTargetsAllInADiscoverySessionListsEveryAccessibleTarget() {
        TextExchange exchange = new TextExchange(discovery(), directory);

        TextResponseFields response = answer(exchange.process(request("SendTargets=All")));

        assertThat(response.finalFlag()).isTrue();
        assertThat(response.continueFlag()).isFalse();
        assertThat(response.initiatorTaskTag()).isEqualTo(ITT);
        assertThat(response.targetTransferTag()).isEqualTo(RESERVED_TAG);
        assertThat(pairsOf(response)).containsExactly(
                new TextParameter("TargetName", TARGET),
                new TextParameter("TargetAddress", "192.0.2.7:3260,1"),
                new TextParameter("TargetAddress", "[2001:db8::7]:3260,1"),
                new TextParameter("TargetName", OTHER),
                new TextParameter("TargetAddress", "[2001:db8::8]:3261,2"));
        assertThat(directoryAskedFor).containsExactly(INITIATOR);
    }

    @Test
    void sendTargetsAllWithNoAccessibleTargetsIsEmpty() {
        targets.clear();
        TextExchange exchange = new TextExchange(discovery(), directory);

        assertThat(answer(exchange.process(request("SendTargets=All"))).text()).isEmpty();
    }

    @Test
    void sendTargetsForOneNameListsOnlyThatTarget() {
        TextExchange exchange = new TextExchange(discovery(), directory);

        TextResponseFields response = answer(exchange.process(request("SendTargets=" + OTHER.toUpperCase())));

        assertThat(pairsOf(response)).containsExactly(new TextParameter("TargetName", OTHER),
                new TextParameter("TargetAddress", "[2001:db8::8]:3261,2"));
    }

    @Test
    void sendTargetsForAnInaccessibleNameIsEmpty() {
        TextExchange exchange = new TextExchange(discovery(), directory);

        assertThat(answer(exchange.process(request("SendTargets=iqn.2026-11.io.iscsi4j:secret"))).text()).isEmpty();
    }

    @Test
    void sendTargetsEmptyInANormalSessionListsTheSessionsTarget() {
        TextExchange exchange = new TextExchange(normal(), directory);

        TextResponseFields response = answer(exchange.process(request("SendTargets=")));

        assertThat(pairsOf(response)).extracting(TextParameter::value)
                .containsExactly(TARGET, "192.0.2.7:3260,1", "[2001:db8::7]:3260,1");
    }

    @Test
    void sendTargetsEmptyInADiscoverySessionIsEmpty() {
        TextExchange exchange = new TextExchange(discovery(), directory);

        assertThat(answer(exchange.process(request("SendTargets="))).text()).isEmpty();
    }

    @Test
    void sendTargetsAllInANormalSessionListsOnlyTheSessionsTarget() {
        TextExchange exchange = new TextExchange(normal(), directory);

        TextResponseFields response = answer(exchange.process(request("SendTargets=All")));

        assertThat(pairsOf(response)).extracting(TextParameter::value)
                .containsExactly(TARGET, "192.0.2.7:3260,1", "[2001:db8::7]:3260,1");
    }

    @Test
    void longResponseIsSplitWithTheContinueBitAndATransferTag() {
        for (int i = 0; i < 40; i++) {
            targets.add(new TargetPortals(String.format("iqn.2026-11.io.iscsi4j:disk-%02d", i),
                    List.of(new PortalAddress("198.51.100.10", 3260, 1))));
        }
        NegotiatedParameters parameters = NegotiatedParameters.builder(INITIATOR, SessionType.DISCOVERY)
                .initiatorMaxRecvDataSegmentLength(512).build();
        TextExchange exchange = new TextExchange(parameters, directory);
        ByteArrayOutputStream joined = new ByteArrayOutputStream();

        TextResponseFields response = answer(exchange.process(request("SendTargets=All")));
        int transferTag = response.targetTransferTag();
        int parts = 0;
        while (response.continueFlag()) {
            assertThat(response.finalFlag()).isFalse();
            assertThat(response.text()).hasSize(512);
            assertThat(response.targetTransferTag()).isEqualTo(transferTag).isNotEqualTo(RESERVED_TAG);
            assertThat(response.initiatorTaskTag()).isEqualTo(ITT);
            joined.writeBytes(response.text());
            parts++;
            response = answer(exchange.process(new TextRequestFields(true, false, ITT, transferTag, new byte[0])));
        }
        joined.writeBytes(response.text());

        assertThat(parts).isGreaterThanOrEqualTo(4);
        assertThat(response.finalFlag()).isTrue();
        assertThat(response.targetTransferTag()).isEqualTo(RESERVED_TAG);
        List<TextParameter> listed;
        try {
            listed = TextParameters.decode(joined.toByteArray(), true).pairs();
        } catch (TextFormatException e) {
            throw new AssertionError(e);
        }
        assertThat(listed).filteredOn(pair -> pair.key().equals("TargetName")).hasSize(42);
        assertThat(listed.get(listed.size() - 1))
                .isEqualTo(new TextParameter("TargetAddress", "198.51.100.10:3260,1"));
        assertThat(directoryAskedFor).as("the listing is built once").hasSize(1);
    }

    @Test
    void unknownTransferTagIsRejected() {
        TextExchange exchange = new TextExchange(discovery(), directory);

        assertRejected(exchange.process(new TextRequestFields(true, false, ITT, 0x1234, new byte[0])),
                TextRejectReason.INVALID_PDU_FIELD);
    }

    @Test
    void continuationWithAnotherInitiatorTaskTagIsRejected() {
        TextExchange exchange = splitExchange();
        int tag = answer(exchange.process(request("SendTargets=All"))).targetTransferTag();

        assertRejected(exchange.process(new TextRequestFields(true, false, ITT + 1, tag, new byte[0])),
                TextRejectReason.INVALID_PDU_FIELD);
    }

    @Test
    void newRequestAbandonsTheSequenceInProgress() {
        TextExchange exchange = splitExchange();
        int tag = answer(exchange.process(request("SendTargets=All"))).targetTransferTag();

        TextResponseFields fresh = answer(exchange.process(request("SendTargets=" + OTHER)));

        assertThat(fresh.finalFlag()).isTrue();
        assertThat(pairsOf(fresh)).extracting(TextParameter::value).containsExactly(OTHER, "[2001:db8::8]:3261,2");
        assertRejected(exchange.process(new TextRequestFields(true, false, ITT, tag, new byte[0])),
                TextRejectReason.INVALID_PDU_FIELD);
    }

    @Test
    void textWhileTheResponseContinuesIsAProtocolError() {
        TextExchange exchange = splitExchange();
        int tag = answer(exchange.process(request("SendTargets=All"))).targetTransferTag();

        assertRejected(exchange.process(new TextRequestFields(true, false, ITT, tag, text("SendTargets=All"))),
                TextRejectReason.PROTOCOL_ERROR);
    }

    @Test
    void finalAndContinueTogetherIsAProtocolError() {
        TextExchange exchange = new TextExchange(discovery(), directory);

        assertRejected(exchange.process(new TextRequestFields(true, true, ITT, RESERVED_TAG, text("SendTargets=All"))),
                TextRejectReason.PROTOCOL_ERROR);
    }

    @Test
    void requestTextSplitAcrossPdusIsJoined() {
        TextExchange exchange = new TextExchange(discovery(), directory);
        byte[] whole = text("SendTargets=All");

        TextResponseFields first = answer(exchange.process(new TextRequestFields(false, true, ITT, RESERVED_TAG,
                Arrays.copyOf(whole, 5))));

        assertThat(first.text()).isEmpty();
        assertThat(first.finalFlag()).isFalse();
        assertThat(first.continueFlag()).isFalse();
        assertThat(first.targetTransferTag()).isNotEqualTo(RESERVED_TAG);

        TextResponseFields second = answer(exchange.process(new TextRequestFields(true, false, ITT,
                first.targetTransferTag(), Arrays.copyOfRange(whole, 5, whole.length))));

        assertThat(second.finalFlag()).isTrue();
        assertThat(pairsOf(second)).hasSize(5);
    }

    @Test
    void requestTextBeyondTheLimitResetsTheNegotiation() {
        TextExchange exchange = new TextExchange(discovery(), directory, 8192);
        byte[] part = new byte[5000];
        Arrays.fill(part, (byte) 'a');
        int tag = answer(exchange.process(new TextRequestFields(false, true, ITT, RESERVED_TAG, part)))
                .targetTransferTag();

        assertRejected(exchange.process(new TextRequestFields(false, true, ITT, tag, part)),
                TextRejectReason.OUT_OF_RESOURCES);
    }

    @Test
    void malformedOrRepeatedKeysAreAProtocolError() {
        TextExchange exchange = new TextExchange(discovery(), directory);

        assertRejected(exchange.process(new TextRequestFields(true, false, ITT, RESERVED_TAG,
                "SendTargets".getBytes(StandardCharsets.US_ASCII))), TextRejectReason.PROTOCOL_ERROR);
        assertRejected(exchange.process(request("SendTargets=All", "SendTargets=All")),
                TextRejectReason.PROTOCOL_ERROR);
    }

    @Test
    void maxRecvDataSegmentLengthMayBeRedeclared() {
        TextExchange exchange = new TextExchange(normal(), directory);

        TextResponseFields response = answer(exchange.process(request("MaxRecvDataSegmentLength=16384",
                "InitiatorAlias=web-01")));

        assertThat(response.text()).isEmpty();
        assertThat(exchange.parameters().initiatorMaxRecvDataSegmentLength()).isEqualTo(16_384);
    }

    @Test
    void invalidMaxRecvDataSegmentLengthIsAProtocolError() {
        TextExchange exchange = new TextExchange(normal(), directory);

        assertRejected(exchange.process(request("MaxRecvDataSegmentLength=100")), TextRejectReason.PROTOCOL_ERROR);
        assertThat(exchange.parameters().initiatorMaxRecvDataSegmentLength()).isEqualTo(8192);
    }

    @Test
    void loginOnlyKeysAreRejectedAndUnknownKeysNotUnderstood() {
        TextExchange exchange = new TextExchange(normal(), directory);

        TextResponseFields response = answer(exchange.process(request("MaxBurstLength=4096", "HeaderDigest=CRC32C",
                "SessionType=Discovery", "X-com.example.Stats=1")));

        assertThat(keysOf(response.text())).containsExactly(entry("MaxBurstLength", "Reject"),
                entry("HeaderDigest", "Reject"), entry("SessionType", "Reject"),
                entry("X-com.example.Stats", "NotUnderstood"));
        assertThat(exchange.parameters().maxBurstLength()).isEqualTo(262_144);
    }

    @Test
    void nonFinalRequestGetsANonFinalResponseWithATransferTag() {
        TextExchange exchange = new TextExchange(normal(), directory);

        TextResponseFields first = answer(exchange.process(new TextRequestFields(false, false, ITT, RESERVED_TAG,
                text("X-com.example.Stats=1"))));

        assertThat(first.finalFlag()).isFalse();
        assertThat(first.targetTransferTag()).isNotEqualTo(RESERVED_TAG);

        TextResponseFields last = answer(exchange.process(new TextRequestFields(true, false, ITT,
                first.targetTransferTag(), new byte[0])));

        assertThat(last.finalFlag()).isTrue();
        assertThat(last.targetTransferTag()).isEqualTo(RESERVED_TAG);
        assertThat(last.text()).isEmpty();
    }

    @Test
    void portalAddressesFormatIpv6InBrackets() {
        assertThat(new PortalAddress("10.0.0.1", 3260, 1).toTargetAddress()).isEqualTo("10.0.0.1:3260,1");
        assertThat(new PortalAddress("::1", 3260, 0).toTargetAddress()).isEqualTo("[::1]:3260,0");
        assertThat(new PortalAddress("[::1]", 860, 5).toTargetAddress()).isEqualTo("[::1]:860,5");
        assertThat(new PortalAddress("storage.example.com", 3260, 65535).toTargetAddress())
                .isEqualTo("storage.example.com:3260,65535");
    }

    /** A discovery exchange whose SendTargets=All response needs several 512-byte parts. */
    private TextExchange splitExchange() {
        for (int i = 0; i < 20; i++) {
            targets.add(new TargetPortals("iqn.2026-11.io.iscsi4j:disk-" + i,
                    List.of(new PortalAddress("198.51.100.10", 3260, 1))));
        }
        return new TextExchange(NegotiatedParameters.builder(INITIATOR, SessionType.DISCOVERY)
                .initiatorMaxRecvDataSegmentLength(512).build(), directory);
    }
}
