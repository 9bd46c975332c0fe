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
    WRITE_ATOMIC,

    /**
     * {@link Backstore#read} and {@link Backstore#write} never block and return quickly: they do their work on the
     * calling thread in about the time of a memory copy of the range (no disk or network I/O, no waiting for a lock
     * another thread may hold for long, no sleeping) and return an already completed stage. The target may then call
     * them for small plain READ and WRITE commands directly on the network thread that received the command, instead
     * of handing them to the logical unit's executor, which saves two thread switches per command. Every other call
     * (flush, unmap, write same, and reads and writes for long operations such as SANITIZE or EXTENDED COPY), and
     * large transfers, still run on the executor. Read once when the logical unit is built.
     *
     * <p>Declaring this for storage that can block stalls every connection served by the same network thread. A
     * {@link ForwardingBackstore} does not forward it: a decorator that adds no blocking may declare it again.
     *
     * @since 0.1
     */
    NON_BLOCKING
}
