package io.iscsi4j.backstore;

/**
 * The data on the medium differs from the data the initiator expected ({@link Backstore#compareAndWrite}).
 * Reported as CHECK CONDITION, MISCOMPARE (Eh) / MISCOMPARE DURING VERIFY OPERATION (1Dh/00h), with
 * {@link #offset()} in the sense data's INFORMATION field. Nothing was written.
 *
 * @since 0.1
 */
public final class MiscompareException extends BackstoreException {

    private static final long serialVersionUID = 1L;

    /** The offset in bytes of the first differing byte. */
    private final long offset;

    /**
     * @param offset the offset in bytes, from the start of the compared data, of the first byte that differs
     * @param message what happened, for logs
     */
    public MiscompareException(long offset, String message) {
        super(message);
        if (offset < 0) {
            throw new IllegalArgumentException("offset must not be negative: " + offset);
        }
        this.offset = offset;
    }

    /** {@return the offset in bytes, from the start of the compared data, of the first byte that differs} */
    public long offset() {
        return offset;
    }
}
