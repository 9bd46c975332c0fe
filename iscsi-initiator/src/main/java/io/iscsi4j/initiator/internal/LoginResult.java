package io.iscsi4j.initiator.internal;

import io.iscsi4j.initiator.SessionParameters;

/**
 * A completed login: the connection in full feature phase and the sequence numbers to continue with.
 *
 * @param connection the connection, its listener still the login's
 * @param parameters what was negotiated
 * @param cmdSN the CmdSN of the next non-immediate command
 * @param expStatSN the next expected StatSN
 * @param expCmdSN the target's ExpCmdSN
 * @param maxCmdSN the target's MaxCmdSN
 */
public record LoginResult(PduConnection connection, SessionParameters parameters, int cmdSN, int expStatSN,
                          int expCmdSN, int maxCmdSN) {
}
