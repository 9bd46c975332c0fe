package io.iscsi4j.examples;

import io.iscsi4j.IscsiTarget;
import io.iscsi4j.LunBuilder;
import io.iscsi4j.PortalGroupBuilder;
import io.iscsi4j.TargetBuilder;
import io.iscsi4j.backstore.Backstore;
import io.iscsi4j.backstore.Backstores;
import io.iscsi4j.backstore.SharedState;
import io.iscsi4j.backstore.rbd.RbdBackstore;
import io.iscsi4j.core.auth.ChapAlgorithm;
import io.iscsi4j.examples.DemoConfigFile.ConfigException;
import io.iscsi4j.examples.DemoConfigFile.Locations;
import io.iscsi4j.examples.DemoOptions.UsageException;
import io.iscsi4j.scsi.LunFeature;
import io.iscsi4j.scsi.AccessState;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The demo target: serves LUN 0 (or LUNs 0 to N-1), in memory or from a file, until the process is stopped with
 * Ctrl-C or SIGTERM. Run {@code java -jar iscsi4j-demo.jar --help} for the options.
 *
 * <p>Once every portal is bound it prints exactly one line, {@code listening on HOST:PORT}, to standard output
 * (with several portals, their bound addresses separated by spaces, in the order given); scripts wait for it. A bad
 * option prints one line naming it to standard error and exits with status 2, as does a mistake in the configuration
 * file of {@code --config} (one line, {@code FILE:LINE: KEY: problem}); a failure to open the storage or bind a
 * portal exits with status 1. {@code --print-config} prints the configuration as YAML and exits with status 0.
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
     * Parses {@code args} (and the {@code --config} file), starts the target and blocks until the JVM shuts down;
     * returns early with an exit status on {@code --help} or {@code --print-config} (0), a bad option or a mistake in
     * the file (2) or a start failure (1).
     */
    static int launch(String[] args, PrintStream out, PrintStream err) {
        DemoOptions options;
        DemoConfig config;
        IscsiTarget target;
        try {
            options = DemoOptions.parse(args);
            if (options.help()) {
                out.println(DemoOptions.USAGE);
                out.flush();
                return 0;
            }
            Locations where;
            if (options.config() != null) {
                DemoConfigFile.Loaded loaded = readConfig(options.config());
                config = loaded.config();
                where = loaded.locations();
                check(config, where);
            } else {
                config = DemoConfig.of(options);
                where = Locations.none();
            }
            if (options.printConfig()) {
                out.print(DemoConfigFile.write(config, options.showSecrets()));
                out.flush();
                return 0;
            }
            target = options.config() != null ? build(config, where) : build(options);
        } catch (UsageException e) {
            err.println(PROGRAM + ": " + e.getMessage());
            err.println("Try '" + PROGRAM + " --help' for the options.");
            err.flush();
            return EXIT_USAGE;
        } catch (ConfigException e) {
            err.println(e.getMessage()); // FILE:LINE: KEY: problem, and nothing else
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
            boolean state = config.stateDirectory() != null && e.getMessage() != null
                    && e.getMessage().contains("reservation state");
            err.println(PROGRAM + ": " + (state ? "cannot start" : "cannot listen on " + portals(config)) + ": "
                    + e.getMessage());
            err.flush();
            return EXIT_FAILURE;
        }
        err.println(PROGRAM + ": serving " + (options.config() == null ? describe(options) : describe(config))
                + " as " + String.join(" and ", urls(target).subList(0, config.portals().size()))
                + "; stop with Ctrl-C");
        err.flush();
        try {
            new CountDownLatch(1).await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    /** Reads {@code --config}; a file that cannot be read is a bad argument. */
    private static DemoConfigFile.Loaded readConfig(Path file) throws UsageException, ConfigException {
        try {
            return DemoConfigFile.read(file);
        } catch (NoSuchFileException e) {
            throw new UsageException("bad --config " + file + ": no such file");
        } catch (IOException e) {
            throw new UsageException("bad --config " + file + ": cannot read it: " + e);
        }
    }

    /**
     * Opens the backstores and builds the (not yet started) target the options describe: every LUN on every portal.
     *
     * @throws UsageException when the target name is invalid
     * @throws IOException when the file cannot be opened or created
     */
    static IscsiTarget build(DemoOptions options) throws UsageException, IOException {
        try {
            return build(DemoConfig.of(options), Locations.none());
        } catch (ConfigException e) {
            if (e.path().startsWith("targets[0].name")) {
                throw new UsageException("bad --iqn " + options.iqn() + ": " + e.problem());
            }
            if (e.path().equals("busyPoll")) {
                throw new UsageException("bad --busy-poll " + DemoConfigFile.durationText(options.busyPoll()) + ": "
                        + e.problem());
            }
            throw new UsageException("bad option: " + e.problem());
        }
    }

    /**
     * Checks the configuration against the library ({@link #check}), then opens the backstores and builds the (not
     * yet started) target: every target on every portal.
     *
     * @param where the lines of the configuration file, to place what the library refuses
     * @throws ConfigException when the library refuses part of the configuration; nothing is opened then
     * @throws IOException when a file or image cannot be opened or created
     */
    static IscsiTarget build(DemoConfig config, Locations where) throws ConfigException, IOException {
        check(config, where);
        List<List<Backstore>> backstores = new ArrayList<>();
        List<List<SharedState>> shared = new ArrayList<>();
        try {
            for (DemoConfig.Target t : config.targets()) {
                List<Backstore> stores = new ArrayList<>();
                List<SharedState> states = new ArrayList<>();
                backstores.add(stores);
                shared.add(states);
                for (DemoConfig.Lun lun : t.luns()) {
                    Backstore b = open(config, lun);
                    stores.add(b);
                    states.add(lun.storage() instanceof DemoConfig.Rbd r && r.sharedState()
                            ? ((RbdBackstore) b).sharedState() : null);
                }
            }
            return assemble(config, where, backstores, shared);
        } catch (ConfigException | IOException | RuntimeException e) {
            backstores.forEach(DemoTarget::closeQuietly);
            throw e;
        }
    }

    /**
     * Builds the target the configuration describes with thin memory backstores in place of the storage and closes
     * it again, so that every mistake the library finds (a name, a serial, a range) is reported with its place in the
     * file before any file is created or image opened.
     *
     * @throws ConfigException naming the first problem and where it is
     */
    static void check(DemoConfig config, Locations where) throws ConfigException {
        List<List<Backstore>> dummies = new ArrayList<>();
        List<List<SharedState>> shared = new ArrayList<>();
        try {
            for (int i = 0; i < config.targets().size(); i++) {
                List<Backstore> stores = new ArrayList<>();
                List<SharedState> states = new ArrayList<>();
                dummies.add(stores);
                shared.add(states);
                List<DemoConfig.Lun> luns = config.targets().get(i).luns();
                for (int j = 0; j < luns.size(); j++) {
                    DemoConfig.Lun lun = luns.get(j);
                    long size = lun.storage() instanceof DemoConfig.Memory m ? m.sizeBytes()
                            : lun.storage() instanceof DemoConfig.File f && f.sizeBytes() > 0 ? f.sizeBytes()
                            : lun.blockSize();
                    stores.add(at(where, "targets[" + i + "].luns[" + j + "]." + storageKey(lun),
                            () -> Backstores.memory(size, lun.blockSize())));
                    states.add(null);
                }
            }
            assemble(config, where, dummies, shared).close();
        } catch (Misplaced e) {
            dummies.forEach(DemoTarget::closeQuietly);
            throw e.problem;
        } catch (ConfigException | RuntimeException e) {
            dummies.forEach(DemoTarget::closeQuietly);
            throw e;
        }
    }

    private static String storageKey(DemoConfig.Lun lun) {
        return lun.storage() instanceof DemoConfig.Memory ? "memory"
                : lun.storage() instanceof DemoConfig.File ? "file" : "rbd";
    }

    private static Backstore open(DemoConfig config, DemoConfig.Lun lun) throws IOException {
        if (lun.storage() instanceof DemoConfig.Memory m) {
            return Backstores.memory(m.sizeBytes(), lun.blockSize());
        }
        if (lun.storage() instanceof DemoConfig.File f) {
            return Backstores.file(f.path(), f.sizeBytes(), lun.blockSize());
        }
        DemoConfig.Rbd r = (DemoConfig.Rbd) lun.storage();
        DemoConfig.Ceph ceph = config.ceph() == null ? new DemoConfig.Ceph(null, null) : config.ceph();
        return openRbd(new DemoOptions.Rbd(List.of(r.image()), ceph.conf(), ceph.id() == null ? "admin" : ceph.id(),
                r.sharedState()), r.image(), lun.blockSize());
    }

    /** Hands the configuration to the library's builders, each call placed at its key path. */
    private static IscsiTarget assemble(DemoConfig c, Locations where, List<List<Backstore>> backstores,
                                        List<List<SharedState>> shared) throws ConfigException {
        try {
            IscsiTarget.Builder b = IscsiTarget.builder();
            at(where, "portGroup", () -> b.portGroup(c.portGroup()));
            ifGiven(where, "stateDirectory", c.stateDirectory(), b::stateDirectory);
            ifGiven(where, "jmx", c.jmx(), b::jmx);
            ifGiven(where, "busyPoll", c.busyPoll(), b::busyPoll);
            for (int i = 0; i < c.portals().size(); i++) {
                DemoOptions.Portal portal = c.portals().get(i);
                at(where, "portals[" + i + "]", () -> b.portal(portal.host(), portal.port()));
            }
            DemoConfig.Auth discovery = c.discovery();
            if (discovery.allowShortSecrets()) {
                b.allowShortDiscoverySecrets();
            }
            if (discovery.chap() != null) {
                at(where, "discovery.chap", () -> b.discoveryChap(discovery.chap().user(), discovery.chap().secret()));
            }
            if (discovery.mutualChap() != null) {
                at(where, "discovery.mutualChap", () -> b.discoveryMutualChap(discovery.mutualChap().user(),
                        discovery.mutualChap().secret()));
            }
            if (!discovery.chapAlgorithms().isEmpty()) {
                ChapAlgorithm[] algorithms = discovery.chapAlgorithms().toArray(new ChapAlgorithm[0]);
                at(where, "discovery.chapAlgorithms", () -> b.discoveryChapAlgorithms(algorithms[0],
                        Arrays.copyOfRange(algorithms, 1, algorithms.length)));
            }
            for (int i = 0; i < c.targets().size(); i++) {
                DemoConfig.Target t = c.targets().get(i);
                String p = "targets[" + i + "]";
                List<Backstore> stores = backstores.get(i);
                List<SharedState> states = shared.get(i);
                at(where, p + ".name", () -> b.target(t.name(), tb -> target(where, p, t, stores, states, tb)));
            }
            for (int i = 0; i < c.portalGroups().size(); i++) {
                DemoConfig.PortalGroup group = c.portalGroups().get(i);
                String p = "portalGroups[" + i + "]";
                at(where, p + ".tag", () -> b.portalGroup(group.tag(), g -> portalGroup(where, p, group, g)));
            }
            IscsiTarget target = at(where, discovery.chap() != null ? "discovery" : "targets", b::build);
            run(where, "portGroupState", () -> target.portGroups().state(c.portGroupState()));
            return target;
        } catch (Misplaced e) {
            throw e.problem;
        }
    }

    private static void portalGroup(Locations where, String p, DemoConfig.PortalGroup group, PortalGroupBuilder g) {
        for (int j = 0; j < group.portals().size(); j++) {
            DemoOptions.Portal portal = group.portals().get(j);
            at(where, p + ".portals[" + j + "]", () -> g.portal(portal.host(), portal.port()));
        }
        for (int j = 0; j < group.targets().size(); j++) {
            String name = group.targets().get(j);
            at(where, p + ".targets[" + j + "]", () -> g.target(name));
        }
        if (group.discoveryChap() != null) {
            at(where, p + ".discovery.chap", () -> g.discoveryChap(group.discoveryChap().user(),
                    group.discoveryChap().secret()));
        }
    }

    private static void target(Locations where, String p, DemoConfig.Target t, List<Backstore> stores,
                               List<SharedState> states, TargetBuilder tb) {
        ifGiven(where, p + ".alias", t.alias(), tb::alias);
        for (int j = 0; j < t.luns().size(); j++) {
            DemoConfig.Lun lun = t.luns().get(j);
            String lp = p + ".luns[" + j + "]";
            SharedState state = states.get(j);
            Backstore store = stores.get(j);
            at(where, lp + ".lun", () -> tb.lun(lun.lun(), store, o -> lunOptions(where, lp, lun, state, o)));
        }
        DemoConfig.Auth auth = t.auth();
        if (auth.allowShortSecrets()) {
            tb.allowShortSecrets();
        }
        if (auth.chap() != null) {
            at(where, p + ".chap", () -> tb.chap(auth.chap().user(), auth.chap().secret()));
        }
        if (auth.mutualChap() != null) {
            at(where, p + ".mutualChap", () -> tb.mutualChap(auth.mutualChap().user(), auth.mutualChap().secret()));
        }
        if (!auth.chapAlgorithms().isEmpty()) {
            ChapAlgorithm[] algorithms = auth.chapAlgorithms().toArray(new ChapAlgorithm[0]);
            at(where, p + ".chapAlgorithms", () -> tb.chapAlgorithms(algorithms[0],
                    Arrays.copyOfRange(algorithms, 1, algorithms.length)));
        }
        for (int k = 0; k < t.acls().size(); k++) {
            DemoConfig.Acl acl = t.acls().get(k);
            String ap = p + ".acls[" + k + "]";
            at(where, ap + ".initiator", () -> tb.acl(acl.initiator(), a -> {
                if (acl.readOnly()) {
                    a.readOnly();
                }
                acl.map().forEach((mapped, lun) -> at(where, ap + ".map." + mapped, () -> acl.readOnlyLuns()
                        .contains(mapped) ? a.mapLunReadOnly(mapped, lun) : a.mapLun(mapped, lun)));
                if (acl.auth().chap() != null) {
                    at(where, ap + ".chap", () -> a.chap(acl.auth().chap().user(), acl.auth().chap().secret()));
                }
                if (acl.auth().mutualChap() != null) {
                    at(where, ap + ".mutualChap", () -> a.mutualChap(acl.auth().mutualChap().user(),
                            acl.auth().mutualChap().secret()));
                }
            }));
        }
    }

    private static void lunOptions(Locations where, String lp, DemoConfig.Lun lun, SharedState state, LunBuilder o) {
        ifGiven(where, lp + ".readOnly", lun.readOnly(), o::readOnly);
        ifGiven(where, lp + ".writeBack", lun.writeBack(), o::writeBack);
        ifGiven(where, lp + ".serial", lun.serial(), o::serial);
        ifGiven(where, lp + ".vendor", lun.vendor(), o::vendor);
        ifGiven(where, lp + ".product", lun.product(), o::product);
        ifGiven(where, lp + ".revision", lun.revision(), o::revision);
        ifGiven(where, lp + ".rotationRate", lun.rotationRate(), o::rotationRate);
        ifGiven(where, lp + ".maxTransferBytes", lun.maxTransferBytes(), o::maxTransferBytes);
        ifGiven(where, lp + ".optimalTransferBytes", lun.optimalTransferBytes(), o::optimalTransferBytes);
        ifGiven(where, lp + ".maxUnmapBlocks", lun.maxUnmapBlocks(), o::maxUnmapBlocks);
        if (!lun.disable().isEmpty()) {
            o.disable(lun.disable().toArray(new LunFeature[0]));
        }
        ifGiven(where, lp + ".backstoreTimeout", lun.backstoreTimeout(), o::backstoreTimeout);
        ifGiven(where, lp + ".physicalBlockSize", lun.physicalBlockSize(), o::physicalBlockSize);
        ifGiven(where, lp + ".softThreshold", lun.softThreshold(), o::softThreshold);
        if (state != null) {
            o.sharedState(state);
        }
    }

    /** Calls {@code setter} with {@code value} when the file gave one (not {@code null}), as {@link #at} does. */
    private static <T> void ifGiven(Locations where, String path, T value, Function<T, ?> setter) {
        if (value != null) {
            at(where, path, () -> setter.apply(value));
        }
    }

    /** Runs one builder call; what the library refuses becomes a problem at {@code path}. */
    private static <T> T at(Locations where, String path, Supplier<T> call) {
        try {
            return call.get();
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new Misplaced(where.problem(path, e.getMessage()));
        }
    }

    private static void run(Locations where, String path, Runnable call) {
        at(where, path, () -> {
            call.run();
            return null;
        });
    }

    /** A {@link ConfigException} carried out of the builders' callbacks. */
    private static final class Misplaced extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final transient ConfigException problem;

        Misplaced(ConfigException problem) {
            super(problem.getMessage(), null, false, false);
            this.problem = problem;
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

    /** The iSCSI URLs of the first target's first LUN (LUN 0 from the options), one per portal, in portal order. */
    static List<String> urls(IscsiTarget target) {
        List<String> urls = new ArrayList<>();
        io.iscsi4j.TargetConfig first = target.targets().get(0);
        for (InetSocketAddress address : target.boundAddresses()) {
            urls.add("iscsi://" + Addresses.hostPort(address) + "/" + first.name() + "/" + first.luns().get(0).lun());
        }
        return urls;
    }

    private static String portals(DemoConfig config) {
        List<String> texts = new ArrayList<>();
        for (DemoOptions.Portal portal : config.portals()) {
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

    /** The targets of a configuration file with their LUNs, and its portal groups: what the demo says it serves. */
    static String describe(DemoConfig config) {
        List<String> targets = new ArrayList<>();
        for (DemoConfig.Target t : config.targets()) {
            List<String> luns = new ArrayList<>();
            for (DemoConfig.Lun l : t.luns()) {
                luns.add(Integer.toString(l.lun()));
            }
            targets.add(t.name() + " (" + (luns.size() == 1 ? "LUN " : "LUNs ") + String.join(", ", luns)
                    + (t.acls().isEmpty() ? "" : "; " + t.acls().size() + (t.acls().size() == 1 ? " ACL" : " ACLs"))
                    + ")");
        }
        for (DemoConfig.PortalGroup g : config.portalGroups()) {
            targets.add("portal group " + g.tag() + " on " + g.portals().stream().map(DemoOptions.Portal::toString)
                    .collect(java.util.stream.Collectors.joining(" ")) + (g.targets().isEmpty() ? ""
                    : " for " + String.join(", ", g.targets())));
        }
        return String.join(", ", targets) + (config.stateDirectory() == null ? ""
                : ", reservations kept in " + config.stateDirectory());
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
