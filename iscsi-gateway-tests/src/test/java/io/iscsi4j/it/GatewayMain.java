package io.iscsi4j.it;

import io.iscsi4j.IscsiTarget;
import io.iscsi4j.backstore.rbd.RbdBackstore;

/**
 * One gateway in a process of its own, for tests that kill it: serves RBD image {@code args[1]} of the cluster
 * configured in {@code args[0]} as LUN 0 of {@link RbdGatewaysTest#IQN}, in port group {@code args[2]}, with the
 * reservations shared on the image; prints {@code PORT <n>} once listening, then serves until killed.
 */
public final class GatewayMain {

    private GatewayMain() {
    }

    /**
     * @param args the Ceph configuration file, the image name (pool rbd) and the port group
     * @throws Exception when the gateway cannot start
     */
    public static void main(String[] args) throws Exception {
        RbdBackstore rbd = RbdBackstore.builder().conf(args[0]).image(args[1]).option("rbd_cache", "false").timeoutSeconds(30).open();
        IscsiTarget target = IscsiTarget.builder()
                .portal("127.0.0.1", 0)
                .portGroup(Integer.parseInt(args[2]))
                .target(RbdGatewaysTest.IQN, t -> t.lun(0, rbd, o -> {
                    try {
                        o.sharedState(rbd.sharedState());
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }))
                .build()
                .start();
        System.out.println("PORT " + target.localAddress().getPort());
        System.out.flush();
        Thread.currentThread().join();
    }
}
