package io.iscsi4j.core.session;

import io.iscsi4j.TargetListener;
import io.iscsi4j.TargetListener.LoginFailureInfo;
import io.iscsi4j.TargetListener.SessionInfo;
import io.iscsi4j.TargetListener.TaskManagementInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Hands session events to the registered {@link TargetListener}s on one dedicated thread, in the order they were
 * posted, so that listeners never run on a network or storage thread. Without listeners every method returns at
 * once. A listener's exception is logged and does not reach the others. Thread-safe.
 */
public final class TargetEvents implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(TargetEvents.class);

    private final List<TargetListener> listeners;
    private final ExecutorService executor;

    /**
     * @param listeners the listeners, called in this order
     */
    public TargetEvents(List<TargetListener> listeners) {
        this.listeners = List.copyOf(listeners);
        if (this.listeners.isEmpty()) {
            this.executor = null;
        } else {
            this.executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
                Thread t = new Thread(r, "iscsi4j-events");
                t.setDaemon(true);
                return t;
            });
        }
    }

    /** Whether any listener is registered (callers skip building events otherwise). */
    boolean enabled() {
        return executor != null;
    }

    void loginSucceeded(SessionInfo session) {
        post("loginSucceeded", l -> l.loginSucceeded(session));
    }

    void loginFailed(LoginFailureInfo failure) {
        post("loginFailed", l -> l.loginFailed(failure));
    }

    void loggedOut(SessionInfo session) {
        post("loggedOut", l -> l.loggedOut(session));
    }

    void connectionDropped(SessionInfo session) {
        post("connectionDropped", l -> l.connectionDropped(session));
    }

    void taskManagement(SessionInfo session, TaskManagementInfo function) {
        post("taskManagement", l -> l.taskManagement(session, function));
    }

    private void post(String event, Consumer<TargetListener> call) {
        if (executor == null) {
            return;
        }
        try {
            executor.execute(() -> {
                for (TargetListener l : listeners) {
                    try {
                        call.accept(l);
                    } catch (RuntimeException | Error e) {
                        if (e instanceof VirtualMachineError) {
                            throw e;
                        }
                        LOG.warn("listener {} failed on {}", l, event, e);
                    }
                }
            });
        } catch (RejectedExecutionException e) {
            LOG.debug("{} after the target closed: not delivered", event);
        }
    }

    /** Delivers the events already posted (waiting at most 5 seconds) and stops the thread. Idempotent. */
    @Override
    public void close() {
        if (executor == null) {
            return;
        }
        executor.shutdown();
        try {
            if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.warn("listeners still busy 5 s after the target closed; dropping the events not delivered");
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
