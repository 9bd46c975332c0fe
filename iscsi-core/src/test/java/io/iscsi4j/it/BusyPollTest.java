package io.iscsi4j.it;

import io.iscsi4j.IscsiTarget;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.Arrays;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The network threads' busy poll ({@code busyPoll}): off, the default and the largest window all move data, including
 * reads large enough to be served on the I/O threads, whose completions reach a polling event loop as queued tasks.
 */
class BusyPollTest {

    @ParameterizedTest
    @ValueSource(longs = {0, 50, 1000})
    void dataMovesWithAnyWindow(long micros) throws Exception {
        try (IscsiTarget target = Targets.start(b -> b.busyPoll(Duration.ofNanos(micros * 1000)));
             TestInitiator ini = Targets.login(target, Map.of())) {
            byte[] big = Targets.pattern(1 << 20, micros);
            assertThat(ini.write16(2048, big).good()).isTrue();
            for (int i = 0; i < 2; i++) {
                // 512 KiB reads: above what a memory LUN serves on the event loop, so they complete from I/O threads.
                ScsiResult r = ini.read16(2048 + i * 1024L, 1024);
                assertThat(r.good()).isTrue();
                assertThat(r.data()).isEqualTo(Arrays.copyOfRange(big, i << 19, (i + 1) << 19));
            }
            for (int i = 0; i < 200; i++) {
                byte[] block = Targets.pattern(512, micros * 1000 + i);
                assertThat(ini.write16(i, block).good()).isTrue();
                assertThat(ini.read16(i, 1).data()).isEqualTo(block);
            }
        }
    }

    @Test
    void windowIsValidated() {
        assertThatThrownBy(() -> IscsiTarget.builder().busyPoll(Duration.ofNanos(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("busyPoll");
        assertThatThrownBy(() -> IscsiTarget.builder().busyPoll(Duration.ofMillis(2)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("busyPoll");
        IscsiTarget.builder().busyPoll(Duration.ZERO).busyPoll(Duration.ofMillis(1));
    }
}
