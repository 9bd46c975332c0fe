package io.iscsi4j.examples;

import io.iscsi4j.IscsiTarget;
import io.iscsi4j.backstore.Backstore;
import io.iscsi4j.backstore.Backstores;

import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * Serves a writable copy-on-write clone of a base image ({@link CopyOnWriteBackstore}): the initiator may write
 * anything, the image is never changed, and the changes are dropped when the example ends.
 *
 * <pre>
 * CopyOnWriteExample [seconds [image-file]]
 * </pre>
 * Without an image file the base is a 64 MiB memory disk whose every byte is {@code 0xAB}. The image is opened
 * read-only with 512-byte blocks. Serves until Enter is pressed, or for the given number of seconds (0: until
 * Enter), then prints how many chunks the initiator changed.
 */
public final class CopyOnWriteExample {

    private CopyOnWriteExample() {
    }

    /**
     * Starts the target, prints its LUN URL and waits.
     *
     * @param args optionally, how many seconds to serve, and the base image's path
     * @throws Exception when the image cannot be opened or the target cannot start
     */
    public static void main(String[] args) throws Exception {
        long seconds = args.length > 0 ? Long.parseLong(args[0]) : 0;
        Backstore base = args.length > 1
                ? Backstores.readOnly(Backstores.file(Path.of(args[1]), 512))
                : patternedMemory(64L << 20, (byte) 0xAB);
        CopyOnWriteBackstore clone = new CopyOnWriteBackstore(base);
        String iqn = "iqn.2026-11.io.iscsi4j:cow";
        try (IscsiTarget target = IscsiTarget.builder()
                .portal("127.0.0.1", 0)
                .target(iqn, t -> t.alias("copy-on-write clone").lun(0, clone))
                .build()
                .start()) {
            System.out.println("serving iscsi://127.0.0.1:" + target.localAddress().getPort() + "/" + iqn + "/0");
            Waiting.serve(seconds);
            System.out.println("chunks changed by the initiator: " + clone.overlayChunks() + " ("
                    + clone.chunkBytes() + " bytes each); dropped, the base is untouched");
        }
    }

    /**
     * A memory backstore of {@code bytes} bytes, every byte {@code fill}: a stand-in for a golden image.
     *
     * @param bytes the size, a multiple of 512
     * @param fill the byte every block holds
     * @return the backstore
     * @throws Exception when the memory backstore cannot be written
     */
    static Backstore patternedMemory(long bytes, byte fill) throws Exception {
        Backstore memory = Backstores.memory(bytes);
        ByteBuffer chunk = ByteBuffer.allocate(1 << 20);
        while (chunk.hasRemaining()) {
            chunk.put(fill);
        }
        for (long offset = 0; offset < bytes; offset += chunk.capacity()) {
            int length = (int) Math.min(chunk.capacity(), bytes - offset);
            memory.write(offset / 512, chunk.clear().limit(length), false).toCompletableFuture().get();
        }
        return memory;
    }
}
