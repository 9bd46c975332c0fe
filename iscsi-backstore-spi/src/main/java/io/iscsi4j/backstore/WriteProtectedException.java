package io.iscsi4j.backstore;

/**
 * A write to storage that refuses writes (for example storage that became read-only while served). Reported as
 * CHECK CONDITION, DATA PROTECT (7h) / WRITE PROTECTED (27h/00h). A backstore that is read-only from the start
 * reports {@link Backstore#isReadOnly()} instead, and the target then never calls its writing methods.
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
