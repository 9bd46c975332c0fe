package io.iscsi4j.backstore;

/**
 * Storage that is temporarily unavailable. Reported as NOT READY / LOGICAL UNIT NOT READY, CAUSE NOT REPORTABLE;
 * initiators retry.
 *
 * @since 0.1
 */
public final class NotReadyException extends BackstoreException {

    private static final long serialVersionUID = 1L;

    /**
     * @param message what happened, for logs
     */
    public NotReadyException(String message) {
        super(message);
    }
}
