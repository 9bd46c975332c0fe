/**
 * Internal, not API: the initiator's protocol engine. {@link io.iscsi4j.initiator.internal.LoginDriver} is the
 * login state machine (no socket), {@link io.iscsi4j.initiator.internal.OperationalKeys} the initiator's side of
 * text negotiation, {@link io.iscsi4j.initiator.internal.PduConnection} one TCP connection with the PDU codec,
 * {@link io.iscsi4j.initiator.internal.SessionEngine} the session (CmdSN window, task table, recovery) and
 * {@link io.iscsi4j.initiator.internal.CommandTask} one command's state machine.
 */
package io.iscsi4j.initiator.internal;
