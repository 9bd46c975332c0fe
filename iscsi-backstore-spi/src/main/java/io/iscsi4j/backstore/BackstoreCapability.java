package io.iscsi4j.backstore;

/**
 * Optional behaviour a {@link Backstore} may have, reported by {@link Backstore#capabilities()}. The target advertises
 * a SCSI feature (in VPD pages, READ CAPACITY (16), REPORT SUPPORTED OPERATION CODES) only when the backstore reports
 * the matching capability, so a backstore that reports none still serves every mandatory command.
 *
 * <p>Operations that any backstore can perform through its plain reads and writes (WRITE SAME, COMPARE AND WRITE,
 * GET LBA STATUS) have working default methods on {@link Backstore} and need no capability; overriding them is an
 * optimisation.
 *
 * @since 0.1
 */
public enum BackstoreCapability {
    /**
     * Thin provisioning: storage is allocated on first write, and blocks that were never written read as zeros. With
     * {@link #UNMAP} the target reports a thin-provisioned logical unit (VPD page B2h PROVISIONING TYPE 010b,
     * READ CAPACITY (16) LBPME=1); without it, provisioning is invisible to the initiator.
     */
    THIN_PROVISIONING,

    /**
     * {@link Backstore#unmap} is implemented: it releases the storage of whole blocks, which afterwards read as zeros.
     * The target then serves UNMAP, WRITE SAME with the UNMAP bit, and SANITIZE BLOCK ERASE, and reports LBPU, LBPWS,
     * LBPWS10 and LBPRZ=1 in VPD page B2h.
     */
    UNMAP,

    /**
     * Every {@link Backstore#write} is all-or-nothing with respect to failures: a stage that completes exceptionally
     * has changed no byte of the range. (Atomicity against concurrent commands is the target's job: it serializes
     * overlapping commands around an atomic write.) The target then serves WRITE ATOMIC (16) and reports the atomic
     * limits in VPD page B0h.
     */
    WRITE_ATOMIC
}
