package io.iscsi4j.initiator.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.iscsi4j.initiator.LoginOptions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OperationalKeysTest {

    @Test
    void proposesEveryOperationalKeyOfANormalSession() {
        OperationalKeys keys = new OperationalKeys(LoginOptions.builder().headerDigest(true).build(), false);
        assertThat(keys.proposals()).containsKeys("HeaderDigest", "DataDigest", "MaxRecvDataSegmentLength",
                "MaxConnections", "InitialR2T", "ImmediateData", "MaxBurstLength", "FirstBurstLength",
                "DefaultTime2Wait", "DefaultTime2Retain", "MaxOutstandingR2T", "DataPDUInOrder",
                "DataSequenceInOrder", "ErrorRecoveryLevel", "iSCSIProtocolLevel")
                .containsEntry("HeaderDigest", "CRC32C,None");
    }

    @Test
    void aDiscoverySessionProposesOnlyDigestsAndItsSegmentLimit() {
        OperationalKeys keys = new OperationalKeys(LoginOptions.defaults(), true);
        assertThat(keys.proposals()).containsOnlyKeys("HeaderDigest", "DataDigest", "MaxRecvDataSegmentLength");
    }

    @Test
    void recordsTheTargetsAnswersAndDeclarations() {
        OperationalKeys keys = new OperationalKeys(LoginOptions.defaults(), false);
        keys.proposals();
        Map<String, String> answers = keys.accept(List.of(Map.entry("MaxBurstLength", "65536"),
                Map.entry("InitialR2T", "Yes"), Map.entry("MaxRecvDataSegmentLength", "32768"),
                Map.entry("TargetPortalGroupTag", "1")));
        assertThat(answers).isEmpty();
        assertThat(keys.number("MaxBurstLength", 0)).isEqualTo(65536);
        assertThat(keys.bool("InitialR2T", false)).isTrue();
        assertThat(keys.number("TargetMaxRecvDataSegmentLength", 8192)).isEqualTo(32768);
    }

    @Test
    void answersKeysTheTargetProposesByTheirNegotiationFunction() {
        // nothing proposed yet: the target's keys come first
        OperationalKeys keys = new OperationalKeys(LoginOptions.builder().dataDigest(true).build(), false);
        Map<String, String> answers = keys.accept(List.of(
                Map.entry("MaxBurstLength", "16777215"),      // min: ours is 1 MiB
                Map.entry("DefaultTime2Wait", "0"),           // max: ours is 2
                Map.entry("ImmediateData", "No"),             // AND
                Map.entry("InitialR2T", "No"),                // OR: ours is No
                Map.entry("X-com.example.Vendor", "1"),       // unknown
                Map.entry("IFMarker", "Yes")));
        assertThat(answers).containsEntry("MaxBurstLength", "1048576")
                .containsEntry("DefaultTime2Wait", "2")
                .containsEntry("ImmediateData", "Yes")
                .containsEntry("InitialR2T", "No")
                .containsEntry("X-com.example.Vendor", "NotUnderstood")
                .containsEntry("IFMarker", "NotUnderstood");
        assertThat(keys.bool("ImmediateData", true)).isFalse();
        assertThat(keys.bool("InitialR2T", true)).isFalse();
        assertThat(keys.number("MaxBurstLength", 0)).isEqualTo(1 << 20);
    }
}
