package io.iscsi4j.scsi;

import io.iscsi4j.backstore.SharedState;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The other gateways serving one logical unit, reached through the unit's {@link SharedState}: what this gateway
 * tells them after a change that concerns them, and what it does when they tell it something.
 *
 * <p>Two events exist. <b>Reservations changed</b> (after every PERSISTENT RESERVE OUT that changed the shared
 * state): each other gateway reads the state again (its data path checks the new one from then on), establishes
 * the unit attentions the change causes for its own I_T nexuses, and, for PREEMPT AND ABORT, aborts the tasks of
 * the I_T nexuses whose registrations were removed (for CLEAR it waits for them), and only then answers.
 * <b>Logical unit reset</b> (a LOGICAL UNIT RESET received here): each other gateway aborts every task for the
 * unit, ends its SPC-2 reservation, establishes BUS DEVICE RESET FUNCTION OCCURRED for its nexuses, and answers;
 * <b>target reset</b> the same with POWER ON, RESET, OR BUS DEVICE RESET OCCURRED. <b>Port groups</b>: a gateway
 * wrote its group's state to the port groups record; the others read it (no answer is awaited beyond the timeout).
 *
 * <p>The sender's command completes only once every other gateway has answered. A gateway that does not answer
 * within the timeout is fenced ({@link SharedState#fence}: for RBD its client is blocklisted), so that none of its
 * writes can land after the sender reports success; when fencing fails too, the sender's stage fails and its command
 * ends with an error. A gateway that cannot read the new state does not answer, and so is fenced.
 *
 * <p>Thread-safety: immutable but for the handler installed in the shared state; events are handled on the shared
 * state's threads.
 */
final class Peers {

    private static final Logger LOG = LoggerFactory.getLogger(Peers.class);
    /** Event encoding: "EV" and the format, 1. */
    private static final int MAGIC = 0x4556_0001;
    private static final byte[] ACK = new byte[0];

    /** What the other gateways do with the tasks of the I_T nexuses whose registrations were removed. */
    enum TaskAction {
        /** Nothing (the change removed nothing, or PREEMPT). */
        NONE,
        /** Wait for the tasks under way (CLEAR). */
        AWAIT,
        /** Abort them (PREEMPT AND ABORT). */
        ABORT
    }

    /** The kinds of event. */
    enum Kind {
        RESERVATIONS,
        LOGICAL_UNIT_RESET,
        PORT_GROUPS,
        TARGET_RESET,
        MODE_PARAMETERS
    }

    /**
     * An event for the other gateways.
     *
     * @param kind what happened
     * @param notices unit attentions to establish (reservations changed)
     * @param removed the registrations removed (reservations changed)
     * @param action what to do with the removed registrations' tasks
     */
    record Event(Kind kind, List<PersistentReservations.Notice> notices,
                 List<PersistentReservations.Registration> removed, TaskAction action) {

        static Event reservations(List<PersistentReservations.Notice> notices,
                                  List<PersistentReservations.Registration> removed, TaskAction action) {
            return new Event(Kind.RESERVATIONS, notices, removed, removed.isEmpty() ? TaskAction.NONE : action);
        }

        static final Event LOGICAL_UNIT_RESET = new Event(Kind.LOGICAL_UNIT_RESET, List.of(), List.of(),
                TaskAction.ABORT);

        static final Event PORT_GROUPS = new Event(Kind.PORT_GROUPS, List.of(), List.of(), TaskAction.NONE);

        static final Event TARGET_RESET = new Event(Kind.TARGET_RESET, List.of(), List.of(), TaskAction.ABORT);

        static final Event MODE_PARAMETERS = new Event(Kind.MODE_PARAMETERS, List.of(), List.of(), TaskAction.NONE);

        /** Whether the I_T nexus lost a registration. */
        boolean removed(ItNexus nexus) {
            for (PersistentReservations.Registration r : removed) {
                if (r.covers(nexus)) {
                    return true;
                }
            }
            return false;
        }

        byte[] encode() {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
            try (DataOutputStream out = new DataOutputStream(bytes)) {
                out.writeInt(MAGIC);
                out.writeByte(kind.ordinal());
                out.writeByte(action.ordinal());
                out.writeShort(notices.size());
                for (PersistentReservations.Notice n : notices) {
                    out.writeUTF(n.initiatorPort());
                    out.writeUTF(n.condition().name());
                }
                out.writeShort(removed.size());
                for (PersistentReservations.Registration r : removed) {
                    out.writeUTF(r.initiatorPort());
                    out.writeUTF(r.targetPort() == null ? "" : r.targetPort());
                    out.writeBoolean(r.allTargetPorts());
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return bytes.toByteArray();
        }

        /** @throws IllegalArgumentException when {@code b} is not an event this version knows */
        static Event decode(byte[] b) {
            try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(b))) {
                if (in.readInt() != MAGIC) {
                    throw new IllegalArgumentException("not an event (or a newer format)");
                }
                Kind kind = Kind.values()[in.readUnsignedByte()];
                TaskAction action = TaskAction.values()[in.readUnsignedByte()];
                int n = in.readUnsignedShort();
                List<PersistentReservations.Notice> notices = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    String port = in.readUTF();
                    notices.add(new PersistentReservations.Notice(port, AdditionalSense.valueOf(in.readUTF())));
                }
                int m = in.readUnsignedShort();
                List<PersistentReservations.Registration> removed = new ArrayList<>(m);
                for (int i = 0; i < m; i++) {
                    String initiator = in.readUTF();
                    String target = in.readUTF();
                    boolean all = in.readBoolean();
                    removed.add(new PersistentReservations.Registration(initiator, all ? null : target, 0, all, 1));
                }
                return new Event(kind, List.copyOf(notices), List.copyOf(removed), action);
            } catch (IOException | ArrayIndexOutOfBoundsException e) {
                throw new IllegalArgumentException("malformed event", e);
            }
        }
    }

    /** The shared record of the changeable mode parameters (WCE, SWP, D_SENSE). */
    static final String MODE_RECORD = "mode-parameters";
    /** The first bytes of the mode parameters record: "MP" and the format, 1. */
    private static final int MODE_MAGIC = 0x4D50_0001;

    /** The shared record of every gateway's target port group and its state. */
    static final String PORT_GROUPS_RECORD = "port-groups";
    /** The first bytes of the port groups record: "TG" and the format, 1. */
    private static final int PORT_GROUPS_MAGIC = 0x5447_0001;
    private static final int MAX_ATTEMPTS = 64;

    private final SharedState state;
    private final Duration timeout;
    private final LogicalUnit unit;
    private final UnitTaskFence fence;
    /** This gateway's target port groups, or {@code null} when they are not shared. */
    private volatile TargetPortGroups groups;
    private final TargetPortGroups.Listener ownStateChanges = this::portGroupChanged;

    Peers(SharedState state, Duration timeout, LogicalUnit unit, UnitTaskFence fence) {
        this.state = state;
        this.timeout = timeout;
        this.unit = unit;
        this.fence = fence;
    }

    /** The own group's state changed: write it and tell the other gateways. */
    private void portGroupChanged(int groupId, AccessState newState) {
        TargetPortGroups g = groups;
        if (g != null && groupId == g.id() && newState != null) {
            publishPortGroup(g, 1).whenComplete((v, e) -> {
                if (e != null) {
                    LOG.warn("logical unit {}: telling the other gateways that port group {} is {} failed: {}",
                            unit.serial(), groupId, newState, e.toString());
                }
            });
        }
    }

    /** Starts answering the other gateways' events. */
    void listen() {
        state.onMessage(this::onEvent);
    }

    /**
     * Shares this gateway's target port group: learns the other gateways' groups and states from the shared record
     * (they become peers of {@code portGroups}, for REPORT TARGET PORT GROUPS), writes this gateway's own, and from
     * then on writes and announces every change of the own state.
     */
    CompletionStage<Void> sharePortGroups(TargetPortGroups portGroups) {
        this.groups = portGroups;
        portGroups.addListener(ownStateChanges);
        return publishPortGroup(portGroups, 1);
    }

    /**
     * MODE SELECT changed the mode parameters here: writes them to the shared record and has every other gateway
     * apply them before the command completes (a software write protect must hold on every path once GOOD is sent).
     */
    CompletionStage<Void> publishModeParameters(boolean writeBack, boolean swp, boolean dSense) {
        return publishModeParameters(new byte[] {(byte) (MODE_MAGIC >>> 24), (byte) (MODE_MAGIC >>> 16),
                (byte) (MODE_MAGIC >>> 8), (byte) MODE_MAGIC,
                (byte) ((writeBack ? 1 : 0) | (swp ? 2 : 0) | (dSense ? 4 : 0))}, 1);
    }

    private CompletionStage<Void> publishModeParameters(byte[] value, int attempt) {
        return state.read(MODE_RECORD).thenCompose(record -> state.compareAndSet(MODE_RECORD, record.version(), value)
                .thenCompose(written -> {
                    if (!written) {
                        if (attempt >= MAX_ATTEMPTS) {
                            throw new IllegalStateException("the mode parameters record kept changing");
                        }
                        return publishModeParameters(value, attempt + 1);
                    }
                    return announce(Event.MODE_PARAMETERS);
                }));
    }

    /** Applies the shared mode parameters here, when some gateway ever wrote them. */
    CompletionStage<Void> readModeParameters() {
        return state.read(MODE_RECORD).thenAccept(record -> {
            byte[] b = record.value();
            if (b.length == 0) {
                return;
            }
            if (b.length != 5 || ((b[0] & 0xFF) << 24 | (b[1] & 0xFF) << 16 | (b[2] & 0xFF) << 8 | (b[3] & 0xFF))
                    != MODE_MAGIC) {
                throw new IllegalArgumentException("not a mode parameters record (or a newer format)");
            }
            unit.applySharedModeParameters((b[4] & 1) != 0, (b[4] & 2) != 0, (b[4] & 4) != 0);
        });
    }

    /**
     * The logical unit starts with a state only it can hold ({@link SharedState#soleMember()}): a power on. Mode
     * parameters changed by MODE SELECT return to their defaults (they are current values, never saved), and the
     * port groups of earlier runs are forgotten (this gateway writes its own when it shares them).
     */
    CompletionStage<Void> powerOn() {
        return clear(MODE_RECORD).thenCompose(v -> clear(PORT_GROUPS_RECORD));
    }

    /** Empties a record (an empty value reads as never written). */
    private CompletionStage<Void> clear(String record) {
        return state.read(record).thenCompose(r -> r.value().length == 0 ? CompletableFuture.<Void>completedFuture(null)
                : state.compareAndSet(record, r.version(), new byte[0]).thenAccept(written -> {
                    if (!written) {
                        throw new IllegalStateException("record " + record + " changed while the logical unit started");
                    }
                }));
    }

    /** Whether no other gateway can ever share this state. */
    boolean soleMember() {
        return state.soleMember();
    }

    /** Stops sharing the port groups (the logical unit closes). */
    void close() {
        TargetPortGroups g = groups;
        if (g != null) {
            g.removeListener(ownStateChanges);
        }
        state.close();
    }

    /** Reads the port groups record, takes the other groups as peers, and writes the own state if it differs. */
    private CompletionStage<Void> publishPortGroup(TargetPortGroups g, int attempt) {
        return state.read(PORT_GROUPS_RECORD).thenCompose(record -> {
            java.util.Map<Integer, AccessState> all = decodePortGroups(record.value());
            learnPeers(g, all);
            AccessState own = g.state();
            if (all.get(g.id()) == own) {
                return CompletableFuture.completedFuture(null);
            }
            all.put(g.id(), own);
            return state.compareAndSet(PORT_GROUPS_RECORD, record.version(), encodePortGroups(all))
                    .thenCompose(written -> {
                        if (!written) {
                            if (attempt >= MAX_ATTEMPTS) {
                                throw new IllegalStateException("the port groups record kept changing");
                            }
                            return publishPortGroup(g, attempt + 1);
                        }
                        // Best effort: a gateway that does not hear of it reads the record when it next starts.
                        return state.broadcast(Event.PORT_GROUPS.encode(), timeout).thenApply(replies -> null);
                    });
        });
    }

    private CompletionStage<Void> readPortGroups() {
        TargetPortGroups g = groups;
        if (g == null) {
            return CompletableFuture.completedFuture(null);
        }
        return state.read(PORT_GROUPS_RECORD).thenAccept(record -> learnPeers(g, decodePortGroups(record.value())));
    }

    private static void learnPeers(TargetPortGroups g, java.util.Map<Integer, AccessState> all) {
        all.forEach((id, s) -> {
            if (id != g.id()) {
                g.peer(id, s);
            }
        });
    }

    static byte[] encodePortGroups(java.util.Map<Integer, AccessState> all) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(8 + 3 * all.size());
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(PORT_GROUPS_MAGIC);
            out.writeShort(all.size());
            for (java.util.Map.Entry<Integer, AccessState> e : new java.util.TreeMap<>(all).entrySet()) {
                out.writeShort(e.getKey());
                out.writeByte(e.getValue().code());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** @throws IllegalArgumentException when {@code b} is not a port groups record */
    static java.util.Map<Integer, AccessState> decodePortGroups(byte[] b) {
        java.util.Map<Integer, AccessState> all = new java.util.TreeMap<>();
        if (b.length == 0) {
            return all;
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(b))) {
            if (in.readInt() != PORT_GROUPS_MAGIC) {
                throw new IllegalArgumentException("not a port groups record (or a newer format)");
            }
            int n = in.readUnsignedShort();
            for (int i = 0; i < n; i++) {
                int id = in.readUnsignedShort();
                AccessState s = AccessState.fromCode(in.readUnsignedByte());
                if (id < 1 || s == null) {
                    throw new IllegalArgumentException("bad port group entry " + id);
                }
                all.put(id, s);
            }
            return all;
        } catch (IOException e) {
            throw new IllegalArgumentException("truncated port groups record", e);
        }
    }

    SharedState state() {
        return state;
    }

    boolean persistent() {
        return state.persistent();
    }

    /**
     * Tells every other gateway; completes once each has acted on it and answered, or has been fenced.
     * Completes exceptionally when a silent gateway could not be fenced, or the event could not be sent.
     */
    CompletionStage<Void> announce(Event event) {
        return state.broadcast(event.encode(), timeout).thenCompose(replies -> {
            if (replies.silent().isEmpty()) {
                return CompletableFuture.completedFuture(null);
            }
            List<CompletableFuture<Void>> fenced = new ArrayList<>();
            for (String member : replies.silent()) {
                LOG.warn("logical unit {}: gateway {} did not answer a {} event within {} ms; fencing it",
                        unit.serial(), member, event.kind, timeout.toMillis());
                fenced.add(state.fence(member).toCompletableFuture().whenComplete((v, e) -> {
                    if (e != null) {
                        LOG.error("logical unit {}: fencing gateway {} failed", unit.serial(), member, e);
                    } else {
                        LOG.warn("logical unit {}: gateway {} fenced", unit.serial(), member);
                    }
                }).thenCompose(v -> unit.reservations().holderGone(member, null))); // its SPC-2 holder is gone
            }
            return CompletableFuture.allOf(fenced.toArray(CompletableFuture[]::new));
        });
    }

    private CompletionStage<byte[]> onEvent(String from, byte[] message) {
        Event event;
        try {
            event = Event.decode(message);
        } catch (IllegalArgumentException e) {
            LOG.warn("logical unit {}: ignoring a message from gateway {}: {}", unit.serial(), from, e.getMessage());
            return CompletableFuture.failedFuture(e);
        }
        LOG.debug("logical unit {}: {} event from gateway {}", unit.serial(), event.kind, from);
        return switch (event.kind) {
            case RESERVATIONS -> unit.reservations().persistent().refresh().thenCompose(image -> {
                unit.reservations().persistent().establish(event.notices);
                return event.action == TaskAction.NONE ? CompletableFuture.<Void>completedFuture(null)
                        : fence.fence(unit, event::removed, event.action == TaskAction.ABORT);
            }).thenApply(v -> ACK);
            case LOGICAL_UNIT_RESET, TARGET_RESET -> {
                unit.resetHere(event.kind == Kind.TARGET_RESET
                        ? AdditionalSense.POWER_ON_RESET_OR_BUS_DEVICE_RESET_OCCURRED
                        : AdditionalSense.BUS_DEVICE_RESET_FUNCTION_OCCURRED);
                yield fence.fence(unit, nexus -> true, true).thenApply(v -> ACK);
            }
            case PORT_GROUPS -> readPortGroups().thenApply(v -> ACK);
            case MODE_PARAMETERS -> readModeParameters().thenApply(v -> ACK);
        };
    }
}
