package io.iscsi4j.management;

/**
 * iSCSI-level counters (see {@link io.iscsi4j.IscsiStatistics}) of the whole target, one portal or one target.
 * Every attribute is read fresh.
 *
 * @since 0.2
 */
public interface IscsiStatisticsMXBean {

    /** {@return logins that reached full feature phase} */
    long getLoginsAccepted();

    /** {@return logins refused with a Login Response of status class 2 or 3} */
    long getLoginsRefused();

    /** {@return logins refused because authentication failed (status 0201h)} */
    long getAuthenticationFailures();

    /** {@return logins refused because the initiator may not access the target (status 0202h)} */
    long getAuthorizationFailures();

    /** {@return sessions that ended with a logout} */
    long getLogouts();

    /** {@return sessions that ended without a logout} */
    long getConnectionDrops();

    /** {@return PDUs with a wrong header digest} */
    long getHeaderDigestErrors();

    /** {@return PDUs with a wrong data digest} */
    long getDataDigestErrors();

    /** {@return malformed PDUs} */
    long getFormatErrors();

    /** {@return Reject PDUs sent} */
    long getRejectsSent();

    /** {@return connections closed because a NOP-In ping went unanswered} */
    long getNopInTimeouts();
}
