package io.iscsi4j.scsi;

/**
 * An I_T nexus: the pair of initiator port and target port a command arrived through (SAM-5). For iSCSI the
 * initiator port name is {@code <initiator name>,i,0x<ISID>} and the target port name
 * {@code <target name>,t,0x<portal group tag>}.
 *
 * @param initiatorPortName the SCSI initiator port name
 * @param targetPortName the SCSI target port name
 * @param relativeTargetPortId the relative target port identifier (1-based), reported in VPD page 83h
 * @param targetPortGroup the target port group (the iSCSI target portal group tag)
 * @since 0.1
 */
public record ItNexus(String initiatorPortName, String targetPortName, int relativeTargetPortId,
                      int targetPortGroup) {
}
