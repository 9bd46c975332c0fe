package io.iscsi4j.backstore.rbd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.iscsi4j.backstore.NotReadyException;
import io.iscsi4j.backstore.SharedState;
import io.iscsi4j.backstore.SharedState.Replies;
import io.iscsi4j.backstore.SharedState.Versioned;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link RbdBackstore#sharedState()} against a real cluster: each backstore is its own RADOS client, so two or three
 * backstores on one image are two or three gateways.
 */
class RbdSharedStateTest {

    private static final int MIB = 1 << 20;

    private String image;
    private final List<RbdBackstore> open = new ArrayList<>();
    private final List<String> blocklisted = new ArrayList<>();

    @BeforeEach
    void createImage() {
        image = CephCluster.createImage(4L * MIB);
    }

    @AfterEach
    void cleanUp() {
        for (RbdBackstore b : open) {
            b.close();
        }
        for (String entry : blocklisted) {
            try {
                CephCluster.run("ceph", "osd", "blocklist", "rm", entry);
            } catch (RuntimeException e) {
                // best effort
            }
        }
        if (image != null) {
            CephCluster.removeImage(image);
        }
    }

    private RbdBackstore gateway() throws IOException {
        RbdBackstore b = RbdBackstore.builder().conf(CephCluster.conf()).image(image).option("rbd_cache", "false").timeoutSeconds(15).open();
        open.add(b);
        return b;
    }

