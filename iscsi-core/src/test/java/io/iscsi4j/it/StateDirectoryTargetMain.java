package io.iscsi4j.it;

import io.iscsi4j.IscsiTarget;
import io.iscsi4j.backstore.Backstores;
import java.nio.file.Path;

/**
 * A target in a child JVM for {@link ReservationsAfterSigkillTest}: LUN 0 of {@link Targets#IQN} over the file given,
 * reservations kept in the state directory given, on 127.0.0.1 at a free port. Prints {@code PORT n} once listening,
 * then serves until killed (at most two minutes).
 */
public final class StateDirectoryTargetMain {

    private StateDirectoryTargetMain() {
    }

    /**
     * @param args the image file (created at 1 MiB if missing) and the state directory
     * @throws Exception when the target does not start
     */
    public static void main(String[] args) throws Exception {
        io.iscsi4j.backstore.Backstore image = Backstores.file(Path.of(args[0]), 1 << 20, 512);
        IscsiTarget target = IscsiTarget.builder()
                .portal("127.0.0.1", 0)
                .target(Targets.IQN, t -> t.lun(0, image))
                .stateDirectory(Path.of(args[1]))
                .eventLoopThreads(1)
                .ioThreads(1)
                .build()
                .start();
        System.out.println("PORT " + target.localAddress().getPort());
        System.out.flush();
        Thread.sleep(120_000);
        target.close();
    }
}
