package io.iscsi4j.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.iscsi4j.testing.InProcessTarget;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Runs {@link InitiatorExample} both ways; no native tool needed. */
@Timeout(60)
class InitiatorExampleTest {

    private interface Main {
        void run() throws Exception;
    }

    private static synchronized String output(Main main) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream original = System.out;
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            main.run();
        } finally {
            System.setOut(original);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void withoutArgumentsItWritesAndReadsAnEmbeddedTarget() throws Exception {
        String out = output(() -> InitiatorExample.main(new String[0]));
        assertThat(out).contains("discovered [DiscoveredTarget[name=iqn.2026-11.io.iscsi4j:initiator-example")
                .contains("LUN 0: 32768 blocks of 512 bytes (16777216 bytes)")
                .contains("block 0 starts with: hello through iSCSI");
    }

    @Test
    void withAUrlItDescribesThatLun() throws Exception {
        try (InProcessTarget target = InProcessTarget.builder().lun(8L << 20, 4096).chap("alice", "alice-secret")
                .start()) {
            target.backstore(0).writeBlocks(0, Arrays.copyOf("seeded".getBytes(StandardCharsets.US_ASCII), 4096));
            String out = output(() -> InitiatorExample.main(new String[] {target.urlWithCredentials(0)}));
            assertThat(out).contains("LUN 0: 2048 blocks of 4096 bytes (8388608 bytes)")
                    .contains("block 0 starts with: seeded");
        }
    }
}
