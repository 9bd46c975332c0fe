package io.iscsi4j.core.login;

import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class TargetNegotiationConfigTest {

    @Test
    void defaults() {
        TargetNegotiationConfig config = TargetNegotiationConfig.defaults();

        assertThat(config.targetMaxRecvDataSegmentLength()).isEqualTo(262_144);
        assertThat(config.maxBurstLength()).isEqualTo(1_048_576);
        assertThat(config.firstBurstLength()).isEqualTo(262_144);
        assertThat(config.initialR2T()).isFalse();
        assertThat(config.immediateData()).isTrue();
        assertThat(config.maxOutstandingR2T()).isEqualTo(16);
        assertThat(config.defaultTime2Wait()).isEqualTo(2);
        assertThat(config.defaultTime2Retain()).isEqualTo(20);
        assertThat(config.errorRecoveryLevel()).isZero();
        assertThat(config.maxConnections()).isEqualTo(1);
        assertThat(config.headerDigests()).containsExactlyInAnyOrder(Digest.NONE, Digest.CRC32C);
        assertThat(config.dataDigests()).containsExactlyInAnyOrder(Digest.NONE, Digest.CRC32C);
        assertThat(config.taskReporting()).containsExactly("RFC3720");
        assertThat(config.iscsiProtocolLevel()).isEqualTo(1);
    }

    @Test
    void buildNamesEveryInvalidSetting() {
        TargetNegotiationConfig.Builder builder = TargetNegotiationConfig.builder()
                .targetMaxRecvDataSegmentLength(100)
                .maxBurstLength(4096)
                .firstBurstLength(8192)
                .maxOutstandingR2T(0)
                .headerDigests(Set.of())
                .taskReporting(Set.of("Sometimes"));

        assertThatIllegalArgumentException().isThrownBy(builder::build)
                .withMessageContaining("MaxRecvDataSegmentLength 100")
                .withMessageContaining("FirstBurstLength 8192 exceeds MaxBurstLength 4096")
                .withMessageContaining("MaxOutstandingR2T 0")
                .withMessageContaining("no header digest")
                .withMessageContaining("unknown TaskReporting choice Sometimes");
    }

    @Test
    void firstBurstResponderValueIsCappedByTheMaxBurstInForce() {
        TargetNegotiationConfig config = TargetNegotiationConfig.defaults();

        assertThat(config.responderValue(TextKey.FIRST_BURST_LENGTH, 65_536)).isEqualTo("65536");
        assertThat(config.responderValue(TextKey.FIRST_BURST_LENGTH, 1_048_576)).isEqualTo("262144");
    }

    @Test
    void digestResponderValueListsTheAcceptedDigests() {
        TargetNegotiationConfig config = TargetNegotiationConfig.builder()
                .headerDigests(EnumSet.of(Digest.CRC32C)).build();

        assertThat(config.responderValue(TextKey.HEADER_DIGEST, 0)).isEqualTo("CRC32C");
        assertThat(config.responderValue(TextKey.DATA_DIGEST, 0)).isEqualTo("None,CRC32C");
    }
}
