package io.iscsi4j.scsi;

import static io.iscsi4j.scsi.CommandTable.command;
import static io.iscsi4j.scsi.CommandTable.medium;
import static io.iscsi4j.scsi.CommandTable.serviceAction;
import static io.iscsi4j.scsi.ReservationAccess.MEDIUM_REMOVAL;
import static io.iscsi4j.scsi.ReservationAccess.PERSISTENT_RESERVE;
import static io.iscsi4j.scsi.ReservationAccess.READ;
import static io.iscsi4j.scsi.ReservationAccess.RESERVE_RELEASE;
import static io.iscsi4j.scsi.ReservationAccess.START_STOP;
import static io.iscsi4j.scsi.ReservationAccess.STATUS;
import static io.iscsi4j.scsi.ReservationAccess.UNRESTRICTED;
import static io.iscsi4j.scsi.StateAccess.ANY;
import static io.iscsi4j.scsi.StateAccess.STANDBY;

import java.util.List;

/**
 * The device server's command set: {@link #TABLE} maps each operation code (and service action) to its handler,
 * CDB usage data and {@link ReservationAccess reservation access class} (commands without one given are
 * {@link ReservationAccess#WRITE}) and {@link StateAccess asymmetric access states} (commands without one given run in
 * the active states only). Control bytes report usage 00h: NACA is not supported (NACA=1 ends with INVALID
 * FIELD IN CDB) and the vendor-specific and obsolete bits are ignored.
 */
final class Commands {

    private static final int FF = 0xFF;

