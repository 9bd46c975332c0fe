package io.iscsi4j.core.login;

import java.util.Objects;

/**
 * The fields of a Login Response PDU (RFC 7143 §11.13) that the login state machine decides. The connection
 * layer adds the rest: the initiator task tag of the request, StatSN, ExpCmdSN and MaxCmdSN.
 *
 * @param transit the T bit: the target agrees to move to stage {@code nsg}
 * @param continueFlag the C bit: the response text continues; the initiator answers with an empty login
 *     request to get the next part
 * @param csg the current stage field
 * @param nsg the next stage field: the new stage when {@code transit}, else 0 (reserved)
 * @param versionMax the highest protocol version the target supports: 0
 * @param versionActive the protocol version in use: 0
 * @param isid the initiator session identifier of the request
 * @param tsih the target session identifying handle: the new session's handle in the response that enters
 *     full feature phase of a leading login, else the request's value
 * @param statusClass the Status-Class byte (RFC 7143 §11.13.5)
 * @param statusDetail the Status-Detail byte
 * @param text the data segment: {@code key=value} pairs or a part of them; owned by the caller
 * @since 0.1.0
 */
public record LoginResponseFields(boolean transit, boolean continueFlag, int csg, int nsg, int versionMax,
        int versionActive, long isid, int tsih, int statusClass, int statusDetail, byte[] text) {

    /**
     * Checks the text is present.
     *
     * @param transit the T bit
     * @param continueFlag the C bit
     * @param csg the current stage field
     * @param nsg the next stage field
     * @param versionMax the highest protocol version the target supports
     * @param versionActive the protocol version in use
     * @param isid the initiator session identifier
     * @param tsih the target session identifying handle
     * @param statusClass the Status-Class byte
     * @param statusDetail the Status-Detail byte
     * @param text the data segment
     */
    public LoginResponseFields {
        Objects.requireNonNull(text, "text");
    }

    /**
     * The status as an enum.
     *
     * @return the status of {@link #statusClass()} and {@link #statusDetail()}
     * @throws IllegalStateException for an unassigned combination, which this library never produces
     */
    public LoginStatus status() {
        return LoginStatus.fromCodes(statusClass, statusDetail).orElseThrow(() -> new IllegalStateException(
                String.format("unassigned login status 0x%02X%02X", statusClass, statusDetail)));
    }
}
