package io.iscsi4j.scsi;

/**
 * How a command ends when logic other than a backstore call decides it (reservations, EXTENDED COPY): GOOD,
 * RESERVATION CONFLICT, or CHECK CONDITION with sense data. Immutable.
 *
 * @param status the status
 * @param sense the sense data for CHECK CONDITION, otherwise {@code null}
 */
record Outcome(ScsiStatus status, SenseData sense) {

    static final Outcome GOOD = new Outcome(ScsiStatus.GOOD, null);
    static final Outcome RESERVATION_CONFLICT = new Outcome(ScsiStatus.RESERVATION_CONFLICT, null);

    /** CHECK CONDITION with {@code sense}. */
    static Outcome checkCondition(SenseData sense) {
        return new Outcome(ScsiStatus.CHECK_CONDITION, sense);
    }

    boolean isGood() {
        return status == ScsiStatus.GOOD;
    }

    /** Completes {@code task} with this outcome; {@code dataLength} counts only when GOOD. */
    void complete(ScsiTask task, int dataLength) {
        task.complete(status, sense, isGood() ? dataLength : 0);
    }
}
