package io.iscsi4j.core.login;

import io.iscsi4j.core.auth.Authenticator;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/** A login context for tests: one target by default, open access, no authentication, records admissions. */
final class FakeLoginContext implements LoginContext {

    final Map<String, TargetDescription> targets = new HashMap<>();
    final Set<String> refusedInitiators = new HashSet<>();
    final List<SessionRequest> admissions = new ArrayList<>();
    Authenticator authenticator = Authenticator.none();
    TargetNegotiationConfig config = TargetNegotiationConfig.defaults();
    int portalGroupTag = 1;
    Function<SessionRequest, SessionAdmission> admission = request -> SessionAdmission.admitted(0x1234);
    Optional<String> authenticatorAskedFor;

    FakeLoginContext() {
        targets.put(LoginRequests.TARGET, TargetDescription.of(LoginRequests.TARGET));
    }

    @Override
    public Optional<TargetDescription> findTarget(String targetName) {
        return Optional.ofNullable(targets.get(targetName));
    }

    @Override
    public boolean mayAccess(String initiatorName, String targetName) {
        return !refusedInitiators.contains(initiatorName);
    }

    @Override
    public Authenticator authenticator(Optional<String> targetName) {
        authenticatorAskedFor = targetName;
        return authenticator;
    }

    @Override
    public TargetNegotiationConfig negotiationConfig(Optional<String> targetName) {
        return config;
    }

    @Override
    public int targetPortalGroupTag() {
        return portalGroupTag;
    }

    @Override
    public SessionAdmission admitSession(SessionRequest request) {
        admissions.add(request);
        return admission.apply(request);
    }
}
