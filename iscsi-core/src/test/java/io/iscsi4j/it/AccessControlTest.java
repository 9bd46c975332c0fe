package io.iscsi4j.it;

import io.iscsi4j.IscsiTarget;
import io.iscsi4j.backstore.Backstores;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Node ACLs: who may log in, which LUNs they see, what SendTargets shows them. */
class AccessControlTest {

    private static final String ALLOWED = "iqn.2026-11.io.iscsi4j:allowed";
    private static final String STRANGER = "iqn.2026-11.org.example:stranger";

    private static IscsiTarget start(java.util.function.Consumer<io.iscsi4j.TargetBuilder> acls) throws Exception {
        return IscsiTarget.builder()
                .portal("127.0.0.1", 0)
                .target(Targets.IQN, t -> {
                    t.lun(0, Backstores.memory(1 << 20)).lun(1, Backstores.memory(2 << 20))
                            .lun(2, Backstores.memory(3 << 20));
                    acls.accept(t);
                })
                .build()
                .start();
    }

    private static TestInitiator login(IscsiTarget target, String initiator) throws Exception {
        TestInitiator ini = TestInitiator.connect(target.localAddress());
        try {
            ini.login(initiator, Targets.IQN, Map.of());
            return ini;
        } catch (Exception | Error e) {
            ini.close();
            throw e;
        }
    }

    @Test
    void initiatorsMatchingNoAclAreRefusedWithAuthorizationFailure() throws Exception {
        try (IscsiTarget target = start(t -> t.allowInitiator(ALLOWED))) {
            assertThatThrownBy(() -> login(target, STRANGER).close())
                    .isInstanceOf(LoginFailure.class)
                    .hasMessageContaining("Status-Class 0x02, Status-Detail 0x02");
            try (TestInitiator ok = login(target, ALLOWED)) {
                assertThat(ok.testUnitReady().status()).isZero();
            }
        }
    }

    @Test
    void patternsAdmitWholeNamespacesCaseInsensitively() throws Exception {
        try (IscsiTarget target = start(t -> t.allowInitiator("IQN.2026-11.io.iscsi4j:*"));
             TestInitiator ok = login(target, ALLOWED)) {
            assertThat(ok.testUnitReady().status()).isZero();
            assertThatThrownBy(() -> login(target, STRANGER).close()).isInstanceOf(LoginFailure.class);
        }
    }

    @Test
    void mappedLunsAreAllTheInitiatorSeesUnderTheirMappedNumbers() throws Exception {
        try (IscsiTarget target = start(t -> t.acl(ALLOWED, a -> a.mapLun(0, 2)));
             TestInitiator ini = login(target, ALLOWED)) {
            byte[] reportLuns = {(byte) 0xA0, 0, 0, 0, 0, 0, 0, 0, 0, 64, 0, 0};
            ScsiResult luns = ini.execute(0, reportLuns, 64, null);
            assertThat(luns.status()).isZero();
            assertThat(ByteBuffer.wrap(luns.data()).getInt(0)).as("one LUN listed").isEqualTo(8);

            ScsiResult cap = ini.readCapacity16();
            long blocks = ByteBuffer.wrap(cap.data()).getLong(0) + 1;
            assertThat(blocks * 512).as("mapped LUN 0 is the target's 3 MiB LUN 2").isEqualTo(3 << 20);

            byte[] tur = new byte[6];
            ScsiResult masked = ini.execute(1, tur, 0, null);
            assertThat(masked.status()).isEqualTo(2);
            assertThat(masked.asc()).as("LOGICAL UNIT NOT SUPPORTED").isEqualTo(0x25);
        }
    }

    @Test
    void sendTargetsListsOnlyTargetsTheInitiatorMayReach() throws Exception {
        try (IscsiTarget target = start(t -> t.allowInitiator(ALLOWED));
             TestInitiator stranger = TestInitiator.connect(target.localAddress());
             TestInitiator allowed = TestInitiator.connect(target.localAddress())) {
            stranger.loginDiscovery(STRANGER, Map.of());
            assertThat(stranger.sendTargets()).isEmpty();
            allowed.loginDiscovery(ALLOWED, Map.of());
            assertThat(allowed.sendTargets()).extracting(TestInitiator.DiscoveredTarget::name)
                    .containsExactly(Targets.IQN);
        }
    }
}
