package io.iscsi4j.scsi;

import io.iscsi4j.backstore.SharedState;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * The persistent reservation state of one logical unit and the PERSISTENT RESERVE OUT service actions that change
 * it (SPC-5, persistent reservations): registrations of reservation keys, at most one reservation of one of six
 * types, and the PRGENERATION counter. {@link ReservationCommands} decodes the CDBs and parameter lists and calls
 * these methods with the decoded fields.
 *
 * <p><b>Registrations</b> belong to I_T nexuses: initiator port name (compared ignoring case, as iSCSI names are)
 * and target port name. A registration made with ALL_TG_PT covers the initiator port through every target port of
 * the target; it is one registration, so changing its key or unregistering through any of those nexuses changes or
 * removes it for all of them (SPC-5 lets a device server report such a registration as one descriptor). An I_T
 * nexus registered on its own as well is covered by its own registration. At most {@value #MAX_REGISTRATIONS}
 * registrations are kept; more end with INSUFFICIENT REGISTRATION RESOURCES.
 *
 * <p><b>Lifetime.</b> Registrations and the reservation survive I_T nexus loss, logical unit reset and target reset.
 * Kept in memory (the default), nothing outlives the logical unit object, persistence through power loss is not
 * offered (PTPL_C 0) and APTPL set to one is INVALID FIELD IN PARAMETER LIST.
 *
 * <p><b>Shared by several gateways</b> ({@link LogicalUnit.Builder#sharedState}): the state is one record of the
 * {@link SharedState}, encoded by {@link Image#encode}. Each PERSISTENT RESERVE OUT reads it, applies its rule and
 * writes it back with a compare-and-set (again from the start when another gateway wrote first), establishes its
 * unit attentions here, and tells the other gateways through {@link Peers}, completing only once they have acted on
 * it. PERSISTENT RESERVE IN reads the record afresh. A persistent shared state (a RADOS object, a directory) offers
 * APTPL (PTPL_C 1, PTPL_A as the last REGISTER set it). With several gateways the state then outlives every gateway
 * whatever APTPL says, since a gateway cannot tell a restart of all of them from its own; with a state that has one
 * member only ({@link SharedState#soleMember()}), starting is a power on ({@link #powerOn()}): registrations and the
 * reservation survive only with APTPL, as SPC-5 says.
 *
 * <p><b>Unit attentions</b> go to the initiator ports of the registrations concerned, except the port the command
 * came from: RESERVATIONS PREEMPTED (CLEAR, and PREEMPT of the holder), REGISTRATIONS PREEMPTED (the registrations
 * PREEMPT removes), RESERVATIONS RELEASED (RELEASE of a registrants-only or all-registrants reservation, the
 * registrants-only holder unregistering, PREEMPT changing the type).
 *
 * <p>Thread-safety: local changes are serialised on this object, shared ones by the record's compare-and-set;
 * {@link #conflicts} reads an immutable snapshot without locking, so the data path pays one volatile read while
 * nothing is registered. The rules are pure functions of the state ({@link Image}) that return a {@link Change}.
 */
final class PersistentReservations {

    /** TYPE codes (SPC-5, PERSISTENT RESERVE OUT TYPE field). */
    static final int WRITE_EXCLUSIVE = 0x1;
    static final int EXCLUSIVE_ACCESS = 0x3;
    static final int WRITE_EXCLUSIVE_REGISTRANTS_ONLY = 0x5;
    static final int EXCLUSIVE_ACCESS_REGISTRANTS_ONLY = 0x6;
    static final int WRITE_EXCLUSIVE_ALL_REGISTRANTS = 0x7;
    static final int EXCLUSIVE_ACCESS_ALL_REGISTRANTS = 0x8;
    /** The only SCOPE: the logical unit. */
    static final int LU_SCOPE = 0x0;
    /** Most registrations kept per logical unit. */
    static final int MAX_REGISTRATIONS = 256;
    /** iSCSI's protocol identifier in TransportIDs (SPC-5 table of protocol identifiers). */
    static final int PROTOCOL_ISCSI = 0x5;
    private static final String ISID_SEPARATOR = ",i,0x";

    /**
     * One registration.
     *
     * @param initiatorPort the initiator port name
     * @param targetPort the target port name; {@code null} when {@code allTargetPorts}
     * @param relativeTargetPortId the relative target port identifier it was registered through (0 with ALL_TG_PT)
     * @param allTargetPorts whether it covers the initiator port through every target port
     * @param key the reservation key, never 0
     */
    record Registration(String initiatorPort, String targetPort, int relativeTargetPortId, boolean allTargetPorts,
                        long key) {

        Registration withKey(long newKey) {
            return new Registration(initiatorPort, targetPort, relativeTargetPortId, allTargetPorts, newKey);
        }

        /** Whether this registration covers I_T nexus {@code nexus}. */
        boolean covers(ItNexus nexus) {
            return initiatorPort.equalsIgnoreCase(nexus.initiatorPortName())
                    && (allTargetPorts || Objects.equals(targetPort, nexus.targetPortName()));
        }
    }

    /**
     * The reservation.
     *
     * @param type the TYPE code
     * @param holderInitiatorPort the holder's initiator port (ignored for the all-registrants types)
     * @param holderTargetPort the holder's target port (ignored for the all-registrants types)
     */
    record Reservation(int type, String holderInitiatorPort, String holderTargetPort) {

        /** Whether every registered I_T nexus holds the reservation (types 7h and 8h). */
        boolean allRegistrants() {
            return type == WRITE_EXCLUSIVE_ALL_REGISTRANTS || type == EXCLUSIVE_ACCESS_ALL_REGISTRANTS;
        }

        /** Whether the I_T nexus of these ports holds this reservation (which is not an all-registrants one). */
        boolean heldBy(String initiatorPort, String targetPort) {
            return holderInitiatorPort.equalsIgnoreCase(initiatorPort)
                    && Objects.equals(holderTargetPort, targetPort);
        }
    }

    /**
     * The whole persistent reservation state, immutable: the registrations in registration order, the reservation or
     * {@code null}, PRGENERATION, the target ports seen by relative target port identifier (for REGISTER AND MOVE),
     * and APTPL as the last REGISTER set it. {@code version} is the shared record's version it was read at (0 when not
     * shared); it is not part of the encoding.
     */
    record Image(List<Registration> registrations, Reservation reservation, int generation,
                 Map<Integer, String> targetPorts, boolean aptpl, Spc2Holder spc2, long version) {

        static final Image EMPTY = new Image(List.of(), null, 0, Map.of(), false, null, 0);
        /** The first bytes of an encoded image: "PR" and the format, 2 (format 1 had no SPC-2 holder). */
        private static final int MAGIC = 0x5052_0002;
        private static final int MAGIC_1 = 0x5052_0001;

        /** The registration of an I_T nexus: its own, or else an ALL_TG_PT one of its initiator port. */
        Registration registrationOf(String initiatorPort, String targetPort) {
            Registration allPorts = null;
            for (Registration r : registrations) {
                if (r.initiatorPort.equalsIgnoreCase(initiatorPort)) {
                    if (r.allTargetPorts) {
                        allPorts = r;
                    } else if (Objects.equals(r.targetPort, targetPort)) {
                        return r;
                    }
                }
            }
            return allPorts;
        }

        Registration registrationOf(ItNexus nexus) {
            return registrationOf(nexus.initiatorPortName(), nexus.targetPortName());
        }

        /** The holder's registration (for a reservation that is not all-registrants), or {@code null}. */
        Registration holderRegistration() {
            return reservation == null || reservation.allRegistrants() ? null
                    : registrationOf(reservation.holderInitiatorPort, reservation.holderTargetPort);
        }

        boolean isHolder(ItNexus nexus) {
            if (reservation == null) {
                return false;
            }
            return reservation.allRegistrants() ? registrationOf(nexus) != null
                    : reservation.heldBy(nexus.initiatorPortName(), nexus.targetPortName());
        }

        /** This image with other registrations and reservation; the generation is not counted. */
        Image with(List<Registration> regs, Reservation res) {
            return new Image(List.copyOf(regs), res, generation, targetPorts, aptpl, spc2, version);
        }

        /** This image with PRGENERATION counted up. */
        Image counted() {
            return new Image(registrations, reservation, generation + 1, targetPorts, aptpl, spc2, version);
        }

        Image withAptpl(boolean on) {
            return on == aptpl ? this
                    : new Image(registrations, reservation, generation, targetPorts, on, spc2, version);
        }

        /** This image with the SPC-2 reservation held by {@code holder} ({@code null}: none). */
        Image withSpc2(Spc2Holder holder) {
            return Objects.equals(holder, spc2) ? this
                    : new Image(registrations, reservation, generation, targetPorts, aptpl, holder, version);
        }

        /** This image knowing the target port of {@code nexus}, or this image when it knew it already. */
        Image learn(ItNexus nexus) {
            if (nexus.targetPortName() == null || targetPorts.containsKey(nexus.relativeTargetPortId())) {
                return this;
            }
            Map<Integer, String> ports = new TreeMap<>(targetPorts);
            ports.put(nexus.relativeTargetPortId(), nexus.targetPortName());
            return new Image(registrations, reservation, generation, Map.copyOf(ports), aptpl, spc2, version);
        }

        Image atVersion(long v) {
            return new Image(registrations, reservation, generation, targetPorts, aptpl, spc2, v);
        }

        /** The encoding kept in a {@link SharedState} record. */
        byte[] encode() {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
            try (DataOutputStream out = new DataOutputStream(bytes)) {
                out.writeInt(MAGIC);
                out.writeInt(generation);
                out.writeBoolean(aptpl);
                out.writeShort(registrations.size());
                for (Registration r : registrations) {
                    out.writeUTF(r.initiatorPort);
                    writeNullable(out, r.targetPort);
                    out.writeShort(r.relativeTargetPortId);
                    out.writeBoolean(r.allTargetPorts);
                    out.writeLong(r.key);
                }
                out.writeBoolean(reservation != null);
                if (reservation != null) {
                    out.writeByte(reservation.type);
                    writeNullable(out, reservation.holderInitiatorPort);
                    writeNullable(out, reservation.holderTargetPort);
                }
                out.writeShort(targetPorts.size());
                for (Map.Entry<Integer, String> e : new TreeMap<>(targetPorts).entrySet()) {
                    out.writeShort(e.getKey());
                    out.writeUTF(e.getValue());
                }
                out.writeBoolean(spc2 != null);
                if (spc2 != null) {
                    out.writeUTF(spc2.initiatorPort());
                    writeNullable(out, spc2.targetPort());
                    out.writeUTF(spc2.member());
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
            }
            return bytes.toByteArray();
        }

        /**
         * Decodes a record's value; an empty value (a record never written) is the empty state.
         *
         * @throws IllegalArgumentException when the value is not an encoded image
         */
        static Image decode(SharedState.Versioned record) {
            byte[] b = record.value();
            if (b.length == 0) {
                return EMPTY.atVersion(record.version());
            }
            try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(b))) {
                int magic = in.readInt();
                if (magic != MAGIC && magic != MAGIC_1) {
                    throw new IllegalArgumentException("not a persistent reservation record (or a newer format)");
                }
                int generation = in.readInt();
                boolean aptpl = in.readBoolean();
                int n = in.readUnsignedShort();
                List<Registration> regs = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    String initiator = in.readUTF();
                    String target = readNullable(in);
                    int relative = in.readUnsignedShort();
                    boolean all = in.readBoolean();
                    regs.add(new Registration(initiator, target, relative, all, in.readLong()));
                }
                Reservation res = null;
                if (in.readBoolean()) {
                    int type = in.readUnsignedByte();
                    res = new Reservation(type, readNullable(in), readNullable(in));
                }
                int ports = in.readUnsignedShort();
                Map<Integer, String> targetPorts = new TreeMap<>();
                for (int i = 0; i < ports; i++) {
                    int id = in.readUnsignedShort();
                    targetPorts.put(id, in.readUTF());
                }
                Spc2Holder spc2 = null;
                if (magic == MAGIC && in.readBoolean()) {
                    String initiator = in.readUTF();
                    String target = readNullable(in);
                    spc2 = new Spc2Holder(initiator, target, in.readUTF());
                }
                return new Image(List.copyOf(regs), res, generation, Map.copyOf(targetPorts), aptpl, spc2,
                        record.version());
            } catch (IOException e) {
                throw new IllegalArgumentException("truncated persistent reservation record", e);
            }
        }

        private static void writeNullable(DataOutputStream out, String s) throws IOException {
            out.writeBoolean(s != null);
            if (s != null) {
                out.writeUTF(s);
            }
        }

        private static String readNullable(DataInputStream in) throws IOException {
            return in.readBoolean() ? in.readUTF() : null;
        }
    }

    /**
     * The I_T nexus holding an SPC-2 reservation (RESERVE (6) or (10)), and the gateway it came through.
     *
     * @param initiatorPort the initiator port name
     * @param targetPort the target port name, or {@code null}
     * @param member the {@link SharedState#memberId()} of the gateway the nexus is on ("" when not shared)
     */
    record Spc2Holder(String initiatorPort, String targetPort, String member) {

        boolean is(ItNexus nexus) {
            return initiatorPort.equals(nexus.initiatorPortName()) && Objects.equals(targetPort, nexus.targetPortName());
        }
    }

    /**
     * A unit attention for one initiator port.
     *
     * @param initiatorPort the initiator port name
     * @param condition the condition
     */
    record Notice(String initiatorPort, AdditionalSense condition) {
    }

    /**
     * What a PERSISTENT RESERVE OUT did or would do.
     *
     * @param outcome the command's outcome
     * @param next the new state, or {@code null} when nothing changes
     * @param notices the unit attentions to establish
     * @param removed the registrations removed by CLEAR, PREEMPT or PREEMPT AND ABORT
     */
    record Change(Outcome outcome, Image next, List<Notice> notices, List<Registration> removed) {

        static Change refused(Outcome outcome) {
            return new Change(outcome, null, List.of(), List.of());
        }

        static Change to(Image next, Outcome outcome) {
            return new Change(outcome, next, List.of(), List.of());
        }

        /** {@return whether the I_T nexus lost a registration} */
        boolean removed(ItNexus nexus) {
            for (Registration r : removed) {
                if (r.covers(nexus)) {
                    return true;
                }
            }
            return false;
        }
    }

    /** The name of the shared record holding the state. */
    static final String RECORD = "persistent-reservations";
    /** Attempts at a compare-and-set before a PERSISTENT RESERVE OUT gives up (others kept changing the state). */
    private static final int MAX_ATTEMPTS = 64;

    private final UnitAttentions unitAttentions;
    /** The state the data path checks; changed under {@code this} (local) or by newer shared versions. */
    private volatile Image image = Image.EMPTY;
    /** The gateways sharing this state, or {@code null} when it is this logical unit's alone. */
    private volatile Peers peers;

    PersistentReservations(UnitAttentions unitAttentions) {
        this.unitAttentions = unitAttentions;
    }

    /**
     * Keeps the state in {@code peers}' shared record from now on, and reads it (before the logical unit serves).
     */
    void share(Peers shared) {
        this.peers = shared;
    }

    /** Whether the state is shared with other gateways. */
    boolean isShared() {
        return peers != null;
    }

    /** This gateway's member id in the shared state, or "" when not shared. */
    String memberId() {
        Peers p = peers;
        return p == null ? "" : p.state().memberId();
    }

    /** Whether the state is kept where it survives a restart of every gateway (APTPL can be honoured). */
    boolean persistThroughPowerLossCapable() {
        Peers p = peers;
        return p != null && p.persistent();
    }

    // ---- the data path ----

    /**
     * Whether a command of access class {@code access} (resolved, see {@link ReservationAccess#resolve}) from
     * {@code nexus} conflicts with the persistent reservation state.
     */
    boolean conflicts(ItNexus nexus, ReservationAccess access) {
        Image s = image;
        if (access == ReservationAccess.RESERVE_RELEASE) {
            return !s.registrations.isEmpty();
        }
        Reservation r = s.reservation;
        if (r == null || access == ReservationAccess.UNRESTRICTED || access == ReservationAccess.STATUS
                || access == ReservationAccess.PERSISTENT_RESERVE) {
            return false;
        }
        if (!r.allRegistrants() && r.heldBy(nexus.initiatorPortName(), nexus.targetPortName())) {
            return false;
        }
        boolean registered = s.registrationOf(nexus) != null;
        return switch (r.type) {
            case WRITE_EXCLUSIVE -> access == ReservationAccess.WRITE;
            case EXCLUSIVE_ACCESS -> true;
            case WRITE_EXCLUSIVE_REGISTRANTS_ONLY, WRITE_EXCLUSIVE_ALL_REGISTRANTS ->
                    access == ReservationAccess.WRITE && !registered;
            default -> !registered; // the exclusive access registrants-only and all-registrants types
        };
    }

    /** Whether any I_T nexus is registered. */
    boolean hasRegistrations() {
        return !image.registrations.isEmpty();
    }

    // ---- applying a change ----

    /**
     * Applies a PERSISTENT RESERVE OUT rule to the current state and establishes its unit attentions. Shared, the
     * state is read, changed and written back with a compare-and-set (again while another gateway came first), and
     * every other gateway is told and has acted on the change ({@code peerAction} for the removed registrations'
     * tasks) before the stage completes; a gateway that did not answer in time has been fenced. The stage completes
     * exceptionally when the state could not be read or written, or a silent gateway could not be fenced.
     */
    CompletionStage<Change> apply(ItNexus nexus, Function<Image, Change> rule, Peers.TaskAction peerAction) {
        Peers p = peers;
        if (p == null) {
            Change c;
            synchronized (this) {
                Image s = nexus == null ? image : image.learn(nexus);
                c = rule.apply(s);
                image = c.next != null ? c.next : s;
            }
            establish(c.notices);
            return CompletableFuture.completedFuture(c);
        }
        return applyShared(p, nexus, rule, peerAction, 1);
    }

    private CompletionStage<Change> applyShared(Peers p, ItNexus nexus, Function<Image, Change> rule,
                                                Peers.TaskAction peerAction, int attempt) {
        return p.state().read(RECORD).thenCompose(record -> {
            Image read = Image.decode(record);
            adopt(read);
            Image s = nexus == null ? read : read.learn(nexus);
            Change c = rule.apply(s);
            Image next = c.next != null ? c.next : s;
            if (next == read) {
                return CompletableFuture.completedFuture(c);
            }
            return p.state().compareAndSet(RECORD, record.version(), next.encode()).thenCompose(written -> {
                if (!written) {
                    if (attempt >= MAX_ATTEMPTS) {
                        throw new IllegalStateException("the persistent reservation state kept changing: "
                                + attempt + " attempts");
                    }
                    return applyShared(p, nexus, rule, peerAction, attempt + 1);
                }
                return refresh().thenCompose(ignored -> {
                    establish(c.notices);
                    if (c.next == null) {
                        return CompletableFuture.completedFuture(c); // only a target port was learnt
                    }
                    return p.announce(Peers.Event.reservations(c.notices, c.removed, peerAction))
                            .thenApply(done -> c);
                });
            });
        });
    }

    /** Reads the shared state again and adopts it if it is newer; completes at once when not shared. */
    CompletionStage<Image> refresh() {
        Peers p = peers;
        if (p == null) {
            return CompletableFuture.completedFuture(image);
        }
        return p.state().read(RECORD).thenApply(record -> {
            adopt(Image.decode(record));
            return image;
        });
    }

    /**
     * The logical unit starts, with a state only it can hold ({@link SharedState#soleMember()}), so every gateway
     * restarted: what SPC-5 keeps only until a power loss goes. The registrations and the reservation stay when the
     * last REGISTER set APTPL, and go otherwise; PRGENERATION is zero again (SPC-5: regardless of APTPL, a power on
     * sets it to zero); an SPC-2 reservation ends. Completes once the shared record says so, before the unit serves.
     */
    CompletionStage<Void> powerOn() {
        Peers p = peers;
        return p.state().read(RECORD).thenCompose(record -> {
            Image read = Image.decode(record);
            Image next = read.aptpl
                    ? new Image(read.registrations, read.reservation, 0, read.targetPorts, true, null, read.version)
                    : new Image(List.of(), null, 0, read.targetPorts, false, null, read.version);
            if (next.equals(read)) {
                return CompletableFuture.<Void>completedFuture(null);
            }
            return p.state().compareAndSet(RECORD, record.version(), next.encode()).thenAccept(written -> {
                if (!written) {
                    throw new IllegalStateException("the persistent reservation state changed while the logical unit"
                            + " started, although no other gateway can hold it");
                }
            });
        });
    }

    /** Takes {@code read} as the state if it is newer than the one held. */
    private synchronized void adopt(Image read) {
        if (read.version > image.version) {
            image = read;
        }
    }

    /** Establishes unit attentions on this gateway. */
    void establish(List<Notice> notices) {
        for (Notice n : notices) {
            unitAttentions.establish(n.initiatorPort, n.condition);
        }
    }

    // ---- PERSISTENT RESERVE OUT: the rules, each a function of the state ----

    /**
     * REGISTER ({@code ignoreExisting} false) or REGISTER AND IGNORE EXISTING KEY: registers, changes the key, or
     * unregisters ({@code serviceActionKey} 0) the I_T nexus; a successful one sets APTPL to {@code aptpl}.
     */
    static Change register(Image s, ItNexus nexus, long reservationKey, long serviceActionKey,
                           boolean ignoreExisting, boolean allTargetPorts, boolean aptpl) {
        Registration r = s.registrationOf(nexus);
        if (r == null) {
            if (!ignoreExisting && reservationKey != 0) {
                return Change.refused(Outcome.RESERVATION_CONFLICT);
            }
            if (serviceActionKey == 0) {
                return Change.to(s.counted(), Outcome.GOOD);
            }
            if (s.registrations.size() >= MAX_REGISTRATIONS) {
                return Change.refused(Outcome.checkCondition(SenseData.of(SenseKey.ILLEGAL_REQUEST,
                        AdditionalSense.INSUFFICIENT_REGISTRATION_RESOURCES)));
            }
            List<Registration> regs = new ArrayList<>(s.registrations);
            regs.add(new Registration(nexus.initiatorPortName(), allTargetPorts ? null : nexus.targetPortName(),
                    allTargetPorts ? 0 : nexus.relativeTargetPortId(), allTargetPorts, serviceActionKey));
            return Change.to(s.with(regs, s.reservation).withAptpl(aptpl).counted(), Outcome.GOOD);
        }
        if (!ignoreExisting && reservationKey != r.key) {
            return Change.refused(Outcome.RESERVATION_CONFLICT);
        }
        if (serviceActionKey == 0) {
            return unregister(s, r, nexus);
        }
        return Change.to(s.with(replace(s.registrations, r, r.withKey(serviceActionKey)), s.reservation)
                .withAptpl(aptpl).counted(), Outcome.GOOD);
    }

    /** RESERVE: the registered I_T nexus takes a reservation of {@code type}. */
    static Change reserve(Image s, ItNexus nexus, long reservationKey, int scope, int type) {
        Outcome invalid = checkScopeAndType(scope, type);
        if (invalid != null) {
            return Change.refused(invalid);
        }
        Registration r = s.registrationOf(nexus);
        if (r == null || r.key != reservationKey) {
            return Change.refused(Outcome.RESERVATION_CONFLICT);
        }
        if (s.reservation == null) {
            return Change.to(s.with(s.registrations,
                    new Reservation(type, nexus.initiatorPortName(), nexus.targetPortName())), Outcome.GOOD);
        }
        // Reserving again what one holds is GOOD; another type, or another holder's reservation, conflicts.
        return Change.refused(s.isHolder(nexus) && s.reservation.type == type ? Outcome.GOOD
                : Outcome.RESERVATION_CONFLICT);
    }

    /** RELEASE: the holder releases the reservation; anybody else's RELEASE changes nothing. */
    static Change release(Image s, ItNexus nexus, long reservationKey, int scope, int type) {
        Registration r = s.registrationOf(nexus);
        if (r == null || r.key != reservationKey) {
            return Change.refused(Outcome.RESERVATION_CONFLICT);
        }
        if (!s.isHolder(nexus)) {
            return Change.refused(Outcome.GOOD);
        }
        if (scope != LU_SCOPE || type != s.reservation.type) {
            return Change.refused(Outcome.checkCondition(SenseData.of(SenseKey.ILLEGAL_REQUEST,
                    AdditionalSense.INVALID_RELEASE_OF_PERSISTENT_RESERVATION)));
        }
        Reservation released = s.reservation;
        List<Notice> notices = released.type != WRITE_EXCLUSIVE && released.type != EXCLUSIVE_ACCESS
                ? notices(s.registrations, nexus, AdditionalSense.RESERVATIONS_RELEASED) : List.of();
        return new Change(Outcome.GOOD, s.with(s.registrations, null), notices, List.of());
    }

    /**
     * CLEAR: a registered I_T nexus removes every registration and the reservation. The change names the I_T
     * nexuses whose registrations went (the sender's own among them): their tasks already under way on the logical
     * unit continue, and the CLEAR completes once they have ended.
     */
    static Change clear(Image s, ItNexus nexus, long reservationKey) {
        Registration r = s.registrationOf(nexus);
        if (r == null || r.key != reservationKey) {
            return Change.refused(Outcome.RESERVATION_CONFLICT);
        }
        return new Change(Outcome.GOOD, s.with(List.of(), null).counted(),
                notices(s.registrations, nexus, AdditionalSense.RESERVATIONS_PREEMPTED), s.registrations);
    }

    /**
     * PREEMPT (or PREEMPT AND ABORT: the caller then aborts the removed nexuses' tasks): removes the registrations
     * whose key is {@code serviceActionKey} and, when that is the holder's key (or 0 under an all-registrants
     * reservation), takes over the reservation with {@code type}.
     */
    static Change preempt(Image s, ItNexus nexus, long reservationKey, long serviceActionKey, int scope, int type) {
        Outcome invalid = checkScopeAndType(scope, type);
        if (invalid != null) {
            return Change.refused(invalid);
        }
        Registration own = s.registrationOf(nexus);
        if (own == null || own.key != reservationKey) {
            return Change.refused(Outcome.RESERVATION_CONFLICT);
        }
        Reservation res = s.reservation;
        List<Registration> removed = new ArrayList<>();
        List<Registration> kept = new ArrayList<>();
        Reservation newReservation = res;
        if (res != null && res.allRegistrants() && serviceActionKey == 0) {
            // All-registrants reservation, SARK 0: every other registration goes, the sender holds the new one.
            for (Registration r : s.registrations) {
                (r == own ? kept : removed).add(r);
            }
            newReservation = new Reservation(type, nexus.initiatorPortName(), nexus.targetPortName());
        } else {
            if (serviceActionKey == 0) { // no registration has key 0, so SARK 0 can only mean a mistake
                return Change.refused(Outcome.checkCondition(Sense.invalidParameter(8, -1)));
            }
            for (Registration r : s.registrations) {
                (r != own && r.key == serviceActionKey ? removed : kept).add(r);
            }
            Registration holder = s.holderRegistration();
            boolean preemptsReservation = holder != null && holder.key == serviceActionKey;
            if (preemptsReservation) {
                newReservation = new Reservation(type, nexus.initiatorPortName(), nexus.targetPortName());
            } else if (removed.isEmpty()) {
                return Change.refused(Outcome.RESERVATION_CONFLICT);
            }
        }
        List<Notice> notices = new ArrayList<>(notices(removed, nexus, AdditionalSense.REGISTRATIONS_PREEMPTED));
        if (res != null && newReservation != res && res.type != newReservation.type) {
            notices.addAll(notices(kept, nexus, AdditionalSense.RESERVATIONS_RELEASED));
        }
        return new Change(Outcome.GOOD, s.with(kept, newReservation).counted(), List.copyOf(notices),
                List.copyOf(removed));
    }

    /**
     * REGISTER AND MOVE: registers the I_T nexus given by {@code destinationInitiatorPort} and the target port with
     * {@code destinationRelativeTargetPortId} with {@code serviceActionKey}, moves the reservation the sender holds
     * to it, and unregisters the sender when {@code unregister}; APTPL becomes {@code aptpl}.
     *
     * @param destinationInitiatorPort the initiator port name from the TransportID
     */
    static Change registerAndMove(Image s, ItNexus nexus, long reservationKey, long serviceActionKey,
                                  String destinationInitiatorPort, int destinationRelativeTargetPortId,
                                  boolean unregister, boolean aptpl) {
        Registration own = s.registrationOf(nexus);
        if (own == null || own.key != reservationKey) {
            return Change.refused(Outcome.RESERVATION_CONFLICT);
        }
        if (s.reservation != null && s.reservation.allRegistrants()) {
            return Change.refused(Outcome.checkCondition(Sense.INVALID_FIELD_IN_CDB));
        }
        if (!s.isHolder(nexus)) {
            return Change.refused(Outcome.RESERVATION_CONFLICT);
        }
        if (serviceActionKey == 0) {
            return Change.refused(Outcome.checkCondition(Sense.invalidParameter(8, -1)));
        }
        String destinationTargetPort = s.targetPorts.get(destinationRelativeTargetPortId);
        if (destinationTargetPort == null) {
            return Change.refused(Outcome.checkCondition(Sense.invalidParameter(18, -1)));
        }
        if (destinationInitiatorPort.equalsIgnoreCase(nexus.initiatorPortName())
                && Objects.equals(destinationTargetPort, nexus.targetPortName())) {
            return Change.refused(Outcome.checkCondition(Sense.invalidParameter(24, -1)));
        }
        List<Registration> regs = new ArrayList<>(s.registrations);
        Registration existing = s.registrationOf(destinationInitiatorPort, destinationTargetPort);
        Registration moved = new Registration(destinationInitiatorPort, destinationTargetPort,
                destinationRelativeTargetPortId, false, serviceActionKey);
        if (existing != null && !existing.allTargetPorts) {
            regs.set(indexOf(regs, existing), moved);
        } else {
            if (regs.size() >= MAX_REGISTRATIONS) {
                return Change.refused(Outcome.checkCondition(SenseData.of(SenseKey.ILLEGAL_REQUEST,
                        AdditionalSense.INSUFFICIENT_REGISTRATION_RESOURCES)));
            }
            regs.add(moved);
        }
        if (unregister) {
            regs.remove(indexOf(regs, own));
        }
        return Change.to(s.with(regs, new Reservation(s.reservation.type, destinationInitiatorPort,
                destinationTargetPort)).withAptpl(aptpl).counted(), Outcome.GOOD);
    }

    // ---- PERSISTENT RESERVE IN ----

    /** READ KEYS parameter data: PRGENERATION, ADDITIONAL LENGTH, one reservation key per registration. */
    static byte[] readKeys(Image s) {
        List<Registration> regs = s.registrations;
        byte[] d = new byte[8 + 8 * regs.size()];
        Bytes.putU32(d, 0, s.generation & 0xFFFF_FFFFL);
        Bytes.putU32(d, 4, 8L * regs.size());
        for (int i = 0; i < regs.size(); i++) {
            Bytes.putU64(d, 8 + 8 * i, regs.get(i).key);
        }
        return d;
    }

    /**
     * READ RESERVATION parameter data: PRGENERATION, ADDITIONAL LENGTH (0 or 16) and, while reserved, the holder's
     * reservation key (0 for the all-registrants types), SCOPE and TYPE.
     */
    static byte[] readReservation(Image s) {
        if (s.reservation == null) {
            byte[] d = new byte[8];
            Bytes.putU32(d, 0, s.generation & 0xFFFF_FFFFL);
            return d;
        }
        byte[] d = new byte[24];
        Bytes.putU32(d, 0, s.generation & 0xFFFF_FFFFL);
        Bytes.putU32(d, 4, 16);
        Registration holder = s.holderRegistration();
        Bytes.putU64(d, 8, holder == null ? 0 : holder.key);
        d[21] = (byte) ((LU_SCOPE << 4) | s.reservation.type);
        return d;
    }

    /**
     * REPORT CAPABILITIES parameter data: LENGTH 8; ATP_C (ALL_TG_PT supported); CRH and SIP_C 0; PTPL_C 1 when the
     * state is kept where it survives a restart of every gateway ({@code persistent}), with PTPL_A as the last
     * REGISTER set it, otherwise both 0; TMV with every type in the type mask; ALLOW COMMANDS 011b (TEST UNIT READY
     * passes Write Exclusive and Exclusive Access reservations, MODE SENSE, READ DEFECT DATA and the REPORT SUPPORTED
     * commands pass Write Exclusive ones).
     */
    static byte[] reportCapabilities(Image s, boolean persistent) {
        byte[] d = new byte[8];
        Bytes.putU16(d, 0, 8);       // LENGTH
        d[2] = (byte) (0x04 | (persistent ? 0x01 : 0)); // ATP_C, PTPL_C
        d[3] = (byte) (0x80 | 0x30 | (persistent && s.aptpl ? 0x01 : 0)); // TMV, ALLOW COMMANDS 011b, PTPL_A
        d[4] = (byte) 0xEA;          // WR_EX_AR, EX_AC_RO, WR_EX_RO, EX_AC, WR_EX
        d[5] = 0x01;                 // EX_AC_AR
        return d;
    }

    /**
     * READ FULL STATUS parameter data: PRGENERATION, ADDITIONAL LENGTH and one full status descriptor per
     * registration, with the holder flagged (every registration under an all-registrants reservation) and the
     * initiator port as an iSCSI TransportID.
     */
    static byte[] readFullStatus(Image s) {
        Registration holder = s.holderRegistration();
        List<byte[]> descriptors = new ArrayList<>();
        int total = 0;
        for (Registration r : s.registrations) {
            byte[] tid = transportId(r.initiatorPort);
            byte[] d = new byte[24 + tid.length];
            Bytes.putU64(d, 0, r.key);
            boolean holds = s.reservation != null && (s.reservation.allRegistrants() || r == holder);
            d[12] = (byte) ((r.allTargetPorts ? 0x02 : 0) | (holds ? 0x01 : 0)); // ALL_TG_PT, R_HOLDER
            if (holds) {
                d[13] = (byte) ((LU_SCOPE << 4) | s.reservation.type);
            }
            Bytes.putU16(d, 18, r.relativeTargetPortId);
            Bytes.putU32(d, 20, tid.length); // ADDITIONAL DESCRIPTOR LENGTH
            System.arraycopy(tid, 0, d, 24, tid.length);
            descriptors.add(d);
            total += d.length;
        }
        byte[] out = new byte[8 + total];
        Bytes.putU32(out, 0, s.generation & 0xFFFF_FFFFL);
        Bytes.putU32(out, 4, total);
        int p = 8;
        for (byte[] d : descriptors) {
            System.arraycopy(d, 0, out, p, d.length);
            p += d.length;
        }
        return out;
    }

    // ---- TransportIDs (SPC-5, iSCSI TransportID) ----

    /**
     * The iSCSI TransportID of an initiator port: format 01b (name, ",i,0x", ISID) for a port name with an ISID,
     * format 00b (name only) otherwise; null-terminated and padded to a multiple of 4, at least 20 bytes after the
     * 4-byte header.
     */
    static byte[] transportId(String initiatorPort) {
        boolean withIsid = initiatorPort.toLowerCase(Locale.ROOT).contains(ISID_SEPARATOR);
        byte[] name = initiatorPort.getBytes(StandardCharsets.UTF_8);
        int length = Math.max(20, (name.length + 1 + 3) & ~3);
        byte[] t = new byte[4 + length];
        t[0] = (byte) ((withIsid ? 0x40 : 0x00) | PROTOCOL_ISCSI);
        Bytes.putU16(t, 2, length);
        System.arraycopy(name, 0, t, 4, name.length);
        return t;
    }

    /**
     * Decodes an iSCSI TransportID naming an initiator port (format 01b) into the port name, or returns
     * {@code null} for another protocol, another format or a malformed name.
     *
     * @param b the parameter list
     * @param offset where the TransportID starts
     * @param length the bytes available to it
     */
    static String initiatorPortOf(byte[] b, int offset, int length) {
        if (length < 4 || (b[offset] & 0x0F) != PROTOCOL_ISCSI || (b[offset] & 0xC0) != 0x40) {
            return null;
        }
        int declared = ((b[offset + 2] & 0xFF) << 8) | (b[offset + 3] & 0xFF);
        int end = offset + 4 + Math.min(declared, length - 4);
        int nul = offset + 4;
        while (nul < end && b[nul] != 0) {
            nul++;
        }
        if (nul == end) {
            return null; // not null-terminated
        }
        String port = new String(b, offset + 4, nul - offset - 4, StandardCharsets.UTF_8);
        int sep = port.toLowerCase(Locale.ROOT).indexOf(ISID_SEPARATOR);
        if (sep <= 0 || sep + ISID_SEPARATOR.length() == port.length()) {
            return null;
        }
        String isid = port.substring(sep + ISID_SEPARATOR.length());
        for (int i = 0; i < isid.length(); i++) {
            if (Character.digit(isid.charAt(i), 16) < 0) {
                return null;
            }
        }
        return port;
    }

    // ---- internals ----

    /** Removes {@code r}; releases the reservation when its holder (or its last registrant) is gone. */
    private static Change unregister(Image s, Registration r, ItNexus nexus) {
        List<Registration> regs = new ArrayList<>(s.registrations);
        regs.remove(indexOf(regs, r));
        Reservation res = s.reservation;
        List<Notice> notices = List.of();
        if (res != null) {
            if (res.allRegistrants() ? regs.isEmpty() : s.holderRegistration() == r) {
                if (res.type == WRITE_EXCLUSIVE_REGISTRANTS_ONLY || res.type == EXCLUSIVE_ACCESS_REGISTRANTS_ONLY) {
                    notices = notices(regs, nexus, AdditionalSense.RESERVATIONS_RELEASED);
                }
                res = null;
            }
        }
        return new Change(Outcome.GOOD, s.with(regs, res).counted(), notices, List.of());
    }

    /** INVALID FIELD IN CDB for a SCOPE other than LU_SCOPE or an undefined TYPE, otherwise {@code null}. */
    private static Outcome checkScopeAndType(int scope, int type) {
        if (scope != LU_SCOPE) {
            return Outcome.checkCondition(Sense.invalidField(2, 7));
        }
        return switch (type) {
            case WRITE_EXCLUSIVE, EXCLUSIVE_ACCESS, WRITE_EXCLUSIVE_REGISTRANTS_ONLY,
                 EXCLUSIVE_ACCESS_REGISTRANTS_ONLY, WRITE_EXCLUSIVE_ALL_REGISTRANTS,
                 EXCLUSIVE_ACCESS_ALL_REGISTRANTS -> null;
            default -> Outcome.checkCondition(Sense.invalidField(2, 3));
        };
    }

    /** {@code condition} for the initiator ports of {@code regs}, except the sender's, each once. */
    private static List<Notice> notices(List<Registration> regs, ItNexus sender, AdditionalSense condition) {
        Set<String> ports = new LinkedHashSet<>();
        for (Registration r : regs) {
            if (!r.initiatorPort.equalsIgnoreCase(sender.initiatorPortName())) {
                ports.add(r.initiatorPort);
            }
        }
        List<Notice> out = new ArrayList<>(ports.size());
        for (String port : ports) {
            out.add(new Notice(port, condition));
        }
        return out;
    }

    private static List<Registration> replace(List<Registration> regs, Registration old, Registration now) {
        List<Registration> copy = new ArrayList<>(regs);
        copy.set(indexOf(copy, old), now);
        return copy;
    }

    private static int indexOf(List<Registration> regs, Registration r) {
        for (int i = 0; i < regs.size(); i++) {
            if (regs.get(i) == r) {
                return i;
            }
        }
        throw new IllegalStateException("registration not found");
    }

    /** The state held now. */
    Image image() {
        return image;
    }

    /** PRGENERATION (for tests). */
    int generation() {
        return image.generation;
    }
}
