package io.iscsi4j.backstore;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * {@link SharedState} among members in one JVM: several targets in one process serving the same storage, and tests
 * of multi-gateway behaviour without a cluster. Records live in the {@link Group}'s memory ({@link #persistent()}
 * is {@code false}); messages are delivered to each member on a thread of its own, in the order sent.
 *
 * <pre>{@code
 * InProcessSharedState.Group group = InProcessSharedState.group();
 * SharedState a = group.join("gateway-a", () -> storageOfA.cutOff());
 * SharedState b = group.join("gateway-b", () -> storageOfB.cutOff());
 * }</pre>
 *
 * <p>Fencing runs the fence action the member joined with (it must stop the member's writes before it returns);
 * a member that joined without one cannot be fenced.
 *
 * @since 0.2
 */
public final class InProcessSharedState implements SharedState {

    /**
     * A set of members sharing records and messages.
     */
    public static final class Group {

        private final Map<String, SharedState.Versioned> records = new HashMap<>();
        private final Map<String, InProcessSharedState> members = new ConcurrentHashMap<>();
        private final Map<String, Runnable> fenceActions = new ConcurrentHashMap<>();
        private long lastVersion;

        private Group() {
        }

        /**
         * Adds a member that cannot be fenced.
         *
         * @param memberId the member's identity, unique in the group
         * @return the member
         */
        public SharedState join(String memberId) {
            return join(memberId, null);
        }

        /**
         * Adds a member.
         *
         * @param memberId the member's identity, unique in the group
         * @param fenceAction what {@link SharedState#fence} runs to cut this member off from the storage
         *        (it must return only once the member's writes can no longer land), or {@code null}
         * @return the member
         */
        public SharedState join(String memberId, Runnable fenceAction) {
            Objects.requireNonNull(memberId, "memberId");
            InProcessSharedState m = new InProcessSharedState(this, memberId);
            if (members.putIfAbsent(memberId, m) != null) {
                throw new IllegalArgumentException("member " + memberId + " already joined");
            }
            if (fenceAction != null) {
                fenceActions.put(memberId, fenceAction);
            }
            return m;
        }

        private synchronized SharedState.Versioned read(String name) {
            return records.getOrDefault(name, SharedState.Versioned.ABSENT);
        }

        private synchronized boolean compareAndSet(String name, long expectedVersion, byte[] value) {
            if (read(name).version() != expectedVersion) {
                return false;
            }
            records.put(name, new SharedState.Versioned(++lastVersion, value));
            return true;
        }
    }

    /** @return a new, empty group */
    public static Group group() {
        return new Group();
    }

    private final Group group;
    private final String memberId;
    private final ExecutorService delivery;
    private volatile MessageHandler handler;
    private volatile boolean closed;

    private InProcessSharedState(Group group, String memberId) {
        this.group = group;
        this.memberId = memberId;
        this.delivery = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "shared-state-" + memberId);
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public String memberId() {
        return memberId;
    }

    @Override
    public boolean persistent() {
        return false;
    }

    @Override
    public CompletionStage<Versioned> read(String name) {
        Objects.requireNonNull(name, "name");
        return CompletableFuture.completedFuture(group.read(name));
    }

    @Override
    public CompletionStage<Boolean> compareAndSet(String name, long expectedVersion, byte[] value) {
        Objects.requireNonNull(name, "name");
        if (value.length > MAX_RECORD_BYTES) {
            return CompletableFuture.failedFuture(new IllegalArgumentException(
                    "record of " + value.length + " bytes exceeds " + MAX_RECORD_BYTES));
        }
        return CompletableFuture.completedFuture(group.compareAndSet(name, expectedVersion, value));
    }

    @Override
    public CompletionStage<Replies> broadcast(byte[] message, Duration timeout) {
        Objects.requireNonNull(message, "message");
        if (closed) {
            return CompletableFuture.failedFuture(new IllegalStateException("member " + memberId + " closed"));
        }
        Map<String, CompletableFuture<byte[]>> pending = new LinkedHashMap<>();
        for (InProcessSharedState peer : group.members.values()) {
            if (peer != this) {
                pending.put(peer.memberId, peer.deliver(memberId, message.clone())
                        .orTimeout(timeout.toNanos(), TimeUnit.NANOSECONDS));
            }
        }
        List<CompletableFuture<?>> all = new ArrayList<>();
        for (CompletableFuture<byte[]> f : pending.values()) {
            all.add(f.handle((r, e) -> null));
        }
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).thenApply(v -> {
            Map<String, byte[]> replies = new LinkedHashMap<>();
            List<String> silent = new ArrayList<>();
            pending.forEach((id, f) -> {
                byte[] reply = f.isCompletedExceptionally() ? null : f.join();
                if (reply == null) {
                    silent.add(id);
                } else {
                    replies.put(id, reply);
                }
            });
            return new Replies(replies, Set.copyOf(silent));
        });
    }

    private CompletableFuture<byte[]> deliver(String from, byte[] message) {
        CompletableFuture<byte[]> reply = new CompletableFuture<>();
        try {
            delivery.execute(() -> {
                MessageHandler h = handler;
                if (h == null || closed) {
                    return; // no reply: the sender counts this member as silent
                }
                try {
                    h.onMessage(from, message).whenComplete((r, e) -> {
                        if (e == null) {
                            reply.complete(r == null ? new byte[0] : r);
                        } else {
                            reply.completeExceptionally(e);
                        }
                    });
                } catch (RuntimeException e) {
                    reply.completeExceptionally(e);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            reply.completeExceptionally(e);
        }
        return reply;
    }

    @Override
    public void onMessage(MessageHandler handler) {
        this.handler = Objects.requireNonNull(handler, "handler");
    }

    @Override
    public CompletionStage<Void> fence(String member) {
        Runnable action = group.fenceActions.get(member);
        if (action == null) {
            return CompletableFuture.failedFuture(new UnsupportedOperationException(
                    "member " + member + " has no fence action"));
        }
        return CompletableFuture.runAsync(action);
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            group.members.remove(memberId, this);
            delivery.shutdown();
        }
    }

    @Override
    public String toString() {
        return "InProcessSharedState[" + memberId + "]";
    }
}
