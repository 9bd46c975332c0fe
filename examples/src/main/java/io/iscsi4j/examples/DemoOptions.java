package io.iscsi4j.examples;

import io.iscsi4j.backstore.Backstores;
import io.iscsi4j.core.auth.ChapCredentials;
import io.iscsi4j.scsi.AccessState;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The demo target's command line, parsed by hand (no dependency). Immutable.
 *
 * @param portals the addresses to bind, at least one, in the order given; every portal serves the same target
 * @param iqn the target name
 * @param sizeBytes each LUN's capacity in bytes, a positive multiple of {@code blockSize}
 * @param file the file to serve, or {@code null} to serve memory
 * @param blockSize the logical block size, 512 or 4096
 * @param readOnly whether the LUNs refuse writes (DATA PROTECT / WRITE PROTECTED)
 * @param luns how many LUNs to serve, numbered from 0; more than one only in memory
 * @param chap the CHAP user and secret initiators must use, or {@code null} for no authentication
 * @param mutualChap the target's CHAP user and secret for mutual CHAP, or {@code null}; only with {@code chap}
 * @param allowShortSecrets whether secrets shorter than 12 characters are accepted
 * @param allow the initiator names or patterns ({@code *}, {@code ?}) admitted, in the order given; empty admits
 *        every initiator
 * @param help whether {@code --help} was given (the other fields then hold their defaults)
 * @param rbd the Ceph RBD images to serve instead of memory or a file, or {@code null}
 * @param aluaGroup the target's port group (1 to 65535): its ALUA target port group, relative target port and portal
 *        group tag, so that several demo targets serving the same storage are distinct paths of one device
 * @param aluaState the state this target's port group starts in
 * @param stateDir where the LUNs keep their persistent reservations across restarts ({@code --state-dir}), or
 *        {@code null}
 * @param config the configuration file ({@code --config}) that replaces every option describing the target, or
 *        {@code null}; the other fields then hold their defaults
 * @param printConfig whether to print the configuration as YAML and exit ({@code --print-config})
 * @param showSecrets whether {@code --print-config} prints CHAP secrets ({@code --show-secrets})
 * @param busyPoll how long a network thread keeps polling its sockets after activity before it sleeps
 *        ({@code --busy-poll}; {@link Duration#ZERO}: it sleeps at once), or {@code null} for the library's default
 */
record DemoOptions(List<Portal> portals, String iqn, long sizeBytes, Path file, int blockSize, boolean readOnly,
                   int luns, Credentials chap, Credentials mutualChap, boolean allowShortSecrets, List<String> allow,
                   boolean help, Rbd rbd, int aluaGroup, AccessState aluaState, Path stateDir, Path config,
                   boolean printConfig, boolean showSecrets, Duration busyPoll) {

    DemoOptions(List<Portal> portals, String iqn, long sizeBytes, Path file, int blockSize, boolean readOnly,
                int luns, Credentials chap, Credentials mutualChap, boolean allowShortSecrets, List<String> allow,
                boolean help, Rbd rbd, int aluaGroup, AccessState aluaState, Path stateDir, Path config,
                boolean printConfig, boolean showSecrets) {
        this(portals, iqn, sizeBytes, file, blockSize, readOnly, luns, chap, mutualChap, allowShortSecrets, allow,
                help, rbd, aluaGroup, aluaState, stateDir, config, printConfig, showSecrets, null);
    }

    DemoOptions(List<Portal> portals, String iqn, long sizeBytes, Path file, int blockSize, boolean readOnly,
                int luns, Credentials chap, Credentials mutualChap, boolean allowShortSecrets, List<String> allow,
                boolean help, Rbd rbd, int aluaGroup, AccessState aluaState, Path stateDir) {
        this(portals, iqn, sizeBytes, file, blockSize, readOnly, luns, chap, mutualChap, allowShortSecrets, allow,
                help, rbd, aluaGroup, aluaState, stateDir, null, false, false);
    }

    DemoOptions(List<Portal> portals, String iqn, long sizeBytes, Path file, int blockSize, boolean readOnly,
                int luns, Credentials chap, Credentials mutualChap, boolean allowShortSecrets, List<String> allow,
                boolean help, Rbd rbd, int aluaGroup, AccessState aluaState) {
        this(portals, iqn, sizeBytes, file, blockSize, readOnly, luns, chap, mutualChap, allowShortSecrets, allow,
                help, rbd, aluaGroup, aluaState, null);
    }

    DemoOptions(List<Portal> portals, String iqn, long sizeBytes, Path file, int blockSize, boolean readOnly,
                int luns, Credentials chap, Credentials mutualChap, boolean allowShortSecrets, List<String> allow,
                boolean help, Rbd rbd, int aluaGroup) {
        this(portals, iqn, sizeBytes, file, blockSize, readOnly, luns, chap, mutualChap, allowShortSecrets, allow,
                help, rbd, aluaGroup, AccessState.ACTIVE_OPTIMIZED);
    }

    /**
     * Ceph RBD images to serve, one LUN each in the order given.
     *
     * @param images {@code POOL/IMAGE} names, at least one
     * @param conf the Ceph configuration file, or {@code null}: the {@code CEPH_CONF} environment variable, else
     *        librados' search ({@code /etc/ceph/ceph.conf})
     * @param id the Ceph client id, without {@code client.}
     * @param sharedState whether the persistent reservations and the events other gateways act on are kept on the
     *        images ({@code --shared-state rbd}), so that several demo processes serve the same images as gateways
     */
    record Rbd(List<String> images, String conf, String id, boolean sharedState) {
        Rbd {
            images = List.copyOf(images);
        }

        Rbd(List<String> images, String conf, String id) {
            this(images, conf, id, false);
        }
    }

    static final String DEFAULT_HOST = "127.0.0.1";
    static final int DEFAULT_PORT = 3260;
    static final String DEFAULT_IQN = "iqn.2026-11.io.iscsi4j:demo";
    static final String DEFAULT_SIZE = "1G";
    static final int DEFAULT_BLOCK_SIZE = 512;
    /** LUNs are numbered 0 to 16383 (a flat-space LUN, SAM-5 §4.7.7). */
    static final int MAX_LUNS = 16384;
    static final int DEFAULT_ALUA_GROUP = 1;
    static final int MAX_ALUA_GROUP = 65535;

    static final String USAGE = String.join(System.lineSeparator(),
            "Usage: java -jar iscsi4j-demo.jar [OPTIONS]",
            "Serves LUN 0 (or LUNs 0 to N-1 with --luns) over iSCSI until stopped with Ctrl-C or SIGTERM.",
            "",
            "  --portal HOST:PORT    address to listen on (default 127.0.0.1:3260; IPv6 as [::1]:3260;",
            "                        port 0 picks a free port); repeat it to serve the same target on",
            "                        several portals, for example as two paths for multipath I/O",
            "  --iqn IQN             target name (default " + DEFAULT_IQN + ")",
            "  --size SIZE           LUN size with a K, M, G or T suffix (default " + DEFAULT_SIZE + ")",
            "  --file PATH           serve this file instead of memory; created at --size if missing",
            "  --block-size N        logical block size, 512 or 4096 (default 512)",
            "  --read-only           refuse writes (DATA PROTECT / WRITE PROTECTED)",
            "  --luns N              serve N memory LUNs of --size each, numbered 0 to N-1 (default 1)",
            "  --chap USER:SECRET    require CHAP: initiators log in as USER with SECRET (at least 12",
            "                        characters); split at the last ':', so USER may be an iSCSI name",
            "  --mutual-chap USER:SECRET",
            "                        with --chap: the target answers initiators that ask it to",
            "                        authenticate as USER with SECRET (different from the --chap secret)",
            "  --allow-short-secrets accept CHAP secrets shorter than 12 characters (tests and labs only)",
            "  --allow IQN           admit only this initiator; repeat it for several; '*' and '?' are",
            "                        wildcards, as iqn.1993-08.org.debian:* (quote it in a shell); others",
            "                        are refused at login (authorization failure) and do not see the",
            "                        target in discovery. Default: every initiator may log in",
            "  --rbd POOL/IMAGE      serve this Ceph RBD image instead of memory; repeat it for several",
            "                        (LUNs 0, 1, ... in the order given); needs librbd1 on the host",
            "  --ceph-conf FILE      with --rbd: the Ceph configuration (default: $CEPH_CONF, else",
            "                        /etc/ceph/ceph.conf)",
            "  --ceph-id NAME        with --rbd: the Ceph client id (default admin)",
            "  --shared-state rbd    with --rbd: keep persistent reservations on the images and tell the",
            "                        other gateways serving them (run one demo per gateway)",
            "  --state-dir DIR       keep the LUNs' persistent reservations in DIR (created if missing),",
            "                        so that those made with APTPL survive a restart (written before",
            "                        GOOD); one demo per directory",
            "  --alua-group N        this target's port group, 1 to 65535 (default 1): its ALUA target",
            "                        port group and portal group tag. Give each of several targets",
            "                        serving the same storage (--rbd) its own N: a multipath initiator",
            "                        sees one device with a path through each",
            "  --alua-state STATE    the port group's state at start: optimized (default),",
            "                        non-optimized or standby (one optimized gateway, the others",
            "                        non-optimized: initiators write through one until it fails)",
            "  --busy-poll DURATION  how long a network thread keeps polling its sockets after activity",
            "                        before it sleeps, 0 to 1ms (default 50us; 0 sleeps at once)",
            "  --config FILE         serve what the YAML file describes (portals, targets, LUNs, ACLs,",
            "                        CHAP, state directory) instead of the options above",
            "  --print-config        print the configuration (from --config or the options) as YAML",
            "                        that --config reads, then exit; CHAP secrets are hidden",
            "  --show-secrets        with --print-config: print the CHAP secrets too",
            "  --help                show this help");

    DemoOptions {
        portals = List.copyOf(portals);
        allow = List.copyOf(allow);
        if (portals.isEmpty()) {
            throw new IllegalArgumentException("at least one portal");
        }
        Objects.requireNonNull(iqn, "iqn");
        if (mutualChap != null && chap == null) {
            throw new IllegalArgumentException("mutual CHAP needs CHAP");
        }
    }

    /**
     * Parses the command line.
     *
     * @param args the arguments, each option either {@code --name value} or {@code --name=value}
     * @return the options
     * @throws UsageException naming the offending option
     */
    static DemoOptions parse(String... args) throws UsageException {
        List<String> portalTexts = new ArrayList<>();
        String iqn = DEFAULT_IQN;
        String size = DEFAULT_SIZE;
        String file = null;
        String blockSize = Integer.toString(DEFAULT_BLOCK_SIZE);
        String luns = "1";
        String aluaGroup = Integer.toString(DEFAULT_ALUA_GROUP);
        AccessState aluaState = AccessState.ACTIVE_OPTIMIZED;
        boolean readOnly = false;
        boolean allowShortSecrets = false;
        String chap = null;
        String mutualChap = null;
        List<String> allow = new ArrayList<>();
        List<String> rbdImages = new ArrayList<>();
        String cephConf = null;
        String cephId = null;
        String sharedState = null;
        String stateDir = null;
        String busyPoll = null;
        boolean sizeGiven = false;
        boolean lunsGiven = false;
        boolean help = false;
        String config = null;
        boolean printConfig = false;
        boolean showSecrets = false;
        String describingOption = null;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String name = arg;
            String value = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                name = arg.substring(0, eq);
                value = arg.substring(eq + 1);
            }
            if (describingOption == null && name.startsWith("--") && !name.equals("--help") && !name.equals("--config")
                    && !name.equals("--print-config") && !name.equals("--show-secrets")) {
                describingOption = name;
            }
            switch (name) {
                case "--help", "-h" -> help = true;
                case "--print-config", "--show-secrets" -> {
                    if (value != null) {
                        throw new UsageException("option " + name + " takes no value");
                    }
                    if (name.equals("--print-config")) {
                        printConfig = true;
                    } else {
                        showSecrets = true;
                    }
                }
                case "--read-only" -> {
                    if (value != null) {
                        throw new UsageException("option --read-only takes no value");
                    }
                    readOnly = true;
                }
                case "--allow-short-secrets" -> {
                    if (value != null) {
                        throw new UsageException("option --allow-short-secrets takes no value");
                    }
                    allowShortSecrets = true;
                }
                case "--portal", "--iqn", "--size", "--file", "--block-size", "--luns", "--chap", "--mutual-chap",
                     "--allow", "--rbd", "--ceph-conf", "--ceph-id", "--shared-state", "--alua-group", "--alua-state",
                     "--state-dir", "--busy-poll", "--config" -> {
                    if (value == null) {
                        if (i + 1 >= args.length) {
                            throw new UsageException("option " + name + " needs a value");
                        }
                        value = args[++i];
                    }
                    if (value.isEmpty()) {
                        throw new UsageException("option " + name + " needs a non-empty value");
                    }
                    switch (name) {
                        case "--portal" -> portalTexts.add(value);
                        case "--iqn" -> iqn = value;
                        case "--size" -> {
                            size = value;
                            sizeGiven = true;
                        }
                        case "--file" -> file = value;
                        case "--luns" -> {
                            luns = value;
                            lunsGiven = true;
                        }
                        case "--rbd" -> rbdImages.add(parseRbdImage(value, rbdImages));
                        case "--ceph-conf" -> cephConf = value;
                        case "--ceph-id" -> cephId = value;
                        case "--shared-state" -> {
                            if (!value.equals("rbd")) {
                                throw new UsageException("bad --shared-state " + value + ": expected rbd");
                            }
                            sharedState = value;
                        }
                        case "--chap" -> chap = value;
                        case "--mutual-chap" -> mutualChap = value;
                        case "--allow" -> allow.add(parseAllow(value, allow));
                        case "--alua-group" -> aluaGroup = value;
                        case "--alua-state" -> aluaState = parseAluaState(value);
                        case "--state-dir" -> stateDir = value;
                        case "--busy-poll" -> busyPoll = value;
                        case "--config" -> config = value;
                        default -> blockSize = value;
                    }
                }
                default -> throw new UsageException(arg.startsWith("-")
                        ? "unknown option " + name
                        : "unexpected argument " + arg);
            }
        }
        if (help) {
            return new DemoOptions(List.of(new Portal(DEFAULT_HOST, DEFAULT_PORT)), DEFAULT_IQN, 1L << 30, null,
                    DEFAULT_BLOCK_SIZE, false, 1, null, null, false, List.of(), true, null, DEFAULT_ALUA_GROUP);
        }
        if (showSecrets && !printConfig) {
            throw new UsageException("option --show-secrets needs --print-config");
        }
        if (config != null) {
            if (describingOption != null) {
                throw new UsageException("option --config cannot be combined with " + describingOption
                        + ": the file describes the whole target (portals, LUNs, CHAP, ACLs, state directory)");
            }
            return new DemoOptions(List.of(new Portal(DEFAULT_HOST, DEFAULT_PORT)), DEFAULT_IQN, 1L << 30, null,
                    DEFAULT_BLOCK_SIZE, false, 1, null, null, false, List.of(), false, null, DEFAULT_ALUA_GROUP,
                    AccessState.ACTIVE_OPTIMIZED, null, Path.of(config), printConfig, showSecrets);
        }
        if (portalTexts.isEmpty()) {
            portalTexts.add(DEFAULT_HOST + ":" + DEFAULT_PORT);
        }
        List<Portal> portals = new ArrayList<>();
        for (String text : portalTexts) {
            Portal portal = parsePortal(text);
            if (portal.port() != 0 && portals.contains(portal)) {
                throw new UsageException("bad --portal " + text + ": given twice");
            }
            portals.add(portal);
        }
        Rbd rbd = null;
        if (rbdImages.isEmpty()) {
            if (cephConf != null || cephId != null || sharedState != null) {
                throw new UsageException("option " + (cephConf != null ? "--ceph-conf"
                        : cephId != null ? "--ceph-id" : "--shared-state") + " needs --rbd");
            }
        } else {
            if (file != null) {
                throw new UsageException("option --rbd serves Ceph images, not --file: give one of them");
            }
            if (sizeGiven || lunsGiven) {
                throw new UsageException("option " + (sizeGiven ? "--size" : "--luns") + " does not apply to --rbd:"
                        + " each image is one LUN of the image's size");
            }
            rbd = new Rbd(rbdImages, cephConf, cephId == null ? "admin" : cephId, sharedState != null);
        }
        int block = parseBlockSize(blockSize);
        long bytes = parseSize(size, block);
        int lunCount = parseLuns(luns);
        int group = parseAluaGroup(aluaGroup);
        Duration busyPollDuration = busyPoll == null ? null : parseBusyPoll(busyPoll);
        if (lunCount > 1 && file != null) {
            throw new UsageException("bad --luns " + luns + ": several LUNs are served from memory only, not with --file");
        }
        Credentials chapCredentials = chap == null ? null : splitCredentials("--chap", chap);
        Credentials mutualCredentials = mutualChap == null ? null : splitCredentials("--mutual-chap", mutualChap);
        if (mutualCredentials != null && chapCredentials == null) {
            throw new UsageException("option --mutual-chap needs --chap: the target only authenticates itself"
                    + " to initiators that authenticated");
        }
        if (chapCredentials != null) {
            checkCredentials(chapCredentials, mutualCredentials, allowShortSecrets);
        }
        return new DemoOptions(portals, iqn, bytes, file == null ? null : Path.of(file), block, readOnly, lunCount,
                chapCredentials, mutualCredentials, allowShortSecrets, allow, false, rbd, group, aluaState,
                stateDir == null ? null : Path.of(stateDir), null, printConfig, showSecrets, busyPollDuration);
    }

    /**
     * {@code --busy-poll}: a duration as the configuration file takes one ({@code 50us}, {@code 1ms}, {@code 0}); the
     * range is the library's to check, when the target is built.
     */
    private static Duration parseBusyPoll(String text) throws UsageException {
        Duration d = DemoConfigFile.parseDuration(text);
        if (d == null) {
            throw new UsageException("bad --busy-poll " + text + ": expected a duration, as 50us, 1ms or 0");
        }
        return d;
    }

    private static AccessState parseAluaState(String value) throws UsageException {
        return switch (value) {
            case "optimized" -> AccessState.ACTIVE_OPTIMIZED;
            case "non-optimized" -> AccessState.ACTIVE_NON_OPTIMIZED;
            case "standby" -> AccessState.STANDBY;
            default -> throw new UsageException("bad --alua-state " + value
                    + ": expected optimized, non-optimized or standby");
        };
    }

    /** {@code POOL/IMAGE} (or {@code POOL/NAMESPACE/IMAGE}), each part non-empty, each image given once. */
    private static String parseRbdImage(String value, List<String> earlier) throws UsageException {
        String[] parts = value.split("/", -1);
        if (parts.length < 2 || parts.length > 3 || Arrays.stream(parts).anyMatch(String::isEmpty)) {
            throw new UsageException("bad --rbd " + value + ": expected POOL/IMAGE, for example rbd/lun0");
        }
        if (earlier.contains(value)) {
            throw new UsageException("bad --rbd " + value + ": given twice");
        }
        return value;
    }

    /**
     * An initiator name or pattern for {@code --allow}: the characters of iSCSI names (RFC 3722: letters, digits,
     * '.', '-', ':') and the wildcards '*' and '?'; each given once (names compare case-insensitively).
     */
    static String parseAllow(String value, List<String> earlier) throws UsageException {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            boolean ok = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                    || c == '.' || c == '-' || c == ':' || c == '*' || c == '?';
            if (!ok) {
                throw new UsageException("bad --allow " + value + ": only letters, digits, '.', '-', ':' and the"
                        + " wildcards '*' and '?' may appear in an initiator name or pattern");
            }
        }
        for (String e : earlier) {
            if (e.equalsIgnoreCase(value)) {
                throw new UsageException("bad --allow " + value + ": given twice");
            }
        }
        return value;
    }

    /** {@code USER:SECRET}, split at the last colon; messages never repeat the value, which holds a secret. */
    private static Credentials splitCredentials(String option, String value) throws UsageException {
        int colon = value.lastIndexOf(':');
        if (colon < 0) {
            throw new UsageException("bad " + option + ": expected USER:SECRET");
        }
        String user = value.substring(0, colon);
        String secret = value.substring(colon + 1);
        if (user.isEmpty()) {
            throw new UsageException("bad " + option + ": the user before the last ':' is empty");
        }
        if (secret.isEmpty()) {
            throw new UsageException("bad " + option + ": the secret after the last ':' is empty");
        }
        return new Credentials(user, secret);
    }

    /** Applies the library's rules (length, characters, one secret per direction); its messages quote no secret. */
    private static void checkCredentials(Credentials chap, Credentials mutual, boolean allowShortSecrets)
            throws UsageException {
        ChapCredentials.Builder credentials = ChapCredentials.builder(chap.user(), chap.secret());
        if (allowShortSecrets) {
            credentials.allowShortSecrets();
        }
        try {
            credentials.build();
        } catch (IllegalArgumentException e) {
            throw new UsageException("bad --chap: " + withOptionHint(e.getMessage()));
        }
        if (mutual != null) {
            try {
                credentials.mutual(mutual.user(), mutual.secret()).build();
            } catch (IllegalArgumentException e) {
                throw new UsageException("bad --mutual-chap: " + withOptionHint(e.getMessage()));
            }
        }
    }

    private static String withOptionHint(String message) {
        return message.replace("allow short secrets explicitly", "add --allow-short-secrets for a test");
    }

    static Portal parsePortal(String portal) throws UsageException {
        int colon = portal.lastIndexOf(':');
        if (colon < 0) {
            throw new UsageException("bad --portal " + portal + ": expected HOST:PORT, for example 127.0.0.1:3260");
        }
        return new Portal(parseHost(portal, portal.substring(0, colon)), parsePort(portal, portal.substring(colon + 1)));
    }

    private static String parseHost(String portal, String host) throws UsageException {
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.indexOf(':') >= 0) {
            throw new UsageException("bad --portal " + portal + ": write an IPv6 address in brackets, as [::1]:3260");
        }
        if (host.isEmpty()) {
            throw new UsageException("bad --portal " + portal + ": the host is empty");
        }
        return host;
    }

    private static int parsePort(String portal, String text) throws UsageException {
        try {
            int port = Integer.parseInt(text);
            if (port >= 0 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UsageException("bad --portal " + portal + ": the port must be a number from 0 to 65535");
    }

    private static int parseBlockSize(String text) throws UsageException {
        if (text.equals("512")) {
            return 512;
        }
        if (text.equals("4096")) {
            return 4096;
        }
        throw new UsageException("bad --block-size " + text + ": must be 512 or 4096");
    }

    private static long parseSize(String text, int blockSize) throws UsageException {
        long bytes;
        try {
            bytes = Backstores.parseSize(text);
        } catch (IllegalArgumentException e) {
            throw new UsageException("bad --size " + text + ": expected a number with a K, M, G or T suffix, as 1G");
        }
        if (bytes <= 0 || bytes % blockSize != 0) {
            throw new UsageException("bad --size " + text + ": must be a positive multiple of the block size ("
                    + blockSize + " bytes)");
        }
        return bytes;
    }

    private static int parseLuns(String text) throws UsageException {
        try {
            int n = Integer.parseInt(text);
            if (n >= 1 && n <= MAX_LUNS) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UsageException("bad --luns " + text + ": must be a number from 1 to " + MAX_LUNS);
    }

    private static int parseAluaGroup(String text) throws UsageException {
        try {
            int n = Integer.parseInt(text);
            if (n >= 1 && n <= MAX_ALUA_GROUP) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new UsageException("bad --alua-group " + text + ": must be a number from 1 to " + MAX_ALUA_GROUP);
    }

    /**
     * One address to listen on.
     *
     * @param host an IPv4 or IPv6 literal or a host name, without brackets
     * @param port the TCP port, 0 for any free port
     */
    record Portal(String host, int port) {

        Portal {
            Objects.requireNonNull(host, "host");
        }

        @Override
        public String toString() {
            return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
        }
    }

    /**
     * A CHAP user and secret from the command line.
     *
     * @param user the CHAP name
     * @param secret the secret; {@link #toString()} hides it
     */
    record Credentials(String user, String secret) {

        Credentials {
            Objects.requireNonNull(user, "user");
            Objects.requireNonNull(secret, "secret");
        }

        /** The user only: options are printed in logs and test reports. */
        @Override
        public String toString() {
            return user + ":(secret hidden)";
        }
    }

    /** A command-line mistake; the message is one line that names the offending option. */
    static final class UsageException extends Exception {

        UsageException(String message) {
            super(message);
        }
    }
}
