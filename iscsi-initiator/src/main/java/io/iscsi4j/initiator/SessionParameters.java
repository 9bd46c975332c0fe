package io.iscsi4j.initiator;

/**
 * What a login negotiated (RFC 7143 §13), as the session uses it.
 *
 * @param targetName the target's name ({@code null} for a discovery session)
 * @param isid the Initiator Session ID (48 bits)
 * @param tsih the Target Session Identifying Handle the target assigned
 * @param targetPortalGroupTag the portal group tag the target declared, -1 if it declared none
 * @param headerDigest whether PDU headers carry CRC32C digests
 * @param dataDigest whether data segments carry CRC32C digests
 * @param initialR2T InitialR2T: whether unsolicited Data-Out is forbidden
 * @param immediateData ImmediateData: whether data may follow the command in its PDU
 * @param maxBurstLength MaxBurstLength in bytes
 * @param firstBurstLength FirstBurstLength in bytes (unsolicited data per command)
 * @param maxOutstandingR2T MaxOutstandingR2T
 * @param maxRecvDataSegmentLength the data segment limit this initiator declared
 * @param targetMaxRecvDataSegmentLength the data segment limit the target declared (for Data-Out)
 * @param dataPduInOrder DataPDUInOrder
 * @param dataSequenceInOrder DataSequenceInOrder
 * @param errorRecoveryLevel ErrorRecoveryLevel
 * @param defaultTime2Wait DefaultTime2Wait in seconds
 * @param defaultTime2Retain DefaultTime2Retain in seconds
 * @since 0.1
 */
public record SessionParameters(String targetName, long isid, int tsih, int targetPortalGroupTag,
                                boolean headerDigest, boolean dataDigest, boolean initialR2T, boolean immediateData,
                                int maxBurstLength, int firstBurstLength, int maxOutstandingR2T,
                                int maxRecvDataSegmentLength, int targetMaxRecvDataSegmentLength,
                                boolean dataPduInOrder, boolean dataSequenceInOrder, int errorRecoveryLevel,
                                int defaultTime2Wait, int defaultTime2Retain) {
}
