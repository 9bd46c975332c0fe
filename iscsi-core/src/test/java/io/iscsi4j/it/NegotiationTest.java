package io.iscsi4j.it;

import io.iscsi4j.IscsiTarget;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Operational-stage negotiation (RFC 7143 §6.2, §13): every offered key is answered with its result function,
 * and the declared MaxRecvDataSegmentLength values are honoured in both directions.
 */
@Timeout(60)
class NegotiationTest {

    @Test
    void targetAnswersEveryOfferedKey() throws IOException {
        Map<String, String> offer = new LinkedHashMap<>();
        offer.put("HeaderDigest", "CRC32C,None");
        offer.put("DataDigest", "CRC32C,None");
        offer.put("MaxConnections", "1");
        offer.put("InitialR2T", "No");
        offer.put("ImmediateData", "Yes");
        offer.put("MaxRecvDataSegmentLength", "131072");
        offer.put("MaxBurstLength", "524288");
        offer.put("FirstBurstLength", "131072");
        offer.put("DefaultTime2Wait", "2");
        offer.put("DefaultTime2Retain", "20");
        offer.put("MaxOutstandingR2T", "4");
        offer.put("DataPDUInOrder", "Yes");
        offer.put("DataSequenceInOrder", "Yes");
        offer.put("ErrorRecoveryLevel", "0");
        try (IscsiTarget target = Targets.start();
             TestInitiator initiator = Targets.login(target, offer)) {
            // The initiator already failed the login if an answer was missing or broke its result function.
            Map<String, String> answers = initiator.targetKeys();
            for (String key : offer.keySet()) {
                if (!key.equals("MaxRecvDataSegmentLength")) {
                    assertThat(answers).as("answer to " + key).containsKey(key);
                }
            }
            assertThat(answers).containsEntry("AuthMethod", "None")
                    .containsEntry("TargetPortalGroupTag", "1")
                    .containsEntry("MaxConnections", "1")
                    .containsEntry("MaxBurstLength", "524288")
                    .containsEntry("FirstBurstLength", "131072")
                    .containsEntry("ErrorRecoveryLevel", "0")
                    .containsEntry("InitialR2T", "No")
                    .containsEntry("ImmediateData", "Yes")
                    .containsKey("MaxRecvDataSegmentLength");
            assertThat(answers.get("HeaderDigest")).isIn("CRC32C", "None");
            assertThat(answers.get("DataDigest")).isIn("CRC32C", "None");
            assertThat(Integer.parseInt(answers.get("MaxOutstandingR2T"))).isBetween(1, 4);
            assertThat(initiator.testUnitReady().good()).isTrue();
            assertThat(initiator.logout()).isZero();
        }
    }

    @Test
    void dataInPdusHonourTheInitiatorsMaxRecvDataSegmentLength() throws IOException {
        try (IscsiTarget target = Targets.start();
             TestInitiator initiator = Targets.login(target, Map.of("MaxRecvDataSegmentLength", "4096",
                     "DataDigest", "CRC32C"))) {
            byte[] data = Targets.pattern(1 << 20, 4096);
            assertThat(initiator.write16(100, data).good()).isTrue();
            initiator.resetStats();
            ScsiResult r = initiator.read16(100, data.length / 512);
            assertThat(r.good()).as("%s", r).isTrue();
            assertThat(r.data()).isEqualTo(data);
            // PduChannel also fails the read if any PDU exceeds 4096 bytes; here every Data-In is full size.
            assertThat(initiator.stats().maxDataInSegment).isEqualTo(4096);
            assertThat(initiator.stats().dataInPdus).isEqualTo((1 << 20) / 4096);
        }
    }

    @Test
    void dataOutPdusHonourTheTargetsMaxRecvDataSegmentLength() throws IOException {
        try (IscsiTarget target = Targets.start(b -> b.maxRecvDataSegmentLength(8192));
             TestInitiator initiator = Targets.login(target, Map.of("ImmediateData", "Yes", "InitialR2T", "No",
                     "DataDigest", "CRC32C"))) {
            assertThat(initiator.targetKeys()).containsEntry("MaxRecvDataSegmentLength", "8192");
            byte[] data = Targets.pattern(1 << 20, 8192);
            ScsiResult w = initiator.write16(300, data);
            assertThat(w.good()).as("%s", w).isTrue();
            assertThat(initiator.stats().maxDataOutSegment).isEqualTo(8192);
            assertThat(initiator.stats().immediateBytes).isEqualTo(8192);
            assertThat(initiator.read16(300, data.length / 512).data()).isEqualTo(data);
        }
    }

    @Test
    void burstLengthsTakeTheMinimumAndBoundR2TsAndDataInSequences() throws IOException {
        try (IscsiTarget target = Targets.start(b -> b.firstBurstLength(16384).maxBurstLength(65536));
             TestInitiator initiator = Targets.login(target, Map.of("FirstBurstLength", "262144",
                     "MaxBurstLength", "1048576", "InitialR2T", "No", "ImmediateData", "Yes",
                     "MaxRecvDataSegmentLength", "16384"))) {
            assertThat(initiator.targetKeys()).containsEntry("FirstBurstLength", "16384")
                    .containsEntry("MaxBurstLength", "65536");
            byte[] data = Targets.pattern(1 << 20, 65536);
            ScsiResult w = initiator.write16(0, data);
            assertThat(w.good()).as("%s", w).isTrue();
            TestInitiator.Stats ws = initiator.stats();
            assertThat(ws.immediateBytes + ws.unsolicitedBytes).isEqualTo(16384);
            assertThat(ws.maxR2TLength).isLessThanOrEqualTo(65536);
            assertThat(ws.r2ts).isGreaterThanOrEqualTo(((1 << 20) - 16384) / 65536);

            initiator.resetStats();
            ScsiResult r = initiator.read16(0, data.length / 512);
            assertThat(r.data()).isEqualTo(data);
            // The initiator fails the read if a Data-In sequence (ended by F) exceeds MaxBurstLength.
            assertThat(initiator.stats().dataInSequences).isGreaterThanOrEqualTo((1 << 20) / 65536);
        }
    }
}
