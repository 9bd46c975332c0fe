package io.iscsi4j.examples;

import io.iscsi4j.IscsiTarget;
import io.iscsi4j.backstore.Backstore;
import io.iscsi4j.backstore.Backstores;
import io.iscsi4j.backstore.SharedState;
import io.iscsi4j.backstore.rbd.RbdBackstore;
import io.iscsi4j.examples.DemoOptions.UsageException;
import io.iscsi4j.scsi.AccessState;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * The demo target: serves LUN 0 (or LUNs 0 to N-1), in memory or from a file, until the process is stopped with
 * Ctrl-C or SIGTERM. Run {@code java -jar iscsi4j-demo.jar --help} for the options.
 *
 * <p>Once every portal is bound it prints exactly one line, {@code listening on HOST:PORT}, to standard output
 * (with several portals, their bound addresses separated by spaces, in the order given); scripts wait for it. A bad option prints one line naming it to standard error and exits with status 2; a
 * failure to open the file or bind the portal exits with status 1.
 *
 * @since 0.1
 */
public final class DemoTarget {

    static final String PROGRAM = "iscsi4j-demo";
    static final int EXIT_USAGE = 2;
    static final int EXIT_FAILURE = 1;

    private DemoTarget() {
    }

    /**
     * Runs the demo target until the JVM is asked to stop.
     *
     * @param args the command line; see {@code --help}
     */
    public static void main(String[] args) {
        int status = launch(args, System.out, System.err);
        if (status != 0) {
            System.exit(status);
        }
    }

