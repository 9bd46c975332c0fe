package io.iscsi4j;

/**
 * Intercepts logins and SCSI commands before the target acts on them: the hook for fault injection in tests
 * (reject or drop logins, answer commands with BUSY or TASK SET FULL, drop connections) and for admission policies
 * beyond ACLs. Set with {@link IscsiTarget.Builder#interceptor(TargetInterceptor)}; without one the target pays a
 * single null check per command.
 *
 * <p>Every method has a default that lets the login or command proceed, so an implementation overrides only what
 * it changes. Methods are called on network event-loop threads: they must be quick, must not block, and must be
 * thread-safe (several connections call them at once). An exception thrown by a method is logged and treated as
 * "proceed".
 *
 * <p>This is an interception SPI: it changes what the target does. It is not meant for observing (statistics,
 * logging), which must not alter the protocol exchange.
 *
 * @since 0.1
 */
public interface TargetInterceptor {

    /**
     * Decides a login that has authenticated and negotiated and is about to enter full feature phase (the last
     * Login Response is not sent yet).
     *
     * @param login the initiator, the target and the session type; never {@code null}
     * @return {@link LoginDecision#accept()} (the default), a rejection with a login status, or
     *     {@link LoginDecision#dropConnection()}; never {@code null}
     */
    default LoginDecision beforeLogin(InterceptedLogin login) {
        return LoginDecision.accept();
    }

    /**
     * Decides a SCSI command of a normal session, after the iSCSI checks of its PDU and before the SCSI layer sees
     * it, in CmdSN order. NOP-Out, Text, Task Management and Logout requests are not intercepted.
     *
     * @param command the command; a view valid only during this call (do not keep it)
     * @return {@link CommandDecision#proceed()} (the default), a status answer, or
     *     {@link CommandDecision#dropConnection()}; never {@code null}
     */
    default CommandDecision beforeCommand(InterceptedCommand command) {
        return CommandDecision.proceed();
    }
}
