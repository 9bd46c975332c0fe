package io.iscsi4j.it;

import io.iscsi4j.IscsiTarget;
import io.iscsi4j.backstore.SharedState;
import io.iscsi4j.backstore.rbd.RbdBackstore;
import java.net.InetSocketAddress;
import java.util.StringJoiner;

/**
 * One gateway in a process of its own ({@link GatewayProcess} starts it): serves RBD image {@code args[1]} of the
 * cluster configured in {@code args[0]} as LUN 0 of {@link RbdGatewaysTest#IQN}, in port group {@code args[2]}, on
 * {@code args[3]} loopback portals (default 1), with librbd's cache off and the image's shared state; prints
 * {@code PORT <n> [<n>...]} once listening, then serves until killed.
 */
public final class GatewayMain {

    private GatewayMain() {
    }

    /**
     * @param args the Ceph configuration file, the image name (pool rbd), the port group and the number of portals
     * @throws Exception when the gateway cannot start
     */
    public static void main(String[] args) throws Exception {
        RbdBackstore rbd = RbdBackstore.builder().conf(args[0]).image(args[1]).option("rbd_cache", "false")
                .timeoutSeconds(30).open();
        SharedState shared = rbd.sharedState();
        int portals = args.length > 3 ? Integer.parseInt(args[3]) : 1;
        IscsiTarget.Builder builder = IscsiTarget.builder().portGroup(Integer.parseInt(args[2]));
        for (int i = 0; i < portals; i++) {
            builder.portal("127.0.0.1", 0);
        }
        IscsiTarget target = builder.target(RbdGatewaysTest.IQN, t -> t.lun(0, rbd, o -> o.sharedState(shared)))
                .build()
                .start();
        StringJoiner ports = new StringJoiner(" ", "PORT ", "");
        for (InetSocketAddress a : target.boundAddresses()) {
            ports.add(Integer.toString(a.getPort()));
        }
        System.out.println(ports);
        System.out.flush();
        Thread.currentThread().join();
    }
}
