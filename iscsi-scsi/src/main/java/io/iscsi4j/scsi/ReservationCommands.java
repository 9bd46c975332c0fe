package io.iscsi4j.scsi;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PERSISTENT RESERVE IN and OUT (SPC-5) and RESERVE / RELEASE (6) and (10) (SPC-2): CDB and parameter list
 * decoding. The state and its rules live in {@link Reservations} and {@link PersistentReservations}.
 *
 * <p>PERSISTENT RESERVE OUT takes the basic 24-byte parameter list, or for REGISTER AND MOVE the 24-byte header and
 * an iSCSI TransportID naming an initiator port; any other PARAMETER LIST LENGTH is PARAMETER LIST LENGTH ERROR.
 * SPEC_I_PT (not supported, SIP_C 0) set to one is INVALID FIELD IN PARAMETER LIST, and so is APTPL unless the
 * logical unit keeps its state in a persistent shared state (PTPL_C 1); ALL_TG_PT is honoured by REGISTER and
 * REGISTER AND IGNORE EXISTING KEY and ignored by the other service actions. The parameter list is validated before the reservation state is looked at.
 */
final class ReservationCommands {

    /** PERSISTENT RESERVE IN service actions. */
    static final int SA_READ_KEYS = 0x00;
    static final int SA_READ_RESERVATION = 0x01;
    static final int SA_REPORT_CAPABILITIES = 0x02;
    static final int SA_READ_FULL_STATUS = 0x03;

    /** PERSISTENT RESERVE OUT service actions. */
    static final int SA_REGISTER = 0x00;
    static final int SA_RESERVE = 0x01;
    static final int SA_RELEASE = 0x02;
    static final int SA_CLEAR = 0x03;
    static final int SA_PREEMPT = 0x04;
    static final int SA_PREEMPT_AND_ABORT = 0x05;
    static final int SA_REGISTER_AND_IGNORE_EXISTING_KEY = 0x06;
    static final int SA_REGISTER_AND_MOVE = 0x07;

    /** The basic PERSISTENT RESERVE OUT parameter list, and the REGISTER AND MOVE header. */
    static final int BASIC_LENGTH = 24;
    /** The longest REGISTER AND MOVE parameter list accepted: the header and a TransportID of up to 1 KiB. */
    static final int MAX_MOVE_LENGTH = BASIC_LENGTH + 1024;

    private static final Logger LOG = LoggerFactory.getLogger(ReservationCommands.class);

    private ReservationCommands() {
    }

    /**
     * PERSISTENT RESERVE IN with service action {@code sa} (one of the four the command table routes here). A shared
     * state is read afresh first, so the answer reflects changes made through other gateways.
     */
    static void persistentReserveIn(ScsiTask task, LogicalUnit lu, int sa) {
        PersistentReservations pr = lu.reservations().persistent();
        int allocationLength = Cdb.u16(task.cdb(), 7);
        pr.refresh().whenComplete((image, failure) -> {
            if (failure != null) {
                LOG.error("reading the shared persistent reservation state failed", failure);
                Sense.fail(task, Sense.INTERNAL_TARGET_FAILURE);
                return;
            }
            byte[] data = switch (sa) {
                case SA_READ_KEYS -> PersistentReservations.readKeys(image);
                case SA_READ_RESERVATION -> PersistentReservations.readReservation(image);
                case SA_REPORT_CAPABILITIES ->
                        PersistentReservations.reportCapabilities(image, pr.persistThroughPowerLossCapable());
                default -> PersistentReservations.readFullStatus(image);
            };
            Responses.data(task, data, allocationLength);
        });
    }

