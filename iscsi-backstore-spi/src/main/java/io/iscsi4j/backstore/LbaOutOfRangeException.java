package io.iscsi4j.backstore;

/**
 * An access outside the capacity (for example after the backstore shrank). Reported as ILLEGAL REQUEST /
 * LOGICAL BLOCK ADDRESS OUT OF RANGE.
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
