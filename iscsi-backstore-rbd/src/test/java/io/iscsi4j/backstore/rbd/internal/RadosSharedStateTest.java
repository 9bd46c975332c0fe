package io.iscsi4j.backstore.rbd.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.iscsi4j.backstore.SharedState;
import io.iscsi4j.backstore.rbd.CephCluster;
import io.iscsi4j.backstore.rbd.RbdBackstore;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The wire formats of {@link RadosSharedState} (no cluster needed), and its re-watch after a watch error. */
class RadosSharedStateTest {

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void decodesANotifyReplyWithAcksAndTimeouts() {
        // The layout librados 16.2 returned for 2 acks and 1 time-out (little-endian throughout).
        ByteBuffer b = ByteBuffer.allocate(4 + 2 * 20 + 2 + 1 + 4 + 16).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(2);                                      // num_acks
        b.putLong(4133).putLong(0x5571_0000_1000L);       // gid, cookie
        b.putInt(2).put(ascii("hi"));                     // buflen, payload
        b.putLong(4135).putLong(0x5571_0000_2000L);
        b.putInt(1).put((byte) 7);
        b.putInt(1);                                      // num_timeouts
        b.putLong(4137).putLong(0x5571_0000_3000L);       // gid, cookie
        NotifyReply reply = NotifyReply.decode(b.array());
        assertThat(reply.acks()).hasSize(2);
        assertThat(reply.acks().get(0).gid()).isEqualTo(4133);
        assertThat(reply.acks().get(0).cookie()).isEqualTo(0x5571_0000_1000L);
        assertThat(reply.acks().get(0).payload()).isEqualTo(ascii("hi"));
        assertThat(reply.acks().get(1).payload()).containsExactly(7);
        assertThat(reply.timeouts()).containsExactly(new NotifyReply.Timeout(4137, 0x5571_0000_3000L));

        byte[] empty = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(0).putInt(0).array();
        assertThat(NotifyReply.decode(empty).acks()).isEmpty();
    }