    /** PERSISTENT RESERVE OUT with service action {@code sa}. */
    static void persistentReserveOut(ScsiTask task, LogicalUnit lu, ScsiDispatcher dispatcher, int sa) {
        ByteBuffer cdb = task.cdb();
        int scope = Cdb.u8(cdb, 2) >>> 4;
        int type = Cdb.u8(cdb, 2) & 0x0F;
        long listLength = Cdb.u32(cdb, 5);
        boolean move = sa == SA_REGISTER_AND_MOVE;
        if (move ? listLength < BASIC_LENGTH || listLength > MAX_MOVE_LENGTH : listLength != BASIC_LENGTH) {
            Sense.fail(task, Sense.PARAMETER_LIST_LENGTH_ERROR);
            return;
        }
        int length = (int) Math.min(listLength, task.expectedTransferLength());
        task.receiveDataOut(length, (list, dataOutFailure) -> {
            if (dataOutFailure != null) {
                return; // the transport completed the task
            }
            CompletionStage<Outcome> outcome;
            try {
                byte[] b = new byte[length];
                list.get(list.position(), b);
                outcome = move ? registerAndMove(task, lu, b) : serviceAction(task, lu, dispatcher, sa, scope, type, b);
            } catch (VirtualMachineError e) {
                throw e;
            } catch (Throwable e) { // an Error too: the task must still end
                LOG.error("PERSISTENT RESERVE OUT failed unexpectedly", e);
                outcome = CompletableFuture.completedFuture(Outcome.checkCondition(Sense.INTERNAL_TARGET_FAILURE));
            }
            outcome.whenComplete((o, failure) -> {
                if (failure != null) {
                    LOG.error("PERSISTENT RESERVE OUT: changing the reservation state, telling the other gateways or"
                            + " waiting for the tasks of preempted I_T nexuses failed", failure);
                    o = Outcome.checkCondition(Sense.INTERNAL_TARGET_FAILURE);
                }
                o.complete(task, (int) listLength);
            });
        });
    }

    /**
     * Every service action but REGISTER AND MOVE, from the basic parameter list {@code b}. PREEMPT AND ABORT
     * completes once the tasks of the preempted I_T nexuses on this logical unit have ended (aborted by the
     * dispatcher's {@link TaskSetAborter}); CLEAR once the tasks of every I_T nexus whose registration it removed
     * have ended (they are not aborted). Neither waits for the PERSISTENT RESERVE OUT task itself.
     */
    private static CompletionStage<Outcome> serviceAction(ScsiTask task, LogicalUnit lu, ScsiDispatcher dispatcher, int sa,
                                         int scope, int type, byte[] b) {
        if (b.length < BASIC_LENGTH) {
            return CompletableFuture.completedFuture(Outcome.checkCondition(Sense.PARAMETER_LIST_LENGTH_ERROR));
        }
        long key = u64(b, 0);
        long serviceActionKey = u64(b, 8);
        boolean specifyInitiatorPorts = (b[20] & 0x08) != 0;
        boolean allTargetPorts = (b[20] & 0x04) != 0;
        boolean persistThroughPowerLoss = (b[20] & 0x01) != 0;
        boolean registering = sa == SA_REGISTER || sa == SA_REGISTER_AND_IGNORE_EXISTING_KEY;
        if (specifyInitiatorPorts) {
            return CompletableFuture.completedFuture(Outcome.checkCondition(Sense.invalidParameter(20, 3)));
        }
        if (registering && persistThroughPowerLoss && !lu.reservations().persistent().persistThroughPowerLossCapable()) {
            return CompletableFuture.completedFuture(Outcome.checkCondition(Sense.invalidParameter(20, 0)));
        }
        ItNexus nexus = task.nexus();
        PersistentReservations pr = lu.reservations().persistent();
        Peers.TaskAction peerAction = switch (sa) {
            case SA_PREEMPT_AND_ABORT -> Peers.TaskAction.ABORT;
            case SA_CLEAR -> Peers.TaskAction.AWAIT;
            default -> Peers.TaskAction.NONE;
        };
        Function<PersistentReservations.Image, PersistentReservations.Change> rule = switch (sa) {
            case SA_REGISTER -> s -> PersistentReservations.register(s, nexus, key, serviceActionKey, false,
                    allTargetPorts, persistThroughPowerLoss);
            case SA_REGISTER_AND_IGNORE_EXISTING_KEY -> s -> PersistentReservations.register(s, nexus, key,
                    serviceActionKey, true, allTargetPorts, persistThroughPowerLoss);
            case SA_RESERVE -> s -> PersistentReservations.reserve(s, nexus, key, scope, type);
            case SA_RELEASE -> s -> PersistentReservations.release(s, nexus, key, scope, type);
            case SA_CLEAR -> s -> PersistentReservations.clear(s, nexus, key);
            case SA_PREEMPT, SA_PREEMPT_AND_ABORT ->
                    s -> PersistentReservations.preempt(s, nexus, key, serviceActionKey, scope, type);
            default -> throw new IllegalArgumentException("service action " + sa);
        };
        return pr.apply(nexus, rule, peerAction).thenCompose(change -> {
            if (peerAction == Peers.TaskAction.NONE || !change.outcome().isGood() || change.removed().isEmpty()) {
                return CompletableFuture.completedFuture(change.outcome());
            }
            TaskSetAborter aborter = dispatcher.taskSetAborter();
            int lun = Lun.decode(task.lun());
            ScsiTask requester = ScsiDispatcher.original(task);
            CompletionStage<Void> ended = sa == SA_CLEAR ? aborter.awaitTasks(requester, lun, change::removed)
                    : aborter.abortTasks(requester, lun, change::removed);
            return ended.thenApply(v -> change.outcome());
        });
    }