    /**
     * Parses {@code args}, starts the target and blocks until the JVM shuts down; returns early with an exit status
     * on {@code --help} (0), a bad option (2) or a start failure (1).
     */
    static int launch(String[] args, PrintStream out, PrintStream err) {
        DemoOptions options;
        IscsiTarget target;
        try {
            options = DemoOptions.parse(args);
            if (options.help()) {
                out.println(DemoOptions.USAGE);
                out.flush();
                return 0;
            }
            target = build(options);
        } catch (UsageException e) {
            err.println(PROGRAM + ": " + e.getMessage());
            err.println("Try '" + PROGRAM + " --help' for the options.");
            err.flush();
            return EXIT_USAGE;
        } catch (IOException | IllegalArgumentException e) {
            err.println(PROGRAM + ": cannot open the backstore: " + e.getMessage());
            err.flush();
            return EXIT_FAILURE;
        }
        // Registered before start() so that a signal at any later moment closes the target: close() ends the
        // sessions (their connections close), waits for in-flight I/O, flushes and closes the backstore, and is
        // idempotent.
        Thread hook = new Thread(target::close, PROGRAM + "-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            start(target, out);
        } catch (IOException e) {
            Runtime.getRuntime().removeShutdownHook(hook);
            target.close();
            boolean state = options.stateDir() != null && e.getMessage() != null
                    && e.getMessage().contains("reservation state");
            err.println(PROGRAM + ": " + (state ? "cannot start" : "cannot listen on " + portals(options)) + ": "
                    + e.getMessage());
            err.flush();
            return EXIT_FAILURE;
        }
        err.println(PROGRAM + ": serving " + describe(options) + " as " + String.join(" and ", urls(target))
                + "; stop with Ctrl-C");
        err.flush();
        try {
            new CountDownLatch(1).await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    /**
     * Opens the backstores and builds the (not yet started) target the options describe: every LUN on every portal.
     *
     * @throws UsageException when the target name is invalid
     * @throws IOException when the file cannot be opened or created
     */
    static IscsiTarget build(DemoOptions options) throws UsageException, IOException {
        List<Backstore> backstores = new ArrayList<>();
        List<SharedState> sharedStates = new ArrayList<>();
        try {
            if (options.rbd() != null) {
                for (String image : options.rbd().images()) {
                    RbdBackstore rbd = openRbd(options.rbd(), image, options.blockSize());
                    backstores.add(rbd);
                    sharedStates.add(options.rbd().sharedState() ? rbd.sharedState() : null);
                }
            } else if (options.file() != null) {
                backstores.add(Backstores.file(options.file(), options.sizeBytes(), options.blockSize()));
            } else {
                for (int lun = 0; lun < options.luns(); lun++) {
                    backstores.add(Backstores.memory(options.sizeBytes(), options.blockSize()));
                }
            }
            while (sharedStates.size() < backstores.size()) {
                sharedStates.add(null);
            }
            IscsiTarget.Builder builder = IscsiTarget.builder().portGroup(options.aluaGroup());
            if (options.stateDir() != null) {
                builder.stateDirectory(options.stateDir());
            }
            for (DemoOptions.Portal portal : options.portals()) {
                builder.portal(portal.host(), portal.port());
            }
            try {
                builder.target(options.iqn(), t -> {
                    t.alias(PROGRAM);
                    for (int lun = 0; lun < backstores.size(); lun++) {
                        SharedState shared = sharedStates.get(lun);
                        t.lun(lun, backstores.get(lun), o -> {
                            o.readOnly(options.readOnly());
                            if (shared != null) {
                                o.sharedState(shared);
                            }
                        });
                    }
                    if (options.chap() != null) {
                        t.chap(options.chap().user(), options.chap().secret());
                    }
                    if (options.mutualChap() != null) {
                        t.mutualChap(options.mutualChap().user(), options.mutualChap().secret());
                    }
                    if (options.allowShortSecrets()) {
                        t.allowShortSecrets();
                    }
                    for (String initiator : options.allow()) {
                        t.allowInitiator(initiator);
                    }
                });
            } catch (IllegalArgumentException e) {
                throw new UsageException("bad --iqn " + options.iqn() + ": " + e.getMessage());
            }
            IscsiTarget target = builder.build();
            target.portGroups().state(options.aluaState());
            return target;
        } catch (UsageException | IOException | RuntimeException e) {
            closeQuietly(backstores);
            throw e;
        }
    }

    /**
     * Starts {@code target} and prints the {@code listening on HOST:PORT} line to {@code out}: the bound addresses,
     * separated by spaces when there are several portals.
     *
     * @return the started target
     * @throws IOException when a portal cannot be bound
     */
    static IscsiTarget start(IscsiTarget target, PrintStream out) throws IOException {
        target.start();
        List<String> bound = new ArrayList<>();
        for (InetSocketAddress address : target.boundAddresses()) {
            bound.add(Addresses.hostPort(address));
        }
        out.println("listening on " + String.join(" ", bound));
        out.flush();
        return target;
    }

    /** The iSCSI URL of the first target's LUN 0 through the first portal, as libiscsi and QEMU spell it. */
    static String url(IscsiTarget target) {
        return urls(target).get(0);
    }

    /** The iSCSI URLs of the first target's LUN 0, one per portal, in portal order. */
    static List<String> urls(IscsiTarget target) {
        List<String> urls = new ArrayList<>();
        for (InetSocketAddress address : target.boundAddresses()) {
            urls.add("iscsi://" + Addresses.hostPort(address) + "/" + target.targets().get(0).name() + "/0");
        }
        return urls;
    }

    private static String portals(DemoOptions options) {
        List<String> texts = new ArrayList<>();
        for (DemoOptions.Portal portal : options.portals()) {
            texts.add(portal.toString());
        }
        return String.join(" ", texts);
    }

    /** Opens {@code POOL/IMAGE} or {@code POOL/NAMESPACE/IMAGE}. */
    private static RbdBackstore openRbd(DemoOptions.Rbd rbd, String image, int blockSize) throws IOException {
        String[] parts = image.split("/");
        RbdBackstore.Builder b = RbdBackstore.builder().pool(parts[0]).image(parts[parts.length - 1])
                .clientId(rbd.id()).blockSize(blockSize);
        if (parts.length == 3) {
            b.namespace(parts[1]);
        }
        if (rbd.conf() != null) {
            b.conf(rbd.conf());
        }
        if (rbd.sharedState()) {
            b.option("rbd_cache", "false"); // every gateway must read what another wrote
        }
        return b.open();
    }

    static String describe(DemoOptions options) {
        if (options.rbd() != null) {
            List<String> images = options.rbd().images();
            return (images.size() == 1 ? "LUN 0" : "LUNs 0 to " + (images.size() - 1)) + " (Ceph RBD "
                    + String.join(", ", images) + ", " + options.blockSize() + "-byte blocks"
                    + (options.readOnly() ? ", read-only" : "") + group(options)
                    + (options.rbd().sharedState() ? ", reservations shared with the other gateways" : "")
                    + stateDir(options) + ")";
        }
        String where = options.file() == null ? "in memory" : "from " + options.file();
        String luns = options.luns() == 1 ? "LUN 0" : "LUNs 0 to " + (options.luns() - 1);
        String each = options.luns() == 1 ? "" : " each";
        String authentication = "";
        if (options.chap() != null) {
            authentication = ", CHAP user " + options.chap().user() + (options.mutualChap() == null ? ""
                    : ", mutual CHAP as " + options.mutualChap().user());
        }
        return luns + " (" + humanSize(options.sizeBytes()) + each + " " + where + ", " + options.blockSize()
                + "-byte blocks" + (options.readOnly() ? ", read-only" : "") + authentication
                + (options.allow().isEmpty() ? "" : ", only for " + String.join(", ", options.allow()))
                + group(options) + stateDir(options) + ")";
    }

    /** The state directory, when there is one. */
    private static String stateDir(DemoOptions options) {
        return options.stateDir() == null ? "" : ", reservations kept in " + options.stateDir();
    }

    /** The port group, when it is not the default one. */
    private static String group(DemoOptions options) {
        String state = options.aluaState() == AccessState.ACTIVE_OPTIMIZED ? ""
                : " " + options.aluaState().toString().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
        return options.aluaGroup() == DemoOptions.DEFAULT_ALUA_GROUP && state.isEmpty() ? ""
                : ", ALUA group " + options.aluaGroup() + state;
    }

    /** {@code 1073741824} as {@code 1 GiB}; sizes that are not a whole number of KiB stay in bytes. */
    static String humanSize(long bytes) {
        String[] units = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB"};
        int unit = 0;
        long value = bytes;
        while (unit < units.length - 1 && value >= 1024 && value % 1024 == 0) {
            value /= 1024;
            unit++;
        }
        return value + " " + units[unit];
    }

    private static void closeQuietly(List<Backstore> backstores) {
        for (Backstore backstore : backstores) {
            try {
                backstore.close();
            } catch (IOException e) {
                // the original failure matters more
            }
        }
    }
}
