package io.iscsi4j.backstore;

/**
 * A write that needed space the storage no longer has (a thin-provisioned pool, a file system or an object store that
 * is full). Reported as CHECK CONDITION, DATA PROTECT (7h) / SPACE ALLOCATION FAILED WRITE PROTECT (27h/07h), the
 * answer SBC-4 §4.7.3.7 gives for a thin-provisioned logical unit out of resources: initiators (Linux, VMware ESXi)
 * then stop writing to the device instead of retrying as for a medium error. Reads and writes of blocks already
 * allocated may go on.
 *
 * @since 0.2
 */
public final class OutOfSpaceException extends BackstoreException {

    private static final long serialVersionUID = 1L;

    /**
     * @param message what happened, for logs
     */
    public OutOfSpaceException(String message) {
        super(message);
    }

    /**
     * @param message what happened, for logs
     * @param cause the underlying failure (for example the file system's {@code ENOSPC})
     */
    public OutOfSpaceException(String message, Throwable cause) {
        super(message, cause);
    }
}
