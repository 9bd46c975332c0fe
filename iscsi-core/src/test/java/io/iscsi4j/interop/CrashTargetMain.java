package io.iscsi4j.interop;

import io.iscsi4j.IscsiTarget;
import io.iscsi4j.backstore.Backstores;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * The target {@link CrashConsistencyTest} runs in a child JVM and kills: serves a file as LUN 0 of
 * {@link InteropTargets#IQN} on 127.0.0.1 at a free port until the process dies.
 *
 * <p>Arguments: the file's path and its size in bytes (512-byte blocks; the file is created or grown, never
 * truncated). Once bound it prints exactly one line, {@code listening on HOST:PORT}, to standard output. It installs
 * no shutdown hook and never closes the target: the test ends it with SIGKILL, so nothing but what the target
 * already did for SYNCHRONIZE CACHE and FUA writes runs before the process is gone.
 */
final class CrashTargetMain {

    /** The line prefix the parent waits for; the bound {@code HOST:PORT} follows it. */
    static final String LISTENING = "listening on ";

    private CrashTargetMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: CrashTargetMain FILE SIZE_BYTES");
            System.exit(2);
        }
        IscsiTarget target = InteropTargets.startOneLun(
                Backstores.file(Path.of(args[0]), Long.parseLong(args[1]), 512));
        System.out.println(LISTENING + InteropTargets.hostPort(target));
        System.out.flush();
        new CountDownLatch(1).await();
    }
}
