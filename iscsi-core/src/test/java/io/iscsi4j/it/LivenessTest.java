package io.iscsi4j.it;

import io.iscsi4j.IscsiTarget;
import io.iscsi4j.TargetListener;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Target-initiated NOP-In pings in full feature phase (RFC 7143 §11.18, §11.19): an idle connection is pinged
 * with a NOP-In carrying a Target Transfer Tag; an initiator that answers with a NOP-Out carrying that tag keeps
 * its session, one that does not is disconnected after the response timeout, like a lost connection.
 */
@Timeout(60)
class LivenessTest {

    private static final Duration INTERVAL = Duration.ofMillis(400);
    private static final Duration RESPONSE_TIMEOUT = Duration.ofMillis(600);

    /** Counts dropped connections and logouts, as a management application would see them. */
    private static final class Events implements TargetListener {
        final CountDownLatch dropped = new CountDownLatch(1);
        final AtomicInteger drops = new AtomicInteger();

        @Override
        public void connectionDropped(SessionInfo session) {
            drops.incrementAndGet();
            dropped.countDown();
        }
    }

    private static IscsiTarget start(Events events, Duration interval) throws IOException {
        return Targets.start(b -> b.nopInInterval(interval).nopInTimeout(RESPONSE_TIMEOUT).listener(events));
    }

    @Test
    void silentPeerIsPingedThenDisconnected() throws Exception {
        Events events = new Events();
        try (IscsiTarget target = start(events, INTERVAL);
             TestInitiator i = Targets.login(target, Map.of())) {
            long loggedIn = System.nanoTime();
            RawPdu ping = i.readPdu();
            long pinged = System.nanoTime();
            assertPing(ping, i);
            assertThat(Duration.ofNanos(pinged - loggedIn)).as("pinged after the interval, not before")
                    .isGreaterThanOrEqualTo(INTERVAL.minusMillis(50));

            // Not answered: the connection is closed after the response timeout, as a dropped connection.
            assertThat(i.awaitClose(Duration.ofSeconds(5))).as("closed for the unanswered ping").isTrue();
            long closed = System.nanoTime();
            assertThat(Duration.ofNanos(closed - pinged)).as("closed after the response timeout, not before")
                    .isGreaterThanOrEqualTo(RESPONSE_TIMEOUT.minusMillis(50));
            assertThat(events.dropped.await(5, TimeUnit.SECONDS)).as("connectionDropped reported").isTrue();
        }
    }

    @Test
    void answeringPeerKeepsItsSessionAcrossManyPings() throws Exception {
        Events events = new Events();
        try (IscsiTarget target = start(events, INTERVAL);
             TestInitiator i = Targets.login(target, Map.of())) {
            byte[] data = Targets.pattern(4096, 7);
            assertThat(i.write16(100, data).good()).isTrue();
            Set<Integer> tags = new HashSet<>();
            long start = System.nanoTime();
            for (int n = 0; n < 4; n++) { // 4 × 400 ms idle, far beyond one response timeout
                RawPdu ping = i.readPdu();
                assertPing(ping, i);
                tags.add(ping.ttt());
                // The answer (§11.18): immediate, ITT 0xffffffff, the ping's TTT and LUN, CmdSN not advanced.
                i.send(Bhs.of(Bhs.NOP_OUT).immediate(true).flags(0x80).lun(ping.lun()).itt(Bhs.RESERVED_TAG)
                        .i32(20, ping.ttt()).i32(24, i.cmdSN()).i32(28, i.expStatSN()), new byte[0]);
            }
            assertThat(Duration.ofNanos(System.nanoTime() - start))
                    .isGreaterThan(RESPONSE_TIMEOUT.multipliedBy(2));
            assertThat(tags).as("a fresh TTT per ping").hasSize(4);

            // Still logged in; the pings did not advance StatSN (the initiator's checks would throw).
            assertThat(i.read16(100, 8).data()).isEqualTo(data);
            assertThat(i.nopOut(new byte[] {1, 2})).containsExactly(1, 2);
            assertThat(events.drops.get()).isZero();
            assertThat(i.logout()).isZero();
        }
    }

    /** The TestInitiator answers pings on its own while it waits for responses (as real initiators do). */
    @Test
    void initiatorAnsweringInPassingStaysConnected() throws Exception {
        Events events = new Events();
        try (IscsiTarget target = start(events, INTERVAL);
             TestInitiator i = Targets.login(target, Map.of())) {
            for (int n = 0; n < 3; n++) {
                Thread.sleep(INTERVAL.plusMillis(200).toMillis()); // idle: a ping is waiting when we read next
                assertThat(i.testUnitReady().good()).isTrue();
            }
            assertThat(events.drops.get()).isZero();
            assertThat(i.logout()).isZero();
        }
    }

