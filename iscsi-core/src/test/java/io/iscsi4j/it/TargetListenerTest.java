package io.iscsi4j.it;

import io.iscsi4j.IscsiTarget;
import io.iscsi4j.TargetListener;
import io.iscsi4j.backstore.Backstores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link TargetListener}: session events arrive in order, on the events thread, despite a failing listener. */
@Timeout(60)
class TargetListenerTest {

    /** Records each event as a line; fails the test on a network or storage thread. */
    static final class Recorder implements TargetListener {
        final BlockingQueue<String> events = new LinkedBlockingQueue<>();
        volatile SessionInfo lastLogin;

        private void add(String event) {
            String thread = Thread.currentThread().getName();
            events.add(thread.equals("iscsi4j-events") ? event : event + " on " + thread);
        }

        @Override
        public void loginSucceeded(SessionInfo session) {
            lastLogin = session;
            add("login " + session.initiatorName() + " " + session.targetName() + " tsih=" + session.tsih());
        }

        @Override
        public void loginFailed(LoginFailureInfo failure) {
            add(String.format("login failed %s %s 0x%02x%02x", failure.initiatorName(), failure.targetName(),
                    failure.statusClass(), failure.statusDetail()));
        }

        @Override
        public void loggedOut(SessionInfo session) {
            add("logout tsih=" + session.tsih());
        }

        @Override
        public void connectionDropped(SessionInfo session) {
            add("dropped tsih=" + session.tsih());
        }

        @Override
        public void taskManagement(SessionInfo session, TaskManagementInfo function) {
            add("tmf tsih=" + session.tsih() + " " + function.functionName() + " lun=" + function.lun()
                    + " response=" + function.response());
        }

        String next() throws InterruptedException {
            String e = events.poll(10, TimeUnit.SECONDS);
            assertThat(e).as("an event within 10 s").isNotNull();
            return e;
        }
    }

    /** Throws from every method: must neither stop the other listener nor the target. */
    static final class Failing implements TargetListener {
        final AtomicInteger calls = new AtomicInteger();

        @Override
        public void loginSucceeded(SessionInfo session) {
            calls.incrementAndGet();
            throw new IllegalStateException("listener failure (expected by the test)");
        }

        @Override
        public void loggedOut(SessionInfo session) {
            calls.incrementAndGet();
            throw new IllegalStateException("listener failure (expected by the test)");
        }
    }

    private static int logicalUnitReset(TestInitiator ini, int lun) throws Exception {
        int tag = ini.nextTag();
        ini.send(Bhs.of(Bhs.TASK_MANAGEMENT_REQUEST).immediate(true).flags(0x80 | 5).lun(Bhs.encodeLun(lun))
                .itt(tag).i32(20, Bhs.RESERVED_TAG).i32(24, ini.cmdSN()).i32(28, ini.expStatSN()), new byte[0]);
        RawPdu r = ini.readPdu();
        assertThat(r.opcode()).isEqualTo(Bhs.TASK_MANAGEMENT_RESPONSE);
        assertThat(ByteBuffer.wrap(r.bhs(), 16, 4).getInt()).isEqualTo(tag);
        ini.acceptStatus(r);
        return r.bhs()[2] & 0xFF;
    }

