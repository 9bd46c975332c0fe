package io.iscsi4j.core.auth;

import java.util.Optional;
import java.util.Set;

/** The authenticator behind {@link Authenticator#none()}: accepts {@code AuthMethod=None} only. */
final class NoAuthentication implements Authenticator {

    static final NoAuthentication INSTANCE = new NoAuthentication();

    private NoAuthentication() {
    }

    @Override
    public Set<String> acceptedMethods(String initiatorName, Optional<String> targetName) {
        return Set.of(NONE);
    }

    @Override
    public AuthenticationExchange begin(String method, String initiatorName, Optional<String> targetName) {
        throw new IllegalArgumentException("no authentication exchange exists for AuthMethod=" + method);
    }

    @Override
    public String toString() {
        return "Authenticator.none()";
    }
}
