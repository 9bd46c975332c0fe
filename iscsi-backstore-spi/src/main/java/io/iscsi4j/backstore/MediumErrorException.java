package io.iscsi4j.backstore;

/**
 * An unrecoverable read or write error at a logical block. Reported as MEDIUM ERROR / UNRECOVERED READ ERROR
 * (reads) or MEDIUM ERROR / WRITE ERROR (writes), with the LBA in the sense data's INFORMATION field.
 *
 * @since 0.1
 */
public final class MediumErrorException extends BackstoreException {

    private static final long serialVersionUID = 1L;

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
