package io.iscsi4j.it;

import io.iscsi4j.CommandDecision;
import io.iscsi4j.InterceptedCommand;
import io.iscsi4j.InterceptedLogin;
import io.iscsi4j.IscsiTarget;
import io.iscsi4j.LoginDecision;
import io.iscsi4j.TargetInterceptor;
import io.iscsi4j.scsi.AdditionalSense;
import io.iscsi4j.scsi.SenseKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link TargetInterceptor}: login and command decisions as a raw initiator sees them. */
@Timeout(30)
class InterceptorTest {

    private static final Map<String, String> UNSOLICITED = Map.of("InitialR2T", "No", "ImmediateData", "Yes");

    @Test
    void commandDecisionsAnswerWithoutRunningAndTheSessionGoesOn() throws IOException {
        AtomicReference<CommandDecision> next = new AtomicReference<>();
        List<String> seen = new CopyOnWriteArrayList<>();
        TargetInterceptor interceptor = new TargetInterceptor() {
            @Override
            public CommandDecision beforeCommand(InterceptedCommand c) {
                seen.add(c.initiatorName() + " " + c.targetName() + " lun " + c.lun() + " op "
                        + Integer.toHexString(c.operationCode()) + " cdb0 " + (c.cdb().get(0) & 0xFF));
                CommandDecision d = next.getAndSet(null);
                return d != null ? d : CommandDecision.proceed();
            }
        };
        try (IscsiTarget target = Targets.start(b -> b.interceptor(interceptor));
             TestInitiator initiator = Targets.login(target, UNSOLICITED)) {
            byte[] data = Targets.pattern(64 * 1024, 1);

            // A write with immediate and unsolicited Data-Out: BUSY comes after the data, with no Reject.
            next.set(CommandDecision.busy());
            ScsiResult busy = initiator.write16(100, data);
            assertThat(busy.response()).isZero();
            assertThat(busy.status()).isEqualTo(0x08);
            assertThat(initiator.read16(100, 128).data()).as("the BUSY write was not run").containsOnly(0);

            next.set(CommandDecision.taskSetFull());
            assertThat(initiator.read16(0, 1).status()).isEqualTo(0x28);

            next.set(CommandDecision.checkCondition(SenseKey.NOT_READY,
                    AdditionalSense.LOGICAL_UNIT_NOT_READY_CAUSE_NOT_REPORTABLE));
            ScsiResult notReady = initiator.testUnitReady();
            assertThat(notReady.status()).isEqualTo(0x02);
            assertThat(notReady.senseKey()).isEqualTo(0x02);

            ScsiResult good = initiator.write16(100, data);
            assertThat(good.good()).isTrue();
            assertThat(initiator.read16(100, 128).data()).isEqualTo(data);
            assertThat(seen).allMatch(s -> s.startsWith(TestInitiator.INITIATOR_NAME + " " + Targets.IQN + " lun 0 "));
            assertThat(seen).anyMatch(s -> s.endsWith("op 8a cdb0 138")); // WRITE(16)
        }
    }

    @Test
    void dropConnectionClosesItWithoutAResponse() throws IOException {
        TargetInterceptor dropWrites = new TargetInterceptor() {
            @Override
            public CommandDecision beforeCommand(InterceptedCommand c) {
                return c.operationCode() == 0x8A ? CommandDecision.dropConnection() : CommandDecision.proceed();
            }
        };
        try (IscsiTarget target = Targets.start(b -> b.interceptor(dropWrites));
             TestInitiator initiator = Targets.login(target, Map.of())) {
            assertThat(initiator.testUnitReady().good()).isTrue();
            assertThatThrownBy(() -> initiator.write16(0, new byte[512])).isInstanceOf(IOException.class);
        }
    }

    @Test
    void aFailingInterceptorLetsCommandsProceed() throws IOException {
        TargetInterceptor broken = new TargetInterceptor() {
            @Override
            public CommandDecision beforeCommand(InterceptedCommand c) {
                throw new IllegalStateException("broken on purpose");
            }
        };
        try (IscsiTarget target = Targets.start(b -> b.interceptor(broken));
             TestInitiator initiator = Targets.login(target, Map.of())) {
            assertThat(initiator.testUnitReady().good()).isTrue();
        }
    }

    @Test
    void loginDecisionsRejectOrDropNormalSessions() throws IOException {
        AtomicReference<LoginDecision> decision = new AtomicReference<>(LoginDecision.reject(3, 1));
        List<InterceptedLogin> logins = new CopyOnWriteArrayList<>();
        TargetInterceptor interceptor = new TargetInterceptor() {
            @Override
            public LoginDecision beforeLogin(InterceptedLogin login) {
                logins.add(login);
                return login.discovery() ? LoginDecision.accept() : decision.get();
            }
        };
        try (IscsiTarget target = Targets.start(b -> b.interceptor(interceptor))) {
            assertThatThrownBy(() -> Targets.login(target, Map.of()).close())
                    .isInstanceOfSatisfying(LoginFailure.class, f -> {
                        assertThat(f.statusClass()).isEqualTo(3);
                        assertThat(f.statusDetail()).isEqualTo(1);
                    });
            assertThat(logins.get(0).initiatorName()).isEqualTo(TestInitiator.INITIATOR_NAME);
            assertThat(logins.get(0).targetName()).contains(Targets.IQN);
            assertThat(logins.get(0).discovery()).isFalse();

            decision.set(LoginDecision.dropConnection());
            assertThatThrownBy(() -> Targets.login(target, Map.of()).close())
                    .isInstanceOf(IOException.class).isNotInstanceOf(LoginFailure.class);

            try (TestInitiator discovery = TestInitiator.connect(target.localAddress())) {
                discovery.loginDiscovery(TestInitiator.INITIATOR_NAME, Map.of());
            }
            assertThat(logins.get(logins.size() - 1).discovery()).isTrue();

            decision.set(LoginDecision.accept());
            try (TestInitiator ok = Targets.login(target, Map.of())) {
                assertThat(ok.testUnitReady().good()).isTrue();
            }
        }
    }

    @Test
    void rejectionsNeedAnErrorStatus() {
        assertThatThrownBy(() -> LoginDecision.reject(0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LoginDecision.reject(1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LoginDecision.reject(2, 0x7F)).isInstanceOf(IllegalArgumentException.class);
        assertThat(LoginDecision.reject(2, 2).kind()).isEqualTo(LoginDecision.Kind.REJECT);
    }
}
