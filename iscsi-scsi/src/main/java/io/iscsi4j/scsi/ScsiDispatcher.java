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
 * <p>Commands: TEST UNIT READY, REQUEST SENSE, INQUIRY (standard data; VPD pages 00h, 80h, 83h, B0h, B1h, B2h),
 * REPORT LUNS, MODE SENSE (6) and (10) (caching and control pages), READ CAPACITY (10) and (16), READ and WRITE
 * (6), (10), (12) and (16), SYNCHRONIZE CACHE (10) and (16). Any other operation code ends with CHECK CONDITION,
 * ILLEGAL REQUEST / INVALID COMMAND OPERATION CODE; a CDB with the NACA bit set with ILLEGAL REQUEST / INVALID
 * FIELD IN CDB (ACA is not supported).
 *
 * <p>A LUN without a logical unit (or in an addressing method {@link Lun#decode} rejects) answers INQUIRY with
 * peripheral qualifier 011b and device type 1Fh, REPORT LUNS normally and REQUEST SENSE with ILLEGAL REQUEST /
 * LOGICAL UNIT NOT SUPPORTED sense data and GOOD status; anything else ends with CHECK CONDITION, ILLEGAL REQUEST /
 * LOGICAL UNIT NOT SUPPORTED.
 *
 * <p>Task attributes are not interpreted: tasks run concurrently as if SIMPLE. Sense data is always in fixed
 * format (the control mode page reports D_SENSE 0) and no unit attention conditions are raised.
 *
 * <p>Threads: {@link #execute} does not block; backstore calls run on each logical unit's executor, and the task
 * is completed exactly once, on whichever thread finishes the command. Immutable and thread-safe.
 *
 * @since 0.1
 */
public final class ScsiDispatcher {

    private static final Logger LOG = LoggerFactory.getLogger(ScsiDispatcher.class);

    private final Map<Integer, LogicalUnit> logicalUnits;
    /** Logical units indexed by LUN (no boxing on the data path); {@code null} where there is none. */
    private final LogicalUnit[] byLun;
    /** REPORT LUNS parameter data. */
    private final byte[] lunList;

    /**
     * Creates a dispatcher over a fixed LUN map.
     *
     * @param lunMap LUN number (0 to {@link Lun#MAX}) to logical unit; copied
     * @throws IllegalArgumentException when a LUN number is out of range
     */
    public ScsiDispatcher(Map<Integer, LogicalUnit> lunMap) {
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

    /** The LUN map this dispatcher serves (immutable). */
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

    private void dispatch(ScsiTask task) {
        ByteBuffer cdb = task.cdb();
        if (cdb.limit() == 0) {
            Sense.fail(task, Sense.INVALID_FIELD_IN_CDB);
            return;
        }
        int opcode = Cdb.u8(cdb, 0);
        int lun = Lun.decode(task.lun());
        LogicalUnit lu = lun >= 0 && lun < byLun.length ? byLun[lun] : null;
        if (lu == null && opcode != Opcode.INQUIRY && opcode != Opcode.REPORT_LUNS
                && opcode != Opcode.REQUEST_SENSE) {
            Sense.fail(task, Sense.LU_NOT_SUPPORTED);
            return;
        }
        int cdbLength = Opcode.cdbLength(opcode);
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
        switch (opcode) {
            case Opcode.READ_10, Opcode.READ_16, Opcode.READ_6, Opcode.READ_12 ->
                    SbcCommands.readWrite(task, lu, opcode, false);
            case Opcode.WRITE_10, Opcode.WRITE_16, Opcode.WRITE_6, Opcode.WRITE_12 ->
                    SbcCommands.readWrite(task, lu, opcode, true);
            case Opcode.TEST_UNIT_READY -> SpcCommands.testUnitReady(task);
            case Opcode.REQUEST_SENSE -> SpcCommands.requestSense(task, lu);
            case Opcode.INQUIRY -> Inquiry.execute(task, lu);
            case Opcode.REPORT_LUNS -> SpcCommands.reportLuns(task, lunList);
            case Opcode.MODE_SENSE_6 -> ModeSense.execute(task, lu, false);
            case Opcode.MODE_SENSE_10 -> ModeSense.execute(task, lu, true);
            case Opcode.READ_CAPACITY_10 -> SbcCommands.readCapacity10(task, lu);
            case Opcode.SERVICE_ACTION_IN_16 -> SbcCommands.serviceActionIn16(task, lu);
            case Opcode.SYNCHRONIZE_CACHE_10 -> SbcCommands.synchronizeCache(task, lu, false);
            case Opcode.SYNCHRONIZE_CACHE_16 -> SbcCommands.synchronizeCache(task, lu, true);
            default -> throw new IllegalStateException("opcode with a CDB length but no handler: " + opcode);
        }
    }

    @Override
    public String toString() {
        return "ScsiDispatcher" + Arrays.toString(logicalUnits.keySet().stream().sorted().toArray());
    }
}
