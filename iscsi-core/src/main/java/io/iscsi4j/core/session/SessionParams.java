package io.iscsi4j.core.session;

/**
 * The operational parameters a session runs with, as negotiated at login (RFC 7143 §13).
 *
 * @param maxBurstLength MaxBurstLength: largest Data-In sequence or solicited Data-Out burst
 * @param firstBurstLength FirstBurstLength: most unsolicited data per command
 * @param initialR2T InitialR2T: whether unsolicited Data-Out is forbidden
 * @param immediateData ImmediateData: whether the command PDU may carry data
 * @param maxOutstandingR2T MaxOutstandingR2T per command
 * @param maxSendDataSegmentLength the initiator's MaxRecvDataSegmentLength: most data the target sends per PDU
 * @param commandWindow the number of commands the initiator may have outstanding
 * @param defaultTime2Wait DefaultTime2Wait, seconds
 * @param defaultTime2Retain DefaultTime2Retain, seconds
 */
record SessionParams(int maxBurstLength, int firstBurstLength, boolean initialR2T, boolean immediateData,
                     int maxOutstandingR2T, int maxSendDataSegmentLength, int commandWindow,
                     int defaultTime2Wait, int defaultTime2Retain) {
}
