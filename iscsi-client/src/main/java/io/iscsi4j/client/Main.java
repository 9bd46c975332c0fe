package io.iscsi4j.client;

import io.iscsi4j.initiator.BlockDevice;
import io.iscsi4j.initiator.ChapAlgorithm;
import io.iscsi4j.initiator.DiscoveredTarget;
import io.iscsi4j.initiator.IscsiException;
import io.iscsi4j.initiator.IscsiSession;
import io.iscsi4j.initiator.IscsiUrl;
import io.iscsi4j.initiator.LoginOptions;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code iscsi4j-client}: a command-line iSCSI client over the iscsi4j initiator. Exit status 0 on success, 1 when
 * something failed at run time (a refused login, an I/O error, a file that cannot be read) and 2 on a bad command
 * line; every failure is one line on standard error, {@code iscsi4j-client: <what>}. Secrets are never printed.
 */
public final class Main {

    static final String NAME = "iscsi4j-client";

    /** Exit status of a successful run. */
    static final int OK = 0;
    /** Exit status of a run-time failure. */
    static final int FAILED = 1;
    /** Exit status of a bad command line. */
    static final int USAGE = 2;

    private static final Set<String> CONNECTION_OPTIONS = Set.of("initiator-name", "chap-user", "chap-secret",
            "target-user", "target-secret", "header-digest", "data-digest", "chap-algorithms", "timeout", "help");

    static final String USAGE_TEXT = """
            usage: iscsi4j-client COMMAND [ARGUMENTS] [OPTIONS]

            commands:
              ls URL                    targets (URL iscsi://host[:port]) or one target's LUNs, with sizes
              inquiry URL               vendor, product, revision, serial number and device identifiers
              capacity URL              block count, block size and capacity of the LUN
              read URL LBA COUNT        COUNT blocks from LBA to standard output
              write URL LBA             standard input (whole blocks) to the LUN from LBA
              cp FILE URL | cp URL FILE copy an image into the LUN (from LBA 0) or the whole LUN into a file
              bench URL                 load the LUN and print IOPS and MiB/s

            URL: iscsi://[user%secret@]host[:port]/target-iqn/lun  (libiscsi's form; port 3260 by default)

            options:
              --initiator-name IQN      this initiator's name (default iqn.2026-12.io.iscsi4j:initiator-<random>)
              --chap-user USER          CHAP user (or user%secret@ in the URL, or LIBISCSI_CHAP_USERNAME)
              --chap-secret SECRET      CHAP secret (better: LIBISCSI_CHAP_PASSWORD, not visible in ps)
              --target-user USER        mutual CHAP: the target's user (or LIBISCSI_CHAP_TARGET_USERNAME)
              --target-secret SECRET    mutual CHAP: the target's secret (or LIBISCSI_CHAP_TARGET_PASSWORD)
              --chap-algorithms LIST    CHAP_A offered, in order: md5, sha1, sha256, sha3-256 (default md5)
              --header-digest crc32c|none, --data-digest crc32c|none  (default none)
              --timeout SECONDS         login and per-command limit (default 30)
              --bs SIZE, --qd N         cp, read, write: transfer size and commands in flight (default 1M, 8)
                                        bench: block size and queue depth (default 4k, 32)
              --verify                  cp: read the copy back and compare SHA-256 checksums
              --progress, --no-progress cp: force the progress bar on or off (default: on when a terminal)
              --rw PATTERN              bench: read, write, randread or randwrite (default randread)
              --seconds N               bench: how long to measure (default 10)
              --ramp N                  bench: seconds of load before measuring, not counted (default 1)
              --write-ok                bench: allow write patterns (they overwrite the LUN's data)

            exit status: 0 success, 1 failure (login refused, I/O error...), 2 bad arguments
            """;

    /** RFC 7143 §4.2.7.2 names, in their normalised (lower-case) form. */
    private static final Pattern ISCSI_NAME = Pattern.compile(
            "iqn\\.[0-9]{4}-[0-9]{2}\\.[a-z0-9][a-z0-9.:-]{0,214}|eui\\.[0-9a-f]{16}|naa\\.(?:[0-9a-f]{16}|[0-9a-f]{32})");

