package io.iscsi4j.core.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Proves that {@link LeakDetectionExtension} is installed and catches a leaked buffer. */
class LeakDetectionExtensionTest {

    @Test
    void detectsDeliberatelyLeakedBuffer() {
        assumeTrue(ResourceLeakDetector.getLevel() == ResourceLeakDetector.Level.PARANOID,
                "needs -Dio.netty.leakDetection.level=PARANOID");
        String marker = LeakDetectionExtension.DELIBERATE_LEAK_MARKER + UUID.randomUUID();
        leakBuffer(marker);

        // take only this test's leak, so the extension's own check after the class stays green
        List<String> leaks = LeakDetectionExtension.collectLeaks(record -> record.contains(marker));

        assertThat(leaks).hasSize(1);
        assertThat(leaks.get(0)).contains("LEAK: ByteBuf.release() was not called").contains(marker)
                .contains(LeakDetectionExtensionTest.class.getName() + ".leakBuffer");
    }

    @Test
    void releasedBufferIsNotReported() {
        String marker = "released-" + UUID.randomUUID();
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.buffer(8);
        buf.touch(marker);
        buf.release();

        assertThat(LeakDetectionExtension.collectLeaks(record -> record.contains(marker))).isEmpty();
    }

    private static void leakBuffer(String marker) {
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.buffer(8);
        buf.writeLong(42);
        buf.touch(marker);
        // no release: the buffer becomes unreachable when this method returns
    }
}