    static final CommandTable TABLE = CommandTable.of(List.of(
            command("TEST UNIT READY", (t, lu, d) -> SpcCommands.testUnitReady(t), Opcode.TEST_UNIT_READY,
                    0, 0, 0, 0, 0).withAccess(STATUS),
            command("REQUEST SENSE", (t, lu, d) -> SpcCommands.requestSense(t, lu, d.portGroups().state()),
                    Opcode.REQUEST_SENSE, 0x01, 0, 0, FF, 0).withAccess(UNRESTRICTED).inStates(ANY),
            command("READ (6)", (t, lu, d) -> SbcCommands.readWrite(t, lu, Opcode.READ_6, false),
                    Opcode.READ_6, 0x1F, FF, FF, FF, 0).withAccess(READ),
            medium("WRITE (6)", CommandTable.always(), (t, lu, d) -> SbcCommands.readWrite(t, lu, Opcode.WRITE_6, true),
                    Opcode.WRITE_6, 0x1F, FF, FF, FF, 0),
            command("INQUIRY", (t, lu, d) -> Inquiry.execute(t, lu), Opcode.INQUIRY,
                    0x01, FF, FF, FF, 0).withAccess(UNRESTRICTED).inStates(ANY),
            command("MODE SELECT (6)", (t, lu, d) -> ModeSelect.execute(t, lu, false),
                    Opcode.MODE_SELECT_6, 0x11, 0, 0, FF, 0).inStates(STANDBY),
            command("RESERVE (6)", (t, lu, d) -> ReservationCommands.reserve(t, lu, false),
                    Opcode.RESERVE_6, 0, 0, 0, 0, 0).withAccess(RESERVE_RELEASE),
            command("RELEASE (6)", (t, lu, d) -> ReservationCommands.release(t, lu, false),
                    Opcode.RELEASE_6, 0, 0, 0, 0, 0).withAccess(RESERVE_RELEASE),
            command("START STOP UNIT", (t, lu, d) -> SpcCommands.startStopUnit(t),
                    Opcode.START_STOP_UNIT, 0, 0, 0, 0, 0).withAccess(START_STOP),
            command("PREVENT ALLOW MEDIUM REMOVAL", (t, lu, d) -> SpcCommands.preventAllowMediumRemoval(t),
                    Opcode.PREVENT_ALLOW_MEDIUM_REMOVAL, 0, 0, 0, 0x01, 0).withAccess(MEDIUM_REMOVAL),
            command("MODE SENSE (6)", (t, lu, d) -> ModeSense.execute(t, lu, false, d.isWriteProtected(lu, Lun.decode(t.lun()))),
                    Opcode.MODE_SENSE_6, 0x08, FF, FF, FF, 0).withAccess(READ).inStates(STANDBY),
            command("READ CAPACITY (10)", (t, lu, d) -> SbcCommands.readCapacity10(t, lu),
                    Opcode.READ_CAPACITY_10, 0, FF, FF, FF, FF, 0, 0, 0x01, 0).withAccess(UNRESTRICTED)
                    .inStates(STANDBY),
            command("READ (10)", (t, lu, d) -> SbcCommands.readWrite(t, lu, Opcode.READ_10, false),
                    Opcode.READ_10, 0x18, FF, FF, FF, FF, 0, FF, FF, 0).withAccess(READ),
            medium("WRITE (10)", CommandTable.always(),
                    (t, lu, d) -> SbcCommands.readWrite(t, lu, Opcode.WRITE_10, true),
                    Opcode.WRITE_10, 0x18, FF, FF, FF, FF, 0, FF, FF, 0),
            medium("WRITE AND VERIFY (10)", CommandTable.always(), (t, lu, d) -> VerifyCommands.writeAndVerify(t, lu),
                    Opcode.WRITE_AND_VERIFY_10, 0x12, FF, FF, FF, FF, 0, FF, FF, 0),
            command("VERIFY (10)", (t, lu, d) -> VerifyCommands.verify(t, lu),
                    Opcode.VERIFY_10, 0x16, FF, FF, FF, FF, 0, FF, FF, 0).withAccess(READ),
            command("PRE-FETCH (10)", (t, lu, d) -> SbcCommands.preFetch(t, lu, false),
                    Opcode.PRE_FETCH_10, 0x02, FF, FF, FF, FF, 0, FF, FF, 0).withAccess(READ),
            command("SYNCHRONIZE CACHE (10)", (t, lu, d) -> SbcCommands.synchronizeCache(t, lu, false),
                    Opcode.SYNCHRONIZE_CACHE_10, 0x02, FF, FF, FF, FF, 0, FF, FF, 0),
            command("READ DEFECT DATA (10)", (t, lu, d) -> SbcCommands.readDefectData(t, false),
                    Opcode.READ_DEFECT_DATA_10, 0, 0x1F, 0, 0, 0, 0, FF, FF, 0).withAccess(READ),
            medium("WRITE SAME (10)", lu -> lu.supports(LunFeature.WRITE_SAME), (t, lu, d) -> ProvisioningCommands.writeSame(t, lu, false),
                    Opcode.WRITE_SAME_10, 0x08, FF, FF, FF, FF, 0, FF, FF, 0),
            medium("UNMAP", LogicalUnit::supportsUnmap, (t, lu, d) -> ProvisioningCommands.unmap(t, lu),
                    Opcode.UNMAP, 0, 0, 0, 0, 0, 0, FF, FF, 0),
            serviceAction("SANITIZE OVERWRITE", CommandTable.always(), true, (t, lu, d) -> Sanitize.execute(t, lu),
                    Opcode.SANITIZE, 0xA0 | Opcode.SA_SANITIZE_OVERWRITE, 0, 0, 0, 0, 0, FF, FF, 0),
            serviceAction("SANITIZE BLOCK ERASE", LogicalUnit::supportsUnmap, true,
                    (t, lu, d) -> Sanitize.execute(t, lu),
                    Opcode.SANITIZE, 0xA0 | Opcode.SA_SANITIZE_BLOCK_ERASE, 0, 0, 0, 0, 0, FF, FF, 0),
            serviceAction("SANITIZE EXIT FAILURE MODE", CommandTable.always(), false,
                    (t, lu, d) -> Sanitize.execute(t, lu),
                    Opcode.SANITIZE, 0xA0 | Opcode.SA_SANITIZE_EXIT_FAILURE_MODE, 0, 0, 0, 0, 0, FF, FF, 0),
            command("LOG SENSE", (t, lu, d) -> SpcCommands.logSense(t),
                    Opcode.LOG_SENSE, 0, FF, FF, 0, 0, 0, FF, FF, 0).withAccess(UNRESTRICTED).inStates(STANDBY),
            command("MODE SELECT (10)", (t, lu, d) -> ModeSelect.execute(t, lu, true),
                    Opcode.MODE_SELECT_10, 0x11, 0, 0, 0, 0, 0, FF, FF, 0).inStates(STANDBY),
            command("RESERVE (10)", (t, lu, d) -> ReservationCommands.reserve(t, lu, true),
                    Opcode.RESERVE_10, 0, 0, 0, 0, 0, 0, 0, 0, 0).withAccess(RESERVE_RELEASE),
            command("RELEASE (10)", (t, lu, d) -> ReservationCommands.release(t, lu, true),
                    Opcode.RELEASE_10, 0, 0, 0, 0, 0, 0, 0, 0, 0).withAccess(RESERVE_RELEASE),
            command("MODE SENSE (10)", (t, lu, d) -> ModeSense.execute(t, lu, true, d.isWriteProtected(lu, Lun.decode(t.lun()))),
                    Opcode.MODE_SENSE_10, 0x18, FF, FF, 0, 0, 0, FF, FF, 0).withAccess(READ).inStates(STANDBY),
            persistentReserveIn("PERSISTENT RESERVE IN READ KEYS", ReservationCommands.SA_READ_KEYS),
            persistentReserveIn("PERSISTENT RESERVE IN READ RESERVATION", ReservationCommands.SA_READ_RESERVATION),
            persistentReserveIn("PERSISTENT RESERVE IN REPORT CAPABILITIES",
                    ReservationCommands.SA_REPORT_CAPABILITIES),
            persistentReserveIn("PERSISTENT RESERVE IN READ FULL STATUS", ReservationCommands.SA_READ_FULL_STATUS),
            persistentReserveOut("PERSISTENT RESERVE OUT REGISTER", ReservationCommands.SA_REGISTER, 0),
            persistentReserveOut("PERSISTENT RESERVE OUT RESERVE", ReservationCommands.SA_RESERVE, FF),
            persistentReserveOut("PERSISTENT RESERVE OUT RELEASE", ReservationCommands.SA_RELEASE, FF),
            persistentReserveOut("PERSISTENT RESERVE OUT CLEAR", ReservationCommands.SA_CLEAR, 0),
            persistentReserveOut("PERSISTENT RESERVE OUT PREEMPT", ReservationCommands.SA_PREEMPT, FF),
            persistentReserveOut("PERSISTENT RESERVE OUT PREEMPT AND ABORT",
                    ReservationCommands.SA_PREEMPT_AND_ABORT, FF),
            persistentReserveOut("PERSISTENT RESERVE OUT REGISTER AND IGNORE EXISTING KEY",
                    ReservationCommands.SA_REGISTER_AND_IGNORE_EXISTING_KEY, 0),
            persistentReserveOut("PERSISTENT RESERVE OUT REGISTER AND MOVE",
                    ReservationCommands.SA_REGISTER_AND_MOVE, 0),
            serviceAction("EXTENDED COPY (LID1)", lu -> lu.supports(LunFeature.EXTENDED_COPY), false,
                    (t, lu, d) -> ThirdPartyCopy.extendedCopy(t, lu, d),
                    Opcode.THIRD_PARTY_COPY_OUT, Opcode.SA_EXTENDED_COPY_LID1,
                    0, 0, 0, 0, 0, 0, 0, 0, FF, FF, FF, FF, 0, 0),
            serviceAction("RECEIVE COPY RESULTS COPY STATUS (LID1)", lu -> lu.supports(LunFeature.EXTENDED_COPY), false,
                    (t, lu, d) -> ThirdPartyCopy.copyStatus(t, lu),
                    Opcode.THIRD_PARTY_COPY_IN, Opcode.SA_COPY_STATUS_LID1,
                    FF, 0, 0, 0, 0, 0, 0, 0, FF, FF, FF, FF, 0, 0),
            serviceAction("RECEIVE COPY RESULTS OPERATING PARAMETERS", lu -> lu.supports(LunFeature.EXTENDED_COPY),
                    false,
                    (t, lu, d) -> ThirdPartyCopy.operatingParameters(t, lu),
                    Opcode.THIRD_PARTY_COPY_IN, Opcode.SA_OPERATING_PARAMETERS,
                    0, 0, 0, 0, 0, 0, 0, 0, FF, FF, FF, FF, 0, 0),
            command("READ (16)", (t, lu, d) -> SbcCommands.readWrite(t, lu, Opcode.READ_16, false),
                    Opcode.READ_16, 0x18, FF, FF, FF, FF, FF, FF, FF, FF, FF, FF, FF, FF, 0, 0).withAccess(READ),
            medium("COMPARE AND WRITE", lu -> lu.supports(LunFeature.COMPARE_AND_WRITE), (t, lu, d) -> AtomicCommands.compareAndWrite(t, lu),
                    Opcode.COMPARE_AND_WRITE, 0x18, FF, FF, FF, FF, FF, FF, FF, FF, 0, 0, 0, FF, 0, 0),
            medium("WRITE (16)", CommandTable.always(),
                    (t, lu, d) -> SbcCommands.readWrite(t, lu, Opcode.WRITE_16, true),
                    Opcode.WRITE_16, 0x18, FF, FF, FF, FF, FF, FF, FF, FF, FF, FF, FF, FF, 0, 0),
            medium("ORWRITE (16)", CommandTable.always(), (t, lu, d) -> AtomicCommands.orWrite(t, lu),
                    Opcode.ORWRITE_16, 0x18, FF, FF, FF, FF, FF, FF, FF, FF, FF, FF, FF, FF, 0, 0),
            medium("WRITE AND VERIFY (16)", CommandTable.always(), (t, lu, d) -> VerifyCommands.writeAndVerify(t, lu),
                    Opcode.WRITE_AND_VERIFY_16, 0x12, FF, FF, FF, FF, FF, FF, FF, FF, FF, FF, FF, FF, 0, 0),
            command("VERIFY (16)", (t, lu, d) -> VerifyCommands.verify(t, lu),
                    Opcode.VERIFY_16, 0x16, FF, FF, FF, FF, FF, FF, FF, FF, FF, FF, FF, FF, 0, 0).withAccess(READ),
            command("PRE-FETCH (16)", (t, lu, d) -> SbcCommands.preFetch(t, lu, true),
                    Opcode.PRE_FETCH_16, 0x02, FF, FF, FF, FF, FF, FF, FF, FF, FF, FF, FF, FF, 0, 0).withAccess(READ),
            command("SYNCHRONIZE CACHE (16)", (t, lu, d) -> SbcCommands.synchronizeCache(t, lu, true),
                    Opcode.SYNCHRONIZE_CACHE_16, 0x02, FF, FF, FF, FF, FF, FF, FF, FF, FF, FF, FF, FF, 0, 0),
            medium("WRITE SAME (16)", lu -> lu.supports(LunFeature.WRITE_SAME), (t, lu, d) -> ProvisioningCommands.writeSame(t, lu, true),
                    Opcode.WRITE_SAME_16, 0x09, FF, FF, FF, FF, FF, FF, FF, FF, FF, FF, FF, FF, 0, 0),
            medium("WRITE ATOMIC (16)", LogicalUnit::supportsAtomicWrite,
                    (t, lu, d) -> AtomicCommands.writeAtomic(t, lu),
                    Opcode.WRITE_ATOMIC_16, 0x18, FF, FF, FF, FF, FF, FF, FF, FF, 0, 0, FF, FF, 0, 0),
            serviceAction("GET LBA STATUS", CommandTable.always(), false,
                    (t, lu, d) -> ProvisioningCommands.getLbaStatus(t, lu),
                    Opcode.SERVICE_ACTION_IN_16, Opcode.SA_GET_LBA_STATUS,
                    FF, FF, FF, FF, FF, FF, FF, FF, FF, FF, FF, FF, 0, 0).withAccess(READ),
            serviceAction("READ CAPACITY (16)", CommandTable.always(), false,
                    (t, lu, d) -> SbcCommands.readCapacity16(t, lu),
                    Opcode.SERVICE_ACTION_IN_16, Opcode.SA_READ_CAPACITY_16,
                    0, 0, 0, 0, 0, 0, 0, 0, FF, FF, FF, FF, 0, 0).withAccess(UNRESTRICTED).inStates(STANDBY),
            serviceAction("REPORT SUPPORTED OPERATION CODES", CommandTable.always(), false,
                    (t, lu, d) -> ReportSupported.operationCodes(t, lu),
                    Opcode.MAINTENANCE_IN, Opcode.SA_REPORT_SUPPORTED_OPERATION_CODES,
                    0x87, FF, FF, FF, FF, FF, FF, FF, 0, 0).withAccess(READ).inStates(ANY),
            serviceAction("REPORT SUPPORTED TASK MANAGEMENT FUNCTIONS", CommandTable.always(), false,
                    (t, lu, d) -> ReportSupported.taskManagementFunctions(t),
                    Opcode.MAINTENANCE_IN, Opcode.SA_REPORT_SUPPORTED_TMFS,
                    0x80, 0, 0, 0, FF, FF, FF, FF, 0, 0).withAccess(READ).inStates(ANY),
            serviceAction("REPORT TARGET PORT GROUPS", CommandTable.always(), false,
                    (t, lu, d) -> ReportTargetPortGroups.execute(t, d.portGroups()),
                    Opcode.MAINTENANCE_IN, 0xE0 | Opcode.SA_REPORT_TARGET_PORT_GROUPS,
                    0, 0, 0, 0, FF, FF, FF, FF, 0, 0).withAccess(UNRESTRICTED).inStates(ANY),
            command("REPORT LUNS", (t, lu, d) -> SpcCommands.reportLuns(t, d.lunList()), Opcode.REPORT_LUNS,
                    0, FF, 0, 0, 0, FF, FF, FF, FF, 0, 0).withAccess(UNRESTRICTED).inStates(ANY),
            command("READ (12)", (t, lu, d) -> SbcCommands.readWrite(t, lu, Opcode.READ_12, false),
                    Opcode.READ_12, 0x18, FF, FF, FF, FF, FF, FF, FF, FF, 0, 0).withAccess(READ),
            medium("WRITE (12)", CommandTable.always(),
                    (t, lu, d) -> SbcCommands.readWrite(t, lu, Opcode.WRITE_12, true),
                    Opcode.WRITE_12, 0x18, FF, FF, FF, FF, FF, FF, FF, FF, 0, 0),
            medium("WRITE AND VERIFY (12)", CommandTable.always(), (t, lu, d) -> VerifyCommands.writeAndVerify(t, lu),
                    Opcode.WRITE_AND_VERIFY_12, 0x12, FF, FF, FF, FF, FF, FF, FF, FF, 0, 0),
            command("VERIFY (12)", (t, lu, d) -> VerifyCommands.verify(t, lu),
                    Opcode.VERIFY_12, 0x16, FF, FF, FF, FF, FF, FF, FF, FF, 0, 0).withAccess(READ),
            command("READ DEFECT DATA (12)", (t, lu, d) -> SbcCommands.readDefectData(t, true),
                    Opcode.READ_DEFECT_DATA_12, 0x1F, FF, FF, FF, FF, FF, FF, FF, FF, 0, 0).withAccess(READ)));

