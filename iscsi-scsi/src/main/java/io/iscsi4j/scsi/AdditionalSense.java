package io.iscsi4j.scsi;

/**
 * Additional sense code / qualifier pairs (SPC-5 Annex D) that the target reports. The symbolic names make test
 * assertions readable ("ILLEGAL_REQUEST / INVALID_FIELD_IN_CDB").
 *
 * @since 0.1
 */
public enum AdditionalSense {
    /** 00h/00h. */
    NO_ADDITIONAL_SENSE_INFORMATION(0x00, 0x00),
    /** 04h/00h. */
    LOGICAL_UNIT_NOT_READY_CAUSE_NOT_REPORTABLE(0x04, 0x00),
    /** 04h/1Bh. */
    LOGICAL_UNIT_NOT_READY_SANITIZE_IN_PROGRESS(0x04, 0x1B),
    /** 04h/02h. */
    LOGICAL_UNIT_NOT_READY_INITIALIZING_COMMAND_REQUIRED(0x04, 0x02),
    /**
     * 04h/07h (a backstore call exceeded the logical unit's backstore timeout and has not completed yet, see
     * {@link LogicalUnit.Builder#backstoreTimeout}).
     *
     * @since 0.1
     */
    LOGICAL_UNIT_NOT_READY_OPERATION_IN_PROGRESS(0x04, 0x07),
    /**
     * 04h/0Ah: the target port's group is {@linkplain AccessState#TRANSITIONING transitioning} between asymmetric
     * access states.
     *
     * @since 0.1
     */
    LOGICAL_UNIT_NOT_ACCESSIBLE_ASYMMETRIC_ACCESS_STATE_TRANSITION(0x04, 0x0A),
    /**
     * 04h/0Bh: the target port's group is in the {@linkplain AccessState#STANDBY standby} state.
     *
     * @since 0.1
     */
    LOGICAL_UNIT_NOT_ACCESSIBLE_TARGET_PORT_IN_STANDBY_STATE(0x04, 0x0B),
    /**
     * 04h/0Ch: the target port's group is in the {@linkplain AccessState#UNAVAILABLE unavailable} state.
     *
     * @since 0.1
     */
    LOGICAL_UNIT_NOT_ACCESSIBLE_TARGET_PORT_IN_UNAVAILABLE_STATE(0x04, 0x0C),
    /** 0Ch/00h. */
    WRITE_ERROR(0x0C, 0x00),
    /** 11h/00h. */
    UNRECOVERED_READ_ERROR(0x11, 0x00),
    /** 1Dh/00h. */
    MISCOMPARE_DURING_VERIFY_OPERATION(0x1D, 0x00),
    /** 1Ah/00h. */
    PARAMETER_LIST_LENGTH_ERROR(0x1A, 0x00),
    /** 20h/00h. */
    INVALID_COMMAND_OPERATION_CODE(0x20, 0x00),
    /** 21h/00h. */
    LOGICAL_BLOCK_ADDRESS_OUT_OF_RANGE(0x21, 0x00),
    /** 24h/00h. */
    INVALID_FIELD_IN_CDB(0x24, 0x00),
    /** 25h/00h. */
    LOGICAL_UNIT_NOT_SUPPORTED(0x25, 0x00),
    /** 26h/00h. */
    INVALID_FIELD_IN_PARAMETER_LIST(0x26, 0x00),
    /** 26h/01h. */
    PARAMETER_NOT_SUPPORTED(0x26, 0x01),
    /** 26h/02h. */
    PARAMETER_VALUE_INVALID(0x26, 0x02),
    /** 27h/00h. */
    WRITE_PROTECTED(0x27, 0x00),
    /** 27h/02h. */
    SOFTWARE_WRITE_PROTECTED(0x27, 0x02),
    /** 27h/07h (a thin-provisioned logical unit out of space). */
    SPACE_ALLOCATION_FAILED_WRITE_PROTECT(0x27, 0x07),
    /** 29h/00h. */
    POWER_ON_RESET_OR_BUS_DEVICE_RESET_OCCURRED(0x29, 0x00),
    /** 29h/03h (after a LOGICAL UNIT RESET). */
    BUS_DEVICE_RESET_FUNCTION_OCCURRED(0x29, 0x03),
    /** 29h/01h. */
    POWER_ON_OCCURRED(0x29, 0x01),
    /** 29h/07h (after an I_T NEXUS RESET). */
    I_T_NEXUS_LOSS_OCCURRED(0x29, 0x07),
    /** 2Ah/01h. */
    MODE_PARAMETERS_CHANGED(0x2A, 0x01),
    /** 2Fh/00h: another I_T nexus aborted this nexus's commands (CLEAR TASK SET, SAM-5 with TAS 0). */
    COMMANDS_CLEARED_BY_ANOTHER_INITIATOR(0x2F, 0x00),
    /** 2Ch/00h. */
    COMMAND_SEQUENCE_ERROR(0x2C, 0x00),
    /** 2Ah/09h. */
    CAPACITY_DATA_HAS_CHANGED(0x2A, 0x09),
    /** 38h/07h (the allocated space of a thin-provisioned logical unit crossed its soft threshold). */
    THIN_PROVISIONING_SOFT_THRESHOLD_REACHED(0x38, 0x07),
    /**
     * 2Ah/06h: a target port group's asymmetric access state changed (see {@link TargetPortGroups}).
     *
     * @since 0.1
     */
    ASYMMETRIC_ACCESS_STATE_CHANGED(0x2A, 0x06),
    /** 2Ah/03h (another I_T nexus preempted or cleared the persistent reservation). */
    RESERVATIONS_PREEMPTED(0x2A, 0x03),
    /** 2Ah/04h (the registrants-only or all-registrants persistent reservation was released). */
    RESERVATIONS_RELEASED(0x2A, 0x04),
    /** 2Ah/05h (another I_T nexus removed this nexus's registration). */
    REGISTRATIONS_PREEMPTED(0x2A, 0x05),
    /** 26h/04h. */
    INVALID_RELEASE_OF_PERSISTENT_RESERVATION(0x26, 0x04),
    /** 26h/06h. */
    TOO_MANY_TARGET_DESCRIPTORS(0x26, 0x06),
    /** 26h/07h. */
    UNSUPPORTED_TARGET_DESCRIPTOR_TYPE_CODE(0x26, 0x07),
    /** 26h/08h. */
    TOO_MANY_SEGMENT_DESCRIPTORS(0x26, 0x08),
    /** 26h/09h. */
    UNSUPPORTED_SEGMENT_DESCRIPTOR_TYPE_CODE(0x26, 0x09),
    /** 00h/16h (an EXTENDED COPY with the same list identifier is still running). */
    OPERATION_IN_PROGRESS(0x00, 0x16),
    /** 08h/04h (EXTENDED COPY: a copy target descriptor names no logical unit of this target). */
    UNREACHABLE_COPY_TARGET(0x08, 0x04),
    /** 0Dh/01h (EXTENDED COPY: a copy target's storage failed). */
    THIRD_PARTY_DEVICE_FAILURE(0x0D, 0x01),
    /** 0Dh/03h (EXTENDED COPY: the descriptor's block length is not the copy target's). */
    INCORRECT_COPY_TARGET_DEVICE_TYPE(0x0D, 0x03),
    /** 55h/04h. */
    INSUFFICIENT_REGISTRATION_RESOURCES(0x55, 0x04),
    /** 39h/00h. */
    SAVING_PARAMETERS_NOT_SUPPORTED(0x39, 0x00),
    /** 31h/03h. */
    SANITIZE_COMMAND_FAILED(0x31, 0x03),
    /** 3Fh/0Eh. */
    REPORTED_LUNS_DATA_HAS_CHANGED(0x3F, 0x0E),
    /** 43h/00h. */
    MESSAGE_ERROR(0x43, 0x00),
    /** 44h/00h. */
    INTERNAL_TARGET_FAILURE(0x44, 0x00),
    /** 47h/05h (iSCSI: a Data-Out was lost to a data digest error or a sequence error). */
    PROTOCOL_SERVICE_CRC_ERROR(0x47, 0x05),
    /** 47h/03h (iSCSI: data digest error). */
    INFORMATION_UNIT_IU_CRC_ERROR_DETECTED(0x47, 0x03),
    /** 49h/00h. */
    INVALID_MESSAGE_ERROR(0x49, 0x00),
    /** 4Bh/00h. */
    DATA_PHASE_ERROR(0x4B, 0x00),
    /** 4Bh/01h (iSCSI: invalid target port transfer tag). */
    INVALID_TARGET_PORT_TRANSFER_TAG_RECEIVED(0x4B, 0x01),
    /** 4Bh/02h. */
    TOO_MUCH_WRITE_DATA(0x4B, 0x02),
    /** 4Bh/04h (iSCSI: SNACK rejected). */
    NAK_RECEIVED(0x4B, 0x04),
    /** 4Bh/05h. */
    DATA_OFFSET_ERROR(0x4B, 0x05),
    /** 4Bh/06h. */
    INITIATOR_RESPONSE_TIMEOUT(0x4B, 0x06),
    /** 55h/03h. */
    INSUFFICIENT_RESOURCES(0x55, 0x03);

    private final int asc;
    private final int ascq;

    AdditionalSense(int asc, int ascq) {
        this.asc = asc;
        this.ascq = ascq;
    }

    /** {@return the additional sense code} */
    public int asc() {
        return asc;
    }

    /** {@return the additional sense code qualifier} */
    public int ascq() {
        return ascq;
    }
}
