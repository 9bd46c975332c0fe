package io.iscsi4j.core.session;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Admission of one session's SCSI commands to the SCSI layer: the data buffer budget
 * ({@link io.iscsi4j.ResourceLimits#maxDataBufferBytesPerSession()}) and the fence of a replaced I_T nexus.
 *
 * <p>A command takes its budget (its expected data transfer length, at most the whole budget) when it goes to the
 * SCSI layer and gives it back when it ends. A command that does not fit, a read while the connection's output is
 * over its high water mark, and every command while earlier ones wait, is queued; commands leave the queue in
 * arrival order, so a command holding budget never waits for a later one: no deadlock, however the SCSI layer orders
 * overlapping commands. While the gate is closed (the session reinstated an I_T nexus whose tasks have not ended
 * yet) every command waits. Event loop only.
 *
 * <p>Reads of storage that only copies memory ({@link io.iscsi4j.backstore.BackstoreCapability#NON_BLOCKING}) are
 * also capped by bytes under way (admitted, not yet answered): such reads complete at once, so reads admitted
 * together fill their buffers together, a whole queue depth of them (32 MiB at QD 32 of 1 MiB), all cache-cold by
 * the time the socket takes them. Reads of storage with latency (a file, a network block device such as Ceph RBD)
 * are not: there the bytes under way are reads waiting for the storage, and capping them would cap the reads in
 * flight to the storage, and its throughput with them (4 MiB under way is four 1 MiB reads); the session's budget
 * bounds their buffers.
 */
final class BufferBudget {

    private final long budget;
    /** The most bytes of memory-speed reads under way (admitted, not yet answered) before further ones wait. */
    private final long readBudget;
    private long held;
    private long readsHeld;
    private final ArrayDeque<ScsiCommandTask> queue = new ArrayDeque<>();
    private boolean gateOpen = true;

    /**
     * @param budget the most bytes of data buffers the session's commands may hold
     * @param readBudget the most bytes of memory-speed reads under way at once (a read larger than that still runs
     *     alone)
     */
    BufferBudget(long budget, long readBudget) {
        this.budget = budget;
        this.readBudget = readBudget;
    }

    /** Holds every command back until {@link #openGate()}. */
    void closeGate() {
        gateOpen = false;
    }

    /**
     * Admits a new command: reserves its budget and returns {@code true} when it may go to the SCSI layer now;
     * otherwise queues it.
     *
     * @param outputWritable whether the connection's output is below its high water mark
     */
    boolean admit(ScsiCommandTask task, boolean outputWritable) {
        if (!queue.isEmpty() || !mayStart(task, outputWritable)) {
            queue.add(task);
            return false;
        }
        reserve(task);
        return true;
    }

    /** The oldest queued command if it may go to the SCSI layer now, with its budget reserved; else {@code null}. */
    ScsiCommandTask pollReady(boolean outputWritable) {
        ScsiCommandTask next = queue.peek();
        if (next == null || !mayStart(next, outputWritable)) {
            return null;
        }
        queue.poll();
        reserve(next);
        return next;
    }

    /** Removes a queued command; {@code false} when it was not queued. */
    boolean remove(ScsiCommandTask task) {
        return queue.remove(task);
    }

    /** Takes every queued command out (the connection is gone). */
    List<ScsiCommandTask> removeAll() {
        List<ScsiCommandTask> out = new ArrayList<>(queue);
        queue.clear();
        return out;
    }

    /** Gives an ended command's budget back. */
    void release(ScsiCommandTask task) {
        held -= task.bufferBytes;
        if (task.isRead() && task.atMemorySpeed()) {
            readsHeld -= task.bufferBytes;
        }
        task.bufferBytes = 0;
    }

    /** The replaced nexus's tasks have ended: commands may go to the SCSI layer. */
    void openGate() {
        gateOpen = true;
    }

    private boolean mayStart(ScsiCommandTask task, boolean outputWritable) {
        if (!gateOpen || task.isRead() && !outputWritable) {
            return false;
        }
        int length = length(task);
        if (task.isRead() && task.atMemorySpeed() && readsHeld > 0 && readsHeld + length > readBudget) {
            // Reads under way are data not yet queued for output: the output cap alone would let a whole queue
            // depth of large reads fill buffers at once (32 MiB at QD 32 of 1 MiB), all cache-cold when sent.
            return false;
        }
        return length == 0 || held == 0 || held + length <= budget;
    }

    private void reserve(ScsiCommandTask task) {
        int length = length(task);
        held += length;
        if (task.isRead() && task.atMemorySpeed()) {
            readsHeld += length;
        }
        task.bufferBytes += length;
    }

    private int length(ScsiCommandTask task) {
        return task.isRead() || task.isWrite() ? (int) Math.min(task.expectedLength, budget) : 0;
    }
}
