package io.iscsi4j.backstore;

/**
 * Optional operations a {@link Backstore} may implement, reported by {@link Backstore#capabilities()}.
 * The target advertises a SCSI feature (in VPD pages, REPORT SUPPORTED OPERATION CODES) only when the
 * backstore reports the matching capability.
 *
 * @since 0.1
 */
public enum BackstoreCapability {
    /** Unallocated blocks read as zeros and storage is allocated on first write (thin provisioning). */
    THIN_PROVISIONING
}
