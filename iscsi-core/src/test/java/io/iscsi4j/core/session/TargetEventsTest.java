package io.iscsi4j.core.session;

import io.iscsi4j.TargetListener;
import io.iscsi4j.TargetListener.SessionInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(60)
class TargetEventsTest {

    private static final int CAPACITY = 100;

    /** Blocks in its first call until released; counts every call. */
    private static final class Blocking implements TargetListener {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicInteger calls = new AtomicInteger();

        @Override
        public void loginSucceeded(SessionInfo session) {
            calls.incrementAndGet();
            entered.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static SessionInfo session(int tsih) {
        return new SessionInfo("iqn.2026-11.io.iscsi4j:events", 1, tsih, "iqn.2026-11.io.iscsi4j:test", false,
                null, null);
    }

    @Test
    void aBlockedListenerBoundsTheQueueAndDropsAreCountedAndReported() throws InterruptedException {
        Blocking listener = new Blocking();
        AtomicLong now = new AtomicLong();
        List<String> warnings = new CopyOnWriteArrayList<>();
        try (TargetEvents events = new TargetEvents(List.of(listener), CAPACITY, now::get, warnings::add)) {
            events.loginSucceeded(session(1));
            assertThat(listener.entered.await(10, TimeUnit.SECONDS)).as("the listener is called").isTrue();

            long start = System.nanoTime();
            int posted = 100_000;
            for (int i = 0; i < posted; i++) {
                events.loginSucceeded(session(2 + i % 65534));
            }
            long tookMillis = (System.nanoTime() - start) / 1_000_000;

            assertThat(tookMillis).as("posting never waits for the listener").isLessThan(10_000);
            assertThat(events.queuedEvents()).isEqualTo(CAPACITY);
            assertThat(events.droppedEvents()).isEqualTo(posted - CAPACITY);
            assertThat(warnings).as("one line at once, then at most one per interval").singleElement().asString()
                    .startsWith("1 listener events dropped: 100 events were waiting for the listeners");

            now.addAndGet(TargetEvents.WARNING_INTERVAL.toNanos());
            events.loginSucceeded(session(1));
            assertThat(warnings).hasSize(2);
            assertThat(warnings.get(1)).startsWith((posted - CAPACITY) + " listener events dropped")
                    .endsWith((posted - CAPACITY + 1) + " dropped since the target started");

            listener.release.countDown();
        }
        assertThat(listener.calls).as("the first event and the queued ones").hasValue(1 + CAPACITY);
    }

    @Test
    void dropsThatStoppedAreReportedOnceTheListenerCatchesUpAfterTheInterval() throws InterruptedException {
        Blocking listener = new Blocking();
        AtomicLong now = new AtomicLong();
        List<String> warnings = new CopyOnWriteArrayList<>();
        try (TargetEvents events = new TargetEvents(List.of(listener), 1, now::get, warnings::add)) {
            events.loginSucceeded(session(1));
            assertThat(listener.entered.await(10, TimeUnit.SECONDS)).isTrue();
            for (int i = 0; i < 11; i++) {
                events.loginSucceeded(session(2)); // one queued, ten dropped
            }
            assertThat(warnings).hasSize(1);

            now.addAndGet(TargetEvents.WARNING_INTERVAL.toNanos());
            listener.release.countDown();
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (warnings.size() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(warnings).hasSize(2);
            assertThat(warnings.get(1)).startsWith("9 listener events dropped");
        }
    }

    @Test
    void withoutListenersNothingIsQueued() {
        try (TargetEvents events = new TargetEvents(List.of())) {
            assertThat(events.enabled()).isFalse();
            events.loginSucceeded(session(1));
            assertThat(events.queuedEvents()).isZero();
            assertThat(events.droppedEvents()).isZero();
        }
    }
}
