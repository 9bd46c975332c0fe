package io.iscsi4j.it;

import io.iscsi4j.ActiveSession;
import io.iscsi4j.IscsiStatistics;
import io.iscsi4j.IscsiTarget;
import io.iscsi4j.SessionStatistics;
import io.iscsi4j.backstore.Backstores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link IscsiTarget#sessions()} and the iSCSI-level counters ({@link IscsiTarget#iscsiStatistics()}): a session is
 * listed with the names, parameters, LUNs and counters it really has, {@link ActiveSession#close(Duration)} asks
 * for a logout and drops a session that ignores it, and logins, refusals, digest and format errors, Rejects and
 * NOP-In timeouts are counted for the whole target, per portal and per target.
 */
@Timeout(60)
class SessionsAndStatisticsTest {

    private static final String OTHER = "iqn.2026-11.io.iscsi4j:other";

    @Test
    void aSessionIsListedWithItsNamesParametersLunsAndCounters() throws Exception {
        try (IscsiTarget target = IscsiTarget.builder()
                .portal("127.0.0.1", 0)
                .target(Targets.IQN, t -> t
                        .lun(0, Backstores.memory(Targets.LUN_SIZE))
                        .lun(3, Backstores.memory(1 << 20)))
                .target(OTHER, t -> t.lun(0, Backstores.memory(1 << 20)))
                .build().start()) {
            Instant before = Instant.now();
            Map<String, String> offer = new LinkedHashMap<>();
            offer.put("InitiatorAlias", "backup host");
            offer.put("HeaderDigest", "CRC32C");
            offer.put("MaxBurstLength", "131072");
            try (TestInitiator i = Targets.login(target, offer);
                 TestInitiator discovery = TestInitiator.connect(target.localAddress())) {
                Instant after = Instant.now();
                discovery.loginDiscovery("iqn.2026-11.io.iscsi4j:discoverer", Map.of());
                byte[] data = Targets.pattern(8192, 11);
                assertThat(i.write16(16, data).good()).isTrue();
                assertThat(i.read16(16, 16).data()).isEqualTo(data);
                assertThat(i.read16(Targets.LUN_SIZE / 512, 1).good()).as("beyond the capacity").isFalse();

                List<ActiveSession> all = target.sessions();
                assertThat(all).hasSize(2);
                List<ActiveSession> ofTarget = target.target(Targets.IQN).sessions();
                assertThat(ofTarget).hasSize(1);
                assertThat(target.target(OTHER).sessions()).isEmpty();
                ActiveSession s = ofTarget.get(0);
                assertThat(s.info().initiatorName()).isEqualTo(TestInitiator.INITIATOR_NAME);
                assertThat(s.info().targetName()).isEqualTo(Targets.IQN);
                assertThat(s.info().discovery()).isFalse();
                assertThat(s.info().localAddress()).isEqualTo(target.localAddress());
                assertThat(s.initiatorAlias()).contains("backup host");
                assertThat(s.loginTime()).isBetween(before.minusMillis(1), after.plusMillis(1));
                assertThat(s.parameters())
                        .containsEntry("HeaderDigest", "CRC32C")
                        .containsEntry("DataDigest", "None")
                        .containsEntry("MaxBurstLength", Integer.toString(i.maxBurstLength()))
                        .containsEntry("MaxBurstLength", "131072")
                        .containsEntry("FirstBurstLength", Integer.toString(i.firstBurstLength()))
                        .containsEntry("ImmediateData", i.immediateData() ? "Yes" : "No")
                        .containsEntry("InitialR2T", i.initialR2T() ? "Yes" : "No")
                        .containsEntry("TargetMaxRecvDataSegmentLength",
                                Integer.toString(i.targetMaxRecvDataSegmentLength()))
                        .containsEntry("SessionType", "Normal")
                        .containsEntry("AuthMethod", "None");
                assertThat(s.luns()).containsExactly(0, 3);
                assertThat(s.isOpen()).isTrue();
                SessionStatistics stats = s.statistics();
                assertThat(stats).isEqualTo(new SessionStatistics(3, 8192, 8192, 1, 0));

                ActiveSession d = all.stream().filter(x -> x.info().discovery()).findFirst().orElseThrow();
                assertThat(d.info().initiatorName()).isEqualTo("iqn.2026-11.io.iscsi4j:discoverer");
                assertThat(d.luns()).isEmpty();
                assertThat(d.parameters()).containsEntry("SessionType", "Discovery");
            }
        }
    }

    @Test
    void closeAsksForALogoutAndTheSessionEndsWithIt() throws Exception {
        try (IscsiTarget target = Targets.start();
             TestInitiator i = Targets.login(target, Map.of())) {
            ActiveSession s = target.sessions().get(0);
            var closed = s.close(Duration.ofSeconds(10)).toCompletableFuture();
            RawPdu async = i.readPdu();
            assertThat(async.opcode()).isEqualTo(Bhs.ASYNC_MESSAGE);
            assertThat(async.u8(36)).as("AsyncEvent 1: logout requested").isEqualTo(1);
            i.acceptStatus(async);
            assertThat(i.logout()).isZero();
            closed.get(5, TimeUnit.SECONDS);
            assertThat(s.isOpen()).isFalse();
            assertThat(target.sessions()).isEmpty();
            IscsiStatistics stats = target.iscsiStatistics();
            assertThat(stats.logouts()).isEqualTo(1);
            assertThat(stats.connectionDrops()).isZero();
        }
    }

    @Test
    void closeDropsASessionThatDoesNotLogOutWithinTheGrace() throws Exception {
        try (IscsiTarget target = Targets.start();
             TestInitiator i = Targets.login(target, Map.of())) {
            ActiveSession s = target.sessions().get(0);
            long start = System.nanoTime();
            var closed = s.close(Duration.ofSeconds(1)).toCompletableFuture();
            assertThat(i.readPdu().opcode()).isEqualTo(Bhs.ASYNC_MESSAGE);
            assertThat(i.awaitClose(Duration.ofSeconds(5))).as("dropped after the grace").isTrue();
            closed.get(5, TimeUnit.SECONDS);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(950));
            assertThat(target.sessions()).isEmpty();
            assertThat(target.iscsiStatistics().connectionDrops()).isEqualTo(1);
            assertThat(target.target(Targets.IQN).iscsiStatistics().connectionDrops()).isEqualTo(1);
        }
    }

    @Test
    void closeWithoutGraceDropsAtOnce() throws Exception {
        try (IscsiTarget target = Targets.start();
             TestInitiator i = Targets.login(target, Map.of())) {
            ActiveSession s = target.sessions().get(0);
            assertThatThrownBy(() -> s.close(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);
            assertThat(s.isOpen()).isTrue();
            s.close(Duration.ZERO).toCompletableFuture().get(5, TimeUnit.SECONDS);
            assertThat(i.awaitClose(Duration.ofSeconds(5))).isTrue();
            assertThat(target.sessions()).isEmpty();
        }
    }

    @Test
    void loginsRefusalsAndProtocolErrorsAreCountedInAllPerPortalAndPerTarget() throws Exception {
        try (IscsiTarget target = IscsiTarget.builder()
                .portal("127.0.0.1", 0)
                .portal("127.0.0.1", 0)
                .target(Targets.IQN, t -> t.lun(0, Backstores.memory(Targets.LUN_SIZE)))
                .target(OTHER, t -> t.lun(0, Backstores.memory(1 << 20)).chap("user", "secret-of-12chars"))
                .maxRecvDataSegmentLength(65536)
                .build().start()) {
            InetSocketAddress a = target.boundAddresses().get(0);
            InetSocketAddress b = target.boundAddresses().get(1);

            // Portal A: one login, one data digest error (a Reject), one logout.
            Map<String, String> digests = Map.of("HeaderDigest", "CRC32C", "DataDigest", "CRC32C",
                    "InitialR2T", "No", "ImmediateData", "No");
            try (TestInitiator i = TestInitiator.connect(a)) {
                i.login(TestInitiator.INITIATOR_NAME, Targets.IQN, digests);
                i.readTimeout(Duration.ofSeconds(3));
                i.corruptDataDigestOfDataOut(0);
                assertThat(i.write16(0, Targets.pattern(8192, 1)).rejects()).hasSize(1);
                assertThat(i.logout()).isZero();
            }
            // Portal B: a login to a target that does not exist, one without CHAP to a target that needs it, a
            // header digest error (the connection is closed), and a connection that does not speak iSCSI.
            try (TestInitiator i = TestInitiator.connect(b)) {
                assertThatThrownBy(() -> i.login(TestInitiator.INITIATOR_NAME, "iqn.2026-11.io.iscsi4j:none",
                        Map.of())).isInstanceOfSatisfying(LoginFailure.class,
                        f -> assertThat(f.statusDetail()).isEqualTo(3));
            }
            try (TestInitiator i = TestInitiator.connect(b)) {
                assertThatThrownBy(() -> i.login(TestInitiator.INITIATOR_NAME, OTHER, Map.of()))
                        .isInstanceOfSatisfying(LoginFailure.class, f -> assertThat(f.statusDetail()).isEqualTo(1));
            }
            try (TestInitiator i = TestInitiator.connect(b)) {
                i.login(TestInitiator.INITIATOR_NAME, Targets.IQN, Map.of("HeaderDigest", "CRC32C"));
                i.sendWithBadHeaderDigest(Bhs.of(Bhs.NOP_OUT).immediate(true).flags(0x80)
                        .itt(i.nextTag()).i32(20, -1).i32(24, i.cmdSN()).i32(28, i.expStatSN()), new byte[0]);
                assertThat(i.awaitClose(Duration.ofSeconds(5))).isTrue();
            }
            try (TestInitiator i = TestInitiator.connect(b)) {
                i.sendRaw(("GET / HTTP/1.1\r\nHost: x\r\n\r\n" + " ".repeat(48)).getBytes());
                assertThat(i.awaitClose(Duration.ofSeconds(5))).isTrue();
            }

            IscsiStatistics onA = await(() -> target.iscsiStatistics(a), s -> s.logouts() == 1);
            assertThat(onA.loginsAccepted()).isEqualTo(1);
            assertThat(onA.loginsRefused()).isZero();
            assertThat(onA.dataDigestErrors()).isEqualTo(1);
            assertThat(onA.rejectsSent()).isEqualTo(1);
            assertThat(onA.headerDigestErrors()).isZero();
            assertThat(onA.connectionDrops()).isZero();

            IscsiStatistics onB = await(() -> target.iscsiStatistics(b),
                    s -> s.connectionDrops() == 1 && s.formatErrors() == 1);
            assertThat(onB.loginsAccepted()).isEqualTo(1);
            assertThat(onB.loginsRefused()).isEqualTo(2);
            assertThat(onB.loginsRefusedByStatus()).containsExactly(Map.entry(0x0201, 1L), Map.entry(0x0203, 1L));
            assertThat(onB.authenticationFailures()).isEqualTo(1);
            assertThat(onB.headerDigestErrors()).isEqualTo(1);
            assertThat(onB.dataDigestErrors()).isZero();
            assertThat(onB.logouts()).isZero();

            IscsiStatistics all = target.iscsiStatistics();
            assertThat(all.loginsAccepted()).isEqualTo(2);
            assertThat(all.loginsRefused()).isEqualTo(2);
            assertThat(all.headerDigestErrors() + all.dataDigestErrors() + all.formatErrors()).isEqualTo(3);
            assertThat(all.logouts() + all.connectionDrops()).isEqualTo(2);

            IscsiStatistics test = target.target(Targets.IQN).iscsiStatistics();
            assertThat(test.loginsAccepted()).isEqualTo(2);
            assertThat(test.loginsRefused()).isZero();
            assertThat(test.dataDigestErrors()).isEqualTo(1);
            assertThat(test.headerDigestErrors()).isEqualTo(1);
            assertThat(test.formatErrors()).as("the non-iSCSI peer named no target").isZero();
            IscsiStatistics other = target.target(OTHER).iscsiStatistics();
            assertThat(other.loginsRefused()).isEqualTo(1);
            assertThat(other.authenticationFailures()).isEqualTo(1);
            assertThat(other.loginsAccepted()).isZero();

            assertThatThrownBy(() -> target.iscsiStatistics(new InetSocketAddress("127.0.0.1", 1)))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void anUnansweredNopInPingIsCounted() throws Exception {
        try (IscsiTarget target = Targets.start(b -> b.nopInInterval(Duration.ofMillis(200))
                .nopInTimeout(Duration.ofMillis(300)));
             TestInitiator i = Targets.login(target, Map.of())) {
            assertThat(i.readPdu().opcode()).isEqualTo(Bhs.NOP_IN); // read, never answered
            assertThat(i.awaitClose(Duration.ofSeconds(5))).isTrue();
            IscsiStatistics s = await(target::iscsiStatistics, x -> x.connectionDrops() == 1);
            assertThat(s.nopInTimeouts()).isEqualTo(1);
            assertThat(target.target(Targets.IQN).iscsiStatistics().nopInTimeouts()).isEqualTo(1);
        }
    }

    /** Polls until the counters satisfy {@code done} (connection ends are counted on the event loop), 5 s at most. */
    private static IscsiStatistics await(java.util.function.Supplier<IscsiStatistics> read,
                                         java.util.function.Predicate<IscsiStatistics> done)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        IscsiStatistics s = read.get();
        while (!done.test(s) && System.nanoTime() < deadline) {
            Thread.sleep(20);
            s = read.get();
        }
        return s;
    }
}
