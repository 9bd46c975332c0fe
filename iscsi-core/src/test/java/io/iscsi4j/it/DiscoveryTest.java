package io.iscsi4j.it;

import io.iscsi4j.IscsiTarget;
import io.iscsi4j.backstore.Backstores;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Discovery sessions and SendTargets (RFC 7143 §13.3, Appendix C). */
@Timeout(60)
class DiscoveryTest {

    @Test
    void sendTargetsListsTheTargetWithItsPortal() throws IOException {
        try (IscsiTarget target = Targets.start();
             TestInitiator initiator = TestInitiator.connect(target.localAddress())) {
            initiator.loginDiscovery(TestInitiator.INITIATOR_NAME, Map.of("HeaderDigest", "None",
                    "DataDigest", "None", "MaxRecvDataSegmentLength", "8192"));
            int port = target.localAddress().getPort();
            assertThat(initiator.sendTargets()).containsExactly(
                    new TestInitiator.DiscoveredTarget(Targets.IQN, List.of("127.0.0.1:" + port + ",1")));
            assertThat(initiator.logout()).isZero();
            assertThat(initiator.awaitClose(java.time.Duration.ofSeconds(5))).isTrue();
        }
    }

    @Test
    void sendTargetsWorksWithDigests() throws IOException {
        try (IscsiTarget target = Targets.start();
             TestInitiator initiator = TestInitiator.connect(target.localAddress())) {
            initiator.loginDiscovery(TestInitiator.INITIATOR_NAME, Map.of("HeaderDigest", "CRC32C",
                    "DataDigest", "CRC32C"));
            assertThat(initiator.headerDigestEnabled()).isTrue();
            assertThat(initiator.dataDigestEnabled()).isTrue();
            assertThat(initiator.sendTargets()).extracting(TestInitiator.DiscoveredTarget::name)
                    .containsExactly(Targets.IQN);
        }
    }

    /**
     * Forty targets with long names make a SendTargets answer of several KiB; with the initiator's
     * MaxRecvDataSegmentLength at its minimum of 512 the target must split it into Text Responses with the C bit
     * set, each continued by an empty Text Request carrying the target's TTT (RFC 7143 §11.10.2, §11.11.2).
     */
    @Test
    void sendTargetsLongerThanOnePduIsContinued() throws IOException {
        IscsiTarget.Builder b = IscsiTarget.builder().portal("127.0.0.1", 0).eventLoopThreads(1).ioThreads(1);
        for (int i = 0; i < 40; i++) {
            b.target(String.format("iqn.2026-11.io.iscsi4j:a-rather-long-target-name-for-continuations-%02d", i),
                    t -> t.lun(0, Backstores.memory(1 << 20)));
        }
        try (IscsiTarget target = b.build().start();
             TestInitiator initiator = TestInitiator.connect(target.localAddress())) {
            initiator.loginDiscovery(TestInitiator.INITIATOR_NAME, Map.of("MaxRecvDataSegmentLength", "512",
                    "DataDigest", "CRC32C"));
            List<TestInitiator.DiscoveredTarget> found = initiator.sendTargets();
            String address = "127.0.0.1:" + target.localAddress().getPort() + ",1";
            assertThat(found).hasSize(40);
            for (int i = 0; i < 40; i++) {
                assertThat(found.get(i).name()).isEqualTo(String.format(
                        "iqn.2026-11.io.iscsi4j:a-rather-long-target-name-for-continuations-%02d", i));
                assertThat(found.get(i).addresses()).containsExactly(address);
            }
        }
    }

    @Test
    void sendTargetsNamingOneTargetReturnsOnlyThatTarget() throws IOException {
        try (IscsiTarget target = IscsiTarget.builder().portal("127.0.0.1", 0)
                .target(Targets.IQN, t -> t.lun(0, Backstores.memory(1 << 20)))
                .target("iqn.2026-11.io.iscsi4j:other", t -> t.lun(0, Backstores.memory(1 << 20)))
                .build().start();
             TestInitiator initiator = TestInitiator.connect(target.localAddress())) {
            initiator.loginDiscovery(TestInitiator.INITIATOR_NAME, Map.of());
            assertThat(initiator.sendTargets()).hasSize(2);
            List<Map.Entry<String, String>> one = initiator.text(Map.of("SendTargets", "iqn.2026-11.io.iscsi4j:other"));
            assertThat(one).contains(Map.entry("TargetName", "iqn.2026-11.io.iscsi4j:other"))
                    .doesNotContain(Map.entry("TargetName", Targets.IQN));
        }
    }

