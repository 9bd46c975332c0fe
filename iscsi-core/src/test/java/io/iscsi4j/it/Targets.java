package io.iscsi4j.it;

import io.iscsi4j.IscsiTarget;
import io.iscsi4j.backstore.Backstores;
import java.io.IOException;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;

/** In-process targets on 127.0.0.1 with an ephemeral port, and helpers the tests share. */
final class Targets {

    /** The target's IQN. */
    static final String IQN = "iqn.2026-11.io.iscsi4j:test";

    /** Size of the memory LUN: 64 MiB, 131072 blocks of 512 bytes. */
    static final long LUN_SIZE = 64L << 20;

    private Targets() {
    }

    /** Starts a target with one 64 MiB memory LUN, tuned by {@code tuning}. */
    static IscsiTarget start(Consumer<IscsiTarget.Builder> tuning) throws IOException {
        IscsiTarget.Builder b = IscsiTarget.builder()
                .portal("127.0.0.1", 0)
                .target(IQN, t -> t.lun(0, Backstores.memory(LUN_SIZE)))
                .eventLoopThreads(2)
                .ioThreads(2);
        tuning.accept(b);
        return b.build().start();
    }

    /** Starts a target with default settings. */
    static IscsiTarget start() throws IOException {
        return start(b -> { });
    }

    /** Connects and logs in to {@link #IQN}, offering {@code offer}. The caller closes the initiator. */
    static TestInitiator login(IscsiTarget target, Map<String, String> offer) throws IOException {
        TestInitiator initiator = TestInitiator.connect(target.localAddress());
        try {
            initiator.login(TestInitiator.INITIATOR_NAME, IQN, offer);
            return initiator;
        } catch (IOException | RuntimeException | Error e) {
            initiator.close();
            throw e;
        }
    }

    /** A reproducible pseudo-random pattern. */
    static byte[] pattern(int length, long seed) {
        byte[] b = new byte[length];
        new Random(seed).nextBytes(b);
        return b;
    }
}
