package io.iscsi4j;

import io.iscsi4j.backstore.Backstore;
import io.iscsi4j.backstore.ForwardingBackstore;
import io.iscsi4j.backstore.Backstores;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IscsiTargetLifecycleTest {

    /** Counts close() calls reaching the backstore. */
    private static final class CountingBackstore extends ForwardingBackstore {
        final AtomicInteger closes = new AtomicInteger();

        CountingBackstore(Backstore delegate) {
            super(delegate);
        }

        @Override
        public void close() throws IOException {
            closes.incrementAndGet();
            super.close();
        }
    }

    private static IscsiTarget target(int port, Backstore b) {
        return IscsiTarget.builder().portal("127.0.0.1", port)
                .target("iqn.2026-11.io.iscsi4j:life", t -> t.lun(0, b)).build();
    }

    @Test
    void closeIsIdempotentAndClosesTheBackstoreOnce() throws Exception {
        CountingBackstore b = new CountingBackstore(Backstores.memory(1 << 20));
        IscsiTarget t = target(0, b).start();
        assertThat(t.localAddress().getPort()).isPositive();
        t.close();
        t.close();
        assertThat(b.closes).hasValue(1);
    }

    @Test
    void failedStartReleasesEverythingOnceAndCloseAfterwardsDoesNothing() throws Exception {
        CountingBackstore b = new CountingBackstore(Backstores.memory(1 << 20));
        try (ServerSocket busy = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            IscsiTarget t = target(busy.getLocalPort(), b);
            assertThatThrownBy(t::start).isInstanceOf(IOException.class);
            t.close();
        }
        assertThat(b.closes).hasValue(1);
    }

    @Test
    void closingATargetThatNeverStartedClosesItsBackstores() {
        CountingBackstore b = new CountingBackstore(Backstores.memory(1 << 20));
        target(0, b).close();
        assertThat(b.closes).hasValue(1);
    }

    @Test
    void buildNamesWhatIsMissing() {
        assertThatThrownBy(() -> IscsiTarget.builder().build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no portal")
                .hasMessageContaining("no target");
    }

    @Test
    void loginFloodSettingsAreValidated() {
        assertThatThrownBy(() -> IscsiTarget.builder().maxPendingLoginsPerAddress(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxPendingLoginsPerAddress");
        assertThatThrownBy(() -> IscsiTarget.builder().maxDiscoverySessions(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxDiscoverySessions");
        assertThatThrownBy(() -> IscsiTarget.builder().discoverySessionIdleTimeout(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("discoverySessionIdleTimeout");
        assertThatThrownBy(() -> IscsiTarget.builder().discoverySessionIdleTimeout(Duration.ofNanos(10)))
                .isInstanceOf(IllegalArgumentException.class);
        IscsiTarget.builder().discoverySessionIdleTimeout(Duration.ZERO);
        assertThatThrownBy(() -> IscsiTarget.builder().portal("127.0.0.1", 0)
                .target("iqn.2026-11.io.iscsi4j:life", t -> t.lun(0, Backstores.memory(1 << 20)))
                .maxSessions(65535).maxDiscoverySessions(1).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("maxSessions (65535) plus maxDiscoverySessions (1)");
        assertThatThrownBy(() -> new ResourceLimits(1, 1, 1, 0, 1, 1, 1, 1, 65536, 65536))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxPendingLoginsPerAddress");
        assertThatThrownBy(() -> new ResourceLimits(1, 1, 1, 1, 1, 0, 1, 1, 65536, 65536))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxDiscoverySessions");
    }
}
