package io.iscsi4j;

import io.iscsi4j.backstore.Backstore;
import io.iscsi4j.core.session.TargetContext;
import io.iscsi4j.scsi.UnitStatistics;

import java.util.Objects;
import java.util.function.Consumer;

/**
 * Changes one target of a running {@link IscsiTarget}: adds, removes and resizes LUNs, and reads their statistics.
 * Get one with {@link IscsiTarget#target(String)}. Sessions keep running through every change; only what the
 * change concerns is affected. Thread-safe; changes of one {@link IscsiTarget} are applied one at a time.
 *
 * <pre>{@code
 * TargetControl disk = target.target("iqn.2026-11.com.example:disk");
 * disk.addLun(1, Backstores.memory(1L << 30));       // sessions get REPORTED LUNS DATA HAS CHANGED
 * disk.resizeLun(0);                                  // after growing LUN 0's storage: CAPACITY DATA HAS CHANGED
 * disk.removeLun(1);                                  // LOGICAL UNIT NOT SUPPORTED from now on; backstore closed
 * }</pre>
 *
 * @since 0.1
 */
public final class TargetControl {

    private final TargetContext context;
    private final String name;
    /** Runs after a LUN was added or removed (the MBeans follow). */
    private final Runnable changed;

    TargetControl(TargetContext context, String name, Runnable changed) {
        this.context = context;
        this.name = name;
        this.changed = changed;
    }

    /** {@return the target's iSCSI name (lower case)} */
    public String name() {
        return name;
    }

    /**
     * The target's configuration now, with the LUNs it has at this moment.
     *
     * @return the configuration
     * @throws IllegalStateException when the target was removed
     */
    public TargetConfig config() {
        for (TargetConfig c : context.targetConfigs()) {
            if (c.name().equals(name)) {
                return c;
            }
        }
        throw new IllegalStateException("target " + name + " was removed");
    }

    /**
     * Adds a LUN with default options (see {@link #addLun(int, Backstore, Consumer)}).
     *
     * @param lun the LUN, 0 to 16383, not in use
     * @param backstore the storage; the target owns it from now on and closes it when the LUN is removed or the
     *     target closes
     * @return this
     */
    public TargetControl addLun(int lun, Backstore backstore) {
        return addLun(lun, backstore, o -> { });
    }

    /**
     * Adds a LUN while sessions run. Initiators whose ACL maps no LUNs see it under {@code lun}; an ACL that maps a
     * LUN to {@code lun} ({@link AclBuilder}) sees it under that mapped number. Every session of the target that can
     * see it gets a REPORTED LUNS DATA HAS CHANGED unit attention (3Fh/0Eh) on its next command, after which REPORT
     * LUNS lists it. Commands sent after this method returned reach it.
     *
     * @param lun the LUN, 0 to 16383, not in use
     * @param backstore the storage; the target owns it once this method returned (closes it when the LUN is
     *     removed or the target closes); when this method throws, the caller still owns it
     * @param options read-only, write-back, serial, physical block size as for {@link TargetBuilder#lun}
     * @return this
     * @throws IllegalArgumentException when the LUN is out of range or in use, or the backstore or options are
     *     invalid
     * @throws IllegalStateException when the target was removed or the {@link IscsiTarget} closed
     */
    public TargetControl addLun(int lun, Backstore backstore, Consumer<LunBuilder> options) {
        Objects.requireNonNull(backstore, "backstore");
        LunBuilder b = new LunBuilder();
        options.accept(b);
        LunConfig config = b.build(name, lun, backstore);
        requireExists();
        context.addLun(name, config);
        changed.run();
        return this;
    }

    /**
     * Removes a LUN while sessions run. Commands that arrive afterwards end with CHECK CONDITION, ILLEGAL REQUEST /
     * LOGICAL UNIT NOT SUPPORTED (5h/25h/00h); commands already under way finish normally (this method waits for
     * them, at most 30 seconds). Every session that could see it gets a REPORTED LUNS DATA HAS CHANGED unit
     * attention. Then the backstore is flushed and closed: the target owned it. Other LUNs are not affected.
     *
     * @param lun the LUN
     * @return {@code false} when the target has no such LUN
     * @throws IllegalStateException when the target was removed
     */
    public boolean removeLun(int lun) {
        requireExists();
        boolean removed = context.removeLun(name, lun);
        changed.run();
        return removed;
    }

    /**
     * Reports a changed capacity after the LUN's backstore changed its {@link Backstore#blockCount()}: every
     * I_T nexus that has addressed the LUN gets a CAPACITY DATA HAS CHANGED unit attention (2Ah/09h) on its next
     * command; READ CAPACITY reports the new block count. (The block count is read from the backstore on every
     * command; this call only tells the initiators, which otherwise would not look.)
     *
     * @param lun the LUN
     * @throws IllegalArgumentException when the target has no such LUN
     */
    public void resizeLun(int lun) {
        requireExists();
        if (!context.capacityChanged(name, lun)) {
            throw new IllegalArgumentException("target " + name + " has no LUN " + lun);
        }
    }

    /**
     * The sessions of this target in full feature phase now, ordered by TSIH.
     *
     * @return a snapshot; each element reads its counters when asked and can end its session
     * @since 0.2
     */
    public java.util.List<ActiveSession> sessions() {
        return context.sessions(name);
    }

    /**
     * This target's iSCSI-level counters: logins that named it (accepted and refused), and its sessions' logouts,
     * connection drops and protocol errors.
     *
     * @return the counters now
     * @throws IllegalArgumentException when the target was removed
     * @since 0.2
     */
    public IscsiStatistics iscsiStatistics() {
        return context.iscsiStatistics(name);
    }

    /**
     * A snapshot of a LUN's statistics since it was added.
     *
     * @param lun the LUN
     * @return the counters now
     * @throws IllegalArgumentException when the target has no such LUN
     */
    public LunStatistics statistics(int lun) {
        UnitStatistics s = context.statistics(name, lun);
        if (s == null) {
            throw new IllegalArgumentException("target " + name + " has no LUN " + lun);
        }
        return new LunStatistics(s.commands(), s.readCommands(), s.writeCommands(), s.bytesRead(),
                s.bytesWritten(), s.checkConditions(), s.inFlight(), s.latencyHistogram());
    }

    private boolean exists() {
        for (TargetConfig c : context.targetConfigs()) {
            if (c.name().equals(name)) {
                return true;
            }
        }
        return false;
    }

    private void requireExists() {
        if (!exists()) {
            throw new IllegalStateException("target " + name + " was removed");
        }
    }

    @Override
    public String toString() {
        return "TargetControl[" + name + "]";
    }
}
