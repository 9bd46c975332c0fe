/**
 * The authentication SPI used in the login security stage (RFC 7143 §6.3.1, §12).
 *
 * <p>An {@link io.iscsi4j.core.auth.Authenticator} says which authentication methods (the values of the
 * {@code AuthMethod} key) it accepts for an initiator and target, and starts one
 * {@link io.iscsi4j.core.auth.AuthenticationExchange} per login for the method the target selected. The
 * exchange sees the method-specific keys of every security-stage login request (for CHAP: {@code CHAP_A},
 * {@code CHAP_N}, {@code CHAP_R}, {@code CHAP_I}, {@code CHAP_C}) and answers each step with an
 * {@link io.iscsi4j.core.auth.AuthenticationStep}: keep going with some response keys, succeeded, or failed.
 *
 * <p>Stock authenticators: {@link io.iscsi4j.core.auth.Authenticator#none()} and
 * {@link io.iscsi4j.core.auth.ChapAuthenticator} (one-way and mutual CHAP, RFC 7143 §12.1.3), which asks a
 * {@link io.iscsi4j.core.auth.ChapCredentialsLookup} for each initiator's
 * {@link io.iscsi4j.core.auth.ChapCredentials}: none, one set for everyone, per initiator name, or your own lambda.
 *
 * <p>API: applications pass an {@code Authenticator} to the target builder, and may implement their own.
 *
 * <p>Nothing here knows PDUs, sockets or threads: the login state machine in
 * {@code io.iscsi4j.core.login} drives the exchange synchronously.
 */
package io.iscsi4j.core.auth;
