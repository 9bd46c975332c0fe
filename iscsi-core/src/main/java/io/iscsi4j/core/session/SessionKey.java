package io.iscsi4j.core.session;

/**
 * What identifies a session for reinstatement (RFC 7143 §6.3.5): initiator name, ISID and target name. A new
 * leading login with the same key and TSIH 0 replaces the existing session.
 *
 * @param initiatorName the InitiatorName, lower case
 * @param isid the 48-bit ISID
 * @param targetName the TargetName, lower case; empty for discovery sessions
 */
record SessionKey(String initiatorName, long isid, String targetName) {
}
