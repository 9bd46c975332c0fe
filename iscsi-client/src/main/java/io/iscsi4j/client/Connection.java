package io.iscsi4j.client;

import io.iscsi4j.initiator.BlockDevice;
import io.iscsi4j.initiator.DiscoveredTarget;
import io.iscsi4j.initiator.IscsiException;
import io.iscsi4j.initiator.IscsiInitiator;
import io.iscsi4j.initiator.IscsiSession;
import io.iscsi4j.initiator.IscsiUrl;
import io.iscsi4j.initiator.LoginOptions;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One initiator, the URL and the login options of a client run; closes the initiator (and so logs out of every
 * session) on {@link #close()}.
 */
final class Connection implements AutoCloseable {

    final IscsiUrl url;
    final LoginOptions options;
    private final LoginOptions discoveryOptions;
    final Duration timeout;
    private final IscsiInitiator initiator;

    /**
     * @param options the normal sessions' login options
     * @param discoveryOptions the discovery session's: the same without mutual CHAP, which discovery sessions of
     *     many targets (tgt's among them) do not answer
     */
    Connection(IscsiUrl url, LoginOptions options, LoginOptions discoveryOptions, String initiatorName,
               Duration timeout) {
        this.url = url;
        this.options = options;
        this.discoveryOptions = discoveryOptions;
        this.timeout = timeout;
        IscsiInitiator.Builder b = IscsiInitiator.builder().ioThreads(1);
        if (initiatorName != null) {
            b.name(initiatorName);
        }
        this.initiator = b.build();
    }

    /** The URL's portal, its host name resolved once here, so that a failure names the host plainly. */
    InetSocketAddress portal() throws IscsiException {
        InetSocketAddress a = new InetSocketAddress(url.host(), url.port());
        if (a.isUnresolved()) {
            throw new IscsiException("unknown host " + url.host());
        }
        return a;
    }

    List<DiscoveredTarget> discover() throws IscsiException {
        return await(initiator.discover(portal(), discoveryOptions), "discovery at " + hostPort());
    }

    IscsiSession login(String target) throws IscsiException {
        return await(initiator.login(portal(), target, options), "login to " + target + " at " + hostPort());
    }

    /** Logs in to the URL's target and opens its LUN (READ CAPACITY). */
    BlockDevice openLun(IscsiSession session) throws IscsiException {
        return await(session.openLun(url.lun()), "LUN " + url.lun() + " of " + url.target());
    }

    String hostPort() {
        return (url.host().indexOf(':') >= 0 ? "[" + url.host() + "]" : url.host()) + ":" + url.port();
    }

    /** Waits for a stage at most {@link #timeout}; its failure becomes an {@link IscsiException} saying what failed. */
    <T> T await(CompletionStage<T> stage, String what) throws IscsiException {
        return await(stage, what, timeout);
    }

    static <T> T await(CompletionStage<T> stage, String what, Duration timeout) throws IscsiException {
        try {
            return stage.toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IscsiException(what + ": interrupted", e);
        } catch (ExecutionException e) {
            Throwable cause = unwrap(e);
            throw new IscsiException(what + " failed: " + describe(cause), cause);
        } catch (TimeoutException e) {
            throw new IscsiException(what + ": no answer within " + timeout.toSeconds() + " s", e);
        }
    }

    static Throwable unwrap(Throwable t) {
        while ((t instanceof ExecutionException || t instanceof CompletionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** A failure's message without its class name when it has one (an IscsiException explains itself). */
    static String describe(Throwable t) {
        t = unwrap(t);
        String m = t.getMessage();
        if (m == null || m.isBlank()) {
            return t.getClass().getSimpleName();
        }
        if (t instanceof IscsiException) {
            return m;
        }
        return m + " (" + t.getClass().getSimpleName() + ")";
    }

    @Override
    public void close() {
        initiator.close();
    }
}
