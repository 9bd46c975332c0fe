package io.iscsi4j.interop;

import io.iscsi4j.IscsiTarget;
import io.iscsi4j.backstore.Backstore;
import io.iscsi4j.backstore.Backstores;
import io.iscsi4j.interop.InitiatorTools.Result;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;

import static io.iscsi4j.interop.InteropTargets.IQN;
import static org.assertj.core.api.Assertions.assertThat;

/** QEMU's {@code qemu-img convert}: 64 MiB of random bytes into a LUN and back out, with up to 8 requests in flight. */
@Timeout(240)
@Tag("interop")
class QemuImgConvertInteropTest {

    private static final int LUN_BYTES = 64 << 20;
    private static final Duration CONVERT_TIMEOUT = Duration.ofSeconds(90);

    @Test
    @DisplayName("qemu-img convert: a 64 MiB random image copied into a LUN and back out is bit-identical")
    void imageRoundTripsThroughTheLun(@TempDir Path dir) throws Exception {
        Path source = dir.resolve("source.raw");
        Path copy = dir.resolve("copy.raw");
        writeRandom(source, LUN_BYTES, 20261101L);
        Backstore lun = Backstores.memory(LUN_BYTES);
        try (IscsiTarget target = InteropTargets.startOneLun(lun)) {
            String url = InteropTargets.lunUrl(target, IQN, 0);

            // -n: the destination exists (a LUN cannot be created).
            convert("-f", "raw", "-O", "raw", "-n", source.toString(), url);
            convert("-f", "raw", "-O", "raw", url, copy.toString());

            assertThat(Files.size(copy)).isEqualTo(LUN_BYTES);
            String expected = sha256(source);
            assertThat(sha256(copy)).as("SHA-256 of the image read back through iSCSI").isEqualTo(expected);
            assertThat(sha256(lun)).as("SHA-256 of the backstore's contents").isEqualTo(expected);
        }
    }

    private static void convert(String... arguments) {
        String[] command = new String[arguments.length + 2];
        command[0] = "qemu-img";
        command[1] = "convert";
        System.arraycopy(arguments, 0, command, 2, arguments.length);
        Result r = InitiatorTools.run(CONVERT_TIMEOUT, Map.of(), command);
        InitiatorTools.requireQemuIscsiDriver(r);
        r.assertSuccess();
    }

    private static void writeRandom(Path file, int bytes, long seed) throws IOException {
        Random random = new Random(seed);
        byte[] chunk = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (int done = 0; done < bytes; done += chunk.length) {
                random.nextBytes(chunk);
                out.write(chunk, 0, Math.min(chunk.length, bytes - done));
            }
        }
    }

    private static String sha256(Path file) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        byte[] buffer = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static String sha256(Backstore backstore) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        int chunk = 1 << 20;
        long blocksPerChunk = chunk / backstore.blockSize();
        for (long lba = 0; lba < backstore.blockCount(); lba += blocksPerChunk) {
            int length = (int) (Math.min(blocksPerChunk, backstore.blockCount() - lba) * backstore.blockSize());
            ByteBuffer bytes = InteropTargets.readDirect(backstore, lba, length);
            digest.update(bytes);
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
