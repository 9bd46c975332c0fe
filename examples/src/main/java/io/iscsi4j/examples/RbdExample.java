package io.iscsi4j.examples;

import io.iscsi4j.IscsiTarget;
import io.iscsi4j.backstore.rbd.RbdBackstore;
import java.net.InetSocketAddress;

/**
 * Serving a Ceph RBD image: {@code POOL/IMAGE} as LUN 0 on 127.0.0.1 at a free port, until Enter is pressed, or for
 * the number of seconds given as the second argument. The cluster is the one {@code CEPH_CONF} names (else
 * librados' search, {@code /etc/ceph/ceph.conf}), as client {@code admin}; librbd comes from the host
 * ({@code apt-get install librbd1}).
 *
 * @since 0.1
 */
public final class RbdExample {

    private RbdExample() {
    }

    /**
     * Opens the image, starts the target, prints its LUN URL and waits.
     *
     * @param args {@code POOL/IMAGE}, optionally followed by how many seconds to serve
     * @throws Exception when the image cannot be opened or the target cannot start
     */
    public static void main(String[] args) throws Exception {
        if (args.length < 1 || args[0].indexOf('/') <= 0) {
            System.err.println("usage: RbdExample POOL/IMAGE [SECONDS]");
            System.exit(2);
        }
        String pool = args[0].substring(0, args[0].indexOf('/'));
        String image = args[0].substring(args[0].indexOf('/') + 1);
        String iqn = "iqn.2026-12.io.iscsi4j:rbd";
        RbdBackstore disk = RbdBackstore.builder()
                .pool(pool).image(image)                                 // conf: $CEPH_CONF; client id: admin
                .timeoutSeconds(30)                                      // a silent cluster: NOT READY, no hang
                .open();
        try (IscsiTarget target = IscsiTarget.builder()
                .portal("127.0.0.1", 0)
                .target(iqn, t -> t.alias("rbd example").lun(0, disk))   // the target closes the image
                .build()
                .start()) {
            InetSocketAddress bound = target.localAddress();
            System.out.println("serving iscsi://127.0.0.1:" + bound.getPort() + "/" + iqn + "/0 from " + args[0]
                    + " (" + disk.blockCount() * disk.blockSize() + " bytes, serial " + disk.unitSerialNumber() + ")");
            if (args.length > 1) {
                Thread.sleep(Long.parseLong(args[1]) * 1000);
            } else {
                System.out.println("press Enter to stop");
                System.in.read();
            }
        }
    }
}
