package io.iscsi4j.interop;

import io.iscsi4j.IscsiTarget;
import io.iscsi4j.backstore.Backstore;
import io.iscsi4j.backstore.Backstores;
import io.iscsi4j.interop.InitiatorTools.Result;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.iscsi4j.interop.InteropTargets.IQN;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * QEMU's {@code qemu-io} through its libiscsi block driver: pattern writes and verified reads from 512 B to 16 MiB,
 * so immediate data, R2T sequences and multi-PDU Data-In all run, at offsets that straddle PDU, burst and
 * backstore chunk boundaries.
 */
@Timeout(180)
@Tag("interop")
class QemuIoInteropTest {

    private static final long MIB = 1L << 20;
    private static final long LUN_BYTES = 64 * MIB;

    /** Non-overlapping ranges, each with its own fill byte. */
    private static final List<Range> RANGES = List.of(
            new Range(0, 512, 0x11),                          // one block at LBA 0
            new Range(4608, 3584, 0x22),                      // unaligned to 4 KiB, ends on 8 KiB
            new Range(65024, 66560, 0x33),                    // straddles 64 KiB
            new Range(MIB - 4096, 256 * 1024 + 512, 0x44),    // straddles a chunk boundary, odd block count
            new Range(3 * MIB + 1536, MIB, 0x55),             // a full burst at a block-unaligned-to-chunk offset
            new Range(8 * MIB - 512, 16 * MIB, 0x66),         // 16 MiB: many bursts, many Data-In PDUs
            new Range(30 * MIB + 1000, 3000, 0x77),           // not block aligned: QEMU reads, modifies, writes
            new Range(40 * MIB, 4 * MIB + 4096, 0x88),        // just over 4 MiB
            new Range(LUN_BYTES - 512, 512, 0x99));           // the last block

    @Test
    @DisplayName("qemu-io: write -P then read -P from 512 B to 16 MiB, verified again in a new session and directly")
    void patternsSurviveAtManyOffsetsAndSizes() throws Exception {
        Backstore lun = Backstores.memory(LUN_BYTES);
        try (IscsiTarget target = InteropTargets.startOneLun(lun)) {
            String url = InteropTargets.lunUrl(target, IQN, 0);

            List<String> writeAndRead = new ArrayList<>();
            for (Range r : RANGES) {
                writeAndRead.add(r.write());
                writeAndRead.add(r.read());
            }
            qemuIo(Map.of(), List.of("-f", "raw"), url, writeAndRead);

            // A second session sees the same data, and an untouched region still reads as zeros.
            List<String> readAgain = new ArrayList<>();
            RANGES.forEach(r -> readAgain.add(r.read()));
            readAgain.add(new Range(50 * MIB, MIB, 0).read());
            qemuIo(Map.of(), List.of("-f", "raw"), url, readAgain);

            // And the backstore holds exactly those bytes, including the untouched neighbours of the unaligned
            // range (QEMU's read-modify-write must not have disturbed them).
            for (Range r : RANGES) {
                long firstLba = r.offset() / 512;
                long endLba = (r.offset() + r.length() + 511) / 512;
                ByteBuffer bytes = InteropTargets.readDirect(lun, firstLba, (int) ((endLba - firstLba) * 512));
                for (int i = 0; i < bytes.limit(); i++) {
                    long at = firstLba * 512 + i;
                    int expected = at >= r.offset() && at < r.offset() + r.length() ? r.pattern() : 0;
                    if ((bytes.get(i) & 0xff) != expected) {
                        throw new AssertionError(String.format(
                                "backstore byte at offset %d is 0x%02x, expected 0x%02x (range %s)",
                                at, bytes.get(i) & 0xff, expected, r));
                    }
                }
            }
        }
    }

    @Test
    @DisplayName("qemu-io header-digest=crc32c: the session negotiates HeaderDigest=CRC32C and data round-trips")
    void headerDigestCrc32c() throws Exception {
        try (IscsiTarget target = InteropTargets.startOneLun(Backstores.memory(LUN_BYTES))) {
            String options = "driver=raw,file.driver=iscsi,file.transport=tcp"
                    + ",file.portal=" + InteropTargets.hostPort(target)
                    + ",file.target=" + IQN + ",file.lun=0,file.header-digest=crc32c";
            List<Range> ranges = List.of(
                    new Range(0, 4096, 0x5a),
                    new Range(MIB + 512, 2 * MIB + 512, 0xa5),
                    new Range(9 * MIB, 8 * MIB, 0x3c));
            List<String> commands = new ArrayList<>();
            ranges.forEach(r -> commands.add(r.write()));
            ranges.forEach(r -> commands.add(r.read()));

            Result r = qemuIo(Map.of(InitiatorTools.LIBISCSI_DEBUG, "6"), List.of("--image-opts"), options, commands);

            assertThat(r.stdout() + r.stderr()).as(r.describe()).contains("TargetLoginReply: HeaderDigest=CRC32C");
        }
    }

    /** Runs one qemu-io process with several {@code -c} commands and checks that every one succeeded. */
    static Result qemuIo(Map<String, String> env, List<String> options, String image, List<String> commands) {
        List<String> line = new ArrayList<>();
        line.add("qemu-io");
        line.addAll(options);
        for (String c : commands) {
            line.add("-c");
            line.add(c);
        }
        line.add(image);
        Result r = InitiatorTools.run(InitiatorTools.DEFAULT_TIMEOUT, env, line.toArray(String[]::new));
        InitiatorTools.requireQemuIscsiDriver(r);
        String all = r.stdout() + r.stderr();
        assertThat(all).as(r.describe()).doesNotContain("Pattern verification failed");
        r.assertSuccess();
        for (String c : commands) {
            String[] words = c.split(" ");
            String verb = words[0].equals("write") ? "wrote" : "read";
            String length = words[words.length - 1];
            String offset = words[words.length - 2];
            assertThat(all).as("%s\n%s", c, r.describe())
                    .contains(verb + " " + length + "/" + length + " bytes at offset " + offset);
        }
        return r;
    }

    /** A byte range filled with one pattern byte. */
    record Range(long offset, long length, int pattern) {

        String write() {
            return String.format("write -P 0x%02x %d %d", pattern, offset, length);
        }

        String read() {
            return String.format("read -P 0x%02x %d %d", pattern, offset, length);
        }
    }
}
