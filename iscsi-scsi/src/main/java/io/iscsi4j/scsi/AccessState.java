package io.iscsi4j.scsi;

/**
 * A target port group's primary target port asymmetric access state (SPC-5 §5.16.2.4): what the logical units
 * accessed through the group's target ports accept. Reported by REPORT TARGET PORT GROUPS with {@link #code()}.
 * Which commands each state lets through is listed per state; the others end with CHECK CONDITION, NOT READY and
 * the state's additional sense code (after a pending unit attention, which is reported first).
 *
 * <p>The offline and logical block dependent states are not offered.
 *
 * @since 0.1
 */
public enum AccessState {

    /** 0h: every command is processed; the preferred path. */
    ACTIVE_OPTIMIZED(0x0, null),
    /**
     * 1h: every command is processed, possibly more slowly than through an active/optimized group (initiators use such
     * paths when no active/optimized one is left).
     */
    ACTIVE_NON_OPTIMIZED(0x1, null),
    /**
     * 2h: only commands that report or set up the logical unit and the path: INQUIRY, REPORT LUNS, REQUEST SENSE,
     * REPORT TARGET PORT GROUPS, REPORT SUPPORTED OPERATION CODES and TASK MANAGEMENT FUNCTIONS, LOG SENSE, MODE
     * SENSE and MODE SELECT, PERSISTENT RESERVE IN and OUT, and READ CAPACITY (10) and (16); others (TEST UNIT READY,
     * reads and writes among them) end with NOT READY / LOGICAL UNIT NOT ACCESSIBLE, TARGET PORT IN STANDBY STATE
     * (04h/0Bh).
     */
    STANDBY(0x2, AdditionalSense.LOGICAL_UNIT_NOT_ACCESSIBLE_TARGET_PORT_IN_STANDBY_STATE),
    /**
     * 3h: only INQUIRY, REPORT LUNS, REQUEST SENSE, REPORT TARGET PORT GROUPS and the REPORT SUPPORTED commands; others
     * end with NOT READY / LOGICAL UNIT NOT ACCESSIBLE, TARGET PORT IN UNAVAILABLE STATE (04h/0Ch).
     */
    UNAVAILABLE(0x3, AdditionalSense.LOGICAL_UNIT_NOT_ACCESSIBLE_TARGET_PORT_IN_UNAVAILABLE_STATE),
    /**
     * Fh: the group is changing state. Only INQUIRY, REPORT LUNS, REQUEST SENSE, REPORT TARGET PORT GROUPS and the
     * REPORT SUPPORTED commands; others end with NOT READY / LOGICAL UNIT NOT ACCESSIBLE, ASYMMETRIC ACCESS STATE
     * TRANSITION (04h/0Ah), which initiators retry for up to the implicit transition time REPORT TARGET PORT GROUPS
     * reports ({@value TargetPortGroups#IMPLICIT_TRANSITION_SECONDS} s).
     */
    TRANSITIONING(0xF, AdditionalSense.LOGICAL_UNIT_NOT_ACCESSIBLE_ASYMMETRIC_ACCESS_STATE_TRANSITION);

    private final int code;
    /** The sense data of a command the state refuses, or {@code null} for the active states. */
    private final SenseData refusal;
    /** This state's bit in a set of states ({@link StateAccess}). */
    private final int bit;

    AccessState(int code, AdditionalSense refusal) {
        this.code = code;
        this.refusal = refusal == null ? null : SenseData.of(SenseKey.NOT_READY, refusal);
        this.bit = 1 << ordinal();
    }

    /** {@return the ASYMMETRIC ACCESS STATE code (SPC-5 §6.37)} */
    public int code() {
        return code;
    }

    /**
     * The state with an ASYMMETRIC ACCESS STATE code.
     *
     * @param code the code
     * @return the state
     * @throws IllegalArgumentException when no state offered here has that code
     */
    public static AccessState fromCode(int code) {
        for (AccessState s : values()) {
            if (s.code == code) {
                return s;
            }
        }
        throw new IllegalArgumentException("no asymmetric access state with code " + code);
    }

    /** Whether every command is processed in this state. */
    boolean active() {
        return refusal == null;
    }

    /** NOT READY sense data for a command the state refuses; {@code null} for the active states. */
    SenseData refusal() {
        return refusal;
    }

    int bit() {
        return bit;
    }
}
