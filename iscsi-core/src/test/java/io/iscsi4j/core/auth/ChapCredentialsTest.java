package io.iscsi4j.core.auth;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

class ChapCredentialsTest {

    @Test
    void oneWayCredentialsHaveNoTargetUser() {
        ChapCredentials credentials = ChapCredentials.of("alice", "twelve-chars");

        assertThat(credentials.user()).isEqualTo("alice");
        assertThat(credentials.isMutual()).isFalse();
        assertThat(credentials.targetUser()).isEmpty();
        assertThat(credentials.secret()).isEqualTo("twelve-chars".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void mutualCredentialsCarryTheTargetUser() {
        ChapCredentials credentials = ChapCredentials.of("alice", "alice-secret-1").withMutual("disk", "disk-secret-12");

        assertThat(credentials.isMutual()).isTrue();
        assertThat(credentials.targetUser()).hasValue("disk");
        assertThat(credentials.targetSecret()).isEqualTo("disk-secret-12".getBytes(StandardCharsets.UTF_8));
    }

    @ParameterizedTest
    @ValueSource(strings = {"Q7", "zq9xw", "elevenchars"})
    void shortSecretsAreRejectedWithAClearMessage(String secret) {
        assertThatIllegalArgumentException().isThrownBy(() -> ChapCredentials.of("alice", secret))
                .withMessageContaining("user alice")
                .withMessageContaining("has " + secret.length() + " characters")
                .withMessageContaining("at least 12")
                .withMessageContaining("allow short secrets")
                .withMessageNotContaining(secret);
    }

    @Test
    void shortTargetSecretsAreRejectedToo() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> ChapCredentials.of("alice", "alice-secret-1").withMutual("disk", "tiny"))
                .withMessageContaining("target secret of disk")
                .withMessageNotContaining("tiny");
    }

    @Test
    void shortSecretsMayBeAllowedExplicitly() {
        ChapCredentials credentials = ChapCredentials.builder("alice", "pw").allowShortSecrets()
                .mutual("disk", "pw2").build();

        assertThat(credentials.isMutual()).isTrue();
        assertThat(credentials.withMutual("other", "pw3").targetUser()).hasValue("other");
    }

    @Test
    void secretsAreCountedInCharactersNotBytes() {
        assertThat(ChapCredentials.of("alice", "ééééééééééé1").user()).isEqualTo("alice");
        assertThatIllegalArgumentException().isThrownBy(() -> ChapCredentials.of("alice", "éééééééééé1"));
    }

    @Test
    void theSameSecretInBothDirectionsIsRejected() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> ChapCredentials.of("alice", "same-secret-123").withMutual("disk", "same-secret-123"))
                .withMessageContaining("RFC 7143")
                .withMessageNotContaining("same-secret-123");
    }

    @Test
    void emptyAndOverlongValuesAreRejected() {
        assertThatIllegalArgumentException().isThrownBy(() -> ChapCredentials.of("", "twelve-chars"));
        assertThatIllegalArgumentException().isThrownBy(() -> ChapCredentials.of("alice", ""));
        assertThatIllegalArgumentException().isThrownBy(() -> ChapCredentials.of("a".repeat(256), "twelve-chars"));
        assertThatIllegalArgumentException().isThrownBy(() -> ChapCredentials.of("alice", "s".repeat(256)))
                .withMessageNotContaining("sss");
        assertThatIllegalArgumentException().isThrownBy(() -> ChapCredentials.of("al\nice", "twelve-chars"));
        assertThatIllegalArgumentException().isThrownBy(() -> ChapCredentials.of("alice", "twelve\0chars"));
        assertThatNullPointerException().isThrownBy(() -> ChapCredentials.of(null, "twelve-chars"));
        assertThatNullPointerException().isThrownBy(() -> ChapCredentials.of("alice", null));
    }

    @Test
    void longestValuesAreAccepted() {
        assertThat(ChapCredentials.of("a".repeat(255), "s".repeat(255)).user()).hasSize(255);
    }

    @Test
    void toStringShowsUsersOnly() {
        ChapCredentials credentials = ChapCredentials.of("alice", "alice-secret-1").withMutual("disk", "disk-secret-12");

        assertThat(credentials).hasToString("ChapCredentials[user=alice, targetUser=disk]");
    }
}
