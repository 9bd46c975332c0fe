package io.iscsi4j.examples;

import io.iscsi4j.backstore.Backstores;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The demo target's command line, parsed by hand (no dependency). Immutable.
 *
 * @param host the address to bind: an IPv4 or IPv6 literal or a host name, without brackets
 * @param port the TCP port, 0 for any free port
 * @param iqn the target name
 * @param sizeBytes the LUN's capacity in bytes, a positive multiple of {@code blockSize}
 * @param file the file to serve, or {@code null} to serve memory
 * @param blockSize the logical block size, 512 or 4096
 * @param help whether {@code --help} was given (the other fields then hold their defaults)
 */
record DemoOptions(String host, int port, String iqn, long sizeBytes, Path file, int blockSize, boolean help) {

    static final String DEFAULT_HOST = "127.0.0.1";
    static final int DEFAULT_PORT = 3260;
    static final String DEFAULT_IQN = "iqn.2026-11.io.iscsi4j:demo";
    static final String DEFAULT_SIZE = "1G";
    static final int DEFAULT_BLOCK_SIZE = 512;

    static final String USAGE = String.join(System.lineSeparator(),
            "Usage: java -jar iscsi4j-demo.jar [OPTIONS]",
            "Serves one LUN (LUN 0) over iSCSI until stopped with Ctrl-C or SIGTERM.",
            "",
            "  --portal HOST:PORT    address to listen on (default 127.0.0.1:3260; IPv6 as [::1]:3260;",
            "                        port 0 picks a free port)",
            "  --iqn IQN             target name (default " + DEFAULT_IQN + ")",
            "  --size SIZE           LUN size with a K, M, G or T suffix (default " + DEFAULT_SIZE + ")",
            "  --file PATH           serve this file instead of memory; created at --size if missing",
            "  --block-size N        logical block size, 512 or 4096 (default 512)",
            "  --help                show this help");

    DemoOptions {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(iqn, "iqn");
    }

    /**
     * Parses the command line.
     *
     * @param args the arguments, each option either {@code --name value} or {@code --name=value}
     * @return the options
     * @throws UsageException naming the offending option
     */
    static DemoOptions parse(String... args) throws UsageException {
        String portal = DEFAULT_HOST + ":" + DEFAULT_PORT;
        String iqn = DEFAULT_IQN;
        String size = DEFAULT_SIZE;
        String file = null;
        String blockSize = Integer.toString(DEFAULT_BLOCK_SIZE);
        boolean help = false;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String name = arg;
            String value = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                name = arg.substring(0, eq);
                value = arg.substring(eq + 1);
            }
            switch (name) {
                case "--help", "-h" -> help = true;
                case "--portal", "--iqn", "--size", "--file", "--block-size" -> {
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
                        case "--portal" -> portal = value;
                        case "--iqn" -> iqn = value;
                        case "--size" -> size = value;
                        case "--file" -> file = value;
                        default -> blockSize = value;
                    }
                }
                default -> throw new UsageException(arg.startsWith("-")
                        ? "unknown option " + name
                        : "unexpected argument " + arg);
            }
        }
        if (help) {
            return new DemoOptions(DEFAULT_HOST, DEFAULT_PORT, DEFAULT_IQN, 1L << 30, null, DEFAULT_BLOCK_SIZE, true);
        }
        int colon = portal.lastIndexOf(':');
        if (colon < 0) {
            throw new UsageException("bad --portal " + portal + ": expected HOST:PORT, for example 127.0.0.1:3260");
        }
        String host = parseHost(portal, portal.substring(0, colon));
        int port = parsePort(portal, portal.substring(colon + 1));
        int block = parseBlockSize(blockSize);
        long bytes = parseSize(size, block);
        return new DemoOptions(host, port, iqn, bytes, file == null ? null : Path.of(file), block, false);
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

    /** A command-line mistake; the message is one line that names the offending option. */
    static final class UsageException extends Exception {

        UsageException(String message) {
            super(message);
        }
    }
}
