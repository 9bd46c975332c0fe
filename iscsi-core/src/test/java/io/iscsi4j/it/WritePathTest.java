package io.iscsi4j.it;

import io.iscsi4j.IscsiTarget;
import java.io.IOException;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The four InitialR2T × ImmediateData combinations (RFC 7143 §13.10, §13.11): how much data goes as
 * immediate data, as unsolicited Data-Out and as R2T-solicited Data-Out. FirstBurstLength 64 KiB, target
 * MaxRecvDataSegmentLength 16 KiB, MaxBurstLength 128 KiB.
 */
@Timeout(60)
class WritePathTest {

    private static final int FIRST_BURST = 65536;
    private static final int TARGET_MRDSL = 16384;

    private static IscsiTarget target;

    @BeforeAll
    static void startTarget() throws IOException {
        target = Targets.start(b -> b.maxRecvDataSegmentLength(TARGET_MRDSL).firstBurstLength(FIRST_BURST)
                .maxBurstLength(131072).maxOutstandingR2T(2));
    }

    @AfterAll
    static void stopTarget() {
        if (target != null) {
            target.close();
        }
    }

    static Stream<Arguments> paths() {
        return Stream.of(
                Arguments.of("Yes", "No"),
                Arguments.of("Yes", "Yes"),
                Arguments.of("No", "No"),
                Arguments.of("No", "Yes"));
    }

    @ParameterizedTest(name = "InitialR2T={0}, ImmediateData={1}")
    @MethodSource("paths")
    void writesFollowTheNegotiatedPath(String initialR2T, String immediateData) throws IOException {
        try (TestInitiator initiator = Targets.login(target, Map.of("InitialR2T", initialR2T,
                "ImmediateData", immediateData, "DataDigest", "CRC32C", "FirstBurstLength", "262144"))) {
            assertThat(initiator.targetKeys()).containsEntry("InitialR2T", initialR2T)
                    .containsEntry("ImmediateData", immediateData)
                    .containsEntry("FirstBurstLength", String.valueOf(FIRST_BURST));
            boolean r2tFirst = initialR2T.equals("Yes");
            boolean immediate = immediateData.equals("Yes");
            int[] sizes = {512, 8192, 65536, 600_064};
            for (int i = 0; i < sizes.length; i++) {
                int size = sizes[i];
                long lba = 1000L * i;
                byte[] data = Targets.pattern(size, size);
                initiator.resetStats();
                ScsiResult w = initiator.write16(lba, data);
                assertThat(w.good()).as("%d bytes: %s", size, w).isTrue();
                TestInitiator.Stats s = initiator.stats();
                long expectImmediate = immediate ? Math.min(size, TARGET_MRDSL) : 0;
                long expectUnsolicited = r2tFirst ? expectImmediate : Math.min(size, FIRST_BURST);
                assertThat(s.immediateBytes).as("immediate, %d bytes: %s", size, s).isEqualTo(expectImmediate);
                assertThat(s.immediateBytes + s.unsolicitedBytes).as("unsolicited, %d bytes: %s", size, s)
                        .isEqualTo(expectUnsolicited);
                assertThat(s.solicitedBytes).as("solicited, %d bytes: %s", size, s)
                        .isEqualTo(size - expectUnsolicited);
                assertThat(s.r2ts > 0).as("R2Ts, %d bytes: %s", size, s).isEqualTo(size > expectUnsolicited);
                assertThat(initiator.read16(lba, size / 512).data()).isEqualTo(data);
            }
        }
    }

    /**
     * With the answer to each R2T held back a moment, every R2T the target has outstanding at once is seen
     * together; there must never be more than MaxOutstandingR2T of them (RFC 7143 §13.17).
     */
    @ParameterizedTest(name = "MaxOutstandingR2T offered {0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"1", "4"})
    void outstandingR2TsStayWithinMaxOutstandingR2T(String offered) throws IOException {
        try (TestInitiator initiator = Targets.login(target, Map.of("InitialR2T", "Yes", "ImmediateData", "No",
                "MaxOutstandingR2T", offered, "MaxBurstLength", "32768", "FirstBurstLength", "16384"))) {
            int negotiated = initiator.maxOutstandingR2T();
            assertThat(negotiated).isEqualTo(Math.min(Integer.parseInt(offered), 2));
            initiator.r2tProbe(20);
            byte[] data = Targets.pattern(512 << 10, 11);
            ScsiResult w = initiator.write16(3000, data);
            assertThat(w.good()).as("%s", w).isTrue();
            TestInitiator.Stats s = initiator.stats();
            assertThat(s.r2ts).as("%s", s).isEqualTo((512 << 10) / 32768);
            assertThat(s.maxOutstandingR2Ts).as("%s", s).isBetween(1, negotiated);
            assertThat(initiator.read16(3000, data.length / 512).data()).isEqualTo(data);
        }
    }

    @Test
    void targetRequiringInitialR2TWithoutImmediateDataWins() throws IOException {
        try (IscsiTarget strict = Targets.start(b -> b.initialR2T(true).immediateData(false));
             TestInitiator initiator = Targets.login(strict, Map.of("InitialR2T", "No", "ImmediateData", "Yes"))) {
            // InitialR2T is OR, ImmediateData is AND (RFC 7143 §13.10, §13.11).
            assertThat(initiator.targetKeys()).containsEntry("InitialR2T", "Yes")
                    .containsEntry("ImmediateData", "No");
            byte[] data = Targets.pattern(200_192, 7);
            ScsiResult w = initiator.write16(5, data);
            assertThat(w.good()).as("%s", w).isTrue();
            assertThat(initiator.stats().immediateBytes + initiator.stats().unsolicitedBytes).isZero();
            assertThat(initiator.stats().solicitedBytes).isEqualTo(data.length);
            assertThat(initiator.read16(5, data.length / 512).data()).isEqualTo(data);
        }
    }
}