    private static <T> T await(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(60, TimeUnit.SECONDS);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] random(int length, long seed) {
        byte[] b = new byte[length];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void compareAndSetAdmitsOneWriterPerVersion() throws Exception {
        RbdBackstore ga = gateway();
        SharedState a = ga.sharedState();
        SharedState b = gateway().sharedState();
        assertThat(ga.sharedState()).as("one member per backstore").isSameAs(a);
        assertThat(a.persistent()).isTrue();
        assertThat(a.memberId()).isEqualTo(ga.clientAddress()).isNotEqualTo(b.memberId());

        assertThat(await(a.read("pr"))).isEqualTo(Versioned.ABSENT);
        assertThat(await(b.compareAndSet("pr", 5, bytes("never")))).as("no version 5 yet").isFalse();
        assertThat(await(a.compareAndSet("pr", 0, bytes("one")))).isTrue();
        assertThat(await(b.compareAndSet("pr", 0, bytes("two")))).as("version 0 is taken").isFalse();
        Versioned seen = await(b.read("pr"));
        assertThat(seen.value()).isEqualTo(bytes("one"));
        assertThat(seen.version()).isPositive();
        assertThat(await(b.compareAndSet("pr", seen.version(), bytes("two")))).isTrue();
        assertThat(await(a.compareAndSet("pr", seen.version(), bytes("three")))).isFalse();
        Versioned now = await(a.read("pr"));
        assertThat(now.version()).isGreaterThan(seen.version());
        assertThat(now.value()).isEqualTo(bytes("two"));
        assertThat(await(a.read("other"))).isEqualTo(Versioned.ABSENT);

        // An empty value and the largest one.
        assertThat(await(a.compareAndSet("empty", 0, new byte[0]))).isTrue();
        assertThat(await(b.read("empty")).version()).isPositive();
        assertThat(await(b.read("empty")).value()).isEmpty();
        byte[] largest = random(SharedState.MAX_RECORD_BYTES, 1);
        assertThat(await(a.compareAndSet("large", 0, largest))).isTrue();
        assertThat(await(b.read("large")).value()).isEqualTo(largest);
        assertThatThrownBy(() -> await(a.compareAndSet("large", 1, new byte[SharedState.MAX_RECORD_BYTES + 1])))
                .cause().isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void concurrentCompareAndSetsHaveOneWinnerPerVersion() throws Exception {
        SharedState a = gateway().sharedState();
        SharedState b = gateway().sharedState();
        long last = 0;
        for (int round = 0; round < 20; round++) {
            // Both saw the same version; both ask at once: the OSD admits exactly one.
            CompletableFuture<Boolean> fromA = a.compareAndSet("race", last, bytes("a" + round)).toCompletableFuture();
            CompletableFuture<Boolean> fromB = b.compareAndSet("race", last, bytes("b" + round)).toCompletableFuture();
            boolean aWon = await(fromA);
            boolean bWon = await(fromB);
            assertThat(aWon ^ bWon).as("round %d: exactly one of A (%s) and B (%s) wins", round, aWon, bWon).isTrue();
            Versioned v = await(round % 2 == 0 ? a.read("race") : b.read("race"));
            assertThat(v.version()).as("versions increase").isGreaterThan(last);
            assertThat(v.value()).isEqualTo(bytes((aWon ? "a" : "b") + round));
            last = v.version();
        }

        // A counter incremented by read-then-compare-and-set from two threads per member: no update is lost.
        int perThread = 15;
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            List<Future<Integer>> retries = new ArrayList<>();
            for (SharedState member : List.of(a, b, a, b)) {
                retries.add(threads.submit(() -> {
                    int lost = 0;
                    for (int i = 0; i < perThread; i++) {
                        while (true) {
                            Versioned v = await(member.read("counter"));
                            long n = v.version() == 0 ? 0 : Long.parseLong(new String(v.value(),
                                    StandardCharsets.US_ASCII));
                            if (await(member.compareAndSet("counter", v.version(), bytes(Long.toString(n + 1))))) {
                                break;
                            }
                            lost++;
                        }
                    }
                    return lost;
                }));
            }
            int races = 0;
            for (Future<Integer> f : retries) {
                races += f.get(120, TimeUnit.SECONDS);
            }
            Versioned counter = await(a.read("counter"));
            assertThat(new String(counter.value(), StandardCharsets.US_ASCII)).isEqualTo(Integer.toString(4 * perThread));
            assertThat(counter.version()).isEqualTo(4L * perThread);
            System.out.printf("counter: %d increments, %d compare-and-sets lost a race and were retried%n",
                    4 * perThread, races);
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void recordsSurviveEveryMemberAndStayWithTheImage() throws Exception {
        RbdBackstore ga = gateway();
        RbdBackstore gb = gateway();
        assertThat(await(ga.sharedState().compareAndSet("pr", 0, bytes("kept")))).isTrue();
        Versioned written = await(gb.sharedState().read("pr"));
        ga.close();
        gb.close();
        open.clear();

        // The object is named from the image's id: a rename keeps it.
        String renamed = image + "-renamed";
        CephCluster.rbd("rename", "rbd/" + image, "rbd/" + renamed);
        image = renamed;
        RbdBackstore again = gateway();
        assertThat(await(again.sharedState().read("pr"))).isEqualTo(written);
        assertThat(CephCluster.run("rados", "-p", "rbd", "listomapkeys", "iscsi4j." + again.imageId() + ".state"))
                .contains("record.pr").contains("version.pr")
                .as("no member left behind but the open one").containsOnlyOnce("member.");

        String other = CephCluster.createImage(MIB);
        try (RbdBackstore elsewhere = RbdBackstore.builder().conf(CephCluster.conf()).image(other).option("rbd_cache", "false").open()) {
            assertThat(await(elsewhere.sharedState().read("pr"))).as("another image's state").isEqualTo(
                    Versioned.ABSENT);
        } finally {
            CephCluster.removeImage(other);
        }
    }

    @Test
    void aJoiningMemberSweepsTheEntriesOfCrashedOnes() throws Exception {
        RbdBackstore ga = gateway();
        ga.sharedState();
        String object = "iscsi4j." + ga.imageId() + ".state";
        // A client that crashed long ago (never unregistered, no longer watching), and one that just registered.
        CephCluster.run("rados", "-p", "rbd", "setomapval", object, "member.999001", "127.0.0.1:0/1\n1000");
        CephCluster.run("rados", "-p", "rbd", "setomapval", object, "member.999002",
                "127.0.0.1:0/2\n" + System.currentTimeMillis());
        gateway().sharedState();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        String keys;
        do {
            Thread.sleep(100);
            keys = CephCluster.run("rados", "-p", "rbd", "listomapkeys", object);
        } while (keys.contains("member.999001") && System.nanoTime() < deadline);
        assertThat(keys).as("the crashed member's entry is gone").doesNotContain("member.999001");
        assertThat(keys).as("a fresh entry stays: its member may be about to watch").contains("member.999002");
    }

    @Test
    void broadcastCollectsRepliesAndNamesTheSilent() throws Exception {
        SharedState a = gateway().sharedState();
        SharedState b = gateway().sharedState();
        SharedState c = gateway().sharedState();
        AtomicBoolean ownDelivered = new AtomicBoolean();
        a.onMessage((from, m) -> {
            ownDelivered.set(true);
            return CompletableFuture.completedFuture(bytes("a answered itself"));
        });
        List<String> bGot = Collections.synchronizedList(new ArrayList<>());
        b.onMessage((from, m) -> {
            String text = new String(m, StandardCharsets.US_ASCII);
            bGot.add(text);
            return CompletableFuture.supplyAsync(() -> bytes("b got " + text + " from " + from));
        });
        c.onMessage((from, m) -> new CompletableFuture<>()); // never answers

        long started = System.nanoTime();
        Replies r = await(a.broadcast(bytes("x"), Duration.ofSeconds(2)));
        long took = System.nanoTime() - started;
        assertThat(r.replies()).containsOnlyKeys(b.memberId());
        assertThat(new String(r.replies().get(b.memberId()), StandardCharsets.US_ASCII))
                .isEqualTo("b got x from " + a.memberId());
        assertThat(r.silent()).containsExactly(c.memberId());
        assertThat(took).as("waited for the silent member until the timeout, and not much longer")
                .isBetween(TimeUnit.MILLISECONDS.toNanos(1_900), TimeUnit.SECONDS.toNanos(6));
        assertThat(ownDelivered).as("a member's own message is not delivered to it").isFalse();

        // B's messages to the others, in the order sent (without waiting for each).
        List<CompletableFuture<Replies>> sent = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            sent.add(c.broadcast(bytes("m" + i), Duration.ofSeconds(5)).toCompletableFuture());
        }
        for (CompletableFuture<Replies> f : sent) {
            Replies each = await(f);
            assertThat(each.replies()).containsKeys(a.memberId(), b.memberId());
        }
        assertThat(bGot.subList(1, bGot.size())).containsExactly("m0", "m1", "m2", "m3", "m4", "m5", "m6", "m7",
                "m8", "m9");

        // A closed member no longer counts: neither silent nor replying, and the broadcast does not wait for it.
        c.close();
        c.close(); // idempotent
        started = System.nanoTime();
        r = await(a.broadcast(bytes("y"), Duration.ofSeconds(10)));
        assertThat(System.nanoTime() - started).as("no one left to wait for")
                .isLessThan(TimeUnit.SECONDS.toNanos(5));
        assertThat(r.silent()).isEmpty();
        assertThat(r.replies()).containsOnlyKeys(b.memberId());
        assertThatThrownBy(() -> await(c.broadcast(bytes("z"), Duration.ofSeconds(1))))
                .cause().isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aMemberWithoutAHandlerOrWithAFailingOneIsSilent() throws Exception {
        SharedState a = gateway().sharedState();
        SharedState b = gateway().sharedState(); // no handler
        SharedState c = gateway().sharedState();
        c.onMessage((from, m) -> CompletableFuture.failedFuture(new IllegalStateException("cannot")));
        long started = System.nanoTime();
        Replies r = await(a.broadcast(bytes("x"), Duration.ofMillis(500)));
        assertThat(System.nanoTime() - started).as("500 ms is rounded up to the OSD's one-second resolution, no more")
                .isBetween(TimeUnit.MILLISECONDS.toNanos(500), TimeUnit.SECONDS.toNanos(5));
        assertThat(r.replies()).isEmpty();
        assertThat(r.silent()).containsExactlyInAnyOrder(b.memberId(), c.memberId());
    }

    @Test
    void fencingBlocklistsTheMemberSoOnlyTheOthersWritesLand() throws Exception {
        RbdBackstore ga = gateway();
        RbdBackstore gb = gateway();
        SharedState a = ga.sharedState();
        SharedState b = gb.sharedState();
        byte[] fromB = random(4096, 2);
        await(gb.write(0, ByteBuffer.wrap(fromB), true));

        assertThatThrownBy(() -> await(a.fence(a.memberId()))).as("fencing itself")
                .cause().isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> await(a.fence("client.4242"))).cause().isInstanceOf(IllegalArgumentException.class);

        blocklisted.add(b.memberId().replaceAll("^\\[(v2:)?", "").replaceAll("[,\\]].*$", ""));
        long started = System.nanoTime();
        await(a.fence(b.memberId()));
        System.out.printf("fence (blocklist + latest OSD map): %.1f ms%n", (System.nanoTime() - started) / 1e6);
        assertThat(CephCluster.run("ceph", "osd", "blocklist", "ls")).contains(blocklisted.get(0));

        // B's write after the fence never lands; its shared-state calls fail the same way.
        assertThatThrownBy(() -> await(gb.write(0, ByteBuffer.wrap(random(4096, 3)), true)))
                .as("a write of the fenced gateway")
                .cause().isInstanceOf(NotReadyException.class).hasMessageContaining("blocklisted");
        assertThatThrownBy(() -> await(b.compareAndSet("pr", 0, bytes("late"))))
                .cause().isInstanceOf(NotReadyException.class);
        // A still writes, and a third client reads A's bytes.
        byte[] fromA = random(4096, 4);
        await(ga.write(0, ByteBuffer.wrap(fromA), true));
        assertThat(await(a.compareAndSet("pr", 0, bytes("a holds it")))).isTrue();
        try (RbdBackstore reader = RbdBackstore.builder().conf(CephCluster.conf()).image(image).option("rbd_cache", "false").readOnly(true)
                .open()) {
            ByteBuffer back = ByteBuffer.allocate(4096);
            await(reader.read(0, back));
            assertThat(back.array()).isEqualTo(fromA);
        }
        // The fenced member is gone from the group: the OSD dropped its watch.
        Replies r = await(a.broadcast(bytes("anyone?"), Duration.ofSeconds(2)));
        assertThat(r.replies()).isEmpty();
        assertThat(r.silent()).isEmpty();

        // Even once the entry is removed (or expires), the fenced backstore does not write again.
        CephCluster.run("ceph", "osd", "blocklist", "rm", blocklisted.get(0));
        assertThatThrownBy(() -> await(gb.write(0, ByteBuffer.wrap(random(4096, 5)), true)))
                .cause().isInstanceOf(NotReadyException.class);
        assertThatThrownBy(() -> await(b.compareAndSet("pr", 1, bytes("stale"))))
                .as("the fenced member's view is stale: it does not write the records either")
                .cause().isInstanceOf(NotReadyException.class);
        assertThat(await(a.read("pr")).value()).isEqualTo(bytes("a holds it"));
        ByteBuffer back = ByteBuffer.allocate(4096);
        await(ga.read(0, back));
        assertThat(back.array()).isEqualTo(fromA);
    }

    @Test
    void aWriteHeldWhenTheFenceLandsNeverOverwritesTheSurvivorsWrite() throws Exception {
        long osd = CephCluster.osdPid();
        RbdBackstore ga = gateway();
        RbdBackstore gb = gateway();
        SharedState a = ga.sharedState();
        SharedState b = gb.sharedState();
        await(ga.write(0, ByteBuffer.wrap(random(4096, 6)), true)); // both have the object open
        await(gb.write(0, ByteBuffer.wrap(random(4096, 7)), true));
        blocklisted.add(b.memberId().replaceAll("^\\[(v2:)?", "").replaceAll("[,\\]].*$", ""));

        CompletableFuture<Void> held;
        CephCluster.run("kill", "-STOP", Long.toString(osd));
        try {
            // B's write is sent but the OSD is not serving: it is in flight when A fences B (the monitor answers).
            held = gb.write(0, ByteBuffer.wrap(random(4096, 8)), true).toCompletableFuture();
            Thread.sleep(200);
            await(a.fence(b.memberId()));
            assertThat(held).as("B's write is still held").isNotDone();
        } finally {
            CephCluster.run("kill", "-CONT", Long.toString(osd));
        }
        byte[] fromA = random(4096, 9);
        await(ga.write(0, ByteBuffer.wrap(fromA), true));
        try {
            held.get(60, TimeUnit.SECONDS);
            System.out.println("the held write landed before A's (the OSD served it before it had the new map)");
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(NotReadyException.class);
            System.out.println("the held write failed: " + e.getCause().getMessage());
        }
        try (RbdBackstore reader = RbdBackstore.builder().conf(CephCluster.conf()).image(image).option("rbd_cache", "false").readOnly(true)
                .open()) {
            ByteBuffer back = ByteBuffer.allocate(4096);
            await(reader.read(0, back));
            assertThat(back.array()).as("the survivor's bytes, read by a third client").isEqualTo(fromA);
        }
    }

    @Test
    void closingTheBackstoreClosesItsMember() throws Exception {
        RbdBackstore ga = gateway();
        RbdBackstore gb = gateway();
        SharedState a = ga.sharedState();
        SharedState b = gb.sharedState();
        CountDownLatch delivered = new CountDownLatch(1);
        b.onMessage((from, m) -> {
            delivered.countDown();
            return CompletableFuture.completedFuture(new byte[0]);
        });
        assertThat(await(a.broadcast(bytes("x"), Duration.ofSeconds(5))).replies()).containsOnlyKeys(b.memberId());
        assertThat(delivered.await(0, TimeUnit.SECONDS)).isTrue();
        gb.close();
        Replies r = await(a.broadcast(bytes("x"), Duration.ofSeconds(5)));
        assertThat(r.replies()).isEmpty();
        assertThat(r.silent()).isEmpty();
        assertThatThrownBy(gb::sharedState).isInstanceOf(IOException.class).hasMessageContaining("closed");
        assertThatThrownBy(() -> await(b.read("pr"))).cause().isInstanceOf(NotReadyException.class);
        b.close(); // idempotent, after the backstore closed it
        assertThat(CephCluster.run("rados", "-p", "rbd", "listomapkeys", "iscsi4j." + ga.imageId() + ".state"))
                .as("the closed member left the registry").containsOnlyOnce("member.");
    }

    @Test
    void aBackstoreMayBeClosedFromAStageOrAHandler() throws Exception {
        RbdBackstore ga = gateway();
        RbdBackstore gb = gateway();
        SharedState a = ga.sharedState();
        SharedState b = gb.sharedState();
        b.onMessage((from, m) -> {
            gb.close(); // a gateway told to leave
            return CompletableFuture.completedFuture(new byte[0]);
        });
        await(a.broadcast(bytes("leave"), Duration.ofSeconds(2)));
        assertThatThrownBy(gb::sharedState).isInstanceOf(IOException.class);

        // Stages do not complete on librados' callback thread, where closing (rados_watch_flush) would hang.
        long started = System.nanoTime();
        CompletableFuture<Void> closedInStage = a.compareAndSet("pr", 0, bytes("x")).toCompletableFuture()
                .thenAccept(won -> ga.close());
        closedInStage.get(60, TimeUnit.SECONDS);
        assertThat(System.nanoTime() - started).as("the close did not wait for the call completing it")
                .isLessThan(TimeUnit.SECONDS.toNanos(10));
        assertThatThrownBy(ga::sharedState).isInstanceOf(IOException.class);
    }

    @Test
    void latencies() throws Exception {
        SharedState a = gateway().sharedState();
        SharedState b = gateway().sharedState();
        b.onMessage((from, m) -> CompletableFuture.completedFuture(m));
        int n = 200;
        long[] cas = new long[n];
        long[] read = new long[n];
        long version = 0;
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            assertThat(await(a.compareAndSet("bench", version, bytes("value " + i)))).isTrue();
            long t1 = System.nanoTime();
            version = await(a.read("bench")).version();
            long t2 = System.nanoTime();
            cas[i] = t1 - t0;
            read[i] = t2 - t1;
        }
        long[] broadcast = new long[100];
        for (int i = 0; i < broadcast.length; i++) {
            long t0 = System.nanoTime();
            Replies r = await(a.broadcast(bytes("m"), Duration.ofSeconds(5)));
            broadcast[i] = System.nanoTime() - t0;
            assertThat(r.replies()).containsOnlyKeys(b.memberId());
        }
        System.out.printf("compare-and-set: %s; read: %s; broadcast to 1 peer: %s%n", stats(cas), stats(read),
                stats(broadcast));
        assertThat(median(broadcast)).as("a broadcast answered at once does not wait for its timeout")
                .isLessThan(TimeUnit.SECONDS.toNanos(1));
    }

    private static long median(long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static String stats(long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return String.format("median %.2f ms, p90 %.2f ms, max %.2f ms (n=%d)", sorted[sorted.length / 2] / 1e6,
                sorted[sorted.length * 9 / 10] / 1e6, sorted[sorted.length - 1] / 1e6, sorted.length);
    }

    @Test
    void anImageOpenWithLibrbdsCacheIsRefused() throws Exception {
        try (RbdBackstore cached = RbdBackstore.builder().conf(CephCluster.conf()).image(image)
                .option("rbd_cache", "true").open()) {
            assertThat(cached.hasVolatileCache()).isTrue();
            assertThatThrownBy(cached::sharedState).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("rbd_cache");
        }
    }
}
