package io.iscsi4j.initiator;

/**
 * The Response field of a Task Management Function Response (RFC 7143 §11.6.1).
 *
 * @since 0.1
 */
public enum TaskManagementResult {
    /** 0: Function complete. */
    FUNCTION_COMPLETE(0),
    /** 1: Task does not exist (it had completed already). */
    TASK_DOES_NOT_EXIST(1),
    /** 2: LUN does not exist. */
    LUN_DOES_NOT_EXIST(2),
    /** 3: Task still allegiant. */
    TASK_STILL_ALLEGIANT(3),
    /** 4: Task allegiance reassignment not supported. */
    REASSIGNMENT_NOT_SUPPORTED(4),
    /** 5: Task management function not supported. */
    NOT_SUPPORTED(5),
    /** 6: Function authorization failed. */
    AUTHORIZATION_FAILED(6),
    /** 255: Function rejected. */
    REJECTED(255);

    private final int code;

    TaskManagementResult(int code) {
        this.code = code;
    }

    /**
     * The wire code.
     *
     * @return the code
     */
    public int code() {
        return code;
    }

    /**
     * The result of a wire code.
     *
     * @param code the Response field
     * @return the result; {@link #REJECTED} for an unknown code
     */
    public static TaskManagementResult fromCode(int code) {
        for (TaskManagementResult r : values()) {
            if (r.code == code) {
                return r;
            }
        }
        return REJECTED;
    }
}
