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
    private static final String OTHER = "iqn.2026-11.io.iscsi4j:other";
    private static final String TARGET_USER = "everyone";
    private static final String TARGET_SECRET = "target-wide-secret-1";
    private static final String ACL_USER = "allowed";
    private static final String ACL_SECRET = "acl-own-secret-2345";
    private static final String AUTHENTICATION_FAILURE = "Status-Class 0x02, Status-Detail 0x01";
    private static final String AUTHORIZATION_FAILURE = "Status-Class 0x02, Status-Detail 0x02";

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

    private static TestInitiator loginChap(IscsiTarget target, String initiator, String user, String secret)
            throws Exception {
        TestInitiator ini = TestInitiator.connect(target.localAddress());
        try {
            ini.loginChap(initiator, Targets.IQN, user, secret, Map.of());
            return ini;
        } catch (Exception | Error e) {
            ini.close();
            throw e;
        }
    }

    /** Expects the login to fail with {@code status} and the target to close the connection afterwards. */
    private static void assertRefused(IscsiTarget target, String status, LoginAttempt attempt) throws Exception {
        try (TestInitiator ini = TestInitiator.connect(target.localAddress())) {
            assertThatThrownBy(() -> attempt.run(ini)).isInstanceOf(LoginFailure.class).hasMessageContaining(status);
            assertThat(ini.awaitClose(java.time.Duration.ofSeconds(5))).as("connection closed after refusal").isTrue();
        }
    }

    @FunctionalInterface
    private interface LoginAttempt {
        void run(TestInitiator ini) throws Exception;
    }

    @Test
    void anAclsOwnChapReplacesTheTargetWideChapForItsInitiators() throws Exception {
        try (IscsiTarget target = start(t -> t.chap(TARGET_USER, TARGET_SECRET)
                .acl(ALLOWED, a -> a.chap(ACL_USER, ACL_SECRET))
                .allowInitiator(OTHER))) {
            try (TestInitiator ok = loginChap(target, ALLOWED, ACL_USER, ACL_SECRET)) {
                assertThat(ok.testUnitReady().status()).isZero();
            }
            try (TestInitiator ok = loginChap(target, OTHER, TARGET_USER, TARGET_SECRET)) {
                assertThat(ok.testUnitReady().status()).as("an ACL without CHAP uses the target's").isZero();
            }
            assertRefused(target, AUTHENTICATION_FAILURE,
                    ini -> ini.loginChap(ALLOWED, Targets.IQN, TARGET_USER, TARGET_SECRET, Map.of()));
            assertRefused(target, AUTHENTICATION_FAILURE,
                    ini -> ini.loginChap(ALLOWED, Targets.IQN, ACL_USER, "wrong-secret-98765", Map.of()));
            assertRefused(target, AUTHENTICATION_FAILURE,
                    ini -> ini.login(ALLOWED, Targets.IQN, Map.of()));
            assertRefused(target, AUTHENTICATION_FAILURE,
                    ini -> ini.loginChap(OTHER, Targets.IQN, ACL_USER, ACL_SECRET, Map.of()));
            assertRefused(target, AUTHORIZATION_FAILURE,
                    ini -> ini.loginChap(STRANGER, Targets.IQN, TARGET_USER, TARGET_SECRET, Map.of()));
        }
    }

    @Test
    void anExactNameWithChapWinsOverAnOpenPatternOnATargetWithoutChap() throws Exception {
        try (IscsiTarget target = start(t -> t.allowInitiator("iqn.2026-11.io.iscsi4j:*")
                .acl(ALLOWED, a -> a.chap(ACL_USER, ACL_SECRET)))) {
            try (TestInitiator open = login(target, OTHER)) {
                assertThat(open.testUnitReady().status()).isZero();
            }
            assertRefused(target, AUTHENTICATION_FAILURE, ini -> ini.login(ALLOWED, Targets.IQN, Map.of()));
            try (TestInitiator ok = loginChap(target, ALLOWED, ACL_USER, ACL_SECRET)) {
                assertThat(ok.testUnitReady().status()).isZero();
            }
        }
    }

    @Test
    void anUnauthorizedInitiatorIsRefusedWith0x0202AndDisconnected() throws Exception {
        try (IscsiTarget target = start(t -> t.acl(ALLOWED, a -> a.chap(ACL_USER, ACL_SECRET)))) {
            assertRefused(target, AUTHORIZATION_FAILURE, ini -> ini.login(STRANGER, Targets.IQN, Map.of()));
            assertRefused(target, AUTHORIZATION_FAILURE,
                    ini -> ini.loginChap(STRANGER, Targets.IQN, ACL_USER, ACL_SECRET, Map.of()));
        }
    }

    @Test
    void aLunMappedReadOnlyRefusesWritesAndReportsWriteProtectOnlyToThatAcl() throws Exception {
        try (IscsiTarget target = start(t -> t.acl(ALLOWED, a -> a.mapLun(0, 0).mapLunReadOnly(1, 1))
                .allowInitiator(OTHER))) {
            byte[] block = new byte[512];
            java.util.Arrays.fill(block, (byte) 0x5A);
            try (TestInitiator ro = login(target, ALLOWED)) {
                ScsiResult refused = ro.execute(1, write16(1), 0, block);
                assertThat(refused.status()).isEqualTo(ScsiResult.CHECK_CONDITION);
                assertThat(refused.senseKey()).as("DATA PROTECT").isEqualTo(0x07);
                assertThat(refused.asc()).as("WRITE PROTECTED").isEqualTo(0x27);
                assertThat(refused.ascq()).isZero();
                assertThat(ro.execute(1, read16(1), 512, null).status()).as("reads work").isZero();
                assertThat(modeSenseDeviceSpecific(ro, 1) & 0x80).as("WP on the read-only LUN").isEqualTo(0x80);
                assertThat(modeSenseDeviceSpecific(ro, 0) & 0x80).as("no WP on the read-write LUN").isZero();
                assertThat(ro.execute(0, write16(1), 0, block).status()).as("LUN 0 is read-write").isZero();
            }
            try (TestInitiator rw = login(target, OTHER)) {
                assertThat(rw.execute(1, write16(1), 0, block).status()).as("other ACLs may write LUN 1").isZero();
                assertThat(modeSenseDeviceSpecific(rw, 1) & 0x80).isZero();
            }
        }
    }

    @Test
    void aReadOnlyAclWithoutMappingsSeesEveryLunReadOnly() throws Exception {
        try (IscsiTarget target = start(t -> t.acl(ALLOWED, a -> a.readOnly()));
             TestInitiator ro = login(target, ALLOWED)) {
            byte[] reportLuns = {(byte) 0xA0, 0, 0, 0, 0, 0, 0, 0, 0, 64, 0, 0};
            assertThat(ByteBuffer.wrap(ro.execute(0, reportLuns, 64, null).data()).getInt(0))
                    .as("all three LUNs listed").isEqualTo(24);
            for (int lun = 0; lun < 3; lun++) {
                ScsiResult refused = ro.execute(lun, write16(1), 0, new byte[512]);
                assertThat(refused.senseKey()).as("LUN %d: DATA PROTECT", lun).isEqualTo(0x07);
                assertThat(refused.asc()).isEqualTo(0x27);
            }
        }
    }

    @Test
    void sendTargetsListsPerTargetOnlyWhatTheInitiatorMayLogInTo() throws Exception {
        String open = "iqn.2026-11.io.iscsi4j:open";
        String secret = "iqn.2026-11.io.iscsi4j:secret";
        try (IscsiTarget target = IscsiTarget.builder()
                .portal("127.0.0.1", 0)
                .target(open, t -> t.lun(0, Backstores.memory(1 << 20)))
                .target(secret, t -> t.lun(0, Backstores.memory(1 << 20)).acl("iqn.2026-11.io.iscsi4j:a*",
                        a -> a.chap(ACL_USER, ACL_SECRET)))
                .build()
                .start();
             TestInitiator stranger = TestInitiator.connect(target.localAddress());
             TestInitiator allowed = TestInitiator.connect(target.localAddress())) {
            stranger.loginDiscovery(STRANGER, Map.of());
            assertThat(stranger.sendTargets()).extracting(TestInitiator.DiscoveredTarget::name).containsExactly(open);
            assertThat(stranger.text(Map.of("SendTargets", secret))).as("a named target it may not reach")
                    .isEmpty();
            allowed.loginDiscovery(ALLOWED, Map.of());
            assertThat(allowed.sendTargets()).extracting(TestInitiator.DiscoveredTarget::name)
                    .containsExactly(open, secret);
            assertThat(allowed.text(Map.of("SendTargets", secret))).extracting(Map.Entry::getValue)
                    .startsWith(secret);
        }
    }

    private static byte[] write16(int blocks) {
        byte[] cdb = new byte[16];
        cdb[0] = (byte) 0x8A;
        cdb[13] = (byte) blocks;
        return cdb;
    }

    private static byte[] read16(int blocks) {
        byte[] cdb = write16(blocks);
        cdb[0] = (byte) 0x88;
        return cdb;
    }

    /** The DEVICE-SPECIFIC PARAMETER of MODE SENSE (6) (SBC-4 §6.5.2: WP is bit 7). */
    private static int modeSenseDeviceSpecific(TestInitiator ini, int lun) throws Exception {
        byte[] modeSense6 = {0x1A, 0x08, 0x3F, 0, (byte) 255, 0};
        ScsiResult r = ini.execute(lun, modeSense6, 255, null);
        assertThat(r.status()).isZero();
        return r.data()[2] & 0xFF;
    }
}
