package io.iscsi4j.testing.initiator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.iscsi4j.initiator.BlockDevice;
import io.iscsi4j.initiator.ChapAlgorithm;
import io.iscsi4j.initiator.DiscoveredTarget;
import io.iscsi4j.initiator.IscsiInitiator;
import io.iscsi4j.initiator.IscsiSession;
import io.iscsi4j.initiator.LoginException;
import io.iscsi4j.initiator.LoginOptions;
import io.iscsi4j.initiator.SessionParameters;
import io.iscsi4j.testing.InProcessTarget;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Login, authentication, digests and discovery of the iscsi4j initiator against the in-process iscsi4j target. */
@Timeout(60)
class InitiatorLoginTest {

    private static final LoginOptions FAST = LoginOptions.builder().loginTimeout(Duration.ofSeconds(10))
            .commandTimeout(Duration.ofSeconds(20)).build();

    static <T> T join(java.util.concurrent.CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    static void roundTrip(BlockDevice disk, InProcessTarget target) throws Exception {
        byte[] data = new byte[disk.blockSize() * 3];
        ThreadLocalRandom.current().nextBytes(data);
        disk.writeBlocking(5, ByteBuffer.wrap(data));
        assertThat(target.backstore(disk.lun()).readBlocks(5, 3)).isEqualTo(data);
        ByteBuffer back = ByteBuffer.allocate(data.length);
        disk.readBlocking(5, back);
        assertThat(back.array()).isEqualTo(data);
    }

    @Test
    void logsInWithoutAuthenticationAndNegotiatesTheTargetsParameters() throws Exception {
        try (InProcessTarget target = InProcessTarget.builder()
                .configure(b -> b.maxBurstLength(128 * 1024).firstBurstLength(16 * 1024).initialR2T(true))
                .start();
             IscsiSession session = target.connect(FAST)) {
            SessionParameters p = session.parameters();
            assertThat(p.targetName()).isEqualTo(target.iqn());
            assertThat(p.tsih()).isNotZero();
            assertThat(p.headerDigest()).isFalse();
            assertThat(p.maxBurstLength()).isEqualTo(128 * 1024);
            assertThat(p.firstBurstLength()).isEqualTo(16 * 1024);
            assertThat(p.initialR2T()).isTrue();
            assertThat(p.errorRecoveryLevel()).isZero();
            roundTrip(session.lun(0), target);
        }
    }

    @ParameterizedTest
    @EnumSource(ChapAlgorithm.class)
    void oneWayChapWithEachAlgorithm(ChapAlgorithm algorithm) throws Exception {
        try (InProcessTarget target = InProcessTarget.builder().chap("alice", "alice-secret").start();
             IscsiSession session = target.connect(FAST.toBuilder().chap("alice", "alice-secret")
                     .chapAlgorithms(algorithm).build())) {
            roundTrip(session.lun(0), target);
        }
    }

    @ParameterizedTest
    @EnumSource(ChapAlgorithm.class)
    void mutualChapWithEachAlgorithm(ChapAlgorithm algorithm) throws Exception {
        try (InProcessTarget target = InProcessTarget.builder().chap("alice", "alice-secret")
                .mutualChap("target", "target-secret").start();
             IscsiSession session = target.connect(FAST.toBuilder().chap("alice", "alice-secret")
                     .mutualChap("target", "target-secret").chapAlgorithms(algorithm).build())) {
            roundTrip(session.lun(0), target);
        }
    }

    @Test
    void theClientUsesTheTargetsCredentials() throws Exception {
        try (InProcessTarget target = InProcessTarget.builder().chap("alice", "alice-secret")
                .mutualChap("target", "target-secret").start()) {
            assertThat(target.client()).isSameAs(target.client());
            roundTrip(target.clientLun(0), target);
        }
    }

    @Test
    void aWrongSecretIsAClearLoginFailure() throws Exception {
        try (InProcessTarget target = InProcessTarget.builder().chap("alice", "alice-secret").start()) {
            assertThatThrownBy(() -> target.connect(FAST.toBuilder().chap("alice", "wrong-secret").build()))
                    .isInstanceOfSatisfying(LoginException.class, e -> {
                        assertThat(e.isAuthenticationFailure()).isTrue();
                        assertThat(e).hasMessageContaining("0201 authentication failure")
                                .hasMessageNotContaining("wrong-secret");
                    });
        }
    }

    @Test
    void aTargetThatDoesNotKnowTheMutualSecretFailsTheLogin() throws Exception {
        try (InProcessTarget target = InProcessTarget.builder().chap("alice", "alice-secret")
                .mutualChap("target", "target-secret").start()) {
            assertThatThrownBy(() -> target.connect(FAST.toBuilder().chap("alice", "alice-secret")
                    .mutualChap("target", "another-secret").build()))
                    .isInstanceOf(LoginException.class).hasMessageContaining("mutual CHAP");
        }
    }

    @Test
    void noCredentialsForATargetThatRequiresChap() throws Exception {
        try (InProcessTarget target = InProcessTarget.builder().chap("alice", "alice-secret").start();
             IscsiInitiator initiator = IscsiInitiator.builder().build()) {
            assertThatThrownBy(() -> join(initiator.login(target.portal(), target.iqn(), FAST)))
                    .hasCauseInstanceOf(LoginException.class);
        }
    }

    @Test
    void anUnknownTargetIsRefused() throws Exception {
        try (InProcessTarget target = InProcessTarget.builder().start();
             IscsiInitiator initiator = IscsiInitiator.builder().build()) {
            assertThatThrownBy(() -> join(initiator.login(target.portal(), "iqn.2026-12.io.iscsi4j:nothing", FAST)))
                    .cause().isInstanceOfSatisfying(LoginException.class, e ->
                            assertThat(e.statusDetail()).isEqualTo(3));
        }
    }

    @Test
    void headerAndDataDigests() throws Exception {
        try (InProcessTarget target = InProcessTarget.builder().start();
             IscsiSession session = target.connect(FAST.toBuilder().headerDigest(true).dataDigest(true).build())) {
            assertThat(session.parameters().headerDigest()).isTrue();
            assertThat(session.parameters().dataDigest()).isTrue();
            BlockDevice disk = session.lun(0);
            roundTrip(disk, target);
            byte[] big = new byte[3 << 20];
            ThreadLocalRandom.current().nextBytes(big);
            disk.writeBlocking(1001, ByteBuffer.wrap(big));
            ByteBuffer back = ByteBuffer.allocate(big.length);
            disk.readBlocking(1001, back);
            assertThat(back.array()).isEqualTo(big);
        }
    }

    @Test
    void discoveryWithoutAuthentication() throws Exception {
        try (InProcessTarget target = InProcessTarget.builder().start();
             IscsiInitiator initiator = IscsiInitiator.builder().build()) {
            List<DiscoveredTarget> targets = join(initiator.discover(target.portal(), FAST));
            assertThat(targets).extracting(DiscoveredTarget::name).containsExactly(target.iqn());
            assertThat(targets.get(0).addresses()).anySatisfy(a -> assertThat(a).contains(":" + target.port()));
        }
    }

    @Test
    void discoveryWithDiscoveryChap() throws Exception {
        try (InProcessTarget target = InProcessTarget.builder()
                .configure(b -> b.allowShortDiscoverySecrets().discoveryChap("disco", "disco-secret")).start();
             IscsiInitiator initiator = IscsiInitiator.builder().build()) {
            assertThatThrownBy(() -> join(initiator.discover(target.portal(), FAST)))
                    .hasCauseInstanceOf(LoginException.class);
            assertThatThrownBy(() -> join(initiator.discover(target.portal(),
                    FAST.toBuilder().chap("disco", "wrong-secret").build())))
                    .cause().isInstanceOfSatisfying(LoginException.class,
                            e -> assertThat(e.isAuthenticationFailure()).isTrue());
            List<DiscoveredTarget> targets = join(initiator.discover(target.portal(),
                    FAST.toBuilder().chap("disco", "disco-secret").chapAlgorithms(ChapAlgorithm.SHA3_256).build()));
            assertThat(targets).extracting(DiscoveredTarget::name).containsExactly(target.iqn());
        }
    }

    @Test
    void aSharedEventLoopGroupIsNotShutDownByTheInitiator() throws Exception {
        io.netty.channel.nio.NioEventLoopGroup group = new io.netty.channel.nio.NioEventLoopGroup(1);
        try (InProcessTarget target = InProcessTarget.builder().start()) {
            try (IscsiInitiator initiator = IscsiInitiator.builder().eventLoopGroup(group).build()) {
                IscsiSession session = join(initiator.login(target.portal(), target.iqn(), FAST));
                roundTrip(session.lun(0), target);
            }
            assertThat(group.isShuttingDown()).isFalse();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    void aClosedInitiatorRefusesNewWork() throws Exception {
        IscsiInitiator initiator = IscsiInitiator.builder().name("iqn.2026-12.io.iscsi4j:closed").build();
        assertThat(initiator.name()).isEqualTo("iqn.2026-12.io.iscsi4j:closed");
        initiator.close();
        initiator.close();
        try (InProcessTarget target = InProcessTarget.builder().start()) {
            assertThatThrownBy(() -> join(initiator.login(target.portal(), target.iqn(), FAST)))
                    .hasMessageContaining("closed");
        } catch (CompletionException e) {
            throw e;
        }
    }
}
