package io.iscsi4j.scsi;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The copy manager state of one logical unit (SPC-5, third-party copy): the EXTENDED COPY (LID1) commands it is
 * running or holds the status of, by I_T nexus and list identifier, for RECEIVE COPY RESULTS.
 *
 * <p>A command with LIST ID USAGE 00b is tracked while it runs and its status is held after it ends; with 10b it is
 * only tracked while it runs (the list identifier must be unique among running commands of its nexus); with 11b
 * (no list identifier) it is not tracked. Held status is discarded when a new EXTENDED COPY of the nexus reuses the
 * list identifier, when the nexus ends, on logical unit reset and target reset, and, oldest first, beyond
 * {@value #MAX_HELD} held statuses per logical unit. Nexus loss and resets also cancel running copies: they stop
 * before their next chunk.
 *
 * <p>Thread-safe.
 */
final class CopyManager {

    /** Most completed statuses held per logical unit. */
    static final int MAX_HELD = 64;
    /** Most EXTENDED COPY commands with a list identifier running at once per logical unit. */
    static final int MAX_CONCURRENT = 16;

    /** Who sent an EXTENDED COPY, and its list identifier. */
    private record Key(String initiatorPort, String targetPort, int listId) {

        boolean isOf(ItNexus nexus) {
            return initiatorPort.equals(nexus.initiatorPortName())
                    && Objects.equals(targetPort, nexus.targetPortName());
        }
    }

    /** One EXTENDED COPY command: running, or ended with its status held. */
    static final class Operation {

        /** COPY MANAGER STATUS values (SPC-5, COPY STATUS (LID1)). */
        static final int IN_PROGRESS = 0x00;
        static final int COMPLETED = 0x01;
        static final int FAILED = 0x02;

        private final boolean hold;
        private volatile int status = IN_PROGRESS;
        private volatile int segmentsProcessed;
        private volatile long bytesTransferred;
        private volatile boolean cancelled;

        Operation(boolean hold) {
            this.hold = hold;
        }

        int status() {
            return status;
        }

        int segmentsProcessed() {
            return segmentsProcessed;
        }

        long bytesTransferred() {
            return bytesTransferred;
        }

        boolean cancelled() {
            return cancelled;
        }

        void segmentDone() {
            segmentsProcessed++;
        }

        void transferred(long bytes) {
            bytesTransferred += bytes;
        }

        void cancel() {
            cancelled = true;
        }
    }

    /** Running and held operations, oldest first. */
    private final Map<Key, Operation> operations = new LinkedHashMap<>();
    private int running;

    /**
     * Starts tracking an EXTENDED COPY.
     *
     * @param listIdUsage the LIST ID USAGE field (00b hold, 10b unique, 11b none)
     * @return the operation, or {@code null} when the nexus runs another with this list identifier (OPERATION IN
     *     PROGRESS) or {@link #MAX_CONCURRENT} are running
     */
    synchronized Operation begin(ItNexus nexus, int listId, int listIdUsage) {
        if (listIdUsage == 0b11) {
            return new Operation(false);
        }
        Key key = new Key(nexus.initiatorPortName(), nexus.targetPortName(), listId);
        Operation previous = operations.get(key);
        if (previous != null && previous.status == Operation.IN_PROGRESS || running >= MAX_CONCURRENT) {
            return null;
        }
        operations.remove(key); // the new command replaces held status: it moves to the end
        Operation op = new Operation(listIdUsage == 0b00);
        operations.put(key, op);
        running++;
        return op;
    }

    /** Whether {@link #begin} refused because {@link #MAX_CONCURRENT} copies run, rather than a duplicate list id. */
    synchronized boolean busy() {
        return running >= MAX_CONCURRENT;
    }

    /** An operation ended: its status is held (LIST ID USAGE 00b) or forgotten. */
    synchronized void end(ItNexus nexus, int listId, Operation op, boolean success) {
        op.status = success ? Operation.COMPLETED : Operation.FAILED;
        Key key = new Key(nexus.initiatorPortName(), nexus.targetPortName(), listId);
        if (operations.get(key) != op) {
            return; // untracked (11b), or dropped by a reset or nexus loss
        }
        running--;
        if (!op.hold) {
            operations.remove(key);
            return;
        }
        int held = 0;
        for (Operation o : operations.values()) {
            if (o.status != Operation.IN_PROGRESS) {
                held++;
            }
        }
        for (Iterator<Operation> it = operations.values().iterator(); held > MAX_HELD && it.hasNext(); ) {
            if (it.next().status != Operation.IN_PROGRESS) {
                it.remove();
                held--;
            }
        }
    }

    /** The running or held operation of {@code nexus} with {@code listId}, or {@code null}. */
    synchronized Operation get(ItNexus nexus, int listId) {
        return operations.get(new Key(nexus.initiatorPortName(), nexus.targetPortName(), listId));
    }

    /** A logical unit reset or target reset: running copies are cancelled and held statuses discarded. */
    synchronized void reset() {
        drop(new ArrayList<>(operations.keySet()));
    }

    /** An I_T nexus ended: its running copies are cancelled and its held statuses discarded. */
    synchronized void nexusLost(ItNexus nexus) {
        List<Key> keys = new ArrayList<>();
        for (Key k : operations.keySet()) {
            if (k.isOf(nexus)) {
                keys.add(k);
            }
        }
        drop(keys);
    }

    private void drop(List<Key> keys) {
        for (Key k : keys) {
            Operation op = operations.remove(k);
            if (op.status == Operation.IN_PROGRESS) {
                op.cancel();
                running--;
            }
        }
    }
}
