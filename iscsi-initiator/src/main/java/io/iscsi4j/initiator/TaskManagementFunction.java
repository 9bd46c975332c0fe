package io.iscsi4j.initiator;

/**
 * Task management functions (RFC 7143 §11.5.1) that act on a LUN or the whole target. ABORT TASK is
 * {@link IscsiSession#abort}.
 *
 * @since 0.1
 */
public enum TaskManagementFunction {
    /** ABORT TASK SET (2): aborts this session's tasks on the LUN. */
    ABORT_TASK_SET(2),
    /** CLEAR TASK SET (4): aborts every session's tasks on the LUN. */
    CLEAR_TASK_SET(4),
    /** LOGICAL UNIT RESET (5). */
    LOGICAL_UNIT_RESET(5),
    /** TARGET WARM RESET (6). */
    TARGET_WARM_RESET(6),
    /** TARGET COLD RESET (7): also ends every connection, this one too. */
    TARGET_COLD_RESET(7);

    private final int code;

    TaskManagementFunction(int code) {
        this.code = code;
    }

    /**
     * The function code of the request PDU.
     *
     * @return the code
     */
    public int code() {
        return code;
    }
}
