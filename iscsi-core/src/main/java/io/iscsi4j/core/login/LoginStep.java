package io.iscsi4j.core.login;

import java.util.Objects;
import java.util.Optional;

/**
 * The answer of a {@link LoginStateMachine} to one Login Request.
 *
 * @param response the Login Response to send
 * @param outcome what to do after sending it
 * @param parameters the negotiated parameters, present exactly when the outcome is {@link LoginOutcome#COMPLETE}
 * @param failureReason why the login failed, for logs (never sent); present exactly when the outcome is
 *     {@link LoginOutcome#FAILED}
 * @since 0.1.0
 */
public record LoginStep(LoginResponseFields response, LoginOutcome outcome, Optional<NegotiatedParameters> parameters,
        Optional<String> failureReason) {

    /**
     * Checks the components agree with the outcome.
     *
     * @param response the Login Response to send
     * @param outcome what to do after sending it
     * @param parameters the negotiated parameters when complete
     * @param failureReason why the login failed
     */
    public LoginStep {
        Objects.requireNonNull(response, "response");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(parameters, "parameters");
        Objects.requireNonNull(failureReason, "failureReason");
        if (parameters.isPresent() != (outcome == LoginOutcome.COMPLETE)) {
            throw new IllegalArgumentException("parameters must be present exactly when the login is complete");
        }
        if (failureReason.isPresent() != (outcome == LoginOutcome.FAILED)) {
            throw new IllegalArgumentException("a failure reason must be present exactly when the login failed");
        }
    }
}