    /** REGISTER AND MOVE: the header (UNREG, APTPL, RELATIVE TARGET PORT IDENTIFIER) and the TransportID. */
    private static CompletionStage<Outcome> registerAndMove(ScsiTask task, LogicalUnit lu, byte[] b) {
        if (b.length < BASIC_LENGTH) {
            return refuse(Outcome.checkCondition(Sense.PARAMETER_LIST_LENGTH_ERROR));
        }
        long key = u64(b, 0);
        long serviceActionKey = u64(b, 8);
        boolean unregister = (b[17] & 0x02) != 0;
        boolean persistThroughPowerLoss = (b[17] & 0x01) != 0;
        int relativeTargetPortId = ((b[18] & 0xFF) << 8) | (b[19] & 0xFF);
        long transportIdLength = u32(b, 20);
        PersistentReservations pr = lu.reservations().persistent();
        if (persistThroughPowerLoss && !pr.persistThroughPowerLossCapable()) {
            return refuse(Outcome.checkCondition(Sense.invalidParameter(17, 0)));
        }
        if (BASIC_LENGTH + transportIdLength > b.length) {
            return refuse(Outcome.checkCondition(Sense.PARAMETER_LIST_LENGTH_ERROR));
        }
        String destination = PersistentReservations.initiatorPortOf(b, BASIC_LENGTH, (int) transportIdLength);
        if (destination == null) {
            return refuse(Outcome.checkCondition(Sense.invalidParameter(BASIC_LENGTH, -1)));
        }
        ItNexus nexus = task.nexus();
        return pr.apply(nexus, s -> PersistentReservations.registerAndMove(s, nexus, key, serviceActionKey,
                destination, relativeTargetPortId, unregister, persistThroughPowerLoss), Peers.TaskAction.NONE)
                .thenApply(PersistentReservations.Change::outcome);
    }

    private static CompletionStage<Outcome> refuse(Outcome outcome) {
        return CompletableFuture.completedFuture(outcome);
    }

    /**
     * RESERVE (6) or (10). Only logical unit reservations by the sending I_T nexus exist: the obsolete extent and
     * reservation identification fields are ignored, and RESERVE (10) with 3RDPTY set is INVALID FIELD IN CDB.
     */
    static void reserve(ScsiTask task, LogicalUnit lu, boolean ten) {
        if (ten && Cdb.bit(task.cdb(), 1, 4)) { // 3RDPTY
            Sense.fail(task, Sense.invalidField(1, 4));
            return;
        }
        complete(task, lu.reservations().reserve(task.nexus()));
    }

    /** RELEASE (6) or (10); RELEASE (10) with 3RDPTY set is INVALID FIELD IN CDB. */
    static void release(ScsiTask task, LogicalUnit lu, boolean ten) {
        if (ten && Cdb.bit(task.cdb(), 1, 4)) { // 3RDPTY
            Sense.fail(task, Sense.invalidField(1, 4));
            return;
        }
        complete(task, lu.reservations().release(task.nexus()));
    }

    private static void complete(ScsiTask task, CompletionStage<Outcome> outcome) {
        outcome.whenComplete((o, failure) -> {
            if (failure != null) {
                LOG.error("changing the SPC-2 reservation in the shared state failed", failure);
                o = Outcome.checkCondition(Sense.INTERNAL_TARGET_FAILURE);
            }
            o.complete(task, 0);
        });
    }

    private static long u32(byte[] b, int off) {
        return ((long) (b[off] & 0xFF) << 24) | ((b[off + 1] & 0xFF) << 16) | ((b[off + 2] & 0xFF) << 8)
                | (b[off + 3] & 0xFF);
    }

    private static long u64(byte[] b, int off) {
        return (u32(b, off) << 32) | u32(b, off + 4);
    }
}
