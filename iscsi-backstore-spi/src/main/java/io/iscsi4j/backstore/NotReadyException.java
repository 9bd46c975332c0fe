package io.iscsi4j.backstore;

/**
 * Storage that is temporarily unavailable (a remote service down, a volume being attached). Reported as CHECK
 * CONDITION, NOT READY (2h) / LOGICAL UNIT NOT READY, CAUSE NOT REPORTABLE (04h/00h); initiators may retry the
 * command later. {@link BlockingBackstore} also reports it when its executor rejects a call.
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
