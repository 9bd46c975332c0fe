/**
 * The transport-independent SCSI target of iscsi4j (SPC-5, SBC-4): CDB decoding, sense data and logical units
 * over a {@link io.iscsi4j.backstore.Backstore}. It knows nothing of iSCSI or Netty.
 *
 * @since 0.1
 */
module io.iscsi4j.scsi {
    requires transitive io.iscsi4j.backstore;
    requires org.slf4j;

    exports io.iscsi4j.scsi;
}
