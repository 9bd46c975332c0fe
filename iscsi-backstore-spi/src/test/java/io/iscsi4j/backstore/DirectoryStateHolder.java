package io.iscsi4j.backstore;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A child process for {@link DirectorySharedStateTest}: opens the state in the directory given, writes record
 * {@code pr}, prints {@code holding} and waits (at most a minute) to be killed.
 */
public final class DirectoryStateHolder {

    private DirectoryStateHolder() {
    }

    /**
     * @param args the directory
     * @throws Exception when the state cannot be opened or written
     */
    public static void main(String[] args) throws Exception {
        DirectorySharedState state = DirectorySharedState.open(Path.of(args[0]));
        state.compareAndSet("pr", state.read("pr").toCompletableFuture().get().version(),
                "held".getBytes(StandardCharsets.US_ASCII)).toCompletableFuture().get(10, TimeUnit.SECONDS);
        System.out.println("holding");
        System.out.flush();
        Thread.sleep(60_000);
        state.close();
    }
}
