package io.iscsi4j.backstore;

/**
 * An unrecoverable read or write error at a logical block. Reported as CHECK CONDITION, sense key MEDIUM ERROR
 * (3h) with UNRECOVERED READ ERROR (ASC/ASCQ 11h/00h) for commands that only read (READ, VERIFY, GET LBA STATUS)
 * or WRITE ERROR (0Ch/00h) for every other command (WRITE, WRITE SAME, UNMAP, COMPARE AND WRITE, SYNCHRONIZE
 * CACHE, ...), with {@link #lba()} in the sense data's INFORMATION field. The command fails as a whole;
 * the initiator decides whether to retry or to split the range to find the bad block.
 *
 * @since 0.1
 */
public final class MediumErrorException extends BackstoreException {

    private static final long serialVersionUID = 1L;

    /** The first logical block that failed. */
    private final long lba;

    /**
     * @param lba the first logical block that could not be read or written
     * @param message what happened, for logs
     */
    public MediumErrorException(long lba, String message) {
        super(message);
        this.lba = lba;
    }

    /**
     * @param lba the first logical block that could not be read or written
     * @param message what happened, for logs
     * @param cause the underlying failure
     */
    public MediumErrorException(long lba, String message, Throwable cause) {
        super(message, cause);
        this.lba = lba;
    }

    /** {@return the first logical block that failed} */
    public long lba() {
        return lba;
    }
}