    @Test
    void refusesATruncatedOrOverlongNotifyReply() {
        byte[] full = ByteBuffer.allocate(4 + 20 + 3 + 4).order(ByteOrder.LITTLE_ENDIAN)
                .putInt(1).putLong(1).putLong(2).putInt(3).put(ascii("abc")).putInt(0).array();
        assertThat(NotifyReply.decode(full).acks()).hasSize(1);
        for (int cut = 0; cut < full.length; cut++) {
            byte[] shorter = java.util.Arrays.copyOf(full, cut);
            assertThatThrownBy(() -> NotifyReply.decode(shorter)).as("cut at %d", cut)
                    .isInstanceOf(IllegalArgumentException.class);
        }
        byte[] longer = java.util.Arrays.copyOf(full, full.length + 1);
        assertThatThrownBy(() -> NotifyReply.decode(longer)).isInstanceOf(IllegalArgumentException.class);
        byte[] hugePayload = full.clone();
        hugePayload[20] = (byte) 0xFF; // buflen's low byte: 255 bytes announced, 3 present
        assertThatThrownBy(() -> NotifyReply.decode(hugePayload)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void framesCarryTheMemberAndThePayload() {
        byte[] f = RadosSharedState.frame(RadosSharedState.MESSAGE, "127.0.0.1:0/42", ascii("abort"));
        assertThat(f[0]).isEqualTo(RadosSharedState.MESSAGE);
        assertThat(f[1]).isZero();
        assertThat(f[2]).isEqualTo((byte) 14);
        RadosSharedState.Frame back = RadosSharedState.Frame.decode(f);
        assertThat(back.kind()).isEqualTo(RadosSharedState.MESSAGE);
        assertThat(back.from()).isEqualTo("127.0.0.1:0/42");
        assertThat(back.payload()).isEqualTo(ascii("abort"));
        assertThat(RadosSharedState.Frame.decode(RadosSharedState.frame(RadosSharedState.REPLY, "x", new byte[0]))
                .payload()).isEmpty();
        assertThat(RadosSharedState.Frame.decode(new byte[0])).isNull();
        assertThat(RadosSharedState.Frame.decode(new byte[] {9, 0, 0})).as("unknown kind").isNull();
        assertThat(RadosSharedState.Frame.decode(new byte[] {1, 0, 5, 'a'})).as("id past the end").isNull();
    }

    @Test
    void versionsAreFixedWidthHex() {
        assertThat(RadosSharedState.versionString(1)).isEqualTo("0000000000000001");
        assertThat(RadosSharedState.versionString(0xABCDEFL)).isEqualTo("0000000000abcdef");
    }

    @Test
    void notifyTimeoutsAreWholeSecondsRoundedUp() {
        assertThat(RadosSharedState.notifyTimeoutMillis(Duration.ofMillis(1))).isEqualTo(1000);
        assertThat(RadosSharedState.notifyTimeoutMillis(Duration.ofMillis(500))).isEqualTo(1000);
        assertThat(RadosSharedState.notifyTimeoutMillis(Duration.ofMillis(1000))).isEqualTo(1000);
        assertThat(RadosSharedState.notifyTimeoutMillis(Duration.ofMillis(1001))).isEqualTo(2000);
        assertThat(RadosSharedState.notifyTimeoutMillis(Duration.ZERO)).isEqualTo(1000);
        assertThat(RadosSharedState.notifyTimeoutMillis(Duration.ofSeconds(-3))).isEqualTo(1000);
        assertThat(RadosSharedState.notifyTimeoutMillis(Duration.ofDays(400))).isEqualTo(86_400_000L);
    }

    @Test
    void blocklistEntriesComeFromEachAddressOfTheVector() {
        assertThat(RadosSharedState.blocklistEntries("127.0.0.1:0/3224152810")).containsExactly("127.0.0.1:0/3224152810");
        assertThat(RadosSharedState.blocklistEntries("[v2:10.0.0.1:0/77,v1:10.0.0.1:0/77]")).containsExactly(
                "10.0.0.1:0/77");
        assertThat(RadosSharedState.blocklistEntries("v2:[::1]:0/9")).containsExactly("[::1]:0/9");
        assertThatThrownBy(() -> RadosSharedState.blocklistEntries("client.4133"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RadosSharedState.blocklistEntries("127.0.0.1"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aBrokenWatchIsWatchedAgainAndMessagesFlowAgain() throws Exception {
        String image = CephCluster.createImage(1 << 20);
        try (RbdBackstore a = RbdBackstore.builder().conf(CephCluster.conf()).image(image).option("rbd_cache", "false").timeoutSeconds(15).open();
                RbdBackstore b = RbdBackstore.builder().conf(CephCluster.conf()).image(image).option("rbd_cache", "false").timeoutSeconds(15)
                        .open()) {
            SharedState sa = a.sharedState();
            RadosSharedState sb = (RadosSharedState) b.sharedState();
            sb.onMessage((from, m) -> CompletableFuture.completedFuture(ascii("pong")));
            long before = sb.cookie();
            int watchesBefore = sb.watches();
            // What librados calls after a connection reset made the OSD drop the watch (-ENOTCONN).
            sb.new WatchBroken().invoke(0, before, -Errno.ENOTCONN);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (sb.watches() == watchesBefore && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            // Counted, not compared by cookie: librados may give the new watch the address of the one it destroyed.
            assertThat(sb.watches()).as("a new watch").isEqualTo(watchesBefore + 1);
            SharedState.Replies r = sa.broadcast(ascii("ping"), Duration.ofSeconds(5)).toCompletableFuture()
                    .get(30, TimeUnit.SECONDS);
            assertThat(r.silent()).as("the old watch is gone, not silent").isEmpty();
            assertThat(r.replies()).containsOnlyKeys(sb.memberId());
            assertThat(r.replies().get(sb.memberId())).isEqualTo(ascii("pong"));
        } finally {
            CephCluster.removeImage(image);
        }
    }
}