    @Test
    void sessionEventsArriveInOrder() throws Exception {
        Recorder recorder = new Recorder();
        Failing failing = new Failing();
        String name = TestInitiator.INITIATOR_NAME;
        try (IscsiTarget target = IscsiTarget.builder()
                .portal("127.0.0.1", 0)
                .target(Targets.IQN, t -> t.lun(0, Backstores.memory(Targets.LUN_SIZE)))
                .eventLoopThreads(2).ioThreads(2)
                .listener(failing)
                .listener(recorder)
                .build().start()) {
            try (TestInitiator ini = Targets.login(target, Map.of())) {
                String login = recorder.next();
                int tsih = recorder.lastLogin.tsih();
                assertThat(login).isEqualTo("login " + name + " " + Targets.IQN + " tsih=" + tsih);
                assertThat(recorder.lastLogin.remoteAddress().getAddress().isLoopbackAddress()).isTrue();
                assertThat(recorder.lastLogin.localAddress()).isEqualTo(target.localAddress());
                assertThat(recorder.lastLogin.isidHex()).hasSize(12).startsWith("80");
                assertThat(recorder.lastLogin.discovery()).isFalse();

                assertThat(logicalUnitReset(ini, 0)).isZero();
                assertThat(logicalUnitReset(ini, 7)).as("LUN does not exist").isEqualTo(2);
                assertThat(ini.logout()).isZero();
                assertThat(recorder.next()).isEqualTo("tmf tsih=" + tsih + " LOGICAL UNIT RESET lun=0 response=0");
                assertThat(recorder.next()).isEqualTo("tmf tsih=" + tsih + " LOGICAL UNIT RESET lun=7 response=2");
                assertThat(recorder.next()).isEqualTo("logout tsih=" + tsih);
            }

            try (TestInitiator wrong = TestInitiator.connect(target.localAddress())) {
                assertThatThrownBy(() -> wrong.login(name, "iqn.2026-11.io.iscsi4j:missing", Map.of()))
                        .isInstanceOf(LoginFailure.class);
            }
            assertThat(recorder.next()).isEqualTo("login failed " + name + " iqn.2026-11.io.iscsi4j:missing 0x0203");

            TestInitiator dropped = Targets.login(target, Map.of());
            String login = recorder.next();
            int tsih = recorder.lastLogin.tsih();
            assertThat(login).endsWith("tsih=" + tsih);
            dropped.close();
            assertThat(recorder.next()).isEqualTo("dropped tsih=" + tsih);
        }
        assertThat(recorder.events).as("nothing more").isEmpty();
        assertThat(failing.calls).as("the failing listener was called for 2 logins and 1 logout").hasValue(3);
    }

    @Test
    void closingTheTargetReportsItsSessionsAsDropped() throws Exception {
        Recorder recorder = new Recorder();
        TestInitiator ini;
        try (IscsiTarget target = IscsiTarget.builder()
                .portal("127.0.0.1", 0)
                .target(Targets.IQN, t -> t.lun(0, Backstores.memory(1 << 20)))
                .eventLoopThreads(1).ioThreads(1)
                .listener(recorder)
                .build().start()) {
            ini = Targets.login(target, Map.of());
        }
        try {
            assertThat(recorder.events.poll()).startsWith("login ");
            assertThat(recorder.events.poll()).as("delivered before close() returned").startsWith("dropped ");
        } finally {
            ini.close();
        }
    }

    /**
     * A listener that blocks holds up only the events: logins, I/O and logouts go on, the events queue up (at most
     * TargetEvents.CAPACITY of them; the queue's bound and drops are tested in TargetEventsTest) and are delivered
     * in order once the listener returns.
     */
    @Test
    void aBlockedListenerDoesNotHoldUpTheNetwork() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Recorder recorder = new Recorder();
        TargetListener blocking = new TargetListener() {
            @Override
            public void loginSucceeded(SessionInfo session) {
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        int sessions = 20;
        try (IscsiTarget target = IscsiTarget.builder()
                .portal("127.0.0.1", 0)
                .target(Targets.IQN, t -> t.lun(0, Backstores.memory(1 << 20)))
                .eventLoopThreads(1).ioThreads(1)
                .listener(blocking)
                .listener(recorder)
                .build().start()) {
            try {
                for (int i = 0; i < sessions; i++) {
                    try (TestInitiator ini = Targets.login(target, Map.of())) {
                        assertThat(ini.testUnitReady().good()).isTrue();
                        assertThat(ini.logout()).isZero();
                    }
                }
                assertThat(recorder.events).as("nothing delivered while the first listener blocks").isEmpty();
            } finally {
                release.countDown();
            }
            for (int i = 0; i < sessions; i++) {
                assertThat(recorder.next()).startsWith("login ");
                assertThat(recorder.next()).startsWith("logout ");
            }
        }
    }
}
