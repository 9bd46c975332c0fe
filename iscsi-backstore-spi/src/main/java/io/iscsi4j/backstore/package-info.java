/**
 * The storage SPI (JDK only): what an iSCSI logical unit reads and writes. Implement {@link
 * io.iscsi4j.backstore.Backstore} to serve your own storage; the stock implementations are in {@link
 * io.iscsi4j.backstore.Backstores} (memory, file, read-only view).
 *
 * <h2>Writing a backstore</h2>
 * {@link io.iscsi4j.backstore.Backstore} states the whole contract: geometry, which thread calls and which thread may
 * complete, who owns the {@link java.nio.ByteBuffer}s and for how long, what {@code fua} and {@code flush()}
 * guarantee, and which exception becomes which SCSI sense data. A complete backstore holding its blocks in a map
 * (memory only, so it completes inline; storage that blocks extends {@link io.iscsi4j.backstore.BlockingBackstore}
 * instead, and one that talks to an asynchronous client returns that client's futures):
 *
 * <pre>{@code
 * final class MapBackstore implements Backstore {
 *     static final int BLOCK = 512;
 *     private static final byte[] ZEROS = new byte[BLOCK];
 *     private final Map<Long, byte[]> blocks = new ConcurrentHashMap<>();
 *     private final long blockCount;
 *     private final long badBlock;                          // reads of this block fail, for the example
 *
 *     MapBackstore(long blockCount, long badBlock) {
 *         this.blockCount = blockCount;
 *         this.badBlock = badBlock;
 *     }
 *
 *     public int blockSize() { return BLOCK; }
 *     public long blockCount() { return blockCount; }
 *     public boolean hasVolatileCache() { return false; }  // a write is as durable as it will get when stored
 *
 *     public CompletionStage<Void> read(long lba, ByteBuffer dst) {
 *         int n = dst.remaining() / BLOCK;                  // always whole blocks, from dst's position
 *         if (lba <= badBlock && badBlock < lba + n) {      // initiator sees MEDIUM ERROR / UNRECOVERED READ ERROR
 *             return CompletableFuture.failedFuture(new MediumErrorException(badBlock, "bad block"));
 *         }
 *         for (int i = 0; i < n; i++) {                     // absolute puts: any buffer, direct or heap
 *             dst.put(dst.position() + i * BLOCK, blocks.getOrDefault(lba + i, ZEROS));
 *         }
 *         return Backstores.completed();   // dst is filled: completing returns it to the target
 *     }
 *
 *     public CompletionStage<Void> write(long lba, ByteBuffer src, boolean fua) {
 *         for (int i = 0, n = src.remaining() / BLOCK; i < n; i++) {
 *             byte[] copy = new byte[BLOCK];                // copy: src is only lent until the stage completes
 *             src.get(src.position() + i * BLOCK, copy);
 *             blocks.put(lba + i, copy);
 *         }
 *         return CompletableFuture.completedFuture(null);
 *     }
 *
 *     public CompletionStage<Void> flush() { return CompletableFuture.completedFuture(null); }
 *     public void close() { blocks.clear(); }
 * }
 * }</pre>
 *
 * Served over iSCSI (module {@code iscsi-core}); the target owns the backstore and closes it:
 *
 * <pre>{@code
 * try (IscsiTarget target = IscsiTarget.builder()
 *         .portal("127.0.0.1", 3260)
 *         .target("iqn.2026-11.com.example:map", t -> t.lun(0, new MapBackstore(2048, 100)))
 *         .build()
 *         .start()) {
 *     // qemu-io -f raw -c 'read 0 4k' iscsi://127.0.0.1:3260/iqn.2026-11.com.example:map/0
 * }
 * }</pre>
 *
 * Optional operations (UNMAP, WRITE SAME, COMPARE AND WRITE, GET LBA STATUS) are default methods of {@code Backstore}
 * driven by {@link io.iscsi4j.backstore.BackstoreCapability}; {@link io.iscsi4j.backstore.ForwardingBackstore} is the
 * base for decorators (read-only views, copy-on-write overlays, fault injection, metrics).
 *
 * <p>This module is the whole SPI: it knows blocks, byte buffers and asynchronous completion, nothing of SCSI
 * opcodes, iSCSI or Netty. Every public type here is API.
 *
 * @since 0.1
 */
package io.iscsi4j.backstore;
