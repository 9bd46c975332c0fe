package io.iscsi4j.backstore;

/**
 * A write to storage that refuses writes. Reported as DATA PROTECT / WRITE PROTECTED.
 *
 * @since 0.1
 */
public final class WriteProtectedException extends BackstoreException {

    private static final long serialVersionUID = 1L;

    /**
     * @param message what happened, for logs
     */
    public WriteProtectedException(String message) {
        super(message);
    }
}
