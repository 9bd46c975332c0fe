package io.iscsi4j.examples;

import io.iscsi4j.IscsiTarget;
import io.iscsi4j.backstore.Backstores;

import java.net.InetSocketAddress;

/**
 * Embedding a target in an application: a 64 MiB memory LUN on 127.0.0.1 at a free port, served until Enter is
 * pressed, or for the number of seconds given as the only argument.
 *
 * @since 0.1
 */
public final class EmbeddedExample {

    private EmbeddedExample() {
    }

    /**
     * Starts the target, prints its LUN URL and waits.
     *
     * @param args optionally, how many seconds to serve
     * @throws Exception when the target cannot start
     */
    public static void main(String[] args) throws Exception {
        String iqn = "iqn.2026-11.io.iscsi4j:embedded";
        try (IscsiTarget target = IscsiTarget.builder()
                .portal("127.0.0.1", 0)                                  // 0: any free port
                .target(iqn, t -> t.alias("embedded example")
                        .lun(0, Backstores.memory(64L << 20)))           // 64 MiB, 512-byte blocks
                .build()
                .start()) {
            InetSocketAddress bound = target.localAddress();
            System.out.println("serving iscsi://127.0.0.1:" + bound.getPort() + "/" + iqn + "/0");
            if (args.length > 0) {
                Thread.sleep(Long.parseLong(args[0]) * 1000);
            } else {
                System.out.println("press Enter to stop");
                System.in.read();
            }
        }                                                                // close(): sessions end, LUN closed
    }
}