    private Commands() {
    }

    /** A PERSISTENT RESERVE IN service action: ALLOCATION LENGTH in bytes 7 and 8. */
    private static CommandTable.Command persistentReserveIn(String name, int sa) {
        return serviceAction(name, CommandTable.always(), false,
                (t, lu, d) -> ReservationCommands.persistentReserveIn(t, lu, sa),
                Opcode.PERSISTENT_RESERVE_IN, sa, 0, 0, 0, 0, 0, FF, FF, 0).withAccess(PERSISTENT_RESERVE)
                .inStates(STANDBY);
    }

    /**
     * A PERSISTENT RESERVE OUT service action: SCOPE and TYPE in byte 2 (evaluated by {@code scopeAndType} FFh),
     * PARAMETER LIST LENGTH in bytes 5 to 8.
     */
    private static CommandTable.Command persistentReserveOut(String name, int sa, int scopeAndType) {
        return serviceAction(name, CommandTable.always(), false,
                (t, lu, d) -> ReservationCommands.persistentReserveOut(t, lu, d, sa),
                Opcode.PERSISTENT_RESERVE_OUT, sa, scopeAndType, 0, 0, FF, FF, FF, FF, 0)
                .withAccess(PERSISTENT_RESERVE).inStates(STANDBY);
    }
}
