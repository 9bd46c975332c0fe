package io.iscsi4j;

import io.iscsi4j.backstore.Backstores;
import io.iscsi4j.core.auth.Authenticator;
import io.iscsi4j.core.auth.ChapAlgorithm;
import io.iscsi4j.core.auth.ChapAuthenticator;
import io.iscsi4j.core.auth.ChapCredentials;
import io.iscsi4j.core.auth.ChapCredentialsLookup;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/** The builder's authentication settings: what they build, and what they refuse before anything starts. */
class AuthenticationConfigurationTest {

    private static final String IQN = "iqn.2026-11.io.iscsi4j:auth";
    private static final String SECRET = "alice-secret-0123";
    private static final String TARGET_SECRET = "target-secret-4567";

    private static IscsiTarget build(Consumer<TargetBuilder> auth) {
        return IscsiTarget.builder()
                .portal("127.0.0.1", 0)
                .target(IQN, t -> auth.accept(t.lun(0, Backstores.memory(1 << 20))))
                .build();
    }

    private static Authenticator authenticatorOf(IscsiTarget target) {
        return target.targets().get(0).authenticator();
    }

    @Test
    void noAuthenticationByDefault() {
        try (IscsiTarget target = build(t -> { })) {
            assertThat(authenticatorOf(target)).isSameAs(Authenticator.none());
        }
    }

    @Test
    void chapRequiresChapOnly() {
        try (IscsiTarget target = build(t -> t.chap("alice", SECRET))) {
            Authenticator authenticator = authenticatorOf(target);

            assertThat(authenticator.acceptedMethods("iqn.2000-01.com.example:i", Optional.of(IQN)))
                    .containsExactly("CHAP");
            assertThat(authenticator.allowsUnauthenticated("iqn.2000-01.com.example:i", Optional.of(IQN))).isFalse();
            assertThat(((ChapAuthenticator) authenticator).algorithms()).contains(ChapAlgorithm.MD5);
        }
    }

    @Test
    void chapAlgorithmsRestrictTheChoice() {
        try (IscsiTarget target = build(t -> t.chap("alice", SECRET).chapAlgorithms(ChapAlgorithm.SHA256))) {
            assertThat(((ChapAuthenticator) authenticatorOf(target)).algorithms()).containsExactly(ChapAlgorithm.SHA256);
        }
    }

    @Test
    void aCustomAuthenticatorIsUsedAsGiven() {
        Authenticator perInitiator = Authenticator.chap(ChapCredentialsLookup.perInitiator(
                Map.of("iqn.2000-01.com.example:i", ChapCredentials.of("i", SECRET))));

        try (IscsiTarget target = build(t -> t.authenticator(perInitiator))) {
            assertThat(authenticatorOf(target)).isSameAs(perInitiator);
        }
    }

    @Test
    void shortSecretsAreRefusedUnlessAllowed() {
        assertThatIllegalArgumentException().isThrownBy(() -> build(t -> t.chap("alice", "pw123")))
                .withMessageContaining("target " + IQN)
                .withMessageContaining("at least 12")
                .withMessageContaining("allowShortSecrets()")
                .withMessageNotContaining("pw123");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> build(t -> t.chap("alice", SECRET).mutualChap("disk", "pw456")))
                .withMessageContaining("target secret of disk")
                .withMessageNotContaining("pw456");

        try (IscsiTarget target = build(t -> t.mutualChap("disk", "pw456").chap("alice", "pw123").allowShortSecrets())) {
            assertThat(authenticatorOf(target)).isInstanceOf(ChapAuthenticator.class);
        }
    }

    @Test
    void contradictorySettingsAreNamed() {
        assertThatIllegalStateException().isThrownBy(() -> build(t -> t.mutualChap("disk", TARGET_SECRET)))
                .withMessageContaining("mutualChap(...) needs chap(user, secret)");
        assertThatIllegalStateException().isThrownBy(() -> build(t -> t.chapAlgorithms(ChapAlgorithm.MD5)))
                .withMessageContaining("chapAlgorithms(...) needs chap(user, secret)");
        assertThatIllegalStateException()
                .isThrownBy(() -> build(t -> t.chap("alice", SECRET).authenticator(Authenticator.none())))
                .withMessageContaining("authenticator(...) replaces chap(...)");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> build(t -> t.chap("alice", SECRET).mutualChap("disk", SECRET)))
                .withMessageContaining("RFC 7143")
                .withMessageNotContaining(SECRET);
    }

    @Test
    void theConfigurationNeverPrintsSecrets() {
        try (IscsiTarget target = build(t -> t.chap("alice", SECRET).mutualChap("disk", TARGET_SECRET))) {
            String printed = target.targets().toString();

            assertThat(printed).contains("alice", "disk").doesNotContain(SECRET, TARGET_SECRET);
        }
    }

    @Test
    void discoverySettingsLeaveTheTargetsAlone() {
        IscsiTarget.Builder builder = IscsiTarget.builder()
                .portal("127.0.0.1", 0)
                .target(IQN, t -> t.lun(0, Backstores.memory(1 << 20)))
                .discoveryChap("discoverer", SECRET)
                .discoveryMutualChap("portal", TARGET_SECRET)
                .discoveryChapAlgorithms(ChapAlgorithm.MD5, ChapAlgorithm.SHA256);

        try (IscsiTarget target = builder.build()) {
            assertThat(authenticatorOf(target)).isSameAs(Authenticator.none());
        }
    }

    @Test
    void discoveryMistakesAreReportedByBuild() {
        assertThatIllegalStateException().isThrownBy(() -> IscsiTarget.builder()
                        .portal("127.0.0.1", 0)
                        .target(IQN, t -> t.lun(0, Backstores.memory(1 << 20)))
                        .discoveryChap("discoverer", "short")
                        .build())
                .withMessageContaining("discovery: the CHAP secret of user discoverer has 5 characters")
                .withMessageContaining("allowShortDiscoverySecrets()")
                .withMessageNotContaining("short\"");
        assertThatIllegalStateException().isThrownBy(() -> IscsiTarget.builder()
                        .portal("127.0.0.1", 0)
                        .target(IQN, t -> t.lun(0, Backstores.memory(1 << 20)))
                        .discoveryMutualChap("portal", TARGET_SECRET)
                        .build())
                .withMessageContaining("discoveryMutualChap(...) needs discoveryChap(user, secret)");

        IscsiTarget.builder()
                .portal("127.0.0.1", 0)
                .target(IQN, t -> t.lun(0, Backstores.memory(1 << 20)))
                .discoveryChap("discoverer", "short")
                .allowShortDiscoverySecrets()
                .build()
                .close();
    }
}
