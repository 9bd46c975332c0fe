package io.iscsi4j.scsi;

/**
 * In which {@linkplain AccessState asymmetric access states} of the target port's group a command runs (SPC-5
 * §5.16.2.4.4 to §5.16.2.4.6). Each command of {@link Commands#TABLE} has one; the dispatcher checks it with one
 * volatile read ({@link TargetPortGroups#state()}) and this lookup.
 *
 * <p>SPC-5 also lets READ BUFFER and WRITE BUFFER (echo buffer), RECEIVE DIAGNOSTIC RESULTS, SEND DIAGNOSTIC, LOG
 * SELECT, SECURITY PROTOCOL IN and OUT and SET TARGET PORT GROUPS through in some of the inaccessible states; the
 * device server implements none of them, so they are refused as unknown commands in every state.
 */
enum StateAccess {

    /** Only in the active states: reads, writes, TEST UNIT READY and everything not listed below (the default). */
    ACTIVE(AccessState.ACTIVE_OPTIMIZED, AccessState.ACTIVE_NON_OPTIMIZED),
    /**
     * Also in standby: LOG SENSE, MODE SENSE and MODE SELECT, PERSISTENT RESERVE IN and OUT (SPC-5 §5.16.2.4.4), and
     * READ CAPACITY (10) and (16), which SPC-5 does not list: an initiator that probes a device through a standby
     * path (Linux reads the capacity of every path it finds) would otherwise record a capacity of zero for it and
     * leave it unused once it becomes active. LIO allows them for the same reason.
     */
    STANDBY(AccessState.ACTIVE_OPTIMIZED, AccessState.ACTIVE_NON_OPTIMIZED, AccessState.STANDBY),
    /**
     * In every state, transitioning included: INQUIRY, REPORT LUNS, REQUEST SENSE, REPORT TARGET PORT GROUPS, REPORT
     * SUPPORTED OPERATION CODES and REPORT SUPPORTED TASK MANAGEMENT FUNCTIONS, which an initiator needs to find out
     * what the path can do.
     */
    ANY(AccessState.values());

    private final int states;

    StateAccess(AccessState... allowed) {
        int bits = 0;
        for (AccessState s : allowed) {
            bits |= s.bit();
        }
        this.states = bits;
    }

    /** Whether a command of this class runs while the target port's group is in {@code state}. */
    boolean allows(AccessState state) {
        return (states & state.bit()) != 0;
    }
}
