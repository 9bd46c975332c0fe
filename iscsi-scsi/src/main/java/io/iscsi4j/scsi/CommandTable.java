package io.iscsi4j.scsi;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Predicate;

/**
 * Every command the device server implements, with its CDB usage data (SPC-5 §6.35.3): the one table the dispatcher
 * routes by and REPORT SUPPORTED OPERATION CODES reports from, so the two cannot disagree. Each command also carries
 * the attributes the dispatcher checks before running it: its reservation access class and the asymmetric access
 * states it runs in ({@link StateAccess}).
 *
 * <p>A command is an operation code, or an operation code and a service action (byte 1, bits 4 to 0). Its usage data
 * is as long as its CDB: byte 0 is the operation code and every other byte has a bit set for each CDB bit the
 * device server evaluates; bits that must be zero (reserved, or fields of which only zero is supported, such as
 * RDPROTECT) and ignored bits are clear. For a service action command byte 1 also carries the service action. A
 * command may depend on the logical unit (UNMAP on a backstore that cannot deallocate is not implemented there);
 * such commands are neither dispatched nor reported where unavailable. Immutable.
 */
final class CommandTable {

    /**
     * Executes one command on a logical unit ({@code null} only for commands {@link Command#withoutLogicalUnit}),
     * with the dispatcher for what spans logical units (the LUN inventory).
     */
    @FunctionalInterface
    interface Handler {
        void execute(ScsiTask task, LogicalUnit lu, ScsiDispatcher dispatcher);
    }

    /**
     * One command.
     *
     * @param opcode the operation code
     * @param serviceAction the service action, or -1 for a command without one
     * @param name the command's name in SPC-5 / SBC-4, for logs and tests
     * @param usage the CDB usage data; its length is the CDB length
     * @param available whether a logical unit implements the command
     * @param changesMedium whether the command writes to the medium (refused while write-protected)
     * @param handler the implementation
     * @param access how the command is treated while another I_T nexus holds a reservation
     * @param states in which asymmetric access states of the target port's group the command runs
     */
    record Command(int opcode, int serviceAction, String name, byte[] usage, Predicate<LogicalUnit> available,
                   boolean changesMedium, Handler handler, ReservationAccess access, StateAccess states) {

        /** This command with another reservation access class (the default is {@link ReservationAccess#WRITE}). */
        Command withAccess(ReservationAccess a) {
            return new Command(opcode, serviceAction, name, usage, available, changesMedium, handler, a, states);
        }

        /** This command runs in more asymmetric access states (the default is {@link StateAccess#ACTIVE}). */
        Command inStates(StateAccess s) {
            return new Command(opcode, serviceAction, name, usage, available, changesMedium, handler, access, s);
        }

        int cdbLength() {
            return usage.length;
        }

        boolean hasServiceAction() {
            return serviceAction >= 0;
        }

        /** Whether the command runs for a LUN without a logical unit (INQUIRY, REPORT LUNS, REQUEST SENSE). */
        boolean withoutLogicalUnit() {
            return opcode == Opcode.INQUIRY || opcode == Opcode.REPORT_LUNS || opcode == Opcode.REQUEST_SENSE;
        }

        /** A copy of the usage data. */
        byte[] usageData() {
            return usage.clone();
        }
    }

    private static final Predicate<LogicalUnit> ALWAYS = lu -> true;

    /** Commands without a service action, by operation code. */
    private final Command[] plain = new Command[256];
    /** Commands with a service action, by operation code then service action. */
    private final Command[][] withServiceAction = new Command[256][];
    private final List<Command> all;

    private CommandTable(List<Command> commands) {
        for (Command c : commands) {
            if (c.usage[0] != (byte) c.opcode) {
                throw new IllegalArgumentException(c.name + ": usage data must start with the operation code");
            }
            if (c.hasServiceAction()) {
                if (plain[c.opcode] != null) {
                    throw new IllegalArgumentException(c.name + ": operation code also used without service action");
                }
                Command[] bySa = withServiceAction[c.opcode];
                if (bySa == null) {
                    bySa = withServiceAction[c.opcode] = new Command[32];
                }
                if (bySa[c.serviceAction] != null || (c.usage[1] & 0x1F) != c.serviceAction) {
                    throw new IllegalArgumentException(c.name + ": duplicate or inconsistent service action");
                }
                bySa[c.serviceAction] = c;
            } else {
                if (plain[c.opcode] != null || withServiceAction[c.opcode] != null) {
                    throw new IllegalArgumentException(c.name + ": duplicate operation code");
                }
                plain[c.opcode] = c;
            }
        }
        this.all = Collections.unmodifiableList(new ArrayList<>(commands));
    }

    /** Every command, in ascending operation code and service action order. */
    List<Command> all() {
        return all;
    }

    /** Whether the operation code is implemented with service actions. */
    boolean hasServiceActions(int opcode) {
        return withServiceAction[opcode] != null;
    }

    /** The command without service action for {@code opcode}, or {@code null}. */
    Command plain(int opcode) {
        return plain[opcode];
    }

    /** The command for {@code opcode} and service action {@code sa}, or {@code null}. */
    Command withServiceAction(int opcode, int sa) {
        Command[] bySa = withServiceAction[opcode];
        return bySa == null || sa < 0 || sa > 31 ? null : bySa[sa];
    }

    /** The CDB length of an implemented operation code, or 0. */
    int cdbLength(int opcode) {
        Command c = plain[opcode];
        if (c != null) {
            return c.cdbLength();
        }
        Command[] bySa = withServiceAction[opcode];
        if (bySa != null) {
            for (Command s : bySa) {
                if (s != null) {
                    return s.cdbLength();
                }
            }
        }
        return 0;
    }

    /** Builds a table; commands are sorted by operation code and service action. */
    static CommandTable of(List<Command> commands) {
        List<Command> sorted = new ArrayList<>(commands);
        sorted.sort((a, b) -> a.opcode != b.opcode ? Integer.compare(a.opcode, b.opcode)
                : Integer.compare(a.serviceAction, b.serviceAction));
        return new CommandTable(sorted);
    }

    /**
     * A command without service action that every logical unit implements; it conflicts with reservations as a
     * {@link ReservationAccess#WRITE} unless {@link Command#withAccess} says otherwise, and runs in the active
     * asymmetric access states only unless {@link Command#inStates} says otherwise.
     */
    static Command command(String name, Handler handler, int... usage) {
        return new Command(usage[0], -1, name, bytes(usage), ALWAYS, false, handler, ReservationAccess.WRITE,
                StateAccess.ACTIVE);
    }

    /** A command without service action that writes to the medium. */
    static Command medium(String name, Predicate<LogicalUnit> available, Handler handler, int... usage) {
        return new Command(usage[0], -1, name, bytes(usage), available, true, handler, ReservationAccess.WRITE,
                StateAccess.ACTIVE);
    }

    /** A command without service action that only some logical units implement. */
    static Command optional(String name, Predicate<LogicalUnit> available, Handler handler, int... usage) {
        return new Command(usage[0], -1, name, bytes(usage), available, false, handler, ReservationAccess.WRITE,
                StateAccess.ACTIVE);
    }

    /** A service action command; byte 1 of {@code usage} holds the service action. */
    static Command serviceAction(String name, Predicate<LogicalUnit> available, boolean changesMedium,
                                 Handler handler, int... usage) {
        return new Command(usage[0], usage[1] & 0x1F, name, bytes(usage), available, changesMedium, handler,
                ReservationAccess.WRITE, StateAccess.ACTIVE);
    }

    static Predicate<LogicalUnit> always() {
        return ALWAYS;
    }

    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }
}
