package io.iscsi4j.examples;

import io.iscsi4j.IscsiTarget;
import io.iscsi4j.backstore.Backstores;
import io.iscsi4j.initiator.BlockDevice;
import io.iscsi4j.initiator.DiscoveredTarget;
import io.iscsi4j.initiator.IscsiInitiator;
import io.iscsi4j.initiator.IscsiSession;
import io.iscsi4j.initiator.IscsiUrl;
import io.iscsi4j.initiator.LoginOptions;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The iscsi4j initiator: with a URL argument ({@code iscsi://[user%secret@]host[:port]/iqn/lun}) it logs in to that
 * LUN and prints its capacity and the start of block 0; without one it starts an embedded target, discovers it,
 * writes a block through iSCSI and reads it back.
 *
 * @since 0.1
 */
public final class InitiatorExample {

    private InitiatorExample() {
    }

    /**
     * Runs the example.
     *
     * @param args optionally, an iSCSI URL naming a LUN
     * @throws Exception when a login or command fails
     */
    public static void main(String[] args) throws Exception {
        if (args.length > 0) {
            IscsiUrl url = IscsiUrl.parse(args[0]);
            try (IscsiInitiator initiator = IscsiInitiator.builder().build();
                 IscsiSession session = initiator.login(url, LoginOptions.defaults())
                         .toCompletableFuture().get(30, TimeUnit.SECONDS)) {
                describe(session.lun(url.requireLun()));
            }
            return;
        }
        String iqn = "iqn.2026-11.io.iscsi4j:initiator-example";
        try (IscsiTarget target = IscsiTarget.builder()
                .portal("127.0.0.1", 0)
                .target(iqn, t -> t.lun(0, Backstores.memory(16L << 20)))
                .build()
                .start();
             IscsiInitiator initiator = IscsiInitiator.builder().build()) {
            InetSocketAddress portal = target.localAddress();
            List<DiscoveredTarget> found = initiator.discover(portal, LoginOptions.defaults())
                    .toCompletableFuture().get(30, TimeUnit.SECONDS);
            System.out.println("discovered " + found);
            try (IscsiSession session = initiator.login(portal, found.get(0).name(), LoginOptions.defaults())
                    .toCompletableFuture().get(30, TimeUnit.SECONDS)) {
                BlockDevice disk = session.lun(0);
                byte[] hello = new byte[disk.blockSize()];
                byte[] text = "hello through iSCSI".getBytes(StandardCharsets.US_ASCII);
                System.arraycopy(text, 0, hello, 0, text.length);
                disk.writeBlocking(0, ByteBuffer.wrap(hello));
                describe(disk);
            }
        }
    }

    private static void describe(BlockDevice disk) throws Exception {
        System.out.printf("LUN %d: %d blocks of %d bytes (%d bytes)%n", disk.lun(), disk.blockCount(),
                disk.blockSize(), disk.capacity());
        ByteBuffer first = ByteBuffer.allocate(disk.blockSize());
        disk.readBlocking(0, first);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 32; i++) {
            byte b = first.get(i);
            sb.append(b >= 0x20 && b < 0x7F ? (char) b : '.');
        }
        System.out.println("block 0 starts with: " + sb);
    }
}
