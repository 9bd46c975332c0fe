package io.iscsi4j.backstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class DirectorySharedStateTest {

    @TempDir
    Path dir;

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static <T> T get(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Test
    void compareAndSetAdmitsOneWriterPerVersionAndKeepsTheValueOnDisk() throws Exception {
        Path state = dir.resolve("iqn.2026-11.io.iscsi4j%3Ademo/0");
        try (SharedState s = DirectorySharedState.open(state)) {
            assertThat(s.persistent()).isTrue();
            assertThat(s.soleMember()).isTrue();
            assertThat(get(s.read("pr"))).isEqualTo(SharedState.Versioned.ABSENT);
            assertThat(get(s.compareAndSet("pr", 0, bytes("one")))).isTrue();
            assertThat(get(s.compareAndSet("pr", 0, bytes("two")))).as("stale version").isFalse();
            SharedState.Versioned seen = get(s.read("pr"));
            assertThat(seen.value()).isEqualTo(bytes("one"));
            assertThat(get(s.compareAndSet("pr", seen.version() + 1, bytes("two")))).as("future version").isFalse();
            assertThat(get(s.compareAndSet("pr", seen.version(), bytes("two")))).isTrue();
            assertThat(get(s.read("pr")).version()).isGreaterThan(seen.version());
            assertThat(get(s.read("pr")).value()).isEqualTo(bytes("two"));
            assertThat(get(s.read("other"))).isEqualTo(SharedState.Versioned.ABSENT);
        }
        assertThat(state.resolve("r-pr")).exists();
        assertThat(state.toFile().list()).as("no temporary file left").containsExactlyInAnyOrder("lock", "r-pr");
    }

    @Test
    void concurrentCompareAndSetsFromOneVersionHaveOneWinner() throws Exception {
        try (SharedState s = DirectorySharedState.open(dir)) {
            for (int round = 0; round < 10; round++) {
                long v = get(s.read("pr")).version();
                List<CompletableFuture<Boolean>> all = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    all.add(s.compareAndSet("pr", v, bytes("w" + i)).toCompletableFuture());
                }
                int winners = 0;
                for (CompletableFuture<Boolean> f : all) {
                    winners += f.get(10, TimeUnit.SECONDS) ? 1 : 0;
                }
                assertThat(winners).isEqualTo(1);
                assertThat(get(s.read("pr")).version()).isEqualTo(v + 1);
            }
        }
    }

    @Test
    void recordsAndVersionsSurviveReopeningAndVersionsKeepGrowing() throws Exception {
        String odd = "mode:parameters/1 é";
        long version;
        try (SharedState s = DirectorySharedState.open(dir)) {
            for (int i = 0; i < 5; i++) {
                assertThat(get(s.compareAndSet("pr", get(s.read("pr")).version(), bytes("v" + i)))).isTrue();
            }
            assertThat(get(s.compareAndSet(odd, 0, bytes("odd")))).isTrue();
            version = get(s.read("pr")).version();
        }
        assertThat(dir.resolve("r-mode%3Aparameters%2F1%20%C3%A9")).as("a safe file name").exists();
        try (SharedState s = DirectorySharedState.open(dir)) {
            SharedState.Versioned pr = get(s.read("pr"));
            assertThat(pr.version()).isEqualTo(version);
            assertThat(pr.value()).isEqualTo(bytes("v4"));
            assertThat(get(s.read(odd)).value()).isEqualTo(bytes("odd"));
            assertThat(get(s.compareAndSet("pr", 0, bytes("reset")))).as("no restart from version 0").isFalse();
            assertThat(get(s.compareAndSet("pr", version, bytes("v5")))).isTrue();
            assertThat(get(s.read("pr")).version()).isGreaterThan(version);
        }
    }

    @Test
    void aDamagedOrTruncatedRecordFailsTheOpenNamingTheFile() throws Exception {
        try (SharedState s = DirectorySharedState.open(dir)) {
            assertThat(get(s.compareAndSet("persistent-reservations", 0, bytes("registrations...")))).isTrue();
        }
        Path record = dir.resolve("r-persistent-reservations");
        byte[] good = Files.readAllBytes(record);

        byte[] flipped = good.clone();
        flipped[good.length - 6] ^= 0x01; // one bit of the value
        Files.write(record, flipped);
        assertThatThrownBy(() -> DirectorySharedState.open(dir)).isInstanceOf(IOException.class)
                .hasMessageContaining(record.toString()).hasMessageContaining("checksum");

        Files.write(record, java.util.Arrays.copyOf(good, good.length - 3));
        assertThatThrownBy(() -> DirectorySharedState.open(dir)).isInstanceOf(IOException.class)
                .hasMessageContaining(record.toString()).hasMessageContaining("truncated");

        Files.write(record, new byte[0]);
        assertThatThrownBy(() -> DirectorySharedState.open(dir)).isInstanceOf(IOException.class)
                .hasMessageContaining(record.toString());
        assertThat(Files.size(record)).as("left as found").isZero();

        Files.write(record, good);
        try (SharedState s = DirectorySharedState.open(dir)) {
            assertThat(get(s.read("persistent-reservations")).value()).isEqualTo(bytes("registrations..."));
        }
    }

    @Test
    void aWriteThatACrashInterruptedIsDropped() throws Exception {
        try (SharedState s = DirectorySharedState.open(dir)) {
            assertThat(get(s.compareAndSet("pr", 0, bytes("durable")))).isTrue();
        }
        Files.write(dir.resolve("r-pr.tmp"), new byte[] {1, 2, 3}); // written, never renamed into place
        try (SharedState s = DirectorySharedState.open(dir)) {
            assertThat(get(s.read("pr")).value()).isEqualTo(bytes("durable"));
        }
        assertThat(dir.resolve("r-pr.tmp")).doesNotExist();
    }

    @Test
    void aSecondOpenerInThisProcessIsRefusedUntilTheFirstCloses() throws Exception {
        DirectorySharedState first = DirectorySharedState.open(dir);
        assertThatThrownBy(() -> DirectorySharedState.open(dir)).isInstanceOf(IOException.class)
                .hasMessageContaining(dir.toString()).hasMessageContaining("in use")
                .hasMessageContaining("pid " + ProcessHandle.current().pid());
        first.close();
        first.close(); // idempotent
        DirectorySharedState.open(dir).close();
        assertThatThrownBy(() -> get(first.compareAndSet("pr", 0, bytes("late"))))
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(IllegalStateException.class);
    }

    @Test
    void aSecondProcessIsRefusedWhileTheFirstLivesAndServesOnceItIsKilled() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process holder = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                DirectoryStateHolder.class.getName(), dir.toString())
                .redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(),
                    StandardCharsets.US_ASCII));
            assertThat(out.readLine()).isEqualTo("holding");
            assertThatThrownBy(() -> DirectorySharedState.open(dir)).isInstanceOf(IOException.class)
                    .hasMessageContaining("in use").hasMessageContaining("pid " + holder.pid());
        } finally {
            holder.destroyForcibly(); // SIGKILL: the OS ends the lock with the process
            assertThat(holder.waitFor(10, TimeUnit.SECONDS)).isTrue();
        }
        try (SharedState s = DirectorySharedState.open(dir)) {
            assertThat(get(s.read("pr")).value()).as("what the killed holder wrote").isEqualTo(bytes("held"));
        }
    }

    @Test
    void thereIsNoOtherMember() throws Exception {
        try (SharedState s = DirectorySharedState.open(dir)) {
            s.onMessage((from, m) -> CompletableFuture.failedFuture(new AssertionError("a message arrived")));
            SharedState.Replies r = get(s.broadcast(bytes("x"), Duration.ofSeconds(5)));
            assertThat(r.replies()).isEmpty();
            assertThat(r.silent()).isEmpty();
            assertThatThrownBy(() -> get(s.fence("someone"))).isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> get(s.compareAndSet("big", 0, new byte[SharedState.MAX_RECORD_BYTES + 1])))
                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(IllegalArgumentException.class);
            assertThat(get(s.compareAndSet("max", 0, new byte[SharedState.MAX_RECORD_BYTES]))).isTrue();
        }
        try (SharedState s = DirectorySharedState.open(dir)) {
            assertThat(get(s.read("max")).value()).hasSize(SharedState.MAX_RECORD_BYTES);
        }
    }

    @Test
    void aWriteThatFailsBeforeItsRenameLeavesTheRecordAsItWas() throws Exception {
        try (SharedState s = DirectorySharedState.open(dir)) {
            assertThat(get(s.compareAndSet("pr", 0, bytes("old")))).isTrue();
            Files.createDirectory(dir.resolve("r-pr.tmp")); // the temporary file cannot be written
            assertThatThrownBy(() -> get(s.compareAndSet("pr", 1, bytes("new")))).isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(IOException.class).hasMessageContaining("r-pr.tmp");
            assertThat(get(s.read("pr")).value()).isEqualTo(bytes("old"));
            assertThat(get(s.read("pr")).version()).isEqualTo(1);
            assertThat(get(s.compareAndSet("pr", 1, bytes("new")))).as("the old record stood: no harm done").isTrue();
        }
        try (SharedState s = DirectorySharedState.open(dir)) {
            assertThat(get(s.read("pr")).value()).isEqualTo(bytes("new"));
        }
    }

    @Test
    void aCompareAndSetCompletesOnlyAfterTheRecordAndTheDirectoryWereForced() throws Exception {
        List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        FileBackstore.Forcer recording = (p, channel, metaData) -> {
            channel.force(metaData);
            events.add("force " + (p.equals(dir) ? "the directory" : dir.relativize(p).toString())
                    + (Files.exists(dir.resolve("r-pr")) ? ", renamed" : ""));
        };
        try (DirectorySharedState s = DirectorySharedState.open(dir, recording)) {
            CompletableFuture<Boolean> done = s.compareAndSet("pr", 0, bytes("v1")).toCompletableFuture()
                    .whenComplete((r, e) -> events.add("completed"));
            assertThat(done.get(10, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(events).containsExactly("force r-pr.tmp", "force the directory, renamed", "completed");
    }

    @Test
    void aFailedDirectoryForceFailsThisAndEveryLaterWriteUntilReopened() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean failDirectory = new java.util.concurrent.atomic.AtomicBoolean();
        FileBackstore.Forcer failing = (p, channel, metaData) -> {
            if (failDirectory.get() && p.equals(dir.toAbsolutePath().normalize())) {
                throw new IOException("injected: directory fsync failed");
            }
            channel.force(metaData);
        };
        try (DirectorySharedState s = DirectorySharedState.open(dir, failing)) {
            assertThat(get(s.compareAndSet("pr", 0, bytes("v1")))).isTrue();
            failDirectory.set(true);
            assertThatThrownBy(() -> get(s.compareAndSet("pr", 1, bytes("v2")))).isInstanceOf(ExecutionException.class)
                    .hasRootCauseMessage("injected: directory fsync failed");
            failDirectory.set(false);
            assertThatThrownBy(() -> get(s.compareAndSet("other", 0, bytes("x")))).as("sticky: the disk may differ")
                    .isInstanceOf(ExecutionException.class).hasMessageContaining("earlier write");
            assertThat(get(s.read("pr")).value()).as("not answered as written").isEqualTo(bytes("v1"));
        }
        try (SharedState s = DirectorySharedState.open(dir)) {
            assertThat(get(s.read("pr")).value()).as("the renamed record is what the disk holds")
                    .isEqualTo(bytes("v2"));
            assertThat(get(s.compareAndSet("pr", get(s.read("pr")).version(), bytes("v3")))).isTrue();
        }
    }
}
