package io.iscsi4j.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.iscsi4j.IscsiTarget;
import io.iscsi4j.backstore.Backstores;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A target process ({@link StateDirectoryTargetMain}, a child JVM) killed with SIGKILL right after the GOOD status of
 * a PERSISTENT RESERVE OUT: a target started again on the same state directory and file reports and enforces what
 * was acknowledged, since the state was on disk before the status was sent.
 */
@Timeout(120)
class ReservationsAfterSigkillTest {

    private static final String HOST_A = "iqn.2026-11.io.iscsi4j:host-a";
    private static final String HOST_C = "iqn.2026-11.io.iscsi4j:host-c";
    private static final long KEY_A = 0xA11CEL;
    private static final int RESERVATION_CONFLICT = 0x18;

    @TempDir
    Path dir;

    /** Starts the child and returns it once it listens, with its port. */
    private Map.Entry<Process, Integer> child() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-Xmx128m", "-cp", System.getProperty("java.class.path"),
                StateDirectoryTargetMain.class.getName(), dir.resolve("lun0.img").toString(),
                dir.resolve("state").toString()).redirectErrorStream(true).start();
        CompletableFuture<Integer> port = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            StringBuilder seen = new StringBuilder();
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    if (line.startsWith("PORT ")) {
                        port.complete(Integer.parseInt(line.substring(5).trim()));
                    } else if (!port.isDone()) {
                        seen.append(line).append('\n');
                    }
                }
            } catch (IOException e) {
                // the process ended
            }
            port.completeExceptionally(new IllegalStateException("the target ended before listening:\n" + seen));
        }, "state-dir-target-output");
        reader.setDaemon(true);
        reader.start();
        try {
            return Map.entry(p, port.get(60, TimeUnit.SECONDS));
        } catch (Exception e) {
            p.destroyForcibly();
            throw e;
        }
    }

    private static ScsiResult prout(TestInitiator ini, int serviceAction, int type, long key, long saKey, int flags)
            throws IOException {
        byte[] cdb = new byte[10];
        cdb[0] = 0x5F;
        cdb[1] = (byte) serviceAction;
        cdb[2] = (byte) type;
        cdb[8] = 24;
        byte[] list = ByteBuffer.allocate(24).putLong(key).putLong(saKey).array();
        list[20] = (byte) flags;
        return ini.execute(0, cdb, 0, list);
    }

    private static ByteBuffer prin(TestInitiator ini, int sa) throws IOException {
        byte[] cdb = new byte[10];
        cdb[0] = 0x5E;
        cdb[1] = (byte) sa;
        cdb[8] = (byte) 255;
        ScsiResult r = ini.execute(0, cdb, 255, null);
        assertThat(r.good()).as("PERSISTENT RESERVE IN %s", r).isTrue();
        return ByteBuffer.wrap(r.data());
    }

    @Test
    void whatWasAcknowledgedBeforeTheKillIsThereAfterIt() throws Exception {
        Map.Entry<Process, Integer> child = child();
        Process target = child.getKey();
        TestInitiator a0 = TestInitiator.connect(new InetSocketAddress("127.0.0.1", child.getValue()));
        try {
            a0.login(HOST_A, Targets.IQN, Map.of());
            assertThat(prout(a0, 0x00, 0, 0, KEY_A, 0x01).good()).as("REGISTER with APTPL").isTrue();
            ScsiResult reserved = prout(a0, 0x01, 3, KEY_A, 0, 0); // RESERVE, Exclusive Access
            target.destroyForcibly(); // SIGKILL, right after the GOOD status
            assertThat(reserved.good()).as("RESERVE %s", reserved).isTrue();
            assertThat(target.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(target.exitValue()).as("killed by SIGKILL").isEqualTo(128 + 9);
        } finally {
            target.destroyForcibly();
            a0.close();
        }

        io.iscsi4j.backstore.Backstore image = Backstores.file(dir.resolve("lun0.img"), 0, 512);
        try (IscsiTarget again = IscsiTarget.builder()
                .portal("127.0.0.1", 0)
                .target(Targets.IQN, t -> t.lun(0, image))
                .stateDirectory(dir.resolve("state"))
                .build()
                .start()) {
            try (TestInitiator c = TestInitiator.connect(again.localAddress())) {
                c.login(HOST_C, Targets.IQN, Map.of());
                ByteBuffer keys = prin(c, 0);
                assertThat(keys.getInt(4)).as("one key").isEqualTo(8);
                assertThat(keys.getLong(8)).isEqualTo(KEY_A);
                ByteBuffer reservation = prin(c, 1);
                assertThat(reservation.getInt(4)).as("a reservation").isEqualTo(16);
                assertThat(reservation.getLong(8)).isEqualTo(KEY_A);
                assertThat(reservation.get(21) & 0x0F).as("Exclusive Access").isEqualTo(3);
                byte[] block = new byte[512];
                Arrays.fill(block, (byte) 0xCC);
                ScsiResult write = c.write16(0, block);
                assertThat(write.status()).as("%s", write).isEqualTo(RESERVATION_CONFLICT);
                assertThat(c.read16(0, 1).status()).as("Exclusive Access: reads conflict too")
                        .isEqualTo(RESERVATION_CONFLICT);
            }
            try (TestInitiator a = TestInitiator.connect(again.localAddress())) {
                a.useIsidOf(a0);
                a.login(HOST_A, Targets.IQN, Map.of());
                assertThat(a.read16(0, 1).good()).as("the holder reads").isTrue();
            }
        }
    }
}
