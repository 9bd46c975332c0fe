package io.iscsi4j.scsi;

/**
 * The sense data the command handlers report, built once ({@link SenseData} is immutable), and the one way a
 * handler finishes a task with CHECK CONDITION.
 */
final class Sense {

    static final SenseData NO_SENSE =
            SenseData.of(SenseKey.NO_SENSE, AdditionalSense.NO_ADDITIONAL_SENSE_INFORMATION);
    static final SenseData INVALID_OPCODE =
            SenseData.of(SenseKey.ILLEGAL_REQUEST, AdditionalSense.INVALID_COMMAND_OPERATION_CODE);
    static final SenseData LBA_OUT_OF_RANGE =
            SenseData.of(SenseKey.ILLEGAL_REQUEST, AdditionalSense.LOGICAL_BLOCK_ADDRESS_OUT_OF_RANGE);
    static final SenseData LU_NOT_SUPPORTED =
            SenseData.of(SenseKey.ILLEGAL_REQUEST, AdditionalSense.LOGICAL_UNIT_NOT_SUPPORTED);
    static final SenseData WRITE_PROTECTED =
            SenseData.of(SenseKey.DATA_PROTECT, AdditionalSense.WRITE_PROTECTED);
    static final SenseData NOT_READY =
            SenseData.of(SenseKey.NOT_READY, AdditionalSense.LOGICAL_UNIT_NOT_READY_CAUSE_NOT_REPORTABLE);
    static final SenseData INTERNAL_TARGET_FAILURE =
            SenseData.of(SenseKey.HARDWARE_ERROR, AdditionalSense.INTERNAL_TARGET_FAILURE);
    static final SenseData INVALID_FIELD_IN_CDB =
            SenseData.of(SenseKey.ILLEGAL_REQUEST, AdditionalSense.INVALID_FIELD_IN_CDB);
    static final SenseData INVALID_FIELD_IN_PARAMETER_LIST =
            SenseData.of(SenseKey.ILLEGAL_REQUEST, AdditionalSense.INVALID_FIELD_IN_PARAMETER_LIST);
    static final SenseData PARAMETER_LIST_LENGTH_ERROR =
            SenseData.of(SenseKey.ILLEGAL_REQUEST, AdditionalSense.PARAMETER_LIST_LENGTH_ERROR);
    static final SenseData MISCOMPARE =
            SenseData.of(SenseKey.MISCOMPARE, AdditionalSense.MISCOMPARE_DURING_VERIFY_OPERATION);
    static final SenseData SANITIZE_IN_PROGRESS =
            SenseData.of(SenseKey.NOT_READY, AdditionalSense.LOGICAL_UNIT_NOT_READY_SANITIZE_IN_PROGRESS);

    private Sense() {
    }

    /**
     * ILLEGAL REQUEST / INVALID FIELD IN CDB pointing at the offending field (SPC-5 §4.4.2.4.2).
     *
     * @param byteOffset the CDB byte holding the field
     * @param bit the field's most significant bit in that byte, or -1 for a whole-byte field
     */
    static SenseData invalidField(int byteOffset, int bit) {
        return INVALID_FIELD_IN_CDB.withFieldPointer(true, byteOffset, bit);
    }

    /**
     * ILLEGAL REQUEST / INVALID FIELD IN PARAMETER LIST pointing at the offending field of the parameter data.
     *
     * @param byteOffset the parameter data byte holding the field
     * @param bit the field's most significant bit in that byte, or -1 for a whole-byte field
     */
    static SenseData invalidParameter(int byteOffset, int bit) {
        return INVALID_FIELD_IN_PARAMETER_LIST.withFieldPointer(false, byteOffset, bit);
    }

    /** Completes {@code task} with CHECK CONDITION and {@code sense}, transferring no data. */
    static void fail(ScsiTask task, SenseData sense) {
        task.complete(ScsiStatus.CHECK_CONDITION, sense, 0);
    }
}
