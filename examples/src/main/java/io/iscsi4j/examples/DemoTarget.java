package io.iscsi4j.examples;

import io.iscsi4j.IscsiTarget;
import io.iscsi4j.backstore.Backstore;
import io.iscsi4j.backstore.Backstores;
import io.iscsi4j.examples.DemoOptions.UsageException;

import java.io.IOException;
import java.io.PrintStream;
import java.util.concurrent.CountDownLatch;

/**
 * The demo target: serves one LUN (LUN 0), in memory or from a file, until the process is stopped with Ctrl-C or
 * SIGTERM. Run {@code java -jar iscsi4j-demo.jar --help} for the options.
 *
 * <p>Once every portal is bound it prints exactly one line, {@code listening on HOST:PORT}, to standard output;
 * scripts wait for it. A bad option prints one line naming it to standard error and exits with status 2; a
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
        // Registered before start() so that a signal at any later moment closes the target: close() logs the
        // sessions out, flushes and closes the backstore, and is idempotent.
        Thread hook = new Thread(target::close, PROGRAM + "-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            start(target, out);
        } catch (IOException e) {
            Runtime.getRuntime().removeShutdownHook(hook);
            target.close();
            err.println(PROGRAM + ": cannot listen on " + options.host() + ":" + options.port() + ": " + e.getMessage());
            err.flush();
            return EXIT_FAILURE;
        }
        err.println(PROGRAM + ": serving " + describe(options) + " as " + url(target)
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
     * Opens the backstore and builds the (not yet started) target the options describe.
     *
     * @throws UsageException when the target name is invalid
     * @throws IOException when the file cannot be opened or created
     */
    static IscsiTarget build(DemoOptions options) throws UsageException, IOException {
        Backstore backstore = options.file() == null
                ? Backstores.memory(options.sizeBytes(), options.blockSize())
                : Backstores.file(options.file(), options.sizeBytes(), options.blockSize());
        try {
            return IscsiTarget.builder()
                    .portal(options.host(), options.port())
                    .target(options.iqn(), t -> t.alias(PROGRAM).lun(0, backstore))
                    .build();
        } catch (IllegalArgumentException e) {
            closeQuietly(backstore);
            throw new UsageException("bad --iqn " + options.iqn() + ": " + e.getMessage());
        } catch (RuntimeException e) {
            closeQuietly(backstore);
            throw e;
        }
    }

    /**
     * Starts {@code target} and prints the {@code listening on HOST:PORT} line (the bound address) to {@code out}.
     *
     * @return the started target
     * @throws IOException when the portal cannot be bound
     */
    static IscsiTarget start(IscsiTarget target, PrintStream out) throws IOException {
        target.start();
        out.println("listening on " + Addresses.hostPort(target.localAddress()));
        out.flush();
        return target;
    }

    /** The iSCSI URL of the first target's LUN 0, as libiscsi and QEMU spell it. */
    static String url(IscsiTarget target) {
        return "iscsi://" + Addresses.hostPort(target.localAddress()) + "/" + target.targets().get(0).name() + "/0";
    }

    private static String describe(DemoOptions options) {
        String where = options.file() == null ? "in memory" : "from " + options.file();
        return "LUN 0 (" + humanSize(options.sizeBytes()) + " " + where + ", " + options.blockSize() + "-byte blocks)";
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

    private static void closeQuietly(Backstore backstore) {
        try {
            backstore.close();
        } catch (IOException e) {
            // the original failure matters more
        }
    }
}