    /**
     * A discovery session carries only Text, NOP and Logout, one at a time, and anyone may open one: it declares
     * MaxRecvDataSegmentLength 8192 whatever the target's setting and gets a command window of two
     * (MaxCmdSN = ExpCmdSN + 1), so an unauthenticated peer cannot park megabytes in it.
     */
    @Test
    void discoverySessionGetsASmallWindowAndSegmentLimit() throws IOException {
        try (IscsiTarget target = Targets.start(b -> b.maxRecvDataSegmentLength(262_144).commandWindow(128));
             TestInitiator initiator = TestInitiator.connect(target.localAddress())) {
            initiator.loginDiscovery(TestInitiator.INITIATOR_NAME, Map.of());
            assertThat(initiator.targetKeys()).containsEntry("MaxRecvDataSegmentLength", "8192");
            assertThat(initiator.maxCmdSN() - initiator.cmdSN()).as("MaxCmdSN - ExpCmdSN").isEqualTo(1);
            assertThat(initiator.sendTargets()).hasSize(1);
            assertThat(initiator.maxCmdSN() - initiator.cmdSN()).as("window after a command").isEqualTo(1);

            // A data segment over the declared 8192 bytes loses the framing: the connection is closed.
            byte[] big = new byte[16384];
            initiator.send(Bhs.of(Bhs.TEXT_REQUEST).flags(0x80).itt(initiator.nextTag())
                    .i32(20, Bhs.RESERVED_TAG).i32(24, initiator.cmdSN()).i32(28, initiator.expStatSN()), big);
            assertThat(initiator.awaitClose(java.time.Duration.ofSeconds(5))).isTrue();
        }
        try (IscsiTarget target = Targets.start(b -> b.commandWindow(128));
             TestInitiator normal = Targets.login(target, Map.of())) {
            assertThat(normal.maxCmdSN() - normal.cmdSN()).as("a normal session keeps the full window")
                    .isEqualTo(127);
        }
    }

    /**
     * SCSI commands are not allowed in a discovery session (RFC 7143 §13.21: only Text and Logout requests): each
     * gets a Reject with reason 0x04 (protocol error), immediate or not, and the session goes on.
     */
    @Test
    void scsiCommandInDiscoverySessionIsRejected() throws IOException {
        try (IscsiTarget target = Targets.start();
             TestInitiator initiator = TestInitiator.connect(target.localAddress())) {
            initiator.loginDiscovery(TestInitiator.INITIATOR_NAME, Map.of());
            for (boolean immediate : new boolean[] {false, true}) {
                int tag = initiator.nextTag();
                byte[] cdb = {0x12, 0, 0, 0, 36, 0}; // INQUIRY
                initiator.send(Bhs.of(Bhs.SCSI_COMMAND).immediate(immediate).flags(0x80 | 0x40)
                        .lun(Bhs.encodeLun(0)).itt(tag).i32(20, 36).i32(24, initiator.cmdSN())
                        .i32(28, initiator.expStatSN()).bytes(32, cdb), new byte[0]);
                if (!immediate) {
                    initiator.advanceCmdSN(1);
                }
                RawPdu r = initiator.readPdu();
                assertThat(r.opcode()).as("%s", r).isEqualTo(Bhs.REJECT);
                assertThat(r.u8(2)).as("reason").isEqualTo(0x04);
                assertThat(r.data()[0] & 0x3f).as("the rejected header").isEqualTo(Bhs.SCSI_COMMAND);
                initiator.acceptStatus(r);
            }
            assertThat(initiator.sendTargets()).extracting(TestInitiator.DiscoveredTarget::name)
                    .containsExactly(Targets.IQN);
            assertThat(initiator.logout()).isZero();
        }
    }

