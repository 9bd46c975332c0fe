package io.iscsi4j.core.login;

import java.util.Objects;

/**
 * The fields of a Login Request PDU (RFC 7143 §11.12) that the login state machine reads.
 *
 * @param transit the T bit: the initiator wants to move to stage {@code nsg}
 * @param continueFlag the C bit: the text continues in the next login request
 * @param csg the current stage field: 0 security, 1 operational
 * @param nsg the next stage field, meaningful when {@code transit}: 1 operational, 3 full feature phase
 * @param versionMax the highest protocol version the initiator supports
 * @param versionMin the lowest protocol version the initiator supports
 * @param isid the initiator session identifier, the low 48 bits
 * @param tsih the target session identifying handle: 0 for a new session, else the session to add a
 *     connection to (16 bits)
 * @param initiatorTaskTag the initiator task tag
 * @param cid the connection ID (16 bits)
 * @param cmdSN the CmdSN
 * @param expStatSN the ExpStatSN
 * @param text the data segment without padding: {@code key=value} pairs, possibly a part of them when
 *     {@code continueFlag}; the machine copies what it keeps, so the caller may reuse the array afterwards
 * @since 0.1.0
 */
public record LoginRequestFields(boolean transit, boolean continueFlag, int csg, int nsg, int versionMax,
        int versionMin, long isid, int tsih, int initiatorTaskTag, int cid, int cmdSN, int expStatSN,
        byte[] text) {

    /**
     * Checks the text is present.
     *
     * @param transit the T bit
     * @param continueFlag the C bit
     * @param csg the current stage field
     * @param nsg the next stage field
     * @param versionMax the highest protocol version the initiator supports
     * @param versionMin the lowest protocol version the initiator supports
     * @param isid the initiator session identifier
     * @param tsih the target session identifying handle
     * @param initiatorTaskTag the initiator task tag
     * @param cid the connection ID
     * @param cmdSN the CmdSN
     * @param expStatSN the ExpStatSN
     * @param text the data segment without padding
     */
    public LoginRequestFields {
        Objects.requireNonNull(text, "text");
    }
}
