package io.iscsi4j.management;

/**
 * The whole {@link io.iscsi4j.IscsiTarget}: its iSCSI-level counters, its sessions, and an operation that ends
 * one.
 *
 * @since 0.2
 */
public interface IscsiTargetMXBean extends IscsiStatisticsMXBean {

    /** {@return the bound portals, as {@code HOST:PORT}} */
    String[] getPortals();

    /** {@return the targets' names} */
    String[] getTargets();

    /** {@return the number of sessions in full feature phase, discovery sessions included} */
    int getSessionCount();

    /**
     * One line per session in full feature phase: TSIH (hexadecimal), initiator name, target (or
     * {@code discovery}), the initiator's address, login time, commands, bytes read and written.
     *
     * @return the sessions, ordered by TSIH
     */
    String[] getSessions();

    /**
     * Ends a session: asks the initiator to log out within {@code graceSeconds} and drops it after that (zero:
     * at once). Returns without waiting.
     *
     * @param tsih the session's TSIH, as {@link #getSessions()} lists it (the number, not its text)
     * @param graceSeconds seconds the initiator gets to log out, 0 to 65535
     * @return {@code false} when no session has that TSIH
     */
    boolean closeSession(int tsih, int graceSeconds);
}