    /**
     * Discovery sessions have their own cap (maxDiscoverySessions), counted apart from normal sessions: at the cap a
     * discovery login fails with 0x0302 (out of resources) as at maxSessions, while normal logins go on.
     */
    @Test
    void discoverySessionsOverTheirCapFailWithOutOfResources() throws IOException {
        try (IscsiTarget target = Targets.start(b -> b.maxDiscoverySessions(2).maxSessions(1));
             TestInitiator first = discovery(target, "iqn.2026-11.io.iscsi4j:d1");
             TestInitiator second = discovery(target, "iqn.2026-11.io.iscsi4j:d2")) {
            try (TestInitiator third = TestInitiator.connect(target.localAddress())) {
                assertThatThrownBy(() -> third.loginDiscovery("iqn.2026-11.io.iscsi4j:d3", Map.of()))
                        .isInstanceOfSatisfying(LoginFailure.class, f -> {
                            assertThat(f.statusClass()).isEqualTo(0x03);
                            assertThat(f.statusDetail()).isEqualTo(0x02);
                        });
                assertThat(third.awaitClose(Duration.ofSeconds(3))).isTrue();
            }
            try (TestInitiator normal = Targets.login(target, Map.of())) {
                assertThat(normal.testUnitReady().good()).as("normal sessions are counted apart").isTrue();
            }
            assertThat(first.logout()).isZero();
            assertThat(first.awaitClose(Duration.ofSeconds(3))).isTrue();
            try (TestInitiator again = discoverySoon(target, "iqn.2026-11.io.iscsi4j:d3")) {
                assertThat(again.sendTargets()).hasSize(1);
            }
            assertThat(second.sendTargets()).hasSize(1);
        }
    }

    /**
     * A discovery session that sends no request for discoverySessionIdleTimeout is closed; a request restarts the
     * time; NOP-Out pings do not count; normal sessions are not affected.
     */
    @Test
    void idleDiscoverySessionsAreClosed() throws IOException {
        long timeout = 1500;
        try (IscsiTarget target = Targets.start(b -> b.discoverySessionIdleTimeout(Duration.ofMillis(timeout)));
             TestInitiator normal = Targets.login(target, Map.of());
             TestInitiator asking = discovery(target, "iqn.2026-11.io.iscsi4j:asking");
             TestInitiator pinging = discovery(target, "iqn.2026-11.io.iscsi4j:pinging")) {
            long loggedIn = System.nanoTime();
            long askedAt = 0;
            boolean closed = false;
            long deadline = loggedIn + Duration.ofSeconds(20).toNanos();
            // One session pings every 100 ms and is answered, the other asks once half the timeout has passed.
            while (!closed && System.nanoTime() < deadline) {
                if (askedAt == 0 && millisSince(loggedIn) >= timeout / 2) {
                    assertThat(asking.sendTargets()).hasSize(1);
                    askedAt = System.nanoTime();
                }
                try {
                    pinging.nopOut(new byte[0]);
                    pause(100);
                } catch (IOException e) {
                    closed = true;
                }
            }
            assertThat(closed).as("a discovery session sending only NOP-Outs is closed when idle").isTrue();
            assertThat(millisSince(loggedIn)).as("not before the timeout").isGreaterThanOrEqualTo(timeout - 100);

            assertThat(askedAt).isNotZero();
            pause(Math.max(0, timeout - 500 - millisSince(askedAt)));
            assertThat(asking.awaitClose(Duration.ofMillis(1))).as("the request restarted its time").isFalse();
            assertThat(asking.awaitClose(Duration.ofMillis(timeout + 5000))).as("then idle as well").isTrue();
            assertThat(millisSince(askedAt)).isGreaterThanOrEqualTo(timeout - 100);

            assertThat(normal.testUnitReady().good()).as("a normal session may stay idle").isTrue();
        }
    }

    private static TestInitiator discovery(IscsiTarget target, String initiatorName) throws IOException {
        TestInitiator i = TestInitiator.connect(target.localAddress());
        try {
            i.loginDiscovery(initiatorName, Map.of());
            return i;
        } catch (IOException | RuntimeException | Error e) {
            i.close();
            throw e;
        }
    }

    /** A discovery login, retried (bounded) until the target has noticed a session that just ended. */
    private static TestInitiator discoverySoon(IscsiTarget target, String initiatorName) throws IOException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        for (;;) {
            try {
                return discovery(target, initiatorName);
            } catch (LoginFailure e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                pause(50);
            }
        }
    }

    private static long millisSince(long nanos) {
        return (System.nanoTime() - nanos) / 1_000_000;
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
