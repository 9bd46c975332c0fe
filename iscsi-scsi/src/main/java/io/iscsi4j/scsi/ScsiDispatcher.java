package io.iscsi4j.scsi;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SCSI target device server: routes each {@link ScsiTask} to the logical unit its LUN addresses and executes
 * the command there.
 *
 * <p>Commands (SPC-5): TEST UNIT READY, REQUEST SENSE, INQUIRY (standard data; VPD pages 00h, 80h, 83h, 86h, 8Fh, B0h,
 * B1h, B2h), REPORT LUNS, MODE SENSE and MODE SELECT (6) and (10) (caching and control pages), LOG SENSE (supported
 * pages only), REPORT SUPPORTED OPERATION CODES, REPORT SUPPORTED TASK MANAGEMENT FUNCTIONS, REPORT TARGET PORT
 * GROUPS (implicit asymmetric logical unit access, see {@link TargetPortGroups}), PERSISTENT RESERVE IN
 * and OUT (every service action and reservation type), RESERVE and RELEASE (6) and (10), EXTENDED COPY (LID1) and
 * RECEIVE COPY RESULTS (COPY STATUS, OPERATING PARAMETERS) between this dispatcher's logical units. Block commands
 * (SBC-4): READ CAPACITY (10) and (16), READ and WRITE (6), (10), (12) and (16), VERIFY and WRITE AND VERIFY (10),
 * (12) and (16), COMPARE AND WRITE, ORWRITE (16), WRITE SAME (10) and (16), GET LBA STATUS, PRE-FETCH (10) and (16),
 * SYNCHRONIZE CACHE (10) and (16), READ DEFECT DATA (10) and (12), START STOP UNIT, PREVENT ALLOW MEDIUM REMOVAL,
 * SANITIZE (OVERWRITE, EXIT FAILURE MODE); and where the backstore's {@link io.iscsi4j.backstore.Backstore#capabilities() capabilities}
 * allow, UNMAP, SANITIZE BLOCK ERASE and WRITE ATOMIC (16). The command table that routes them also answers REPORT
 * SUPPORTED OPERATION CODES, so the report always matches what runs. Any other operation code ends with CHECK
 * CONDITION, ILLEGAL REQUEST / INVALID COMMAND OPERATION CODE (an unknown service action of a known operation code
 * with INVALID FIELD IN CDB); a CDB with the NACA bit set with ILLEGAL REQUEST / INVALID FIELD IN CDB (ACA is not
 * supported).
 *
 * <p>Checks before a command runs, in order: a pending unit attention (CHECK CONDITION / UNIT ATTENTION) or, when
 * none is pending, a pending deferred error (see below), then the asymmetric access state of the target port's group
 * (NOT READY / LOGICAL UNIT NOT ACCESSIBLE for a command the state does not allow, see {@link AccessState}; before
 * the reservations, as LIO does, so that a path in standby never answers RESERVATION CONFLICT, which multipath
 * initiators do not retry on another path), then the logical unit's reservations (RESERVATION CONFLICT
 * status for a command that another I_T nexus's RESERVE or persistent reservation forbids; see {@code Reservations}
 * and {@code ReservationAccess}), then the sanitize state (a running SANITIZE or the sanitize failure mode, see
 * {@code Sanitize}): a pending unit attention or deferred error is reported first (SPC-5 §5.14), the NOT READY of a
 * running sanitize on the commands after it. Between the reservation and the sanitize checks: while a backstore call
 * that exceeded the logical unit's {@linkplain LogicalUnit.Builder#backstoreTimeout backstore timeout} is still
 * running, every command but INQUIRY, REPORT LUNS and REQUEST SENSE ends with NOT READY / LOGICAL UNIT NOT READY,
 * OPERATION IN PROGRESS, and REQUEST SENSE returns that sense data.
 * Reservations: an SPC-2 reservation ends with its holder's nexus ({@link #nexusLost}), a logical unit reset and a
 * target reset; persistent reservations and registrations survive all three and are lost only with this object
 * (persistence through power loss is not offered). PREEMPT AND ABORT hands the preempted I_T nexuses to the
 * {@link TaskSetAborter} the dispatcher was built with, since the transport owns their tasks.
 *
 * <p>Commands that change the medium end with DATA PROTECT / WRITE PROTECTED, before any Data-Out is requested,
 * while the logical unit is write-protected (read-only, or SWP set with MODE SELECT). Commands that read or write
 * blocks hold shared or exclusive claims on their LBA ranges (see {@link LogicalUnit}), which makes COMPARE AND
 * WRITE, ORWRITE, WRITE ATOMIC and SANITIZE atomic with respect to every other command of this target.
 *
 * <p>A dispatcher may serve some of its LUNs read-only (a node ACL's write-protected mapped LUNs, as LIO's
 * {@code write_protect}): for those LUNs, and only through this dispatcher, commands that change the medium and
 * MODE SELECT (which changes mode parameters every I_T nexus shares) end with DATA PROTECT / WRITE PROTECTED after
 * the unit attention, reservation and sanitize checks; MODE SENSE reports WP=1; EXTENDED COPY refuses such a
 * logical unit as its destination. Other dispatchers over the same logical unit may still write it.
 *
 * <p>A LUN without a logical unit (or in an addressing method {@link Lun#decode} rejects) answers INQUIRY with
 * peripheral qualifier 011b and device type 1Fh, REPORT LUNS normally and REQUEST SENSE with ILLEGAL REQUEST /
 * LOGICAL UNIT NOT SUPPORTED sense data and GOOD status; anything else ends with CHECK CONDITION, ILLEGAL REQUEST /
 * LOGICAL UNIT NOT SUPPORTED.
 *
 * <p>Deferred errors (SPC-5): a SYNCHRONIZE CACHE with IMMED set ends with GOOD status once its flush is queued; when
 * the flush then fails, the sense data of the failure (as without IMMED: MEDIUM ERROR / WRITE ERROR for a
 * {@link io.iscsi4j.backstore.MediumErrorException}, and so on) becomes a deferred error of that I_T nexus at that
 * logical unit. The nexus's next command to the logical unit other than INQUIRY and REPORT LUNS ends with CHECK
 * CONDITION and that sense data with response code 71h (fixed format) or 73h (descriptor format); REQUEST SENSE
 * returns it as its parameter data with GOOD status. It is reported once, after any unit attention pending for the
 * nexus (a unit attention is reported first; the deferred error on the next command after it), and QUERY
 * ASYNCHRONOUS EVENT counts it ({@link #queryAsynchronousEvent}). A nexus keeps at most one deferred error per
 * logical unit (the first); it is dropped with the nexus ({@link #nexusLost}, {@link #itNexusReset}), not by a
 * logical unit or target reset. Other I_T nexuses are not told.
 *
 * <p>Task attributes (SAM-5) are honoured by the transport before it calls {@link #execute}: each logical unit has one
 * task set for every I_T nexus, and its {@link LogicalUnit#taskOrdering() TaskOrdering} starts a SIMPLE task once the
 * ORDERED tasks before it have ended, an ORDERED task once every task before it has ended, a HEAD OF QUEUE task at
 * once; ACA and untagged tasks count as SIMPLE. Sense data is in fixed format, or
 * in descriptor format once an initiator set the control mode page's D_SENSE bit. Unit attention conditions are
 * raised for resets, by persistent reservation changes (RESERVATIONS PREEMPTED, RESERVATIONS RELEASED,
 * REGISTRATIONS PREEMPTED), and when the transport reports a changed LUN inventory ({@link #reportedLunsChanged}),
 * capacity ({@link #capacityChanged}) or asymmetric access state ({@link #accessStateChanged}); not MODE PARAMETERS
 * CHANGED for the other I_T nexuses after MODE SELECT.
 *
 * <p>Threads: {@link #execute} does not block; backstore calls run on each logical unit's executor, and the task
 * is completed exactly once, on whichever thread finishes the command. Thread-safe. The LUN map may change while
 * commands run ({@link #addLogicalUnit}, {@link #removeLogicalUnit}): it is replaced copy-on-write, and each command
 * reads it once, without a lock; a command already routed to a removed logical unit runs to its end there.
 *
 * @since 0.1
 */
public final class ScsiDispatcher {

    private static final CommandTable TABLE = Commands.TABLE;

    private static final Logger LOG = LoggerFactory.getLogger(ScsiDispatcher.class);

    /** The current LUN map; replaced as a whole under {@link #changes}, read without a lock. */
    private volatile LunTable luns;
    private final Object changes = new Object();
    private final TaskSetAborter taskSetAborter;
    private final TargetPortGroups portGroups;

    /** An immutable LUN map with its lookup arrays and REPORT LUNS data. */
    private static final class LunTable {
        final Map<Integer, LogicalUnit> map;
        /** The LUNs of {@link #map} this dispatcher serves read-only. */
        final Set<Integer> readOnly;
        /** Logical units indexed by LUN (no boxing on the data path); {@code null} where there is none. */
        final LogicalUnit[] byLun;
        /** Whether the LUN is served read-only by this dispatcher, indexed by LUN like {@link #byLun}. */
        final boolean[] readOnlyByLun;
        /** REPORT LUNS parameter data. */
        final byte[] lunList;

        LunTable(Map<Integer, LogicalUnit> lunMap, Set<Integer> readOnlyLuns) {
            this.map = Map.copyOf(lunMap);
            this.readOnly = Set.copyOf(readOnlyLuns);
            int[] sorted = map.keySet().stream().mapToInt(Integer::intValue).sorted().toArray();
            for (int lun : sorted) {
                if (lun < 0 || lun > Lun.MAX) {
                    throw new IllegalArgumentException("LUN out of range 0.." + Lun.MAX + ": " + lun);
                }
            }
            this.byLun = new LogicalUnit[sorted.length == 0 ? 0 : sorted[sorted.length - 1] + 1];
            for (int lun : sorted) {
                byLun[lun] = map.get(lun);
            }
            this.readOnlyByLun = new boolean[byLun.length];
            for (int lun : readOnly) {
                if (!map.containsKey(lun)) {
                    throw new IllegalArgumentException("read-only LUN " + lun + " has no logical unit");
                }
                readOnlyByLun[lun] = true;
            }
            this.lunList = SpcCommands.lunList(sorted);
        }

        LogicalUnit get(int lun) {
            return lun >= 0 && lun < byLun.length ? byLun[lun] : null;
        }

        boolean isReadOnly(int lun) {
            return lun >= 0 && lun < readOnlyByLun.length && readOnlyByLun[lun];
        }
    }

    /**
     * Creates a dispatcher over an initial LUN map whose PREEMPT AND ABORT aborts no tasks ({@link TaskSetAborter#NONE}).
     *
     * @param lunMap LUN number (0 to {@link Lun#MAX}) to logical unit; copied
     * @throws IllegalArgumentException when a LUN number is out of range
     */
    public ScsiDispatcher(Map<Integer, LogicalUnit> lunMap) {
        this(lunMap, TaskSetAborter.NONE);
    }

    /**
     * Creates a dispatcher over an initial LUN map.
     *
     * @param lunMap LUN number (0 to {@link Lun#MAX}) to logical unit; copied
     * @param taskSetAborter aborts the tasks of the I_T nexuses a PREEMPT AND ABORT preempts (the transport owns them)
     * @throws IllegalArgumentException when a LUN number is out of range
     */
    public ScsiDispatcher(Map<Integer, LogicalUnit> lunMap, TaskSetAborter taskSetAborter) {
        this(lunMap, Set.of(), taskSetAborter);
    }

    /**
     * Creates a dispatcher over a fixed LUN map that serves some LUNs read-only, whatever their logical units allow:
     * the view of one node ACL whose mapped LUNs may be write-protected.
     *
     * @param lunMap LUN number (0 to {@link Lun#MAX}) to logical unit; copied
     * @param readOnlyLuns LUNs of {@code lunMap} that refuse commands changing the medium (DATA PROTECT / WRITE
     *        PROTECTED) and report WP=1 in MODE SENSE through this dispatcher; copied
     * @param taskSetAborter aborts the tasks of the I_T nexuses a PREEMPT AND ABORT preempts (the transport owns them)
     * @throws IllegalArgumentException when a LUN number is out of range or a read-only LUN is not in {@code lunMap}
     * @since 0.1
     */
    public ScsiDispatcher(Map<Integer, LogicalUnit> lunMap, Set<Integer> readOnlyLuns,
                          TaskSetAborter taskSetAborter) {
        this(lunMap, readOnlyLuns, taskSetAborter, new TargetPortGroups(TargetPortGroups.DEFAULT_ID));
    }

    /**
     * Creates a dispatcher over a LUN map that serves some LUNs read-only, whose logical units are reached through
     * the own target port group of {@code portGroups}: REPORT TARGET PORT GROUPS reports those groups, and commands
     * the group's asymmetric access state does not allow are refused. Several dispatchers (every target of a
     * gateway, every node ACL's view) may share one {@link TargetPortGroups}; whoever changes it calls
     * {@link #accessStateChanged()} on each dispatcher whose logical units it covers.
     *
     * @param lunMap LUN number (0 to {@link Lun#MAX}) to logical unit; copied
     * @param readOnlyLuns LUNs of {@code lunMap} served read-only through this dispatcher; copied
     * @param taskSetAborter aborts the tasks of the I_T nexuses a PREEMPT AND ABORT preempts (the transport owns them)
     * @param portGroups the target port groups
     * @throws IllegalArgumentException when a LUN number is out of range or a read-only LUN is not in {@code lunMap}
     * @since 0.1
     */
    public ScsiDispatcher(Map<Integer, LogicalUnit> lunMap, Set<Integer> readOnlyLuns,
                          TaskSetAborter taskSetAborter, TargetPortGroups portGroups) {
        this.taskSetAborter = Objects.requireNonNull(taskSetAborter, "taskSetAborter");
        this.portGroups = Objects.requireNonNull(portGroups, "portGroups");
        this.luns = new LunTable(Objects.requireNonNull(lunMap, "lunMap"),
                Objects.requireNonNull(readOnlyLuns, "readOnlyLuns"));
    }

    /**
     * Whether the LUN is served read-only by this dispatcher (see {@link #ScsiDispatcher(Map, Set, TaskSetAborter)});
     * a logical unit that is itself {@linkplain LogicalUnit#isWriteProtected() write-protected} is so everywhere.
     *
     * @param lun a LUN number
     * @return {@code true} when this dispatcher serves the LUN read-only
     * @since 0.1
     */
    public boolean isReadOnly(int lun) {
        return luns.isReadOnly(lun);
    }

    /** Whether commands through this dispatcher may not change the logical unit addressed as {@code lun}. */
    boolean isWriteProtected(LogicalUnit lu, int lun) {
        return lu.isWriteProtected() || isReadOnly(lun);
    }

    /** Whether this dispatcher serves {@code lu} read-only under any of its LUNs, or {@code lu} is write-protected. */
    boolean isWriteProtected(LogicalUnit lu) {
        if (lu.isWriteProtected()) {
            return true;
        }
        LunTable t = luns;
        for (int lun = 0; lun < t.byLun.length; lun++) {
            if (t.byLun[lun] == lu && t.readOnlyByLun[lun]) {
                return true;
            }
        }
        return false;
    }

    /** {@return the LUN map this dispatcher serves now (an immutable snapshot)} */
    public Map<Integer, LogicalUnit> logicalUnits() {
        return luns.map;
    }

    /**
     * The logical unit a LUN addresses now.
     *
     * @param lun the LUN number
     * @return the logical unit, or {@code null} when there is none
     */
    public LogicalUnit logicalUnit(int lun) {
        return luns.get(lun);
    }

    /**
     * Adds a logical unit while commands run. Commands that arrive after this method returned see it. Raises no unit
     * attention: the transport decides which I_T nexuses see the change ({@link #reportedLunsChanged}).
     *
     * @param lun the LUN number, 0 to {@link Lun#MAX}
     * @param unit the logical unit
     * @throws IllegalArgumentException when the LUN is out of range or taken
     */
    public void addLogicalUnit(int lun, LogicalUnit unit) {
        addLogicalUnit(lun, unit, false);
    }

    /**
     * Adds a logical unit while commands run, served read-only through this dispatcher when {@code readOnly} (see
     * {@link #ScsiDispatcher(Map, Set, TaskSetAborter)}). Commands that arrive after this method returned see it.
     *
     * @param lun the LUN number, 0 to {@link Lun#MAX}
     * @param unit the logical unit
     * @param readOnly whether this dispatcher serves the LUN read-only
     * @throws IllegalArgumentException when the LUN is out of range or taken
     * @since 0.1
     */
    public void addLogicalUnit(int lun, LogicalUnit unit, boolean readOnly) {
        Objects.requireNonNull(unit, "unit");
        synchronized (changes) {
            Map<Integer, LogicalUnit> m = new HashMap<>(luns.map);
            if (m.putIfAbsent(lun, unit) != null) {
                throw new IllegalArgumentException("LUN " + lun + " is in use");
            }
            Set<Integer> ro = new HashSet<>(luns.readOnly);
            if (readOnly) {
                ro.add(lun);
            }
            luns = new LunTable(m, ro);
        }
    }

    /**
     * Removes a logical unit while commands run. Commands that arrive after this method returned end with CHECK
     * CONDITION, ILLEGAL REQUEST / LOGICAL UNIT NOT SUPPORTED; commands already routed to it run to their end. The
     * logical unit is not closed.
     *
     * @param lun the LUN number
     * @return the removed logical unit, or {@code null} when the LUN had none
     */
    public LogicalUnit removeLogicalUnit(int lun) {
        synchronized (changes) {
            LogicalUnit old = luns.get(lun);
            if (old != null) {
                Map<Integer, LogicalUnit> m = new HashMap<>(luns.map);
                m.remove(lun);
                Set<Integer> ro = new HashSet<>(luns.readOnly);
                ro.remove(lun);
                luns = new LunTable(m, ro);
            }
            return old;
        }
    }

    /**
     * The LUN inventory of an I_T nexus changed: it gets a REPORTED LUNS DATA HAS CHANGED unit attention (SPC-5
     * §5.14) on every logical unit of this dispatcher it has addressed.
     *
     * @param nexus the nexus
     */
    public void reportedLunsChanged(ItNexus nexus) {
        for (LogicalUnit lu : luns.byLun) {
            if (lu != null) {
                lu.unitAttentions().establish(nexus.initiatorPortName(),
                        AdditionalSense.REPORTED_LUNS_DATA_HAS_CHANGED);
            }
        }
    }

    /**
     * The capacity of a logical unit changed (its backstore's block count): every I_T nexus that addressed it gets a
     * CAPACITY DATA HAS CHANGED unit attention (SBC-4 §4.10), whichever dispatcher it uses.
     *
     * @param lun the LUN number; unknown LUNs are ignored
     */
    public void capacityChanged(int lun) {
        LogicalUnit lu = luns.get(lun);
        if (lu != null) {
            lu.capacityChanged();
        }
    }

    /**
     * An asymmetric access state of {@link #portGroups()} changed, or a group was added or removed: every I_T nexus
     * that addressed a logical unit of this dispatcher gets an ASYMMETRIC ACCESS STATE CHANGED unit attention (SPC-5
     * §5.16), once per logical unit however many dispatchers share it.
     *
     * @since 0.1
     */
    public void accessStateChanged() {
        for (LogicalUnit lu : luns.byLun) {
            if (lu != null) {
                lu.unitAttentions().establishForAll(AdditionalSense.ASYMMETRIC_ACCESS_STATE_CHANGED);
            }
        }
    }

    /**
     * The target port groups this dispatcher's logical units are reached through.
     *
     * @return the groups given at construction (a group of its own, id {@value TargetPortGroups#DEFAULT_ID},
     *     when none was)
     * @since 0.1
     */
    public TargetPortGroups portGroups() {
        return portGroups;
    }

    /**
     * Executes a command. Returns without blocking; the task is completed, exactly once, before or after this
     * method returns. If the task's Data-Out transfer fails, the task is not completed here (the transport
     * completed it). Anything unexpected thrown by this layer, a backstore or the task's own methods (an
     * {@link Error} too, but a {@link VirtualMachineError}, which is rethrown) ends the task with CHECK CONDITION,
     * HARDWARE ERROR / INTERNAL TARGET FAILURE; {@link ScsiTask#complete} itself must not throw.
     *
     * @param task the command
     */
    public void execute(ScsiTask task) {
        try {
            dispatch(task);
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable e) { // an Error too: the task must still end
            LOG.error("command failed unexpectedly", e);
            Sense.fail(task, Sense.INTERNAL_TARGET_FAILURE);
        }
    }

    /**
     * A LOGICAL UNIT RESET was performed (the transport already terminated the tasks): every I_T nexus of the
     * logical unit gets a BUS DEVICE RESET FUNCTION OCCURRED unit attention (SAM-5 §7.8), an SPC-2 reservation
     * (RESERVE) of the logical unit ends, and its held EXTENDED COPY statuses are discarded (running copies stop at
     * their next chunk). Persistent reservations stay.
     *
     * @param lun the logical unit; unknown LUNs are ignored
     */
    public void logicalUnitReset(int lun) {
        LogicalUnit lu = luns.get(lun);
        if (lu != null) {
            lu.resetHere(AdditionalSense.BUS_DEVICE_RESET_FUNCTION_OCCURRED);
        }
    }

    /**
     * A target reset (TARGET WARM RESET or COLD RESET) was performed: every I_T nexus of every logical unit gets a
     * POWER ON, RESET, OR BUS DEVICE RESET OCCURRED unit attention, SPC-2 reservations end and held EXTENDED COPY
     * statuses are discarded. Persistent reservations stay.
     */
    public void targetReset() {
        for (LogicalUnit lu : luns.byLun) {
            if (lu != null) {
                lu.resetHere(AdditionalSense.POWER_ON_RESET_OR_BUS_DEVICE_RESET_OCCURRED);
            }
        }
    }

    /**
     * A target reset received here reaches the other gateways serving this dispatcher's shared logical units (see
     * {@link LogicalUnit#targetResetOtherGateways()}).
     *
     * @return a stage completing once every other gateway has reset those units or has been fenced; exceptionally
     *     when a silent gateway could not be fenced
     * @since 0.2
     */
    public CompletionStage<Void> targetResetOtherGateways() {
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (LogicalUnit lu : luns.byLun) {
            if (lu != null && lu.isShared()) {
                all.add(lu.targetResetOtherGateways().toCompletableFuture());
            }
        }
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new));
    }

    /**
     * An I_T nexus was lost (its connection closed, or its session was reinstated; SAM-5 §6.3.4): its SPC-2
     * reservations end, its EXTENDED COPY statuses are discarded, and its pending unit attentions give way to one I_T
     * NEXUS LOSS OCCURRED unit attention, which the initiator port gets on its next command when it returns; a
     * pending deferred error stays, so the port still learns that a flush it was told succeeded failed. Its
     * persistent reservation registrations, and a persistent reservation it holds, stay (SPC-5). The transport calls
     * this before a new session of the same I_T nexus sends commands, so the cleanup never reaches the new nexus's
     * state.
     *
     * @param nexus the nexus
     */
    public void nexusLost(ItNexus nexus) {
        for (LogicalUnit lu : luns.byLun) {
            if (lu != null) {
                lu.reservations().nexusLost(nexus);
                lu.copyManager().nexusLost(nexus);
                lu.unitAttentions().replaceAll(nexus.initiatorPortName(), AdditionalSense.I_T_NEXUS_LOSS_OCCURRED);
            }
        }
    }

    /**
     * Another I_T nexus aborted commands of {@code nexus} on the logical unit (CLEAR TASK SET; SAM-5 with TAS 0):
     * {@code nexus} gets a COMMANDS CLEARED BY ANOTHER INITIATOR unit attention.
     *
     * @param lun the logical unit as this dispatcher numbers it; unknown LUNs are ignored
     * @param nexus the nexus whose commands were aborted
     * @since 0.1
     */
    public void commandsCleared(int lun, ItNexus nexus) {
        LogicalUnit lu = luns.get(lun);
        if (lu != null) {
            lu.unitAttentions().establish(nexus.initiatorPortName(),
                    AdditionalSense.COMMANDS_CLEARED_BY_ANOTHER_INITIATOR);
        }
    }

    /** The transport's own task behind a task this class wrapped (for descriptor-format sense). */
    static ScsiTask original(ScsiTask task) {
        return task instanceof DescriptorSense d ? d.task : task;
    }

    /**
     * An I_T NEXUS RESET was performed on {@code nexus} (the transport already terminated its tasks): on every logical
     * unit the nexus loses what an I_T nexus loss takes (SAM-5 §7.7: its SPC-2 reservations, its EXTENDED COPY
     * statuses, its pending unit attentions and deferred error) and gets an I_T NEXUS LOSS OCCURRED unit attention.
     * Persistent reservations and registrations stay. A running SANITIZE is not affected.
     *
     * @param nexus the nexus
     * @since 0.1
     */
    public void itNexusReset(ItNexus nexus) {
        for (LogicalUnit lu : luns.byLun) {
            if (lu != null) {
                lu.reservations().nexusLost(nexus);
                lu.copyManager().nexusLost(nexus);
                lu.unitAttentions().replaceAll(nexus.initiatorPortName(), AdditionalSense.I_T_NEXUS_LOSS_OCCURRED);
            }
        }
    }

    /**
     * QUERY ASYNCHRONOUS EVENT (SAM-5 §7.10): whether a unit attention condition or a deferred error is pending for
     * the nexus at the logical unit, without clearing it. The condition described is the one the nexus's next command
     * would report: the oldest unit attention, or the deferred error when no unit attention is pending.
     *
     * @param lun the logical unit
     * @param nexus the nexus
     * @return the ADDITIONAL RESPONSE INFORMATION of that condition (bits 21-20 UADE DEPTH: 01b one condition, 10b
     *     more, unit attentions and deferred error counted together; bits 19-16 SENSE KEY; bits 15-8 ASC; bits 7-0
     *     ASCQ), or -1 when none is pending or there is no logical unit at {@code lun}
     * @since 0.1
     */
    public int queryAsynchronousEvent(int lun, ItNexus nexus) {
        LogicalUnit lu = luns.get(lun);
        return lu == null ? -1 : lu.unitAttentions().peekAdditionalResponseInformation(nexus.initiatorPortName());
    }

    /** What PREEMPT AND ABORT calls to abort the preempted nexuses' tasks. */
    TaskSetAborter taskSetAborter() {
        return taskSetAborter;
    }

    /** The REPORT LUNS parameter data listing every logical unit; the caller must not modify it. */
    byte[] lunList() {
        return luns.lunList;
    }

    private void dispatch(ScsiTask task) {
        ByteBuffer cdb = task.cdb();
        if (cdb.limit() == 0) {
            Sense.fail(task, Sense.INVALID_FIELD_IN_CDB);
            return;
        }
        int opcode = Cdb.u8(cdb, 0);
        LunTable table = luns;
        int lun = Lun.decode(task.lun());
        LogicalUnit lu = table.get(lun);
        int cdbLength = TABLE.cdbLength(opcode);
        if (lu == null && opcode != Opcode.INQUIRY && opcode != Opcode.REPORT_LUNS
                && opcode != Opcode.REQUEST_SENSE) {
            Sense.fail(task, Sense.LU_NOT_SUPPORTED);
            return;
        }
        if (cdbLength == 0) {
            Sense.fail(task, Sense.INVALID_OPCODE);
            return;
        }
        if (cdb.limit() < cdbLength) {
            Sense.fail(task, Sense.INVALID_FIELD_IN_CDB);
            return;
        }
        if (Cdb.bit(cdb, cdbLength - 1, 2)) { // CONTROL byte: NACA
            Sense.fail(task, Sense.invalidField(cdbLength - 1, 2));
            return;
        }
        CommandTable.Command command;
        if (TABLE.hasServiceActions(opcode)) {
            command = TABLE.withServiceAction(opcode, Cdb.u8(cdb, 1) & 0x1F);
            if (command == null || lu != null && !command.available().test(lu)) {
                Sense.fail(task, Sense.invalidField(1, 4));
                return;
            }
        } else {
            command = TABLE.plain(opcode);
            if (lu != null && !command.available().test(lu)) {
                Sense.fail(task, Sense.INVALID_OPCODE);
                return;
            }
        }
        ScsiTask t = lu != null && lu.descriptorSense() ? new DescriptorSense(task) : task;
        if (lu != null) {
            String port = task.nexus().initiatorPortName();
            lu.unitAttentions().register(port);
            lu.checkSoftThreshold();
            if (opcode != Opcode.INQUIRY && opcode != Opcode.REPORT_LUNS) {
                SenseData pending = lu.unitAttentions().poll(port); // a unit attention, else a deferred error
                if (pending != null) {
                    if (opcode == Opcode.REQUEST_SENSE) {
                        SpcCommands.requestSense(t, pending);
                    } else {
                        Sense.fail(t, pending);
                    }
                    return;
                }
            }
        }
        if (lu != null) {
            AccessState state = portGroups.state(); // the one volatile read of the asymmetric access check
            if (!command.states().allows(state)) {
                Sense.fail(t, state.refusal()); // REQUEST SENSE returns it (SpcCommands.requestSense)
                return;
            }
        }
        if (lu != null && lu.reservations().conflicts(task.nexus(), command.access(), cdb)) {
            task.complete(ScsiStatus.RESERVATION_CONFLICT, null, 0);
            return;
        }
        if (lu != null && opcode != Opcode.INQUIRY && opcode != Opcode.REPORT_LUNS
                && opcode != Opcode.REQUEST_SENSE && lu.notReadyForStalledCall()) {
            Sense.fail(t, BackstoreTimeouts.NOT_READY); // REQUEST SENSE returns it (SpcCommands.requestSense)
            return;
        }
        if (lu != null) {
            SenseData sanitize = Sanitize.refusal(lu, opcode);
            if (sanitize != null) {
                Sense.fail(t, sanitize);
                return;
            }
        }
        if (lu != null && table.isReadOnly(lun) && (command.changesMedium()
                || opcode == Opcode.MODE_SELECT_6 || opcode == Opcode.MODE_SELECT_10)) {
            Sense.fail(t, Sense.WRITE_PROTECTED);
            return;
        }
        command.handler().execute(t, lu, this);
    }

    /** Reports sense data in descriptor format, as the control mode page's D_SENSE bit asks (SPC-5 §4.4.1). */
    private static final class DescriptorSense implements ScsiTask {

        private final ScsiTask task;

        DescriptorSense(ScsiTask task) {
            this.task = task;
        }

        @Override
        public ByteBuffer cdb() {
            return task.cdb();
        }

        @Override
        public long lun() {
            return task.lun();
        }

        @Override
        public ItNexus nexus() {
            return task.nexus();
        }

        @Override
        public TaskAttribute attribute() {
            return task.attribute();
        }

        @Override
        public boolean isWrite() {
            return task.isWrite();
        }

        @Override
        public boolean isRead() {
            return task.isRead();
        }

        @Override
        public long expectedTransferLength() {
            return task.expectedTransferLength();
        }

        @Override
        public ByteBuffer allocateDataIn(int length) {
            return task.allocateDataIn(length);
        }

        @Override
        public void receiveDataOut(int length, BiConsumer<? super ByteBuffer, ? super Throwable> whenReceived) {
            task.receiveDataOut(length, whenReceived);
        }

        @Override
        public void continuesInBackground() {
            task.continuesInBackground();
        }

        @Override
        public boolean startingBackstoreCall() {
            return task.startingBackstoreCall();
        }

        @Override
        public Runnable retainBuffers() {
            return task.retainBuffers();
        }

        @Override
        public void complete(ScsiStatus status, SenseData sense, int dataLength) {
            task.complete(status, sense == null ? null : sense.withDescriptorFormat(true), dataLength);
        }
    }

    @Override
    public String toString() {
        return "ScsiDispatcher" + Arrays.toString(luns.map.keySet().stream().sorted().toArray());
    }
}
