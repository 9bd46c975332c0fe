/**
 * Internal, not API (public types here serve other packages of this module and may change in any release): login
 * and text negotiation (RFC 7143 §6, §13): a pure, synchronous protocol engine working on plain Java
 * values. No PDU classes, no Netty, no threads, no clocks: the connection layer decodes a Login or Text Request
 * PDU into {@link io.iscsi4j.core.login.LoginRequestFields} or {@link io.iscsi4j.core.login.TextRequestFields},
 * hands it to a {@link io.iscsi4j.core.login.LoginStateMachine} or {@link io.iscsi4j.core.login.TextExchange}
 * (one per connection), and encodes what comes back.
 *
 * <ul>
 *   <li>{@link io.iscsi4j.core.login.TextParameters}: the {@code key=value\0} codec (§6.1).</li>
 *   <li>{@link io.iscsi4j.core.login.TextKey}: the one registry of text keys with their type, default, range,
 *       scope, use and result function (§12, §13, RFC 7144 §2.1).</li>
 *   <li>{@link io.iscsi4j.core.login.TargetNegotiationConfig}: what the target prefers and accepts.</li>
 *   <li>{@link io.iscsi4j.core.login.NegotiatedParameters}: the outcome of a login.</li>
 *   <li>{@link io.iscsi4j.core.login.LoginStateMachine}: the login phase of one connection (§6.3).</li>
 *   <li>{@link io.iscsi4j.core.login.TextExchange}: text requests in full feature phase, SendTargets
 *       (Appendix C).</li>
 * </ul>
 *
 * <h2>Login stage transitions</h2>
 * <pre>
 *  request CSG/T/NSG          target answer                      next stage
 *  0, T=0                     security keys, T=0                 0
 *  0, T=1, NSG=1              T=1 NSG=1 once authenticated       1
 *  0, T=1, NSG=3              T=1 NSG=3 once authenticated       3 (defaults for every operational key)
 *  1 (first request)          allowed only if AuthMethod=None is accepted (else 0x0201)
 *  1, T=0                     answers, T=0                       1
 *  1, T=1, NSG=3              answers, T=1 NSG=3                 3 (session admitted, TSIH assigned)
 *  anything else              status 0x0200 (initiator error)    connection closed
 * </pre>
 * A request with C=1 is buffered and answered with an empty response; a response too long for one PDU is sent
 * in parts with C=1, each part requested by an empty login request.
 */
package io.iscsi4j.core.login;
