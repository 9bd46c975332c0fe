package io.iscsi4j.scsi;

/**
 * Optional commands a logical unit can be configured without ({@link LogicalUnit.Builder#disable}), as LIO's
 * {@code emulate_caw}, {@code emulate_3pc}, {@code emulate_tpu} and {@code emulate_tpws} attributes do: a disabled
 * feature's commands are answered ILLEGAL REQUEST / INVALID COMMAND OPERATION CODE, REPORT SUPPORTED OPERATION CODES
 * does not list them, and INQUIRY and the VPD pages stop advertising them.
 *
 * @since 0.2
 */
public enum LunFeature {

    /** COMPARE AND WRITE (VPD B0h MAXIMUM COMPARE AND WRITE LENGTH 0). */
    COMPARE_AND_WRITE,
    /**
     * EXTENDED COPY and RECEIVE COPY RESULTS (no 3PC bit in the standard INQUIRY data, no third-party copy VPD page).
     */
    EXTENDED_COPY,
    /**
     * UNMAP, WRITE SAME with UNMAP and SANITIZE BLOCK ERASE: the logical unit is reported fully provisioned even when
     * its backstore can deallocate.
     */
    UNMAP,
    /** WRITE SAME (10) and (16) (VPD B0h MAXIMUM WRITE SAME LENGTH 0, no LBPWS bits in VPD B2h). */
    WRITE_SAME
}
