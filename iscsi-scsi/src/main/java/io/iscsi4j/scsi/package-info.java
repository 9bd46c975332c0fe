/**
 * The transport-agnostic SCSI target: {@link io.iscsi4j.scsi.ScsiDispatcher} executes
 * {@link io.iscsi4j.scsi.ScsiTask}s against {@link io.iscsi4j.scsi.LogicalUnit}s, each a direct-access block
 * device (SBC-4) over a {@link io.iscsi4j.backstore.Backstore}. No transport types appear here: the iSCSI layer
 * (or any other transport) implements {@code ScsiTask}.
 *
 * @since 0.1
 */
package io.iscsi4j.scsi;
