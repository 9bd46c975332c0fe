package io.iscsi4j.backstore;

import java.io.IOException;

/**
 * A storage condition that the target reports to the initiator with specific SCSI sense data. Backstores
 * complete an I/O stage exceptionally with one of the subtypes; the target maps each subtype to exactly one
 * sense key / additional sense code (the table is in {@link Backstore}'s documentation) and logs it at DEBUG only.
 * Any other throwable, including a plain {@link IOException}, is reported as HARDWARE ERROR / INTERNAL TARGET
 * FAILURE (4h, 44h/00h) and logged at ERROR. Messages must not contain secrets: they may be logged.
 *
 * @since 0.1
 */
public abstract sealed class BackstoreException extends IOException
        permits MediumErrorException, LbaOutOfRangeException, WriteProtectedException, NotReadyException,
                MiscompareException, OutOfSpaceException {

    private static final long serialVersionUID = 1L;

    /**
     * @param message what happened, for logs
     */
    protected BackstoreException(String message) {
        super(message);
    }

    /**
     * @param message what happened, for logs
     * @param cause the underlying failure
     */
    protected BackstoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
