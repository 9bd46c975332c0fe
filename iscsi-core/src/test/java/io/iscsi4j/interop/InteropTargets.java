package io.iscsi4j.interop;

import io.iscsi4j.IscsiTarget;
import io.iscsi4j.backstore.Backstore;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** In-process targets on loopback port 0, and the URLs initiators use to reach them. */
final class InteropTargets {

    /** The target name most interop tests serve. */
    static final String IQN = "iqn.2026-11.io.iscsi4j:interop";

    private InteropTargets() {
    }

    /**
     * Starts a target on 127.0.0.1 at a free port serving {@code backstore} as LUN 0 of {@link #IQN}.
     *
     * @param backstore the LUN's storage; the target closes it
     * @return the started target; the caller closes it
     */
    static IscsiTarget startOneLun(Backstore backstore) throws IOException {
        return IscsiTarget.builder()
                .portal("127.0.0.1", 0)
                .target(IQN, t -> t.lun(0, backstore))
                .build()
                .start();
    }

    /** {@code HOST:PORT} of the first portal, an IPv6 host in brackets. */
    static String hostPort(IscsiTarget target) {
        InetSocketAddress a = target.localAddress();
        String host = a.getAddress().getHostAddress();
        if (a.getAddress() instanceof Inet6Address) {
            int scope = host.indexOf('%');
            host = "[" + (scope < 0 ? host : host.substring(0, scope)) + "]";
        }
        return host + ":" + a.getPort();
    }

    /** The portal URL libiscsi's discovery tools take: {@code iscsi://HOST:PORT}. */
    static String portalUrl(IscsiTarget target) {
        return "iscsi://" + hostPort(target);
    }

    /** A LUN's URL as libiscsi and QEMU take it: {@code iscsi://HOST:PORT/IQN/LUN}. */
    static String lunUrl(IscsiTarget target, String iqn, int lun) {
        return portalUrl(target) + "/" + iqn + "/" + lun;
    }

    /**
     * Reads bytes straight from a backstore, bypassing iSCSI, to check what initiators wrote.
     *
     * @param backstore the storage
     * @param lba the first block
     * @param length bytes to read, a multiple of the block size
     * @return the bytes, in a heap buffer positioned at 0
     */
    static ByteBuffer readDirect(Backstore backstore, long lba, int length)
            throws ExecutionException, InterruptedException, TimeoutException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        backstore.read(lba, buffer).toCompletableFuture().get(30, TimeUnit.SECONDS);
        return buffer.clear();
    }
}
