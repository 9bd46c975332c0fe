package io.iscsi4j.scsi;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * REPORT SUPPORTED OPERATION CODES (SPC-5 §6.35) and REPORT SUPPORTED TASK MANAGEMENT FUNCTIONS (§6.36), both
 * MAINTENANCE IN service actions.
 *
 * <p>The operation codes come from {@link Commands#TABLE}, the table the dispatcher routes by, filtered by what the
 * addressed logical unit implements: the report cannot list a command the dispatcher refuses or miss one it runs.
 * Command timeouts descriptors (RCTD) report 0 for both timeouts ("not specified").
 */
final class ReportSupported {

    /** REPORTING OPTIONS values. */
    private static final int ALL = 0;
    private static final int ONE_COMMAND = 1;
    private static final int ONE_SERVICE_ACTION = 2;
    private static final int ONE_EITHER = 3;

    /** SUPPORT field values of the one_command format. */
    private static final int NOT_SUPPORTED = 0b001;
    private static final int SUPPORTED = 0b011;

    private static final int TIMEOUTS_DESCRIPTOR_LENGTH = 12;

    private ReportSupported() {
    }

    /** REPORT SUPPORTED OPERATION CODES. */
    static void operationCodes(ScsiTask task, LogicalUnit lu) {
        ByteBuffer cdb = task.cdb();
        int flags = Cdb.u8(cdb, 2);
        boolean timeouts = (flags & 0x80) != 0; // RCTD
        int options = flags & 0x07;
        int opcode = Cdb.u8(cdb, 3);
        int sa = Cdb.u16(cdb, 4);
        long allocationLength = Cdb.u32(cdb, 6);
        byte[] data;
        switch (options) {
            case ALL -> data = all(lu, timeouts);
            case ONE_COMMAND -> {
                if (Commands.TABLE.hasServiceActions(opcode)) {
                    Sense.fail(task, Sense.invalidField(3, -1));
                    return;
                }
                data = one(lu, Commands.TABLE.plain(opcode), timeouts);
            }
            case ONE_SERVICE_ACTION -> {
                if (Commands.TABLE.plain(opcode) != null) { // implemented, without service actions
                    Sense.fail(task, Sense.invalidField(3, -1));
                    return;
                }
                data = one(lu, Commands.TABLE.withServiceAction(opcode, sa), timeouts);
            }
            case ONE_EITHER -> data = one(lu, Commands.TABLE.hasServiceActions(opcode)
                    ? Commands.TABLE.withServiceAction(opcode, sa)
                    : sa == 0 ? Commands.TABLE.plain(opcode) : null, timeouts);
            default -> {
                Sense.fail(task, Sense.invalidField(2, 2));
                return;
            }
        }
        Responses.data(task, data, allocationLength);
    }

    /** The commands the logical unit implements, in table order. */
    static List<CommandTable.Command> supported(LogicalUnit lu) {
        List<CommandTable.Command> list = new ArrayList<>();
        for (CommandTable.Command c : Commands.TABLE.all()) {
            if (c.available().test(lu)) {
                list.add(c);
            }
        }
        return list;
    }

    /** The all_commands parameter data: a 4-byte length and one command descriptor per command. */
    private static byte[] all(LogicalUnit lu, boolean timeouts) {
        List<CommandTable.Command> commands = supported(lu);
        int descriptorLength = 8 + (timeouts ? TIMEOUTS_DESCRIPTOR_LENGTH : 0);
        byte[] d = new byte[4 + commands.size() * descriptorLength];
        Bytes.putU32(d, 0, d.length - 4L); // COMMAND DATA LENGTH
        int p = 4;
        for (CommandTable.Command c : commands) {
            d[p] = (byte) c.opcode();
            if (c.hasServiceAction()) {
                Bytes.putU16(d, p + 2, c.serviceAction());
            }
            d[p + 5] = (byte) ((timeouts ? 0x02 : 0) | (c.hasServiceAction() ? 0x01 : 0)); // CTDP, SERVACTV
            Bytes.putU16(d, p + 6, c.cdbLength());
            if (timeouts) {
                timeoutsDescriptor(d, p + 8);
            }
            p += descriptorLength;
        }
        return d;
    }

    /** The one_command parameter data for {@code command} ({@code null}: not supported). */
    private static byte[] one(LogicalUnit lu, CommandTable.Command command, boolean timeouts) {
        if (command == null || !command.available().test(lu)) {
            byte[] d = new byte[4];
            d[1] = NOT_SUPPORTED;
            return d;
        }
        byte[] usage = command.usageData();
        byte[] d = new byte[4 + usage.length + (timeouts ? TIMEOUTS_DESCRIPTOR_LENGTH : 0)];
        d[1] = (byte) ((timeouts ? 0x80 : 0) | SUPPORTED); // CTDP, SUPPORT
        Bytes.putU16(d, 2, usage.length);                  // CDB SIZE
        System.arraycopy(usage, 0, d, 4, usage.length);
        if (timeouts) {
            timeoutsDescriptor(d, 4 + usage.length);
        }
        return d;
    }

    /** A command timeouts descriptor (SPC-5 §6.35.4): length 0Ah, both timeouts 0 (not specified). */
    private static void timeoutsDescriptor(byte[] d, int p) {
        Bytes.putU16(d, p, TIMEOUTS_DESCRIPTOR_LENGTH - 2);
    }

    /**
     * REPORT SUPPORTED TASK MANAGEMENT FUNCTIONS (SPC-5 §6.36): ABORT TASK, ABORT TASK SET, CLEAR TASK SET, LOGICAL
     * UNIT RESET, QUERY TASK, TARGET RESET (iSCSI's TARGET WARM RESET), QUERY ASYNCHRONOUS EVENT, QUERY TASK SET and
     * I_T NEXUS RESET, which the transport implements (RFC 7143 §11.5, RFC 7144 §4); not CLEAR ACA (NACA is refused)
     * nor WAKEUP. With REPD the extended format is returned, without timeouts (TMFTMOV 0).
     */
    static void taskManagementFunctions(ScsiTask task) {
        ByteBuffer cdb = task.cdb();
        boolean extended = Cdb.bit(cdb, 2, 7); // REPD
        byte[] d = new byte[extended ? 16 : 4];
        d[0] = (byte) 0xDE; // ATS, ATSS, CTSS, LURS, QTS, TRS (not CACAS, not WAKES)
        d[1] = 0x07;        // QAES, QTSS, ITNRS
        if (extended) {
            d[3] = 0x0C;    // ADDITIONAL DATA LENGTH
        }
        Responses.data(task, d, Cdb.u32(cdb, 6));
    }
}