    private Main() {
    }

    /**
     * Runs the client and exits with its status.
     *
     * @param args the command line
     */
    public static void main(String[] args) {
        // Netty samples buffers for leak reports by default; a command-line tool has no use for that cost.
        if (System.getProperty("io.netty.leakDetection.level") == null) {
            System.setProperty("io.netty.leakDetection.level", "disabled");
        }
        int status = run(args, new BufferedInputStream(System.in, 1 << 20), System.out, System.err);
        System.out.flush();
        System.exit(status);
    }

    static int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
        return run(args, System.getenv(), in, out, err);
    }

    static int run(String[] args, Map<String, String> env, InputStream in, PrintStream out, PrintStream err) {
        try {
            CommandLine cl = CommandLine.parse(args);
            if (cl.has("help")) {
                out.print(USAGE_TEXT);
                return OK;
            }
            if (cl.command == null) {
                throw new UsageException("no command (try --help)");
            }
            return new Main.Run(cl, env, in, out, err).execute();
        } catch (UsageException e) {
            err.println(NAME + ": " + e.getMessage());
            return USAGE;
        } catch (IOException | RuntimeException e) {
            err.println(NAME + ": " + Connection.describe(e));
            return FAILED;
        } finally {
            out.flush();
            err.flush();
        }
    }

    /** One invocation. */
    private static final class Run {

        private final CommandLine cl;
        private final Map<String, String> env;
        private final InputStream in;
        private final PrintStream out;
        private final PrintStream err;

        Run(CommandLine cl, Map<String, String> env, InputStream in, PrintStream out, PrintStream err) {
            this.cl = cl;
            this.env = env;
            this.in = in;
            this.out = out;
            this.err = err;
        }

        int execute() throws UsageException, IOException {
            switch (cl.command) {
                case "ls":
                    return ls();
                case "inquiry":
                    return inquiry();
                case "capacity":
                    return capacity();
                case "read":
                    return read();
                case "write":
                    return write();
                case "cp":
                    return cp();
                case "bench":
                    return bench();
                default:
                    throw new UsageException("unknown command " + cl.command + " (try --help)");
            }
        }

        private static Set<String> with(String... extra) {
            Set<String> s = new LinkedHashSet<>(CONNECTION_OPTIONS);
            s.addAll(List.of(extra));
            return s;
        }

        // ---- commands ----

        private int ls() throws UsageException, IOException {
            cl.allowOnly(CONNECTION_OPTIONS);
            cl.expect(1, "ls iscsi://host[:port][/target-iqn]");
            IscsiUrl url = url(cl.positional.get(0), false);
            try (Connection c = connect(url)) {
                List<DiscoveredTarget> targets = url.target() == null ? c.discover()
                        : List.of(new DiscoveredTarget(url.target(), List.of()));
                int status = OK;
                for (DiscoveredTarget t : targets) {
                    String target = t.name();
                    out.println("Target: " + target + (t.addresses().isEmpty() ? ""
                            : "  Portal: " + String.join(" ", t.addresses())));
                    try (IscsiSession session = c.login(target)) {
                        List<Integer> luns = c.await(session.reportLuns(), "REPORT LUNS");
                        for (int lun : luns) {
                            out.println("  " + describeLun(c, session, lun));
                        }
                    } catch (IscsiException e) {
                        out.println("  (" + e.getMessage() + ")");
                        status = FAILED;
                    }
                }
                if (status != OK) {
                    err.println(NAME + ": some targets could not be listed");
                }
                return status;
            }
        }

        private String describeLun(Connection c, IscsiSession session, int lun) throws IscsiException {
            Inquiry.Standard inq = Inquiry.standard(c, session, lun);
            String head = "LUN " + lun + ": " + inq.typeName() + " " + inq.vendor() + " " + inq.product();
            if (inq.deviceType() != 0 || !inq.present()) {
                return head;
            }
            BlockDevice dev = c.await(session.openLun(lun), "READ CAPACITY of LUN " + lun);
            return head + ", " + dev.blockCount() + " blocks of " + dev.blockSize() + " bytes ("
                    + Sizes.human(dev.capacity()) + ")";
        }

        private int inquiry() throws UsageException, IOException {
            cl.allowOnly(CONNECTION_OPTIONS);
            cl.expect(1, "inquiry URL");
            IscsiUrl url = url(cl.positional.get(0), true);
            try (Connection c = connect(url); IscsiSession session = c.login(url.target())) {
                Inquiry.Standard inq = Inquiry.standard(c, session, url.lun());
                out.println("Device type: " + inq.typeName() + (inq.present() ? "" : " (not present)"));
                out.println("Vendor: " + inq.vendor());
                out.println("Product: " + inq.product());
                out.println("Revision: " + inq.revision());
                String serial = Inquiry.serial(c, session, url.lun());
                if (serial != null) {
                    out.println("Serial: " + serial);
                }
                for (String id : Inquiry.identifiers(c, session, url.lun())) {
                    out.println("Identifier: " + id);
                }
                return OK;
            }
        }

        private int capacity() throws UsageException, IOException {
            cl.allowOnly(CONNECTION_OPTIONS);
            cl.expect(1, "capacity URL");
            IscsiUrl url = url(cl.positional.get(0), true);
            try (Connection c = connect(url); IscsiSession session = c.login(url.target())) {
                BlockDevice dev = c.openLun(session);
                out.println("Blocks: " + dev.blockCount());
                out.println("Block size: " + dev.blockSize());
                out.println("Capacity: " + dev.capacity() + " bytes (" + Sizes.human(dev.capacity()) + ")");
                return OK;
            }
        }

        private int read() throws UsageException, IOException {
            cl.allowOnly(with("bs", "qd"));
            cl.expect(3, "read URL LBA COUNT");
            IscsiUrl url = url(cl.positional.get(0), true);
            long lba = number("LBA", cl.positional.get(1), 0);
            long count = number("COUNT", cl.positional.get(2), 1);
            int chunk = chunk(1 << 20);
            int depth = cl.intOption("qd", 8, 1, 1024);
            try (Connection c = connect(url); IscsiSession session = c.login(url.target())) {
                BlockDevice dev = c.openLun(session);
                if (lba > dev.blockCount() || count > dev.blockCount() - lba) {
                    throw new IscsiException("LBA " + lba + " + " + count + " blocks is beyond the end of the LUN ("
                            + dev.blockCount() + " blocks)");
                }
                Progress none = new Progress(err, false, 0);
                Transfers.fromLun(c, dev, lba, count, out, chunk, depth, none, null);
                out.flush();
                return OK;
            }
        }

        private int write() throws UsageException, IOException {
            cl.allowOnly(with("bs", "qd"));
            cl.expect(2, "write URL LBA < file");
            IscsiUrl url = url(cl.positional.get(0), true);
            long lba = number("LBA", cl.positional.get(1), 0);
            int chunk = chunk(1 << 20);
            int depth = cl.intOption("qd", 8, 1, 1024);
            try (Connection c = connect(url); IscsiSession session = c.login(url.target())) {
                BlockDevice dev = c.openLun(session);
                if (lba >= dev.blockCount()) {
                    throw new IscsiException("LBA " + lba + " is beyond the end of the LUN (" + dev.blockCount()
                            + " blocks)");
                }
                Transfers.Written w = Transfers.toLun(c, dev, lba, in, chunk, depth, new Progress(err, false, 0),
                        null);
                c.await(dev.flush(), "SYNCHRONIZE CACHE");
                if (w.partialTail() != 0) {
                    throw new IscsiException("the input ends with a partial block of " + w.partialTail()
                            + " bytes (blocks are " + dev.blockSize() + " bytes); " + w.bytes()
                            + " bytes before it were written");
                }
                return OK;
            }
        }

        private int cp() throws UsageException, IOException {
            cl.allowOnly(with("bs", "qd", "verify", "progress", "no-progress"));
            cl.expect(2, "cp FILE URL | cp URL FILE");
            String a = cl.positional.get(0);
            String b = cl.positional.get(1);
            boolean aUrl = isUrl(a);
            boolean bUrl = isUrl(b);
            if (aUrl == bUrl) {
                throw new UsageException("cp copies between a file and an iscsi:// URL; "
                        + (aUrl ? "both arguments are URLs" : "neither argument is a URL"));
            }
            IscsiUrl url = url(aUrl ? a : b, true);
            Path file = Path.of(aUrl ? b : a);
            int chunk = chunk(1 << 20);
            int depth = cl.intOption("qd", 8, 1, 1024);
            boolean verify = cl.has("verify");
            if (cl.has("progress") && cl.has("no-progress")) {
                throw new UsageException("--progress and --no-progress contradict each other");
            }
            boolean bar = cl.has("progress") || (!cl.has("no-progress") && System.console() != null
                    && err == System.err);
            return aUrl ? copyOut(url, file, chunk, depth, verify, bar) : copyIn(file, url, chunk, depth, verify,
                    bar);
        }

        private int copyIn(Path file, IscsiUrl url, int chunk, int depth, boolean verify, boolean bar)
                throws UsageException, IOException {
            long size;
            try {
                size = Files.size(file);
            } catch (NoSuchFileException e) {
                throw new IOException("no such file: " + file, e);
            }
            try (Connection c = connect(url); IscsiSession session = c.login(url.target())) {
                BlockDevice dev = c.openLun(session);
                if (size % dev.blockSize() != 0) {
                    throw new IscsiException(file + " is " + size + " bytes, not a whole number of "
                            + dev.blockSize() + "-byte blocks");
                }
                if (size > dev.capacity()) {
                    throw new IscsiException(file + " (" + size + " bytes) is larger than the LUN ("
                            + dev.capacity() + " bytes)");
                }
                MessageDigest digest = verify ? sha256() : null;
                Progress progress = new Progress(err, bar, size);
                Transfers.Written w;
                try (InputStream fileIn = Files.newInputStream(file)) {
                    w = Transfers.toLun(c, dev, 0, fileIn, chunk, depth, progress, digest);
                    c.await(dev.flush(), "SYNCHRONIZE CACHE");
                } finally {
                    progress.finish();
                }
                summary(w.bytes(), progress.elapsedNanos());
                if (verify) {
                    MessageDigest back = sha256();
                    Transfers.fromLun(c, dev, 0, w.bytes() / dev.blockSize(), null, chunk, depth,
                            new Progress(err, false, 0), back);
                    compare(digest.digest(), back.digest());
                }
                return OK;
            }
        }

        private int copyOut(IscsiUrl url, Path file, int chunk, int depth, boolean verify, boolean bar)
                throws UsageException, IOException {
            try (Connection c = connect(url); IscsiSession session = c.login(url.target())) {
                BlockDevice dev = c.openLun(session);
                MessageDigest digest = verify ? sha256() : null;
                Progress progress = new Progress(err, bar, dev.capacity());
                try (OutputStream fileOut = Files.newOutputStream(file)) {
                    Transfers.fromLun(c, dev, 0, dev.blockCount(), fileOut, chunk, depth, progress, digest);
                } finally {
                    progress.finish();
                }
                summary(dev.capacity(), progress.elapsedNanos());
                if (verify) {
                    MessageDigest back = sha256();
                    try (InputStream fileIn = Files.newInputStream(file)) {
                        byte[] buf = new byte[1 << 20];
                        for (int n; (n = fileIn.read(buf)) > 0; ) {
                            back.update(buf, 0, n);
                        }
                    }
                    compare(digest.digest(), back.digest());
                }
                return OK;
            }
        }

        private void summary(long bytes, long nanos) {
            out.println(String.format(Locale.ROOT, "copied %d bytes (%s) in %.2f s, %s", bytes, Sizes.human(bytes),
                    nanos / 1e9, Sizes.mibPerSecond(bytes, nanos)));
        }

        private void compare(byte[] expected, byte[] actual) throws IscsiException {
            String hex = HexFormat.of().formatHex(expected);
            if (!MessageDigest.isEqual(expected, actual)) {
                throw new IscsiException("verify failed: SHA-256 of the source " + hex + ", of the copy "
                        + HexFormat.of().formatHex(actual));
            }
            out.println("verified: SHA-256 " + hex);
        }

        private int bench() throws UsageException, IOException {
            cl.allowOnly(with("rw", "bs", "qd", "seconds", "ramp", "write-ok"));
            cl.expect(1, "bench URL [--rw read|write|randread|randwrite] [--bs 4k] [--qd 32] [--seconds 10]");
            IscsiUrl url = url(cl.positional.get(0), true);
            Bench.Pattern pattern;
            String rw = cl.options.getOrDefault("rw", "randread");
            try {
                pattern = Bench.Pattern.valueOf(rw.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new UsageException("--rw must be read, write, randread or randwrite: " + rw);
            }
            if (pattern.writes() && !cl.has("write-ok")) {
                throw new UsageException("--rw " + rw + " overwrites the LUN's data; add --write-ok to allow it");
            }
            long bs = cl.has("bs") ? Sizes.parse("--bs", cl.get("bs")) : 4096;
            if (bs > 16 << 20) {
                throw new UsageException("--bs must be at most 16M: " + cl.get("bs"));
            }
            int depth = cl.intOption("qd", 32, 1, 1024);
            int seconds = cl.intOption("seconds", 10, 1, 86400);
            int ramp = cl.intOption("ramp", 1, 0, 3600);
            try (Connection c = connect(url); IscsiSession session = c.login(url.target())) {
                BlockDevice dev = c.openLun(session);
                Bench.Result r = new Bench(dev, pattern, (int) bs, depth).run(ramp, seconds,
                        c.timeout.toMillis());
                String cpu = r.cpuNanos() < 0 || r.operations() == 0 ? ""
                        : String.format(Locale.ROOT, ", %.1f us of CPU each", r.cpuNanos() / 1e3 / r.operations());
                out.println(String.format(Locale.ROOT, "%s bs=%s qd=%d %.1f s: %.0f IOPS, %s (%d commands%s)",
                        pattern.name().toLowerCase(Locale.ROOT), Sizes.shortSize(bs), depth,
                        r.nanos() / 1e9, r.iops(), Sizes.mibPerSecond(r.bytes(), r.nanos()), r.operations(), cpu));
                return OK;
            }
        }

        // ---- arguments ----

        private static boolean isUrl(String s) {
            return s.regionMatches(true, 0, "iscsi://", 0, 8);
        }

        private IscsiUrl url(String text, boolean needsLun) throws UsageException {
            IscsiUrl url;
            try {
                url = IscsiUrl.parse(text);
            } catch (IllegalArgumentException e) {
                throw new UsageException("bad URL: " + e.getMessage());
            }
            if (needsLun && (url.target() == null || url.lun() < 0)) {
                throw new UsageException(cl.command + " needs a URL naming a LUN: iscsi://host[:port]/target-iqn/lun");
            }
            return url;
        }

        private static long number(String what, String text, long min) throws UsageException {
            try {
                long v = Long.parseLong(text);
                if (v < min) {
                    throw new UsageException(what + " must be at least " + min + ": " + text);
                }
                return v;
            } catch (NumberFormatException e) {
                throw new UsageException(what + " is not a number: " + text);
            }
        }

        private int chunk(int defaultBytes) throws UsageException {
            if (!cl.has("bs")) {
                return defaultBytes;
            }
            long bs = Sizes.parse("--bs", cl.get("bs"));
            if (bs > 16 << 20) {
                throw new UsageException("--bs must be at most 16M: " + cl.get("bs"));
            }
            return (int) bs;
        }

        private Connection connect(IscsiUrl url) throws UsageException {
            String name = cl.get("initiator-name");
            if (name != null && !ISCSI_NAME.matcher(name).matches()) {
                throw new UsageException("--initiator-name is not an iSCSI name (iqn.YYYY-MM.reversed.domain[:suffix],"
                        + " eui. or naa. and hex digits; lower case): " + name);
            }
            return new Connection(url, loginOptions(url, true), loginOptions(url, false), cl.get("initiator-name"),
                    timeout());
        }

        private Duration timeout() throws UsageException {
            return Duration.ofSeconds(cl.intOption("timeout", 30, 1, 3600));
        }

        LoginOptions loginOptions(IscsiUrl url, boolean mutual) throws UsageException {
            Duration timeout = timeout();
            LoginOptions.Builder b = LoginOptions.builder().loginTimeout(timeout).commandTimeout(timeout);
            String user = first(cl.get("chap-user"), url.user(), env.get("LIBISCSI_CHAP_USERNAME"));
            String secret = first(cl.get("chap-secret"), url.secret(), env.get("LIBISCSI_CHAP_PASSWORD"));
            if (user != null) {
                if (secret == null || secret.isEmpty()) {
                    throw new UsageException("CHAP user " + user + " needs a secret (--chap-secret,"
                            + " user%secret@ in the URL or LIBISCSI_CHAP_PASSWORD)");
                }
                b.chap(user, secret);
            } else if (cl.has("chap-secret")) {
                throw new UsageException("--chap-secret needs a user (--chap-user or LIBISCSI_CHAP_USERNAME)");
            }
            String targetUser = first(cl.get("target-user"), null, env.get("LIBISCSI_CHAP_TARGET_USERNAME"));
            String targetSecret = first(cl.get("target-secret"), null, env.get("LIBISCSI_CHAP_TARGET_PASSWORD"));
            if (cl.has("target-user") || cl.has("target-secret") || targetUser != null) {
                if (targetUser == null || targetSecret == null || targetSecret.isEmpty()) {
                    throw new UsageException("mutual CHAP needs both --target-user and --target-secret (or"
                            + " LIBISCSI_CHAP_TARGET_USERNAME and LIBISCSI_CHAP_TARGET_PASSWORD)");
                }
                if (user == null) {
                    throw new UsageException("mutual CHAP needs CHAP credentials of the initiator too");
                }
                if (mutual) {
                    b.mutualChap(targetUser, targetSecret);
                }
            }
            b.headerDigest(digest("header-digest"));
            b.dataDigest(digest("data-digest"));
            List<ChapAlgorithm> algorithms = chapAlgorithms();
            b.chapAlgorithms(algorithms.get(0), algorithms.subList(1, algorithms.size())
                    .toArray(ChapAlgorithm[]::new));
            return b.build();
        }

        private boolean digest(String option) throws UsageException {
            String v = cl.get(option);
            if (v == null || v.equalsIgnoreCase("none")) {
                return false;
            }
            if (v.equalsIgnoreCase("crc32c")) {
                return true;
            }
            throw new UsageException("--" + option + " must be crc32c or none: " + v);
        }

        private List<ChapAlgorithm> chapAlgorithms() throws UsageException {
            String v = cl.get("chap-algorithms");
            if (v == null) {
                return List.of(ChapAlgorithm.MD5);
            }
            Set<ChapAlgorithm> list = new LinkedHashSet<>();
            for (String name : v.split(",")) {
                ChapAlgorithm a = switch (name.trim().toLowerCase(Locale.ROOT)) {
                    case "md5" -> ChapAlgorithm.MD5;
                    case "sha1", "sha-1" -> ChapAlgorithm.SHA1;
                    case "sha256", "sha-256" -> ChapAlgorithm.SHA256;
                    case "sha3-256", "sha3_256" -> ChapAlgorithm.SHA3_256;
                    default -> throw new UsageException("--chap-algorithms: unknown algorithm " + name.trim()
                            + " (md5, sha1, sha256, sha3-256)");
                };
                if (!list.add(a)) {
                    throw new UsageException("--chap-algorithms lists " + name.trim() + " twice");
                }
            }
            return List.copyOf(list);
        }

        private static String first(String a, String b, String c) {
            return a != null ? a : b != null ? b : c;
        }

        private static MessageDigest sha256() {
            try {
                return MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("the JDK has no SHA-256", e);
            }
        }
    }
}
