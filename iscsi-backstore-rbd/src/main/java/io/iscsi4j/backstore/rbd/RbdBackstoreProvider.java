package io.iscsi4j.backstore.rbd;

import io.iscsi4j.backstore.Backstore;
import io.iscsi4j.backstore.BackstoreProvider;
import java.io.IOException;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Provider {@code "rbd"}: an {@link RbdBackstore} from options {@code image} (required), {@code pool} (default
 * {@code rbd}), {@code namespace}, {@code snapshot}, {@code readOnly} ({@code true}/{@code false}), {@code conf}
 * (default: {@code CEPH_CONF}, else librados' search), {@code id} (the client id, default {@code admin}),
 * {@code blockSize} (default 512) and {@code timeout} (seconds, see {@link RbdBackstore.Builder#timeoutSeconds}).
 * Example spec: {@code rbd:pool=rbd,image=lun0,conf=/etc/ceph/ceph.conf,id=admin}. Stateless and thread-safe.
 *
 * @since 0.1
 */
public final class RbdBackstoreProvider implements BackstoreProvider {

    /** Kind name: {@value}. */
    public static final String NAME = "rbd";

    private static final Set<String> OPTIONS =
            Set.of("image", "pool", "namespace", "snapshot", "readOnly", "conf", "id", "blockSize", "timeout");

    /** For {@link java.util.ServiceLoader}. */
    public RbdBackstoreProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Backstore open(Map<String, String> options) throws IOException {
        Set<String> unknown = new TreeSet<>(options.keySet());
        unknown.removeAll(OPTIONS);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("rbd: unknown option(s) " + unknown + "; known: " + new TreeSet<>(OPTIONS));
        }
        String image = options.get("image");
        if (image == null || image.isEmpty()) {
            throw new IllegalArgumentException("rbd: option image is required");
        }
        RbdBackstore.Builder b = RbdBackstore.builder().image(image);
        if (options.containsKey("pool")) {
            b.pool(options.get("pool"));
        }
        if (options.containsKey("namespace")) {
            b.namespace(options.get("namespace"));
        }
        if (options.containsKey("snapshot")) {
            b.snapshot(options.get("snapshot"));
        }
        if (options.containsKey("readOnly")) {
            String v = options.get("readOnly");
            if (!v.equals("true") && !v.equals("false")) {
                throw new IllegalArgumentException("rbd: readOnly must be true or false: " + v);
            }
            b.readOnly(Boolean.parseBoolean(v));
        }
        if (options.containsKey("conf")) {
            b.conf(options.get("conf"));
        }
        if (options.containsKey("id")) {
            b.clientId(options.get("id"));
        }
        if (options.containsKey("blockSize")) {
            b.blockSize(integer("blockSize", options.get("blockSize")));
        }
        if (options.containsKey("timeout")) {
            b.timeoutSeconds(integer("timeout", options.get("timeout")));
        }
        return b.open();
    }

    private static int integer(String key, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("rbd: " + key + " must be an integer: " + value, e);
        }
    }
}
