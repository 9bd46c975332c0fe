package io.iscsi4j.examples;

import io.iscsi4j.IscsiTarget;
import io.iscsi4j.backstore.Backstores;

/**
 * Serves a 64 MiB disk with bad blocks ({@link FlakyBackstore}), to watch an initiator meet medium errors: LBAs
 * 2048 to 2055 (the 4 KiB at byte offset 1 MiB) fail every read and write with MEDIUM ERROR; everything else works.
 *
 * <pre>
 * FlakyDiskExample [seconds [every-nth-write]]
 * </pre>
 * With a second argument {@code n > 0}, every {@code n}th write fails too. Then try, with the URL it prints:
 * <pre>
 * qemu-io -f raw -c 'read 0 4k' URL          # succeeds
 * qemu-io -f raw -c 'read 1M 4k' URL         # read failed: Input/output error
 * </pre>
 */
public final class FlakyDiskExample {

    /** The first bad block. */
    static final long FIRST_BAD_LBA = 2048;
    /** How many consecutive blocks are bad. */
    static final int BAD_BLOCKS = 8;

    private FlakyDiskExample() {
    }

    /**
     * Starts the target, prints its LUN URL and waits.
     *
     * @param args optionally, how many seconds to serve (0: until Enter), and the write-failure period
     * @throws Exception when the target cannot start
     */
    public static void main(String[] args) throws Exception {
        long seconds = args.length > 0 ? Long.parseLong(args[0]) : 0;
        long everyNth = args.length > 1 ? Long.parseLong(args[1]) : 0;
        FlakyBackstore disk = flakyDisk().failEveryNthWrite(everyNth);
        String iqn = "iqn.2026-11.io.iscsi4j:flaky";
        try (IscsiTarget target = IscsiTarget.builder()
                .portal("127.0.0.1", 0)
                .target(iqn, t -> t.alias("flaky disk").lun(0, disk))
                .build()
                .start()) {
            System.out.println("serving iscsi://127.0.0.1:" + target.localAddress().getPort() + "/" + iqn + "/0");
            System.out.println("bad blocks: LBA " + FIRST_BAD_LBA + " to " + (FIRST_BAD_LBA + BAD_BLOCKS - 1));
            Waiting.serve(seconds);
        }
    }

    /** {@return a 64 MiB memory disk of 512-byte blocks, bad from {@link #FIRST_BAD_LBA} for 8 blocks} */
    static FlakyBackstore flakyDisk() {
        FlakyBackstore disk = new FlakyBackstore(Backstores.memory(64L << 20));
        for (int i = 0; i < BAD_BLOCKS; i++) {
            disk.addBadBlock(FIRST_BAD_LBA + i);
        }
        return disk;
    }
}
