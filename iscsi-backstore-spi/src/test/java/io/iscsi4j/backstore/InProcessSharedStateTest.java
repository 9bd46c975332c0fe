package io.iscsi4j.backstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class InProcessSharedStateTest {

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static <T> T get(java.util.concurrent.CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    @Test
    void compareAndSetAdmitsOneWriterPerVersion() throws Exception {
        InProcessSharedState.Group group = InProcessSharedState.group();
        SharedState a = group.join("a");
        SharedState b = group.join("b");
        assertThat(get(a.read("pr"))).isEqualTo(SharedState.Versioned.ABSENT);
        assertThat(get(a.compareAndSet("pr", 0, bytes("one")))).isTrue();
        assertThat(get(b.compareAndSet("pr", 0, bytes("two")))).isFalse();
        SharedState.Versioned seen = get(b.read("pr"));
        assertThat(seen.value()).isEqualTo(bytes("one"));
        assertThat(get(b.compareAndSet("pr", seen.version(), bytes("two")))).isTrue();
        assertThat(get(a.compareAndSet("pr", seen.version(), bytes("three")))).isFalse();
        SharedState.Versioned now = get(a.read("pr"));
        assertThat(now.version()).isGreaterThan(seen.version());
        assertThat(now.value()).isEqualTo(bytes("two"));
        assertThat(get(a.read("other"))).isEqualTo(SharedState.Versioned.ABSENT);
        assertThat(a.persistent()).isFalse();
    }

    @Test
    void broadcastCollectsRepliesAndNamesTheSilent() throws Exception {
        InProcessSharedState.Group group = InProcessSharedState.group();
        SharedState a = group.join("a");
        SharedState b = group.join("b");
        SharedState c = group.join("c");
        SharedState d = group.join("d");
        a.onMessage((from, m) -> CompletableFuture.failedFuture(new AssertionError("own message delivered")));
        b.onMessage((from, m) -> CompletableFuture.completedFuture(bytes("b got " + new String(m) + " from " + from)));
        c.onMessage((from, m) -> new CompletableFuture<>()); // never answers
        // d has no handler: silent as well
        SharedState.Replies r = get(a.broadcast(bytes("x"), Duration.ofMillis(200)));
        assertThat(r.replies()).containsOnlyKeys("b");
        assertThat(new String(r.replies().get("b"))).isEqualTo("b got x from a");
        assertThat(r.silent()).containsExactlyInAnyOrder("c", "d");
        d.close();
        r = get(a.broadcast(bytes("y"), Duration.ofMillis(100)));
        assertThat(r.silent()).containsExactly("c");
        assertThat(r.replies()).containsOnlyKeys("b");
    }

    @Test
    void fenceRunsTheMembersFenceAction() throws Exception {
        InProcessSharedState.Group group = InProcessSharedState.group();
        AtomicBoolean fenced = new AtomicBoolean();
        SharedState a = group.join("a");
        group.join("b", () -> fenced.set(true));
        group.join("c");
        get(a.fence("b"));
        assertThat(fenced).isTrue();
        assertThatThrownBy(() -> get(a.fence("c"))).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> group.join("a")).isInstanceOf(IllegalArgumentException.class);
    }
}
