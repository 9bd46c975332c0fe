package io.iscsi4j.it;

import io.iscsi4j.IscsiTarget;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Writes and reads back patterns of 512 B, 64 KiB, 1 MiB and 5 MiB + 512 B with no digests, header digests,
 * data digests and both (RFC 7143 §13.1), comparing byte for byte. With FirstBurstLength 256 KiB,
 * MaxBurstLength 1 MiB and a MaxRecvDataSegmentLength of 64 KiB on both sides, the large transfers need immediate
 * data (64 KiB), unsolicited Data-Out (192 KiB), several R2Ts answered by several Data-Out PDUs each, and many
 * Data-In PDUs, every one of them digested when digests are on.
 */
@Timeout(60)
class DigestReadWriteTest {

    private static IscsiTarget target;

    @BeforeAll
    static void startTarget() throws IOException {
        target = Targets.start(b -> b.maxRecvDataSegmentLength(65536));
    }

    @AfterAll
    static void stopTarget() {
        if (target != null) {
            target.close();
        }
    }

    static Stream<Arguments> digests() {
        return Stream.of(
                Arguments.of("None", "None"),
                Arguments.of("CRC32C", "None"),
                Arguments.of("None", "CRC32C"),
                Arguments.of("CRC32C", "CRC32C"));
    }

    @ParameterizedTest(name = "HeaderDigest={0}, DataDigest={1}")
    @MethodSource("digests")
    void writeThenReadBackByteForByte(String headerDigest, String dataDigest) throws IOException {
        Map<String, String> offer = new LinkedHashMap<>();
        offer.put("HeaderDigest", headerDigest);
        offer.put("DataDigest", dataDigest);
        offer.put("MaxRecvDataSegmentLength", "65536");
        offer.put("ImmediateData", "Yes");
        offer.put("InitialR2T", "No");
        offer.put("FirstBurstLength", "262144");
        offer.put("MaxBurstLength", "1048576");
        long seed = (headerDigest + dataDigest).hashCode();
        try (TestInitiator initiator = Targets.login(target, offer)) {
            assertThat(initiator.targetKeys()).containsEntry("HeaderDigest", headerDigest)
                    .containsEntry("DataDigest", dataDigest);
            assertThat(initiator.headerDigestEnabled()).isEqualTo(headerDigest.equals("CRC32C"));
            assertThat(initiator.dataDigestEnabled()).isEqualTo(dataDigest.equals("CRC32C"));

            int[] sizes = {512, 64 << 10, 1 << 20, (5 << 20) + 512};
            long[] lbas = {0, 7, 4099, 20_000};
            for (int i = 0; i < sizes.length; i++) {
                byte[] data = Targets.pattern(sizes[i], seed + i);
                initiator.resetStats();
                ScsiResult w = initiator.write16(lbas[i], data);
                assertThat(w.good()).as("WRITE(16) of %d bytes at LBA %d: %s", sizes[i], lbas[i], w).isTrue();
                assertThat(w.rejects()).isEmpty();
                TestInitiator.Stats ws = initiator.stats();
                assertThat(ws.immediateBytes + ws.unsolicitedBytes + ws.solicitedBytes).isEqualTo(sizes[i]);
                assertThat(ws.immediateBytes).as("immediate data: %s", ws).isEqualTo(Math.min(sizes[i], 65536));
                assertThat(ws.unsolicitedBytes).as("unsolicited Data-Out: %s", ws)
                        .isEqualTo(Math.max(0, Math.min(sizes[i], 262144) - 65536));
                assertThat(ws.maxDataOutSegment).isLessThanOrEqualTo(65536);
                if (sizes[i] > 262144) {
                    assertThat(ws.r2ts).as("a write beyond FirstBurstLength needs R2Ts: %s", ws)
                            .isGreaterThanOrEqualTo((sizes[i] - 262144 + 1048575) / 1048576);
                    assertThat(ws.dataOutPdus).as("several Data-Out PDUs per R2T: %s", ws).isGreaterThan(ws.r2ts);
                } else {
                    assertThat(ws.r2ts).as("no R2T within FirstBurstLength: %s", ws).isZero();
                }

                initiator.resetStats();
                ScsiResult r = initiator.read16(lbas[i], sizes[i] / 512);
                assertThat(r.good()).as("READ(16) of %d bytes at LBA %d: %s", sizes[i], lbas[i], r).isTrue();
                assertThat(r.data()).as("data read back from LBA %d", lbas[i]).isEqualTo(data);
                TestInitiator.Stats rs = initiator.stats();
                assertThat(rs.maxDataInSegment).isLessThanOrEqualTo(65536);
                assertThat(rs.dataInPdus).isGreaterThanOrEqualTo((sizes[i] + 65535) / 65536);
            }
            assertThat(initiator.logout()).isZero();
        }
    }
}
