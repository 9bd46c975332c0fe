/**
 * The iSCSI initiator API.
 *
 * <pre>{@code
 * try (IscsiInitiator initiator = IscsiInitiator.builder().build();
 *      IscsiSession session = initiator.login(portal, "iqn.2026-11.io.iscsi4j:demo", LoginOptions.defaults())
 *              .toCompletableFuture().join()) {
 *     BlockDevice disk = session.lun(0);
 *     ByteBuffer block = ByteBuffer.allocate(disk.blockSize());
 *     disk.readBlocking(0, block);
 * }
 * }</pre>
 *
 * <p>Every asynchronous method returns a {@link java.util.concurrent.CompletionStage}; its callbacks may run on the
 * session's I/O thread, so they must not block (the {@code ...Blocking} methods refuse to run there). Failures are
 * {@link io.iscsi4j.initiator.IscsiException}s (wrapped in a {@link java.util.concurrent.CompletionException} where
 * a stage is joined).
 *
 * @since 0.1
 */
package io.iscsi4j.initiator;
