package io.iscsi4j.it;

import io.iscsi4j.IscsiTarget;
import io.iscsi4j.backstore.Backstores;
import io.iscsi4j.core.auth.Authenticator;
import io.iscsi4j.core.auth.ChapCredentials;
import io.iscsi4j.core.auth.ChapCredentialsLookup;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link io.iscsi4j.TargetControl#setAccess}: ACLs and CHAP credentials changed while the target serves. A removed
 * ACL ends its sessions (logout request, then drop) and refuses the next login; an added one admits the next login;
 * a new secret refuses the old one at the next login while sessions already in go on; a changed LUN view asks the
 * session to log in again; an invalid change changes nothing. The discovery authenticator can be replaced too.
 */
@Timeout(60)
class RuntimeAccessTest {

    private static final String A = TestInitiator.INITIATOR_NAME;
    private static final String B = "iqn.2026-11.io.iscsi4j:second-initiator";
    private static final String OLD_SECRET = "old-secret-123";
    private static final String NEW_SECRET = "new-secret-456";

    private static IscsiTarget start(Consumer<io.iscsi4j.TargetBuilder> access) throws Exception {
        return IscsiTarget.builder()
                .portal("127.0.0.1", 0)
                .target(Targets.IQN, t -> {
                    t.lun(0, Backstores.memory(Targets.LUN_SIZE)).lun(1, Backstores.memory(1 << 20));
                    access.accept(t);
                })
                .build().start();
    }

    private static TestInitiator login(IscsiTarget target, String initiator) throws Exception {
        TestInitiator i = TestInitiator.connect(target.localAddress());
        try {
            i.login(initiator, Targets.IQN, Map.of());
            return i;
        } catch (Exception | Error e) {
            i.close();
            throw e;
        }
    }

    private static void assertRefused(IscsiTarget target, String initiator, int detail) throws Exception {
        try (TestInitiator i = TestInitiator.connect(target.localAddress())) {
            assertThatThrownBy(() -> i.login(initiator, Targets.IQN, Map.of()))
                    .isInstanceOfSatisfying(LoginFailure.class, f -> {
                        assertThat(f.statusClass()).isEqualTo(2);
                        assertThat(f.statusDetail()).isEqualTo(detail);
                    });
        }
    }

