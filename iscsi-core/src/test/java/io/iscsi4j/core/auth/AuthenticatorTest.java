package io.iscsi4j.core.auth;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AuthenticatorTest {

    private static final String INITIATOR = "iqn.1993-08.org.debian:01:abc";

    @Test
    void noneAcceptsOnlyNoAuthentication() {
        Authenticator none = Authenticator.none();

        assertThat(none.acceptedMethods(INITIATOR, Optional.of("iqn.t"))).containsExactly(Authenticator.NONE);
        assertThat(none.allowsUnauthenticated(INITIATOR, Optional.empty())).isTrue();
        assertThat(Authenticator.none()).isSameAs(none);
    }

    @Test
    void noneHasNoExchange() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> Authenticator.none().begin(Authenticator.CHAP, INITIATOR, Optional.empty()));
    }

    @Test
    void anAuthenticatorWithoutNoneRequiresAuthentication() {
        Authenticator chapOnly = new Authenticator() {
            @Override
            public Set<String> acceptedMethods(String initiatorName, Optional<String> targetName) {
                return Set.of(CHAP);
            }

            @Override
            public AuthenticationExchange begin(String method, String initiatorName, Optional<String> targetName) {
                return keys -> AuthenticationStep.failed(AuthenticationFailure.AUTHENTICATION_FAILED, "test");
            }
        };

        assertThat(chapOnly.allowsUnauthenticated(INITIATOR, Optional.empty())).isFalse();
    }

    @Test
    void stepsKeepTheKeyOrderAndCannotBeChanged() {
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put("CHAP_A", "5");
        keys.put("CHAP_I", "7");
        keys.put("CHAP_C", "0x00");

        AuthenticationStep step = AuthenticationStep.inProgress(keys);
        keys.put("CHAP_X", "late");

        Map<String, String> responseKeys = ((AuthenticationStep.InProgress) step).responseKeys();
        assertThat(responseKeys.keySet()).containsExactly("CHAP_A", "CHAP_I", "CHAP_C");
        assertThatThrownBy(() -> responseKeys.put("A", "B")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void succeededStepMayCarryNoKeys() {
        assertThat(((AuthenticationStep.Succeeded) AuthenticationStep.succeeded(Map.of())).responseKeys()).isEmpty();
    }

    @Test
    void failedStepNeedsAReason() {
        assertThatNullPointerException().isThrownBy(() -> AuthenticationStep.failed(null, "x"));
        assertThat(AuthenticationStep.failed(AuthenticationFailure.MISSING_PARAMETER, "no CHAP_A"))
                .isEqualTo(new AuthenticationStep.Failed(AuthenticationFailure.MISSING_PARAMETER, "no CHAP_A"));
    }
}
