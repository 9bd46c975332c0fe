package io.iscsi4j;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * Observes what happens on an {@link IscsiTarget}: logins that succeed or fail, sessions that end by logout or by a
 * dropped connection, and task management functions. Register with {@link IscsiTarget.Builder#listener}. For
 * observation only: a listener cannot change what the target does.
 *
 * <p>Every method has an empty default, so implement only what you need. Calls come from one dedicated thread of
 * the target ({@code iscsi4j-events}), never from a network or storage thread: a slow listener delays later
 * events, never I/O. Events arrive in the order they happened for one connection; for one session, its
 * {@code loginSucceeded} comes first and exactly one of {@code loggedOut} or {@code connectionDropped} last. An
 * exception thrown by a listener is logged (logger {@code io.iscsi4j.core.session.TargetEvents}, WARN) and
 * otherwise ignored. Events still queued when the target closes are delivered before {@link IscsiTarget#close()}
 * returns (for at most 5 seconds).
 *
 * <p>At most 10,000 events wait for the listeners. While that many wait (a listener is slow or blocked), new events
 * are dropped rather than queued without bound or waited for: the network threads that post them never block. The
 * drops are counted and reported at WARN (same logger) at most once a minute; for the sessions whose events were
 * dropped, the order promised above holds only for the events delivered. Keep listeners quick, or hand the events
 * to a queue of your own.
 *
 * @since 0.1
 */
public interface TargetListener {

    /**
     * A login completed: the session is in full feature phase.
     *
     * @param session the new session
     */
    default void loginSucceeded(SessionInfo session) {
    }

    /**
     * A login was refused: the final Login Response carried a non-zero status, and the connection is closed.
     *
     * @param failure what was refused and why
     */
    default void loginFailed(LoginFailureInfo failure) {
    }

    /**
     * A session ended by the initiator's Logout Request (reason "close the session" or "close the connection").
     *
     * @param session the session
     */
    default void loggedOut(SessionInfo session) {
    }

    /**
     * A session ended without a logout: the initiator dropped the connection, a protocol error closed it, the
     * session was reinstated by a new login with the same ISID, its target was removed or the target closed.
     *
     * @param session the session
     */
    default void connectionDropped(SessionInfo session) {
    }

    /**
     * A task management function was answered (RFC 7143 §11.5, §11.6).
     *
     * @param session the session that asked
     * @param function what was asked and answered
     */
    default void taskManagement(SessionInfo session, TaskManagementInfo function) {
    }

    /**
     * One session (one connection; the target negotiates MaxConnections=1).
     *
     * @param initiatorName the InitiatorName, as sent
     * @param isid the initiator session ID (48 bits)
     * @param tsih the target session identifying handle (1 to 65535)
     * @param targetName the target's iSCSI name in lower case, or the empty string for a discovery session
     * @param discovery whether it is a discovery session (SendTargets only)
     * @param remoteAddress the initiator's address and port
     * @param localAddress the portal address the connection came in on
     * @since 0.1
     */
    record SessionInfo(String initiatorName, long isid, int tsih, String targetName, boolean discovery,
                       InetSocketAddress remoteAddress, InetSocketAddress localAddress) {

        /**
         * Checks the components.
         *
         * @param initiatorName the InitiatorName, not {@code null}
         * @param isid the initiator session ID
         * @param tsih the target session identifying handle
         * @param targetName the target's name, or the empty string for a discovery session; not {@code null}
         * @param discovery whether it is a discovery session
         * @param remoteAddress the initiator's address and port
         * @param localAddress the portal address the connection came in on
         */
        public SessionInfo {
            Objects.requireNonNull(initiatorName, "initiatorName");
            Objects.requireNonNull(targetName, "targetName");
        }

        /** {@return the ISID as 12 lower-case hexadecimal digits} */
        public String isidHex() {
            return String.format("%012x", isid);
        }
    }

    /**
     * A refused login.
     *
     * @param initiatorName the InitiatorName, or {@code null} when the initiator did not send one before the refusal
     * @param targetName the TargetName asked for, or {@code null} (discovery sessions, or not sent yet)
     * @param remoteAddress the initiator's address and port
     * @param statusClass the Status-Class of the Login Response (RFC 7143 §11.13.5): 2 initiator error, 3 target
     *     error
     * @param statusDetail the Status-Detail (for example 0x0201 authentication failure is class 2, detail 1)
     * @param reason a human-readable description; never contains a secret
     * @since 0.1
     */
    record LoginFailureInfo(String initiatorName, String targetName, InetSocketAddress remoteAddress,
                            int statusClass, int statusDetail, String reason) {

        /**
         * Checks the components.
         *
         * @param initiatorName the InitiatorName, or {@code null}
         * @param targetName the TargetName asked for, or {@code null}
         * @param remoteAddress the initiator's address and port
         * @param statusClass the Status-Class of the Login Response
         * @param statusDetail the Status-Detail
         * @param reason a human-readable description, not {@code null}
         */
        public LoginFailureInfo {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /**
     * An answered task management function.
     *
     * @param function the function code: 1 ABORT TASK, 2 ABORT TASK SET, 3 CLEAR ACA, 4 CLEAR TASK SET, 5 LOGICAL
     *     UNIT RESET, 6 TARGET WARM RESET, 7 TARGET COLD RESET, 8 TASK REASSIGN, 9 to 12 the query functions
     * @param lun the LUN the request addressed (as the initiator numbers it), or -1 when the field is not one this
     *     target decodes
     * @param referencedTaskTag the Referenced Task Tag (ABORT TASK), otherwise as sent
     * @param response the Response field: 0 function complete, 1 task does not exist, 2 LUN does not exist, 3 task
     *     still allegiant, 4 task allegiance reassignment not supported, 5 function not supported, 6 function
     *     authorization failed, 7 function succeeded (QUERY functions, RFC 7144), 255 function rejected
     * @since 0.1
     */
    record TaskManagementInfo(int function, int lun, int referencedTaskTag, int response) {

        /** {@return the function's name, for example {@code "ABORT TASK"}} */
        public String functionName() {
            return switch (function) {
                case 1 -> "ABORT TASK";
                case 2 -> "ABORT TASK SET";
                case 3 -> "CLEAR ACA";
                case 4 -> "CLEAR TASK SET";
                case 5 -> "LOGICAL UNIT RESET";
                case 6 -> "TARGET WARM RESET";
                case 7 -> "TARGET COLD RESET";
                case 8 -> "TASK REASSIGN";
                case 9 -> "QUERY TASK";
                case 10 -> "QUERY TASK SET";
                case 11 -> "I_T NEXUS RESET";
                case 12 -> "QUERY ASYNCHRONOUS EVENT";
                default -> "function " + function;
            };
        }
    }
}