    /**
     * Only the NOP-Out carrying the ping's TTT answers it: a peer that keeps sending other PDUs but does not
     * read (it never learns the TTT) is disconnected too.
     */
    @Test
    void otherTrafficDoesNotAnswerThePing() throws Exception {
        Events events = new Events();
        try (IscsiTarget target = start(events, INTERVAL);
             TestInitiator i = Targets.login(target, Map.of())) {
            RawPdu ping = i.readPdu();
            assertPing(ping, i);
            // A NOP-Out with a wrong TTT and pings that want no answer (ITT and TTT 0xffffffff), every 100 ms.
            i.send(Bhs.of(Bhs.NOP_OUT).immediate(true).flags(0x80).itt(Bhs.RESERVED_TAG)
                    .i32(20, ping.ttt() + 1).i32(24, i.cmdSN()).i32(28, i.expStatSN()), new byte[0]);
            long deadline = System.nanoTime() + RESPONSE_TIMEOUT.plusSeconds(3).toNanos();
            boolean closed = false;
            while (!closed && System.nanoTime() < deadline) {
                try {
                    i.send(Bhs.of(Bhs.NOP_OUT).immediate(true).flags(0x80).itt(Bhs.RESERVED_TAG)
                            .i32(20, Bhs.RESERVED_TAG).i32(24, i.cmdSN()).i32(28, i.expStatSN()), new byte[0]);
                } catch (IOException e) {
                    closed = true;
                    break;
                }
                closed = i.awaitClose(Duration.ofMillis(100));
            }
            assertThat(closed).as("closed although the peer kept sending").isTrue();
            assertThat(events.dropped.await(5, TimeUnit.SECONDS)).isTrue();
        }
    }

    /** A connection that keeps sending is never pinged. */
    @Test
    void busyConnectionIsNotPinged() throws Exception {
        Events events = new Events();
        try (IscsiTarget target = start(events, INTERVAL);
             TestInitiator i = Targets.login(target, Map.of())) {
            long end = System.nanoTime() + INTERVAL.multipliedBy(4).toNanos();
            int n = 0;
            while (System.nanoTime() < end) {
                int tag = i.nextTag();
                i.send(Bhs.of(Bhs.NOP_OUT).immediate(true).flags(0x80).itt(tag)
                        .i32(20, Bhs.RESERVED_TAG).i32(24, i.cmdSN()).i32(28, i.expStatSN()), new byte[0]);
                RawPdu answer = i.readPdu();
                assertThat(answer.opcode()).isEqualTo(Bhs.NOP_IN);
                assertThat(answer.itt()).as("the answer to our ping, not a target ping: %s", answer).isEqualTo(tag);
                i.acceptStatus(answer);
                Thread.sleep(INTERVAL.toMillis() / 4);
                n++;
            }
            assertThat(n).isGreaterThan(5);
            assertThat(events.drops.get()).isZero();
        }
    }

    @Test
    void zeroIntervalDisablesThePings() throws Exception {
        Events events = new Events();
        try (IscsiTarget target = start(events, Duration.ZERO);
             TestInitiator i = Targets.login(target, Map.of())) {
            i.readTimeout(INTERVAL.plus(RESPONSE_TIMEOUT).plusMillis(500));
            assertThatThrownBy(i::readPdu).isInstanceOf(SocketTimeoutException.class);
            assertThat(i.testUnitReady().good()).isTrue();
            assertThat(events.drops.get()).isZero();
        }
    }

    @Test
    void builderChecksTheDurations() {
        IscsiTarget.Builder b = IscsiTarget.builder();
        assertThatThrownBy(() -> b.nopInInterval(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> b.nopInTimeout(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    }

    /**
     * A target ping (§11.19.1): NOP-In, ITT 0xffffffff, a valid TTT, LUN 0, no data, StatSN the next one (not
     * advanced), the session's current window.
     */
    private static void assertPing(RawPdu p, TestInitiator i) {
        assertThat(p.opcode()).as("%s", p).isEqualTo(Bhs.NOP_IN);
        assertThat(p.finalBit()).isTrue();
        assertThat(p.itt()).as("ITT of a target ping").isEqualTo(Bhs.RESERVED_TAG);
        assertThat(p.ttt()).as("TTT of a ping that wants an answer").isNotEqualTo(Bhs.RESERVED_TAG);
        assertThat(p.lun()).isZero();
        assertThat(p.dataSegmentLength()).isZero();
        assertThat(p.statSN()).as("StatSN: the next one, not advanced").isEqualTo(i.expStatSN());
        assertThat(p.expCmdSN()).isEqualTo(i.cmdSN());
    }
}
