package io.iscsi4j.initiator.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.iscsi4j.initiator.ChapAlgorithm;
import io.iscsi4j.initiator.LoginException;
import io.iscsi4j.initiator.LoginOptions;
import io.iscsi4j.initiator.SessionParameters;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The login state machine against scripted target responses, no network. */
class LoginDriverTest {

    private static final long ISID = 0x80_1234_5678_0001L;

    @Test
    void withoutAuthenticationItGoesStraightToTheOperationalStage() throws Exception {
        LoginDriver login = new LoginDriver(LoginOptions.defaults(), "iqn.i:1", "iqn.t:1", ISID);
        LoginDriver.Request first = login.first();
        assertThat(first.transit()).isTrue();
        assertThat(first.text()).containsEntry("AuthMethod", "None").containsEntry("TargetName", "iqn.t:1")
                .containsEntry("SessionType", "Normal");
        LoginDriver.Request operational = login.onResponse(0, 0, true, 1, 0,
                List.of(Map.entry("AuthMethod", "None"), Map.entry("TargetPortalGroupTag", "1")));
        assertThat(operational.csg()).isEqualTo(1);
        assertThat(operational.nsg()).isEqualTo(3);
        assertThat(operational.text()).containsKey("MaxBurstLength");
        assertThat(login.onResponse(0, 0, true, 3, 42, List.of(Map.entry("HeaderDigest", "None"),
                Map.entry("MaxRecvDataSegmentLength", "65536")))).isNull();
        SessionParameters p = login.parameters();
        assertThat(p.tsih()).isEqualTo(42);
        assertThat(p.targetPortalGroupTag()).isEqualTo(1);
        assertThat(p.targetMaxRecvDataSegmentLength()).isEqualTo(65536);
        assertThat(login.stage()).isEqualTo(LoginDriver.Stage.DONE);
    }

    @Test
    void mutualChapComputesTheResponseAndChecksTheTargets() throws Exception {
        LoginOptions options = LoginOptions.builder().chap("alice", "alice-secret")
                .mutualChap("target", "target-secret").chapAlgorithms(ChapAlgorithm.SHA256).build();
        LoginDriver login = new LoginDriver(options, "iqn.i:1", "iqn.t:1", ISID);
        assertThat(login.first().transit()).isFalse();
        LoginDriver.Request chapA = login.onResponse(0, 0, false, 0, 0, List.of(Map.entry("AuthMethod", "CHAP")));
        assertThat(chapA.text()).containsEntry("CHAP_A", "7");
        byte[] challenge = {1, 2, 3, 4, 5, 6, 7, 8};
        LoginDriver.Request answer = login.onResponse(0, 0, false, 0, 0, List.of(Map.entry("CHAP_A", "7"),
                Map.entry("CHAP_I", "9"), Map.entry("CHAP_C", TextCodec.hex(challenge))));
        assertThat(answer.transit()).isTrue();
        assertThat(answer.text().get("CHAP_R"))
                .isEqualTo(TextCodec.hex(ChapResponder.response(ChapAlgorithm.SHA256, 9, "alice-secret", challenge)));
        int identifier = Integer.parseInt(answer.text().get("CHAP_I"));
        byte[] mutualChallenge = TextCodec.binary(answer.text().get("CHAP_C"));
        String targetResponse = TextCodec.hex(ChapResponder.response(ChapAlgorithm.SHA256, identifier,
                "target-secret", mutualChallenge));
        LoginDriver.Request operational = login.onResponse(0, 0, true, 1, 0,
                List.of(Map.entry("CHAP_N", "target"), Map.entry("CHAP_R", targetResponse)));
        assertThat(operational.csg()).isEqualTo(1);
    }

    @Test
    void aTargetThatFailsMutualChapEndsTheLogin() throws Exception {
        LoginOptions options = LoginOptions.builder().chap("alice", "alice-secret")
                .mutualChap("target", "target-secret").build();
        LoginDriver login = new LoginDriver(options, "iqn.i:1", "iqn.t:1", ISID);
        login.first();
        login.onResponse(0, 0, false, 0, 0, List.of(Map.entry("AuthMethod", "CHAP")));
        login.onResponse(0, 0, false, 0, 0, List.of(Map.entry("CHAP_A", "5"), Map.entry("CHAP_I", "1"),
                Map.entry("CHAP_C", "0x0102")));
        assertThatThrownBy(() -> login.onResponse(0, 0, true, 1, 0, List.of(Map.entry("CHAP_N", "target"),
                Map.entry("CHAP_R", "0x00112233445566778899aabbccddeeff"))))
                .isInstanceOf(LoginException.class).hasMessageContaining("mutual CHAP");
        assertThat(login.stage()).isEqualTo(LoginDriver.Stage.FAILED);
    }

    @Test
    void aRefusalCarriesTheStatus() {
        LoginDriver login = new LoginDriver(LoginOptions.defaults(), "iqn.i:1", "iqn.t:1", ISID);
        login.first();
        assertThatThrownBy(() -> login.onResponse(2, 1, false, 0, 0, List.of()))
                .isInstanceOfSatisfying(LoginException.class, e -> {
                    assertThat(e.statusClass()).isEqualTo(2);
                    assertThat(e.statusDetail()).isEqualTo(1);
                    assertThat(e.isAuthenticationFailure()).isTrue();
                    assertThat(e).hasMessageContaining("0201 authentication failure");
                });
    }

    @Test
    void aChallengeWithAnAlgorithmNotOfferedIsRefused() throws Exception {
        LoginOptions options = LoginOptions.builder().chap("alice", "s").chapAlgorithms(ChapAlgorithm.SHA3_256)
                .build();
        LoginDriver login = new LoginDriver(options, "iqn.i:1", "iqn.t:1", ISID);
        login.first();
        login.onResponse(0, 0, false, 0, 0, List.of(Map.entry("AuthMethod", "CHAP")));
        assertThatThrownBy(() -> login.onResponse(0, 0, false, 0, 0, List.of(Map.entry("CHAP_A", "5"),
                Map.entry("CHAP_I", "1"), Map.entry("CHAP_C", "0x0102")))).isInstanceOf(LoginException.class);
    }
}