    @Test
    void aRemovedAclEndsItsSessionsAndRefusesTheNextLogin() throws Exception {
        try (IscsiTarget target = start(t -> t.allowInitiator(A).allowInitiator(B));
             TestInitiator a = login(target, A);
             TestInitiator b = login(target, B)) {
            byte[] data = Targets.pattern(4096, 1);
            assertThat(a.write16(0, data).good()).isTrue();

            long start = System.nanoTime();
            int ended = target.target(Targets.IQN).setAccess(t -> t.allowInitiator(B), Duration.ofSeconds(1));
            assertThat(ended).isEqualTo(1);
            RawPdu async = a.readPdu();
            assertThat(async.opcode()).isEqualTo(Bhs.ASYNC_MESSAGE);
            assertThat(async.u8(36)).as("logout requested").isEqualTo(1);
            assertThat(a.awaitClose(Duration.ofSeconds(5))).as("dropped after the grace").isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(900));

            assertThat(b.read16(0, 8).data()).as("B's session goes on").isEqualTo(data);
            assertRefused(target, A, 2); // authorization failure
            try (TestInitiator again = login(target, B)) {
                assertThat(again.testUnitReady().status()).isZero();
            }
            assertThat(target.sessions()).extracting(s -> s.info().initiatorName()).containsOnly(B);
        }
    }

    @Test
    void anAddedAclAdmitsTheNextLogin() throws Exception {
        try (IscsiTarget target = start(t -> t.allowInitiator(B))) {
            assertRefused(target, A, 2);
            assertThat(target.target(Targets.IQN).setAccess(t -> t.allowInitiator(B).allowInitiator(A))).isZero();
            try (TestInitiator a = login(target, A)) {
                assertThat(a.testUnitReady().status()).isZero();
            }
        }
    }

    @Test
    void aNewSecretRefusesTheOldOneAtTheNextLoginAndSessionsInGoOn() throws Exception {
        try (IscsiTarget target = start(t -> t.chap("user", OLD_SECRET));
             TestInitiator in = TestInitiator.connect(target.localAddress())) {
            in.loginChap(A, Targets.IQN, "user", OLD_SECRET, Map.of());
            assertThat(target.target(Targets.IQN).setAccess(t -> t.chap("user", NEW_SECRET))).isZero();
            byte[] data = Targets.pattern(4096, 2);
            assertThat(in.write16(8, data).good()).as("the session in goes on").isTrue();
            try (TestInitiator old = TestInitiator.connect(target.localAddress())) {
                assertThatThrownBy(() -> old.loginChap(A, Targets.IQN, "user", OLD_SECRET, Map.of()))
                        .isInstanceOfSatisfying(LoginFailure.class,
                                f -> assertThat(f.statusDetail()).as("authentication failure").isEqualTo(1));
            }
            try (TestInitiator fresh = TestInitiator.connect(target.localAddress())) {
                fresh.loginChap(A, Targets.IQN, "user", NEW_SECRET, Map.of());
                assertThat(fresh.read16(8, 8).data()).isEqualTo(data);
            }
        }
    }

    @Test
    void anotherViewOfTheLunsAsksTheSessionToLogInAgain() throws Exception {
        try (IscsiTarget target = start(t -> t.acl(A, acl -> acl.mapLun(0, 0)).acl(B, acl -> acl.mapLun(0, 1)));
             TestInitiator a = login(target, A);
             TestInitiator b = login(target, B)) {
            int ended = target.target(Targets.IQN).setAccess(
                    t -> t.acl(A, acl -> acl.mapLunReadOnly(0, 0)).acl(B, acl -> acl.mapLun(0, 1)),
                    Duration.ZERO);
            assertThat(ended).as("only A's view changed").isEqualTo(1);
            assertThat(a.awaitClose(Duration.ofSeconds(5))).isTrue();
            assertThat(b.testUnitReady().status()).isZero();
            try (TestInitiator again = login(target, A)) {
                ScsiResult w = again.write16(0, Targets.pattern(512, 3));
                assertThat(w.status()).as("now read-only: CHECK CONDITION").isEqualTo(2);
                assertThat(w.senseKey()).as("DATA PROTECT").isEqualTo(7);
            }
        }
    }

    @Test
    void anInvalidChangeChangesNothing() throws Exception {
        try (IscsiTarget target = start(t -> t.chap("user", OLD_SECRET))) {
            var control = target.target(Targets.IQN);
            assertThatThrownBy(() -> control.setAccess(t -> t.chap("user", "short")))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> control.setAccess(t -> t.acl(A, acl -> acl.mapLun(0, 7))))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("LUN 7");
            assertThatThrownBy(() -> control.setAccess(t -> t.lun(5, Backstores.memory(1 << 20))))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("addLun");
            try (TestInitiator i = TestInitiator.connect(target.localAddress())) {
                i.loginChap(A, Targets.IQN, "user", OLD_SECRET, Map.of());
            }
        }
    }

    @Test
    void theDiscoveryAuthenticatorCanBeReplaced() throws Exception {
        try (IscsiTarget target = start(t -> { })) {
            try (TestInitiator i = TestInitiator.connect(target.localAddress())) {
                i.loginDiscovery(A, Map.of());
            }
            target.setDiscoveryAuthenticator(Authenticator.chap(
                    ChapCredentialsLookup.fixed(ChapCredentials.of("disc", NEW_SECRET))));
            try (TestInitiator i = TestInitiator.connect(target.localAddress())) {
                assertThatThrownBy(() -> i.loginDiscovery(A, Map.of()))
                        .isInstanceOfSatisfying(LoginFailure.class, f -> assertThat(f.statusDetail()).isEqualTo(1));
            }
        }
    }

    @Test
    void aLoginDuringAnAccessChangeNeverSeesTheUnmaskedLuns() throws Exception {
        java.util.function.Consumer<io.iscsi4j.TargetBuilder> masked = t -> t.acl(A, acl -> acl.mapLun(0, 1));
        java.util.function.Consumer<io.iscsi4j.TargetBuilder> maskedOther = t -> t.acl(A, acl -> acl.mapLun(0, 0))
                .allowInitiator(B);
        try (IscsiTarget target = start(masked)) {
            var control = target.target(Targets.IQN);
            java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            Thread toggler = new Thread(() -> {
                boolean flip = false;
                while (!stop.get()) {
                    control.setAccess(flip ? masked : maskedOther, Duration.ZERO);
                    flip = !flip;
                }
            });
            toggler.start();
            byte[] reportLuns = {(byte) 0xA0, 0, 0, 0, 0, 0, 0, 0, 0, 64, 0, 0};
            int logins = 0;
            try {
                long end = System.nanoTime() + 3_000_000_000L;
                while (System.nanoTime() < end) {
                    try (TestInitiator a = TestInitiator.connect(target.localAddress())) {
                        a.login(A, Targets.IQN, Map.of());
                        ScsiResult r = a.execute(0, reportLuns, 64, null);
                        if (r.status() == 0) {
                            logins++;
                            assertThat(java.nio.ByteBuffer.wrap(r.data()).getInt(0)).as("one LUN in every view")
                                    .isEqualTo(8);
                        }
                    } catch (java.io.IOException dropped) {
                        // closed by an access change while logging in or asking: fine
                    }
                }
            } finally {
                stop.set(true);
                toggler.join(10_000);
            }
            assertThat(logins).as("logins that got through").isPositive();
        }
    }
}
