package io.iscsi4j.examples;

import io.iscsi4j.backstore.Backstores;
import io.iscsi4j.core.auth.ChapAlgorithm;
import io.iscsi4j.core.auth.ChapCredentials;
import io.iscsi4j.examples.DemoConfig.Acl;
import io.iscsi4j.examples.DemoConfig.Auth;
import io.iscsi4j.examples.DemoConfig.Ceph;
import io.iscsi4j.examples.DemoConfig.Lun;
import io.iscsi4j.examples.DemoConfig.Memory;
import io.iscsi4j.examples.DemoConfig.PortalGroup;
import io.iscsi4j.examples.DemoConfig.Rbd;
import io.iscsi4j.examples.DemoConfig.Storage;
import io.iscsi4j.examples.DemoConfig.Target;
import io.iscsi4j.examples.DemoOptions.Credentials;
import io.iscsi4j.examples.DemoOptions.Portal;
import io.iscsi4j.examples.DemoOptions.UsageException;
import io.iscsi4j.scsi.AccessState;
import io.iscsi4j.scsi.LunFeature;
import org.snakeyaml.engine.v2.api.Dump;
import org.snakeyaml.engine.v2.api.DumpSettings;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.common.FlowStyle;
import org.snakeyaml.engine.v2.composer.Composer;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;
import org.snakeyaml.engine.v2.parser.ParserImpl;
import org.snakeyaml.engine.v2.scanner.StreamReader;
import org.snakeyaml.engine.v2.schema.CoreSchema;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The demo's configuration file: YAML read with SnakeYAML Engine's composer, so that every key and value keeps its
 * line, and checked here key by key. A mistake is one {@link ConfigException}, {@code FILE:LINE: KEY: problem}, with
 * {@code KEY} a path such as {@code targets[0].luns[1].memory}. {@link #write} prints a configuration in the same
 * form, secrets hidden unless asked for.
 */
final class DemoConfigFile {

    /** What {@code --print-config} writes instead of a secret; a file holding it is refused. */
    static final String HIDDEN_SECRET = "<hidden: print with --show-secrets>";

    private static final Pattern DURATION = Pattern.compile("(\\d{1,12})\\s*(us|ms|s|m|h)");

    /** The largest physical block size the library reports (1 MiB). */
    private static final int MAX_PHYSICAL_BLOCK_SIZE = 1 << 20;

    private DemoConfigFile() {
    }

    /** A configuration and the lines its keys came from. */
    record Loaded(DemoConfig config, Locations locations) {
    }

    /** The line of each key path in the file, to place problems found later (by the library). */
    static final class Locations {
        private final String file;
        private final Map<String, Integer> lines = new HashMap<>();

        Locations(String file) {
            this.file = file;
        }

        /** No file: the configuration came from the command line. */
        static Locations none() {
            return new Locations(null);
        }

        String file() {
            return file;
        }

        void put(String path, Node node) {
            lines.putIfAbsent(path, DemoConfigFile.line(node));
        }

        /** Whether the file has the key {@code path}. */
        boolean has(String path) {
            return lines.containsKey(path);
        }

        /** The line of {@code path}, else of its nearest enclosing key that has one; 1 for none. */
        int line(String path) {
            String p = path;
            while (!p.isEmpty()) {
                Integer line = lines.get(p);
                if (line != null) {
                    return line;
                }
                int cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
                p = cut < 0 ? "" : p.substring(0, cut);
            }
            return 1;
        }

        /** {@code FILE:LINE: PATH: problem}. */
        ConfigException problem(String path, String problem) {
            return new ConfigException(file, line(path), path, problem);
        }
    }

    /** One mistake in a configuration file; {@link #getMessage()} is the line to print. */
    static final class ConfigException extends Exception {
        private static final long serialVersionUID = 1L;
        private final String path;
        private final String problem;

        ConfigException(String file, int line, String path, String problem) {
            super(file + ":" + line + ": " + path + ": " + problem);
            this.path = path;
            this.problem = problem;
        }

        /** The problem alone, without file, line and key. */
        String problem() {
            return problem;
        }

        /** The key path, as {@code targets[0].luns[1].memory}. */
        String path() {
            return path;
        }
    }

    /**
     * Reads and checks a configuration file: its syntax, keys, types, ranges, duplicates and references. What only
     * the library can check (an iSCSI name, a serial's characters) is checked when the target is assembled, by
     * {@code DemoTarget.check}.
     *
     * @param file the file, named in messages as given
     * @throws ConfigException at the first mistake
     * @throws IOException when the file cannot be read
     */
    static Loaded read(Path file) throws ConfigException, IOException {
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return parse(file.toString(), reader);
        }
    }

    static Loaded parse(String name, String text) throws ConfigException {
        try {
            return parse(name, new java.io.StringReader(text));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Loaded parse(String name, Reader reader) throws ConfigException, IOException {
        LoadSettings settings = LoadSettings.builder().setLabel(name).setSchema(new CoreSchema())
                .setUseMarks(true).setAllowDuplicateKeys(true).setMaxAliasesForCollections(50).build();
        Node root;
        try {
            root = new Composer(settings, new ParserImpl(settings, new StreamReader(settings, reader))).getSingleNode()
                    .orElse(null);
        } catch (MarkedYamlEngineException e) {
            int line = e.getProblemMark().or(e::getContextMark).map(m -> m.getLine() + 1).orElse(1);
            throw new ConfigException(name, line, "YAML syntax", oneLine(e.getProblem()));
        } catch (YamlEngineException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new ConfigException(name, 1, "YAML syntax", oneLine(e.getMessage()));
        }
        Locations locations = new Locations(name);
        if (root == null) {
            throw new ConfigException(name, 1, "targets", "the file is empty: it needs at least a targets list");
        }
        return new Loaded(new Parser(locations).config(root), locations);
    }

    private static String oneLine(String text) {
        return text == null ? "malformed" : text.replaceAll("\\s*\\R\\s*", " ").trim();
    }

    /**
     * A duration as the file and {@code --busy-poll} take it: {@code 0}, or a whole number with a unit, {@code us},
     * {@code ms}, {@code s}, {@code m} or {@code h}, as {@link #durationText} writes it.
     *
     * @return the duration, or {@code null} when {@code text} is not one
     */
    static Duration parseDuration(String text) {
        if (text.equals("0")) {
            return Duration.ZERO;
        }
        Matcher m = DURATION.matcher(text);
        if (!m.matches()) {
            return null;
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "us" -> Duration.ofNanos(n * 1000);
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
    }

    private static int line(Node node) {
        return node.getStartMark().map(m -> m.getLine() + 1).orElse(1);
    }

    /** Walks the node tree; every method names the path of what it reads in its errors. */
    private static final class Parser {
        private final Locations where;

        Parser(Locations where) {
            this.where = where;
        }

        private ConfigException error(Node node, String path, String problem) {
            return new ConfigException(where.file(), line(node), path, problem);
        }

        DemoConfig config(Node root) throws ConfigException {
            Map<String, NodeTuple> top = mapping(root, "(top level)", "portals", "portGroup", "portGroupState",
                    "stateDirectory", "jmx", "busyPoll", "ceph", "discovery", "targets", "portalGroups");
            List<Portal> portals = new ArrayList<>();
            if (top.containsKey("portals")) {
                List<Node> items = sequence(value(top, "portals"), "portals", true);
                for (int i = 0; i < items.size(); i++) {
                    String path = "portals[" + i + "]";
                    Node item = items.get(i);
                    where.put(path, item);
                    Portal portal = portal(item, path);
                    if (portal.port() != 0 && portals.contains(portal)) {
                        throw error(item, path, portal + " is given twice");
                    }
                    portals.add(portal);
                }
            } else {
                portals.add(new Portal(DemoOptions.DEFAULT_HOST, DemoOptions.DEFAULT_PORT));
            }
            int portGroup = top.containsKey("portGroup")
                    ? (int) integer(value(top, "portGroup"), "portGroup", 1, DemoOptions.MAX_ALUA_GROUP)
                    : DemoOptions.DEFAULT_ALUA_GROUP;
            AccessState state = AccessState.ACTIVE_OPTIMIZED;
            if (top.containsKey("portGroupState")) {
                Node n = value(top, "portGroupState");
                state = switch (string(n, "portGroupState")) {
                    case "optimized" -> AccessState.ACTIVE_OPTIMIZED;
                    case "non-optimized" -> AccessState.ACTIVE_NON_OPTIMIZED;
                    case "standby" -> AccessState.STANDBY;
                    default -> throw error(n, "portGroupState", "expected optimized, non-optimized or standby");
                };
            }
            Path stateDirectory = top.containsKey("stateDirectory")
                    ? Path.of(string(value(top, "stateDirectory"), "stateDirectory")) : null;
            String jmx = top.containsKey("jmx") ? string(value(top, "jmx"), "jmx") : null;
            Duration busyPoll = top.containsKey("busyPoll") ? duration(value(top, "busyPoll"), "busyPoll") : null;
            Ceph ceph = null;
            if (top.containsKey("ceph")) {
                Map<String, NodeTuple> c = mapping(value(top, "ceph"), "ceph", "conf", "id");
                ceph = new Ceph(c.containsKey("conf") ? string(value(c, "conf"), "ceph.conf") : null,
                        c.containsKey("id") ? string(value(c, "id"), "ceph.id") : null);
            }
            Auth discovery = top.containsKey("discovery") ? discovery(value(top, "discovery"))
                    : Auth.NONE;
            if (!top.containsKey("targets")) {
                throw error(root, "targets", "missing: the file must describe at least one target");
            }
            List<Node> targetNodes = sequence(value(top, "targets"), "targets", true);
            List<Target> targets = new ArrayList<>();
            Map<String, Integer> names = new HashMap<>();
            boolean rbd = false;
            for (int i = 0; i < targetNodes.size(); i++) {
                String path = "targets[" + i + "]";
                where.put(path, targetNodes.get(i));
                Target t = target(targetNodes.get(i), path, names);
                rbd |= t.luns().stream().anyMatch(l -> l.storage() instanceof Rbd);
                targets.add(t);
            }
            if (ceph != null && !rbd) {
                throw error(top.get("ceph").getKeyNode(), "ceph", "no LUN is an rbd image");
            }
            List<PortalGroup> groups = new ArrayList<>();
            if (top.containsKey("portalGroups")) {
                List<Node> groupNodes = sequence(value(top, "portalGroups"), "portalGroups", false);
                Map<Integer, Integer> tags = new HashMap<>();
                List<Portal> every = new ArrayList<>(portals);
                for (int i = 0; i < groupNodes.size(); i++) {
                    String path = "portalGroups[" + i + "]";
                    where.put(path, groupNodes.get(i));
                    groups.add(portalGroup(groupNodes.get(i), path, portGroup, tags, every, names));
                }
            }
            return new DemoConfig(portals, portGroup, state, stateDirectory, jmx, busyPoll, ceph, discovery, targets,
                    groups);
        }

        /**
         * One portal group: a tag other than {@code portGroup} and the other groups', portals not given elsewhere
         * ({@code portals} collects every portal so far), targets the file defines ({@code names}: lower-case name
         * to line).
         */
        private PortalGroup portalGroup(Node node, String path, int portGroup, Map<Integer, Integer> tags,
                                        List<Portal> portals, Map<String, Integer> names) throws ConfigException {
            Map<String, NodeTuple> g = mapping(node, path, "tag", "portals", "targets", "discovery");
            if (!g.containsKey("tag")) {
                throw error(node, path + ".tag", "missing: every portal group needs its tag, 1 to 65535");
            }
            Node tagNode = value(g, "tag");
            int tag = (int) integer(tagNode, path + ".tag", 1, DemoOptions.MAX_ALUA_GROUP);
            if (tag == portGroup) {
                throw error(tagNode, path + ".tag", "tag " + tag + " is the default group's (portGroup): give this"
                        + " group another tag, or list its portals under portals");
            }
            Integer first = tags.putIfAbsent(tag, line(tagNode));
            if (first != null) {
                throw error(tagNode, path + ".tag", "portal group " + tag + " is defined twice (first on line "
                        + first + ")");
            }
            if (!g.containsKey("portals")) {
                throw error(node, path + ".portals", "missing: every portal group needs at least one portal");
            }
            List<Portal> own = new ArrayList<>();
            List<Node> items = sequence(value(g, "portals"), path + ".portals", true);
            for (int i = 0; i < items.size(); i++) {
                String p = path + ".portals[" + i + "]";
                Node item = items.get(i);
                where.put(p, item);
                Portal portal = portal(item, p);
                if (portal.port() != 0 && portals.contains(portal)) {
                    throw error(item, p, portal + (where.has("portals") ? " is given twice"
                            : " is the default group's portal when the file has no portals key; give it one"));
                }
                portals.add(portal);
                own.add(portal);
            }
            List<String> targets = new ArrayList<>();
            if (g.containsKey("targets")) {
                List<Node> nameNodes = sequence(value(g, "targets"), path + ".targets", true);
                Set<String> seen = new java.util.HashSet<>();
                for (int i = 0; i < nameNodes.size(); i++) {
                    String p = path + ".targets[" + i + "]";
                    Node item = nameNodes.get(i);
                    where.put(p, item);
                    String name = string(item, p);
                    if (!names.containsKey(name.toLowerCase(Locale.ROOT))) {
                        throw error(item, p, "no target " + name + " is defined in this file");
                    }
                    if (!seen.add(name.toLowerCase(Locale.ROOT))) {
                        throw error(item, p, "target " + name + " is given twice");
                    }
                    targets.add(name);
                }
            }
            Credentials chap = null;
            if (g.containsKey("discovery")) {
                Map<String, NodeTuple> d = mapping(value(g, "discovery"), path + ".discovery", "chap");
                if (d.containsKey("chap")) {
                    String p = path + ".discovery.chap";
                    chap = credentials(value(d, "chap"), p);
                    try {
                        ChapCredentials.of(chap.user(), chap.secret());
                    } catch (IllegalArgumentException e) {
                        throw error(value(d, "chap"), p, e.getMessage().replace(", or allow short secrets explicitly",
                                " (a portal group's discovery CHAP accepts no short secrets)"));
                    }
                }
            }
            return new PortalGroup(tag, own, targets, chap);
        }

        private Portal portal(Node node, String path) throws ConfigException {
            String text = string(node, path);
            try {
                return DemoOptions.parsePortal(text);
            } catch (UsageException e) {
                throw error(node, path, e.getMessage().replaceFirst("^bad --portal ", ""));
            }
        }

        private Target target(Node node, String path, Map<String, Integer> names) throws ConfigException {
            Map<String, NodeTuple> t = mapping(node, path, "name", "alias", "chap", "mutualChap", "chapAlgorithms",
                    "allowShortSecrets", "luns", "acls");
            if (!t.containsKey("name")) {
                throw error(node, path + ".name", "missing: every target needs an iSCSI name");
            }
            Node nameNode = value(t, "name");
            String name = string(nameNode, path + ".name");
            Integer first = names.putIfAbsent(name.toLowerCase(Locale.ROOT), line(nameNode));
            if (first != null) {
                throw error(nameNode, path + ".name", "target " + name + " is defined twice (first on line " + first
                        + ")");
            }
            String alias = t.containsKey("alias") ? string(value(t, "alias"), path + ".alias") : null;
            Auth auth = authKeys(t, path, true, false);
            if (!t.containsKey("luns")) {
                throw error(node, path + ".luns", "missing: every target needs at least one LUN");
            }
            List<Node> lunNodes = sequence(value(t, "luns"), path + ".luns", true);
            List<Lun> luns = new ArrayList<>();
            Map<Integer, Integer> numbers = new HashMap<>();
            for (int i = 0; i < lunNodes.size(); i++) {
                String lunPath = path + ".luns[" + i + "]";
                where.put(lunPath, lunNodes.get(i));
                luns.add(lun(lunNodes.get(i), lunPath, numbers));
            }
            List<Acl> acls = new ArrayList<>();
            if (t.containsKey("acls")) {
                List<Node> aclNodes = sequence(value(t, "acls"), path + ".acls", false);
                Map<String, Integer> patterns = new HashMap<>();
                for (int i = 0; i < aclNodes.size(); i++) {
                    String aclPath = path + ".acls[" + i + "]";
                    where.put(aclPath, aclNodes.get(i));
                    acls.add(acl(aclNodes.get(i), aclPath, patterns, numbers.keySet(), auth.allowShortSecrets()));
                }
            }
            if (!auth.chapAlgorithms().isEmpty() && auth.chap() == null
                    && acls.stream().allMatch(a -> a.auth().chap() == null)) {
                throw error(t.get("chapAlgorithms").getKeyNode(), path + ".chapAlgorithms", "needs chap, here or in"
                        + " an ACL: the algorithms are those of CHAP logins");
            }
            return new Target(name, alias, auth, luns, acls);
        }

        private Lun lun(Node node, String path, Map<Integer, Integer> numbers) throws ConfigException {
            Map<String, NodeTuple> l = mapping(node, path, "lun", "memory", "file", "rbd", "blockSize",
                    "physicalBlockSize", "readOnly", "writeBack", "serial", "vendor", "product", "revision",
                    "rotationRate", "maxTransferBytes", "optimalTransferBytes", "maxUnmapBlocks", "disable",
                    "backstoreTimeout", "softThreshold");
            if (!l.containsKey("lun")) {
                throw error(node, path + ".lun", "missing: every LUN needs its number");
            }
            Node numberNode = value(l, "lun");
            int number = (int) integer(numberNode, path + ".lun", 0, DemoOptions.MAX_LUNS - 1);
            Integer first = numbers.putIfAbsent(number, line(numberNode));
            if (first != null) {
                throw error(numberNode, path + ".lun", "LUN " + number + " is defined twice (first on line " + first
                        + ")");
            }
            int blockSize = DemoOptions.DEFAULT_BLOCK_SIZE;
            if (l.containsKey("blockSize")) {
                Node n = value(l, "blockSize");
                blockSize = (int) integer(n, path + ".blockSize", 512, 65536);
                if (Integer.bitCount(blockSize) != 1) {
                    throw error(n, path + ".blockSize", "must be a power of two from 512 to 65536, as 512 or 4096");
                }
            }
            Integer physicalBlockSize = null;
            if (l.containsKey("physicalBlockSize")) {
                Node n = value(l, "physicalBlockSize");
                physicalBlockSize = (int) integer(n, path + ".physicalBlockSize", 512, MAX_PHYSICAL_BLOCK_SIZE);
                if (Integer.bitCount(physicalBlockSize) != 1 || physicalBlockSize < blockSize) {
                    throw error(n, path + ".physicalBlockSize", "must be a power of two from the block size ("
                            + blockSize + ") to " + MAX_PHYSICAL_BLOCK_SIZE + ", as 4096: " + physicalBlockSize);
                }
            }
            Storage storage = null;
            String storageKey = null;
            for (String key : List.of("memory", "file", "rbd")) {
                if (!l.containsKey(key)) {
                    continue;
                }
                if (storageKey != null) {
                    throw error(l.get(key).getKeyNode(), path + "." + key, storageKey + " is given too: a LUN is one"
                            + " of memory, file or rbd");
                }
                storageKey = key;
                String p = path + "." + key;
                Node n = value(l, key);
                storage = switch (key) {
                    case "memory" -> new Memory(size(n, p, blockSize, false));
                    case "file" -> file(n, p, blockSize);
                    default -> rbd(n, p);
                };
            }
            if (storage == null) {
                throw error(node, path, "no storage: give one of memory (a size), file or rbd");
            }
            Set<LunFeature> disable = EnumSet.noneOf(LunFeature.class);
            if (l.containsKey("disable")) {
                List<Node> items = sequence(value(l, "disable"), path + ".disable", false);
                for (int i = 0; i < items.size(); i++) {
                    String p = path + ".disable[" + i + "]";
                    String text = string(items.get(i), p);
                    try {
                        disable.add(LunFeature.valueOf(text));
                    } catch (IllegalArgumentException e) {
                        throw error(items.get(i), p, "unknown feature " + text + "; expected one of "
                                + Arrays.stream(LunFeature.values()).map(Enum::name).collect(Collectors.joining(", ")));
                    }
                }
            }
            if (l.containsKey("serial")) {
                Node n = value(l, "serial");
                String serial = string(n, path + ".serial");
                if (serial.length() > 64 || !serial.chars().allMatch(c -> c >= 0x20 && c <= 0x7E)) {
                    throw error(n, path + ".serial", "must be 1 to 64 printable ASCII characters");
                }
            }
            return new Lun(number, storage, blockSize, optionalBoolean(l, path, "readOnly"),
                    optionalBoolean(l, path, "writeBack"), optionalString(l, path, "serial"),
                    optionalString(l, path, "vendor"), optionalString(l, path, "product"),
                    optionalString(l, path, "revision"),
                    l.containsKey("rotationRate")
                            ? (int) integer(value(l, "rotationRate"), path + ".rotationRate", 0, 65535) : null,
                    l.containsKey("maxTransferBytes") ? (int) size(value(l, "maxTransferBytes"),
                            path + ".maxTransferBytes", 1, Integer.MAX_VALUE) : null,
                    l.containsKey("optimalTransferBytes") ? (int) size(value(l, "optimalTransferBytes"),
                            path + ".optimalTransferBytes", 1, Integer.MAX_VALUE) : null,
                    l.containsKey("maxUnmapBlocks")
                            ? integer(value(l, "maxUnmapBlocks"), path + ".maxUnmapBlocks", 1, 0xFFFF_FFFFL) : null,
                    disable,
                    l.containsKey("backstoreTimeout")
                            ? duration(value(l, "backstoreTimeout"), path + ".backstoreTimeout") : null,
                    physicalBlockSize,
                    l.containsKey("softThreshold")
                            ? (int) integer(value(l, "softThreshold"), path + ".softThreshold", 1, 99) : null);
        }

        private Storage file(Node node, String path, int blockSize) throws ConfigException {
            if (node instanceof ScalarNode) {
                return new DemoConfig.File(Path.of(string(node, path)), 0);
            }
            Map<String, NodeTuple> f = mapping(node, path, "path", "size");
            if (!f.containsKey("path")) {
                throw error(node, path + ".path", "missing: the image file");
            }
            Path file = Path.of(string(value(f, "path"), path + ".path"));
            long size = f.containsKey("size") ? size(value(f, "size"), path + ".size", blockSize, false) : 0;
            return new DemoConfig.File(file, size);
        }

        private Storage rbd(Node node, String path) throws ConfigException {
            if (node instanceof ScalarNode) {
                return new Rbd(rbdImage(node, path), false);
            }
            Map<String, NodeTuple> r = mapping(node, path, "image", "sharedState");
            if (!r.containsKey("image")) {
                throw error(node, path + ".image", "missing: POOL/IMAGE");
            }
            String image = rbdImage(value(r, "image"), path + ".image");
            return new Rbd(image, Boolean.TRUE.equals(optionalBoolean(r, path, "sharedState")));
        }

        private String rbdImage(Node node, String path) throws ConfigException {
            String text = string(node, path);
            String[] parts = text.split("/", -1);
            if (parts.length < 2 || parts.length > 3 || Arrays.stream(parts).anyMatch(String::isEmpty)) {
                throw error(node, path, "expected POOL/IMAGE or POOL/NAMESPACE/IMAGE, as rbd/lun0");
            }
            return text;
        }

        private Acl acl(Node node, String path, Map<String, Integer> patterns, Set<Integer> luns,
                        boolean allowShortSecrets) throws ConfigException {
            Map<String, NodeTuple> a = mapping(node, path, "initiator", "chap", "mutualChap", "readOnly", "map",
                    "readOnlyLuns");
            if (!a.containsKey("initiator")) {
                throw error(node, path + ".initiator", "missing: the initiator name or pattern");
            }
            Node initiatorNode = value(a, "initiator");
            String initiator = string(initiatorNode, path + ".initiator");
            try {
                DemoOptions.parseAllow(initiator, List.of());
            } catch (UsageException e) {
                throw error(initiatorNode, path + ".initiator", e.getMessage().replaceFirst("^bad --allow ", ""));
            }
            Integer first = patterns.putIfAbsent(initiator.toLowerCase(Locale.ROOT), line(initiatorNode));
            if (first != null) {
                throw error(initiatorNode, path + ".initiator", "an ACL for " + initiator
                        + " is defined twice (first on line " + first + ")");
            }
            Auth auth = authKeys(a, path, false, allowShortSecrets);
            Map<Integer, Integer> map = new LinkedHashMap<>();
            if (a.containsKey("map")) {
                Node mapNode = value(a, "map");
                if (!(mapNode instanceof MappingNode m)) {
                    throw error(mapNode, path + ".map", "expected a mapping of mapped LUN to target LUN, as {0: 1}");
                }
                Set<Integer> targets = new LinkedHashSet<>();
                for (NodeTuple tuple : m.getValue()) {
                    int mapped = (int) integer(tuple.getKeyNode(), path + ".map", 0, DemoOptions.MAX_LUNS - 1);
                    String p = path + ".map." + mapped;
                    where.put(p, tuple.getKeyNode());
                    if (map.containsKey(mapped)) {
                        throw error(tuple.getKeyNode(), p, "mapped LUN " + mapped + " is given twice");
                    }
                    int target = (int) integer(tuple.getValueNode(), p, 0, DemoOptions.MAX_LUNS - 1);
                    if (!luns.contains(target)) {
                        throw error(tuple.getValueNode(), p, "the target has no LUN " + target);
                    }
                    if (!targets.add(target)) {
                        throw error(tuple.getValueNode(), p, "target LUN " + target + " is mapped twice");
                    }
                    map.put(mapped, target);
                }
            }
            Set<Integer> readOnlyLuns = new TreeSet<>();
            if (a.containsKey("readOnlyLuns")) {
                List<Node> items = sequence(value(a, "readOnlyLuns"), path + ".readOnlyLuns", false);
                for (int i = 0; i < items.size(); i++) {
                    String p = path + ".readOnlyLuns[" + i + "]";
                    int mapped = (int) integer(items.get(i), p, 0, DemoOptions.MAX_LUNS - 1);
                    if (!map.containsKey(mapped)) {
                        throw error(items.get(i), p, "LUN " + mapped + " is not in this ACL's map (readOnlyLuns names"
                                + " mapped LUNs; readOnly: true protects every LUN)");
                    }
                    readOnlyLuns.add(mapped);
                }
            }
            Boolean readOnly = optionalBoolean(a, path, "readOnly");
            return new Acl(initiator, auth, Boolean.TRUE.equals(readOnly), map, readOnlyLuns);
        }

        /**
         * The {@code chap}, {@code mutualChap} and (where the mapping may have it) {@code chapAlgorithms} keys of a
         * mapping and, where {@code hasAllowKey}, its {@code allowShortSecrets}; an ACL inherits the target's.
         */
        private Auth authKeys(Map<String, NodeTuple> m, String path, boolean hasAllowKey, boolean inheritedAllowShort)
                throws ConfigException {
            boolean allowShort = hasAllowKey ? Boolean.TRUE.equals(optionalBoolean(m, path, "allowShortSecrets"))
                    : inheritedAllowShort;
            Credentials chap = m.containsKey("chap") ? credentials(value(m, "chap"), path + ".chap") : null;
            Credentials mutual = m.containsKey("mutualChap")
                    ? credentials(value(m, "mutualChap"), path + ".mutualChap") : null;
            Set<ChapAlgorithm> algorithms = m.containsKey("chapAlgorithms")
                    ? chapAlgorithms(value(m, "chapAlgorithms"), path + ".chapAlgorithms") : Set.of();
            if (mutual != null && chap == null) {
                throw error(m.get("mutualChap").getKeyNode(), path + ".mutualChap", "needs chap: the target only"
                        + " authenticates itself to initiators that authenticated");
            }
            if (chap != null) {
                ChapCredentials.Builder b = ChapCredentials.builder(chap.user(), chap.secret());
                if (allowShort) {
                    b.allowShortSecrets();
                }
                try {
                    b.build();
                } catch (IllegalArgumentException e) {
                    throw error(value(m, "chap"), path + ".chap", hint(e.getMessage()));
                }
                if (mutual != null) {
                    try {
                        b.mutual(mutual.user(), mutual.secret()).build();
                    } catch (IllegalArgumentException e) {
                        throw error(value(m, "mutualChap"), path + ".mutualChap", hint(e.getMessage()));
                    }
                }
            }
            return new Auth(chap, mutual, hasAllowKey && allowShort, algorithms);
        }

        /** A non-empty list of {@link ChapAlgorithm} names, each once. */
        private Set<ChapAlgorithm> chapAlgorithms(Node node, String path) throws ConfigException {
            List<Node> items = sequence(node, path, true);
            Set<ChapAlgorithm> algorithms = EnumSet.noneOf(ChapAlgorithm.class);
            for (int i = 0; i < items.size(); i++) {
                String p = path + "[" + i + "]";
                String text = string(items.get(i), p);
                ChapAlgorithm algorithm;
                try {
                    algorithm = ChapAlgorithm.valueOf(text);
                } catch (IllegalArgumentException e) {
                    throw error(items.get(i), p, "unknown algorithm " + text + "; expected one of "
                            + Arrays.stream(ChapAlgorithm.values()).map(Enum::name).collect(Collectors.joining(", ")));
                }
                if (!algorithms.add(algorithm)) {
                    throw error(items.get(i), p, text + " is given twice");
                }
            }
            return algorithms;
        }

        private static String hint(String message) {
            return message.replace("allow short secrets explicitly",
                    "set allowShortSecrets: true for a test");
        }

        private Auth discovery(Node node) throws ConfigException {
            Map<String, NodeTuple> d = mapping(node, "discovery", "chap", "mutualChap", "chapAlgorithms",
                    "allowShortSecrets");
            Auth auth = authKeys(d, "discovery", true, false);
            if (!auth.chapAlgorithms().isEmpty() && auth.chap() == null) {
                throw error(d.get("chapAlgorithms").getKeyNode(), "discovery.chapAlgorithms", "needs chap: the"
                        + " algorithms are those of CHAP logins");
            }
            return auth;
        }

        /** {@code {user: U, secret: S}}; errors never quote the secret. */
        private Credentials credentials(Node node, String path) throws ConfigException {
            Map<String, NodeTuple> c = mapping(node, path, "user", "secret");
            for (String key : List.of("user", "secret")) {
                if (!c.containsKey(key)) {
                    throw error(node, path + "." + key, "missing");
                }
            }
            String user = string(value(c, "user"), path + ".user");
            Node secretNode = value(c, "secret");
            String secret = string(secretNode, path + ".secret");
            if (secret.equals(HIDDEN_SECRET)) {
                throw error(secretNode, path + ".secret", "the secret was hidden by --print-config; write the real"
                        + " secret here (--print-config --show-secrets prints it)");
            }
            return new Credentials(user, secret);
        }

        // ---- generic readers ----

        /** The mapping's entries by key, every key a known string given once; records each key's line. */
        private Map<String, NodeTuple> mapping(Node node, String path, String... keys) throws ConfigException {
            if (!(node instanceof MappingNode m)) {
                throw error(node, path, "expected a mapping (key: value), found " + kind(node));
            }
            List<String> known = List.of(keys);
            Map<String, NodeTuple> entries = new LinkedHashMap<>();
            String prefix = path.equals("(top level)") ? "" : path + ".";
            for (NodeTuple tuple : m.getValue()) {
                Node keyNode = tuple.getKeyNode();
                if (!(keyNode instanceof ScalarNode k) || keyNode.getTag().equals(Tag.NULL)) {
                    throw error(keyNode, path, "keys must be names, found " + kind(keyNode));
                }
                String key = k.getValue();
                String p = prefix + key;
                if (!known.contains(key)) {
                    throw error(keyNode, p, "unknown key; expected one of " + String.join(", ", known));
                }
                NodeTuple earlier = entries.putIfAbsent(key, tuple);
                if (earlier != null) {
                    throw error(keyNode, p, "given twice (first on line " + line(earlier.getKeyNode()) + ")");
                }
                where.put(p, keyNode);
            }
            return entries;
        }

        private static Node value(Map<String, NodeTuple> m, String key) {
            return m.get(key).getValueNode();
        }

        private List<Node> sequence(Node node, String path, boolean nonEmpty) throws ConfigException {
            if (!(node instanceof SequenceNode s)) {
                throw error(node, path, "expected a list, found " + kind(node));
            }
            if (nonEmpty && s.getValue().isEmpty()) {
                throw error(node, path, "the list is empty");
            }
            return s.getValue();
        }

        private String string(Node node, String path) throws ConfigException {
            if (!(node instanceof ScalarNode s) || node.getTag().equals(Tag.NULL)) {
                throw error(node, path, "expected a text, found " + kind(node));
            }
            if (s.getValue().isEmpty()) {
                throw error(node, path, "must not be empty");
            }
            return s.getValue();
        }

        private String optionalString(Map<String, NodeTuple> m, String path, String key) throws ConfigException {
            return m.containsKey(key) ? string(value(m, key), path + "." + key) : null;
        }

        private Boolean optionalBoolean(Map<String, NodeTuple> m, String path, String key) throws ConfigException {
            if (!m.containsKey(key)) {
                return null;
            }
            Node node = value(m, key);
            if (!(node instanceof ScalarNode s) || !node.getTag().equals(Tag.BOOL)) {
                throw error(node, path + "." + key, "expected true or false, found " + kind(node));
            }
            return Boolean.parseBoolean(s.getValue().toLowerCase(Locale.ROOT));
        }

        private long integer(Node node, String path, long min, long max) throws ConfigException {
            if (!(node instanceof ScalarNode s) || !node.getTag().equals(Tag.INT)) {
                throw error(node, path, "expected a whole number from " + min + " to " + max + ", found "
                        + kind(node));
            }
            long v;
            try {
                v = parseLong(s.getValue());
            } catch (NumberFormatException e) {
                throw error(node, path, "the number " + s.getValue() + " is too large");
            }
            if (v < min || v > max) {
                throw error(node, path, "must be from " + min + " to " + max + ": " + v);
            }
            return v;
        }

        private static long parseLong(String text) {
            String t = text.startsWith("+") ? text.substring(1) : text;
            if (t.startsWith("0x")) {
                return Long.parseLong(t.substring(2), 16);
            }
            if (t.startsWith("0o")) {
                return Long.parseLong(t.substring(2), 8);
            }
            return Long.parseLong(t);
        }

        /** Bytes: a number, or a text with a binary unit ({@code 64MiB}, {@code 1G}); a multiple of {@code unit}. */
        private long size(Node node, String path, long unit, long max) throws ConfigException {
            long bytes = size(node, path, unit, false);
            if (bytes > max) {
                throw error(node, path, "must be at most " + max + " bytes");
            }
            return bytes;
        }

        private long size(Node node, String path, long unit, boolean zeroAllowed) throws ConfigException {
            if (!(node instanceof ScalarNode s) || !(node.getTag().equals(Tag.INT) || node.getTag().equals(Tag.STR))) {
                throw error(node, path, "expected a size, as 64MiB, 1GiB or 4096 (bytes), found " + kind(node));
            }
            long bytes;
            try {
                bytes = node.getTag().equals(Tag.INT) ? parseLong(s.getValue()) : Backstores.parseSize(s.getValue());
            } catch (IllegalArgumentException e) {
                throw error(node, path, "expected a size, as 64MiB, 1GiB or 4096 (bytes): " + s.getValue());
            }
            if (bytes < 0 || bytes == 0 && !zeroAllowed || bytes % unit != 0) {
                throw error(node, path, "must be a positive multiple of " + unit + " bytes: " + s.getValue());
            }
            return bytes;
        }

        private Duration duration(Node node, String path) throws ConfigException {
            if (!(node instanceof ScalarNode s) || !(node.getTag().equals(Tag.INT) || node.getTag().equals(Tag.STR))) {
                throw error(node, path, "expected a duration, as 30s, 500ms, 50us, 2m or 0, found " + kind(node));
            }
            String text = s.getValue().trim();
            Duration d = parseDuration(text);
            if (d == null) {
                throw error(node, path, "expected a duration, as 30s, 500ms, 50us, 2m or 0: " + text);
            }
            return d;
        }

        private static String kind(Node node) {
            if (node instanceof MappingNode) {
                return "a mapping";
            }
            if (node instanceof SequenceNode) {
                return "a list";
            }
            Tag tag = node.getTag();
            if (tag.equals(Tag.NULL)) {
                return "nothing";
            }
            if (tag.equals(Tag.BOOL)) {
                return "true/false";
            }
            if (tag.equals(Tag.INT) || tag.equals(Tag.FLOAT)) {
                return "a number";
            }
            return "a text";
        }
    }

    // ---- writing ----

    /**
     * The configuration as YAML that {@link #read} reads back to an equal configuration.
     *
     * @param showSecrets whether CHAP secrets are written; otherwise {@link #HIDDEN_SECRET} stands for each
     */
    static String write(DemoConfig config, boolean showSecrets) {
        Map<String, Object> top = new LinkedHashMap<>();
        top.put("portals", config.portals().stream().map(Portal::toString).collect(Collectors.toList()));
        top.put("portGroup", config.portGroup());
        if (config.portGroupState() != AccessState.ACTIVE_OPTIMIZED) {
            top.put("portGroupState", switch (config.portGroupState()) {
                case ACTIVE_NON_OPTIMIZED -> "non-optimized";
                case STANDBY -> "standby";
                default -> throw new IllegalArgumentException("no demo state for " + config.portGroupState());
            });
        }
        putIfSet(top, "stateDirectory", config.stateDirectory() == null ? null : config.stateDirectory().toString());
        putIfSet(top, "jmx", config.jmx());
        putIfSet(top, "busyPoll", config.busyPoll() == null ? null : durationText(config.busyPoll()));
        if (config.ceph() != null) {
            Map<String, Object> ceph = new LinkedHashMap<>();
            putIfSet(ceph, "conf", config.ceph().conf());
            putIfSet(ceph, "id", config.ceph().id());
            top.put("ceph", ceph);
        }
        Map<String, Object> discovery = auth(config.discovery(), showSecrets, true);
        if (!discovery.isEmpty()) {
            top.put("discovery", discovery);
        }
        List<Object> targets = new ArrayList<>();
        for (Target t : config.targets()) {
            Map<String, Object> target = new LinkedHashMap<>();
            target.put("name", t.name());
            putIfSet(target, "alias", t.alias());
            target.putAll(auth(t.auth(), showSecrets, true));
            List<Object> luns = new ArrayList<>();
            for (Lun l : t.luns()) {
                luns.add(lun(l));
            }
            target.put("luns", luns);
            if (!t.acls().isEmpty()) {
                List<Object> acls = new ArrayList<>();
                for (Acl a : t.acls()) {
                    Map<String, Object> acl = new LinkedHashMap<>();
                    acl.put("initiator", a.initiator());
                    acl.putAll(auth(a.auth(), showSecrets, false));
                    if (a.readOnly()) {
                        acl.put("readOnly", true);
                    }
                    if (!a.map().isEmpty()) {
                        acl.put("map", new LinkedHashMap<>(a.map()));
                    }
                    if (!a.readOnlyLuns().isEmpty()) {
                        acl.put("readOnlyLuns", new ArrayList<>(new TreeSet<>(a.readOnlyLuns())));
                    }
                    acls.add(acl);
                }
                target.put("acls", acls);
            }
            targets.add(target);
        }
        top.put("targets", targets);
        if (!config.portalGroups().isEmpty()) {
            List<Object> groups = new ArrayList<>();
            for (PortalGroup g : config.portalGroups()) {
                Map<String, Object> group = new LinkedHashMap<>();
                group.put("tag", g.tag());
                group.put("portals", g.portals().stream().map(Portal::toString).collect(Collectors.toList()));
                if (!g.targets().isEmpty()) {
                    group.put("targets", new ArrayList<>(g.targets()));
                }
                if (g.discoveryChap() != null) {
                    group.put("discovery", Map.of("chap", credentials(g.discoveryChap(), showSecrets)));
                }
                groups.add(group);
            }
            top.put("portalGroups", groups);
        }
        DumpSettings settings = DumpSettings.builder().setSchema(new CoreSchema()).setDefaultFlowStyle(FlowStyle.BLOCK)
                .setIndent(2).setIndicatorIndent(2).setIndentWithIndicator(true).setWidth(120).build();
        return "# iscsi4j-demo configuration, written by --print-config" + (showSecrets ? " --show-secrets" : "")
                + System.lineSeparator() + new Dump(settings).dumpToString(top);
    }

    private static Map<String, Object> lun(Lun l) {
        Map<String, Object> lun = new LinkedHashMap<>();
        lun.put("lun", l.lun());
        if (l.storage() instanceof Memory m) {
            lun.put("memory", sizeText(m.sizeBytes()));
        } else if (l.storage() instanceof DemoConfig.File f) {
            if (f.sizeBytes() == 0) {
                lun.put("file", f.path().toString());
            } else {
                Map<String, Object> file = new LinkedHashMap<>();
                file.put("path", f.path().toString());
                file.put("size", sizeText(f.sizeBytes()));
                lun.put("file", file);
            }
        } else if (l.storage() instanceof Rbd r) {
            if (r.sharedState()) {
                Map<String, Object> rbd = new LinkedHashMap<>();
                rbd.put("image", r.image());
                rbd.put("sharedState", true);
                lun.put("rbd", rbd);
            } else {
                lun.put("rbd", r.image());
            }
        }
        lun.put("blockSize", l.blockSize());
        putIfSet(lun, "physicalBlockSize", l.physicalBlockSize());
        putIfSet(lun, "readOnly", l.readOnly());
        putIfSet(lun, "writeBack", l.writeBack());
        putIfSet(lun, "serial", l.serial());
        putIfSet(lun, "vendor", l.vendor());
        putIfSet(lun, "product", l.product());
        putIfSet(lun, "revision", l.revision());
        putIfSet(lun, "rotationRate", l.rotationRate());
        putIfSet(lun, "maxTransferBytes", l.maxTransferBytes());
        putIfSet(lun, "optimalTransferBytes", l.optimalTransferBytes());
        putIfSet(lun, "maxUnmapBlocks", l.maxUnmapBlocks());
        if (!l.disable().isEmpty()) {
            lun.put("disable", l.disable().stream().sorted().map(Enum::name).collect(Collectors.toList()));
        }
        if (l.backstoreTimeout() != null) {
            lun.put("backstoreTimeout", durationText(l.backstoreTimeout()));
        }
        putIfSet(lun, "softThreshold", l.softThreshold());
        return lun;
    }

    private static Map<String, Object> auth(Auth auth, boolean showSecrets, boolean withAllowShortSecrets) {
        Map<String, Object> m = new LinkedHashMap<>();
        if (auth.chap() != null) {
            m.put("chap", credentials(auth.chap(), showSecrets));
        }
        if (auth.mutualChap() != null) {
            m.put("mutualChap", credentials(auth.mutualChap(), showSecrets));
        }
        if (!auth.chapAlgorithms().isEmpty()) {
            m.put("chapAlgorithms", auth.chapAlgorithms().stream().sorted().map(Enum::name)
                    .collect(Collectors.toList()));
        }
        if (withAllowShortSecrets && auth.allowShortSecrets()) {
            m.put("allowShortSecrets", true);
        }
        return m;
    }

    private static Map<String, Object> credentials(Credentials c, boolean showSecrets) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("user", c.user());
        m.put("secret", showSecrets ? c.secret() : HIDDEN_SECRET);
        return m;
    }

    private static void putIfSet(Map<String, Object> m, String key, Object value) {
        if (value != null) {
            m.put(key, value);
        }
    }

    /** {@code 1073741824} as {@code 1GiB}; sizes that are not a whole number of KiB stay a number of bytes. */
    static Object sizeText(long bytes) {
        String[] units = {"", "KiB", "MiB", "GiB", "TiB", "PiB"};
        int unit = 0;
        long value = bytes;
        while (unit < units.length - 1 && value >= 1024 && value % 1024 == 0) {
            value /= 1024;
            unit++;
        }
        return unit == 0 ? (Object) bytes : value + units[unit];
    }

    /** The largest of h, m, s, ms, us that divides the duration (as {@link #parseDuration} reads it). */
    static String durationText(Duration d) {
        if (d.getNano() % 1_000_000 != 0) {
            return d.getSeconds() * 1_000_000 + d.getNano() / 1000 + "us";
        }
        long ms = d.toMillis();
        if (ms == 0) {
            return "0";
        }
        if (ms % 3_600_000 == 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms % 60_000 == 0) {
            return ms / 60_000 + "m";
        }
        if (ms % 1000 == 0) {
            return ms / 1000 + "s";
        }
        return ms + "ms";
    }
}
