package io.iscsi4j.scsi;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SCSI target device server: routes each {@link ScsiTask} to the logical unit its LUN addresses and executes
 * the command there.
 *
 * <p>Commands (SPC-5): TEST UNIT READY, REQUEST SENSE, INQUIRY (standard data; VPD pages 00h, 80h, 83h, 8Fh, B0h,
 * B1h, B2h), REPORT LUNS, MODE SENSE and MODE SELECT (6) and (10) (caching and control pages), LOG SENSE (supported
 * pages only), REPORT SUPPORTED OPERATION CODES, REPORT SUPPORTED TASK MANAGEMENT FUNCTIONS, PERSISTENT RESERVE IN
 * and OUT (every service action and reservation type), RESERVE and RELEASE (6) and (10), EXTENDED COPY (LID1) and
 * RECEIVE COPY RESULTS (COPY STATUS, OPERATING PARAMETERS) between this dispatcher's logical units. Block commands
 * (SBC-4): READ CAPACITY (10) and (16), READ and WRITE (6), (10), (12) and (16), VERIFY and WRITE AND VERIFY (10),
 * (12) and (16), COMPARE AND WRITE, ORWRITE (16), WRITE SAME (10) and (16), GET LBA STATUS, PRE-FETCH (10) and (16),
 * SYNCHRONIZE CACHE (10) and (16), READ DEFECT DATA (10) and (12), START STOP UNIT, PREVENT ALLOW MEDIUM REMOVAL,
 * SANITIZE (OVERWRITE); and where the backstore's {@link io.iscsi4j.backstore.Backstore#capabilities() capabilities}
 * allow, UNMAP, SANITIZE BLOCK ERASE and WRITE ATOMIC (16). The command table that routes them also answers REPORT
 * SUPPORTED OPERATION CODES, so the report always matches what runs. Any other operation code ends with CHECK
 * CONDITION, ILLEGAL REQUEST / INVALID COMMAND OPERATION CODE (an unknown service action of a known operation code
 * with INVALID FIELD IN CDB); a CDB with the NACA bit set with ILLEGAL REQUEST / INVALID FIELD IN CDB (ACA is not
 * supported).
 *
 * <p>Checks before a command runs, in order: a pending unit attention (CHECK CONDITION / UNIT ATTENTION), then the
 * logical unit's reservations (RESERVATION CONFLICT status for a command that another I_T nexus's RESERVE or
 * persistent reservation forbids; see {@code Reservations} and {@code ReservationAccess}), then a running SANITIZE.
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
 * <p>A LUN without a logical unit (or in an addressing method {@link Lun#decode} rejects) answers INQUIRY with
 * peripheral qualifier 011b and device type 1Fh, REPORT LUNS normally and REQUEST SENSE with ILLEGAL REQUEST /
 * LOGICAL UNIT NOT SUPPORTED sense data and GOOD status; anything else ends with CHECK CONDITION, ILLEGAL REQUEST /
 * LOGICAL UNIT NOT SUPPORTED.
 *
 * <p>Task attributes are not interpreted: tasks run concurrently as if SIMPLE. Sense data is in fixed format, or
 * in descriptor format once an initiator set the control mode page's D_SENSE bit. Unit attention conditions are
 * raised for resets and by persistent reservation changes (RESERVATIONS PREEMPTED, RESERVATIONS RELEASED,
 * REGISTRATIONS PREEMPTED); not MODE PARAMETERS CHANGED for the other I_T nexuses after MODE SELECT.
 *
 * <p>Threads: {@link #execute} does not block; backstore calls run on each logical unit's executor, and the task
 * is completed exactly once, on whichever thread finishes the command. Immutable and thread-safe.
 *
 * @since 0.1
 */
public final class ScsiDispatcher {

    private static final CommandTable TABLE = Commands.TABLE;

    private static final Logger LOG = LoggerFactory.getLogger(ScsiDispatcher.class);

    private final Map<Integer, LogicalUnit> logicalUnits;
    /** Logical units indexed by LUN (no boxing on the data path); {@code null} where there is none. */
    private final LogicalUnit[] byLun;
    /** REPORT LUNS parameter data. */
    private final byte[] lunList;
    private final TaskSetAborter taskSetAborter;

    /**
     * Creates a dispatcher over a fixed LUN map whose PREEMPT AND ABORT aborts no tasks ({@link TaskSetAborter#NONE}).
     *
     * @param lunMap LUN number (0 to {@link Lun#MAX}) to logical unit; copied
     * @throws IllegalArgumentException when a LUN number is out of range
     */
    public ScsiDispatcher(Map<Integer, LogicalUnit> lunMap) {
        this(lunMap, TaskSetAborter.NONE);
    }

    /**
     * Creates a dispatcher over a fixed LUN map.
     *
     * @param lunMap LUN number (0 to {@link Lun#MAX}) to logical unit; copied
     * @param taskSetAborter aborts the tasks of the I_T nexuses a PREEMPT AND ABORT preempts (the transport owns them)
     * @throws IllegalArgumentException when a LUN number is out of range
     */
    public ScsiDispatcher(Map<Integer, LogicalUnit> lunMap, TaskSetAborter taskSetAborter) {
        this.taskSetAborter = Objects.requireNonNull(taskSetAborter, "taskSetAborter");
        this.logicalUnits = Map.copyOf(Objects.requireNonNull(lunMap, "lunMap"));
        int[] luns = logicalUnits.keySet().stream().mapToInt(Integer::intValue).sorted().toArray();
        for (int lun : luns) {
            if (lun < 0 || lun > Lun.MAX) {
                throw new IllegalArgumentException("LUN out of range 0.." + Lun.MAX + ": " + lun);
            }
        }
        this.byLun = new LogicalUnit[luns.length == 0 ? 0 : luns[luns.length - 1] + 1];
        for (int lun : luns) {
            byLun[lun] = logicalUnits.get(lun);
        }
        this.lunList = SpcCommands.lunList(luns);
    }

    /** {@return the LUN map this dispatcher serves (immutable)} */
    public Map<Integer, LogicalUnit> logicalUnits() {
        return logicalUnits;
    }

    /**
     * Executes a command. Returns without blocking; the task is completed, exactly once, before or after this
     * method returns. If the task's Data-Out transfer fails, the task is not completed here (the transport
     * completed it). An unexpected runtime exception from this layer or from the task's own methods ends the task
     * with CHECK CONDITION, HARDWARE ERROR / INTERNAL TARGET FAILURE; {@link ScsiTask#complete} itself must not
     * throw.
     *
     * @param task the command
     */
    public void execute(ScsiTask task) {
        try {
            dispatch(task);
        } catch (RuntimeException e) {
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
        LogicalUnit lu = lun >= 0 && lun < byLun.length ? byLun[lun] : null;
        if (lu != null) {
            lu.reservations().reset();
            lu.copyManager().reset();
            lu.unitAttentions().establishForAll(AdditionalSense.BUS_DEVICE_RESET_FUNCTION_OCCURRED);
        }
    }

    /**
     * A target reset (TARGET WARM RESET or COLD RESET) was performed: every I_T nexus of every logical unit gets a
     * POWER ON, RESET, OR BUS DEVICE RESET OCCURRED unit attention, SPC-2 reservations end and held EXTENDED COPY
     * statuses are discarded. Persistent reservations stay.
     */
    public void targetReset() {
        for (LogicalUnit lu : byLun) {
            if (lu != null) {
                lu.reservations().reset();
                lu.copyManager().reset();
                lu.unitAttentions().establishForAll(AdditionalSense.POWER_ON_RESET_OR_BUS_DEVICE_RESET_OCCURRED);
            }
        }
    }

    /**
     * An I_T nexus ended (its session closed): its pending unit attentions are dropped, its SPC-2 reservations end and
     * its EXTENDED COPY statuses are discarded. Its persistent reservation registrations, and a persistent reservation
     * it holds, stay (SPC-5).
     *
     * @param nexus the nexus
     */
    public void nexusLost(ItNexus nexus) {
        for (LogicalUnit lu : byLun) {
            if (lu != null) {
                lu.reservations().nexusLost(nexus);
                lu.copyManager().nexusLost(nexus);
                lu.unitAttentions().forget(nexus.initiatorPortName());
            }
        }
    }

    /** What PREEMPT AND ABORT calls to abort the preempted nexuses' tasks. */
    TaskSetAborter taskSetAborter() {
        return taskSetAborter;
    }

    /** The REPORT LUNS parameter data listing every logical unit; the caller must not modify it. */
    byte[] lunList() {
        return lunList;
    }

    private void dispatch(ScsiTask task) {
        ByteBuffer cdb = task.cdb();
        if (cdb.limit() == 0) {
            Sense.fail(task, Sense.INVALID_FIELD_IN_CDB);
            return;
        }
        int opcode = Cdb.u8(cdb, 0);
        int lun = Lun.decode(task.lun());
        LogicalUnit lu = lun >= 0 && lun < byLun.length ? byLun[lun] : null;
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
            if (opcode != Opcode.INQUIRY && opcode != Opcode.REPORT_LUNS) {
                SenseData ua = lu.unitAttentions().poll(port);
                if (ua != null) {
                    if (opcode == Opcode.REQUEST_SENSE) {
                        SpcCommands.requestSense(t, ua);
                    } else {
                        Sense.fail(t, ua);
                    }
                    return;
                }
            }
        }
        if (lu != null && lu.reservations().conflicts(task.nexus(), command.access(), cdb)) {
            task.complete(ScsiStatus.RESERVATION_CONFLICT, null, 0);
            return;
        }
        if (lu != null && lu.sanitizing() && !Sanitize.allowedDuringSanitize(opcode)) {
            Sense.fail(t, Sense.SANITIZE_IN_PROGRESS);
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
        public java.util.concurrent.CompletionStage<ByteBuffer> receiveDataOut(int length) {
            return task.receiveDataOut(length);
        }

        @Override
        public void complete(ScsiStatus status, SenseData sense, int dataLength) {
            task.complete(status, sense == null ? null : sense.withDescriptorFormat(true), dataLength);
        }
    }

    @Override
    public String toString() {
        return "ScsiDispatcher" + Arrays.toString(logicalUnits.keySet().stream().sorted().toArray());
    }
}
