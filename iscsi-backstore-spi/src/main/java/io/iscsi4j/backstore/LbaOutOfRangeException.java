package io.iscsi4j.backstore;

/**
 * An access outside the capacity (for example after the backstore shrank). Reported as CHECK CONDITION, ILLEGAL
 * REQUEST (5h) / LOGICAL BLOCK ADDRESS OUT OF RANGE (21h/00h). The target checks ranges against
 * {@link Backstore#blockCount()} before calling, so a backstore of fixed size never needs it.
 *
 * @since 0.1
 */
public final class LbaOutOfRangeException extends BackstoreException {

    private static final long serialVersionUID = 1L;

    /**
     * @param message what happened, for logs
     */
    public LbaOutOfRangeException(String message) {
        super(message);
    }
}
