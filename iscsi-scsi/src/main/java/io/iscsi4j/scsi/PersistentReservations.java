package io.iscsi4j.scsi;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

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
 * Persistence through power loss is not offered (PTPL_C 0): APTPL set to one is INVALID FIELD IN PARAMETER LIST, and
 * nothing outlives the logical unit object.
 *
 * <p><b>Unit attentions</b> go to the initiator ports of the registrations concerned, except the port the command
 * came from: RESERVATIONS PREEMPTED (CLEAR, and PREEMPT of the holder), REGISTRATIONS PREEMPTED (the registrations
 * PREEMPT removes), RESERVATIONS RELEASED (RELEASE of a registrants-only or all-registrants reservation, the
 * registrants-only holder unregistering, PREEMPT changing the type).
 *
 * <p>Thread-safety: changes are serialised on this object; {@link #conflicts} reads an immutable snapshot without
 * locking, so the data path pays one volatile read while nothing is registered.
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

    /** An immutable snapshot: the registrations in registration order, and the reservation or {@code null}. */
    private record State(List<Registration> registrations, Reservation reservation) {

        static final State EMPTY = new State(List.of(), null);

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
    }

    /** The outcome of a PREEMPT, PREEMPT AND ABORT or CLEAR, with the registrations it removed. */
    record Removal(Outcome outcome, List<Registration> removed) {

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

    private final UnitAttentions unitAttentions;
    private volatile State state = State.EMPTY;
    /** PRGENERATION; guarded by {@code this}. */
    private int generation;
    /** Target ports seen, by relative target port identifier (for REGISTER AND MOVE); guarded by {@code this}. */
    private final Map<Integer, String> targetPorts = new HashMap<>();

    PersistentReservations(UnitAttentions unitAttentions) {
        this.unitAttentions = unitAttentions;
    }

    // ---- the data path ----

    /**
     * Whether a command of access class {@code access} (resolved, see {@link ReservationAccess#resolve}) from
     * {@code nexus} conflicts with the persistent reservation state.
     */
    boolean conflicts(ItNexus nexus, ReservationAccess access) {
        State s = state;
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
        return !state.registrations.isEmpty();
    }

    // ---- PERSISTENT RESERVE OUT ----

    /**
     * REGISTER ({@code ignoreExisting} false) or REGISTER AND IGNORE EXISTING KEY: registers, changes the key, or
     * unregisters ({@code serviceActionKey} 0) the I_T nexus.
     */
    synchronized Outcome register(ItNexus nexus, long reservationKey, long serviceActionKey, boolean ignoreExisting,
                                  boolean allTargetPorts) {
        learn(nexus);
        State s = state;
        Registration r = s.registrationOf(nexus);
        if (r == null) {
            if (!ignoreExisting && reservationKey != 0) {
                return Outcome.RESERVATION_CONFLICT;
            }
            if (serviceActionKey != 0) {
                if (s.registrations.size() >= MAX_REGISTRATIONS) {
                    return Outcome.checkCondition(SenseData.of(SenseKey.ILLEGAL_REQUEST,
                            AdditionalSense.INSUFFICIENT_REGISTRATION_RESOURCES));
                }
                List<Registration> regs = new ArrayList<>(s.registrations);
                regs.add(new Registration(nexus.initiatorPortName(), allTargetPorts ? null : nexus.targetPortName(),
                        allTargetPorts ? 0 : nexus.relativeTargetPortId(), allTargetPorts, serviceActionKey));
                state = new State(List.copyOf(regs), s.reservation);
            }
            generation++;
            return Outcome.GOOD;
        }
        if (!ignoreExisting && reservationKey != r.key) {
            return Outcome.RESERVATION_CONFLICT;
        }
        if (serviceActionKey == 0) {
            unregister(s, r, nexus);
        } else {
            state = new State(replace(s.registrations, r, r.withKey(serviceActionKey)), s.reservation);
        }
        generation++;
        return Outcome.GOOD;
    }

    /** RESERVE: the registered I_T nexus takes a reservation of {@code type}. */
    synchronized Outcome reserve(ItNexus nexus, long reservationKey, int scope, int type) {
        learn(nexus);
        Outcome invalid = checkScopeAndType(scope, type);
        if (invalid != null) {
            return invalid;
        }
        State s = state;
        Registration r = s.registrationOf(nexus);
        if (r == null || r.key != reservationKey) {
            return Outcome.RESERVATION_CONFLICT;
        }
        if (s.reservation == null) {
            state = new State(s.registrations,
                    new Reservation(type, nexus.initiatorPortName(), nexus.targetPortName()));
            return Outcome.GOOD;
        }
        // Reserving again what one holds is GOOD; another type, or another holder's reservation, conflicts.
        return s.isHolder(nexus) && s.reservation.type == type ? Outcome.GOOD : Outcome.RESERVATION_CONFLICT;
    }

    /** RELEASE: the holder releases the reservation; anybody else's RELEASE changes nothing. */
    synchronized Outcome release(ItNexus nexus, long reservationKey, int scope, int type) {
        learn(nexus);
        State s = state;
        Registration r = s.registrationOf(nexus);
        if (r == null || r.key != reservationKey) {
            return Outcome.RESERVATION_CONFLICT;
        }
        if (!s.isHolder(nexus)) {
            return Outcome.GOOD;
        }
        if (scope != LU_SCOPE || type != s.reservation.type) {
            return Outcome.checkCondition(SenseData.of(SenseKey.ILLEGAL_REQUEST,
                    AdditionalSense.INVALID_RELEASE_OF_PERSISTENT_RESERVATION));
        }
        Reservation released = s.reservation;
        state = new State(s.registrations, null);
        if (released.type != WRITE_EXCLUSIVE && released.type != EXCLUSIVE_ACCESS) {
            notify(s.registrations, nexus, AdditionalSense.RESERVATIONS_RELEASED);
        }
        return Outcome.GOOD;
    }

    /**
     * CLEAR: a registered I_T nexus removes every registration and the reservation. The result names the I_T
     * nexuses whose registrations went (the sender's own among them): their tasks already under way on the logical
     * unit continue, and the CLEAR completes once they have ended.
     */
    synchronized Removal clear(ItNexus nexus, long reservationKey) {
        learn(nexus);
        State s = state;
        Registration r = s.registrationOf(nexus);
        if (r == null || r.key != reservationKey) {
            return new Removal(Outcome.RESERVATION_CONFLICT, List.of());
        }
        state = State.EMPTY;
        notify(s.registrations, nexus, AdditionalSense.RESERVATIONS_PREEMPTED);
        generation++;
        return new Removal(Outcome.GOOD, List.copyOf(s.registrations));
    }

    /**
     * PREEMPT (or PREEMPT AND ABORT: the caller then aborts the removed nexuses' tasks): removes the registrations
     * whose key is {@code serviceActionKey} and, when that is the holder's key (or 0 under an all-registrants
     * reservation), takes over the reservation with {@code type}.
     */
    Removal preempt(ItNexus nexus, long reservationKey, long serviceActionKey, int scope, int type) {
        return preemptLocked(nexus, reservationKey, serviceActionKey, scope, type);
    }

    private synchronized Removal preemptLocked(ItNexus nexus, long reservationKey, long serviceActionKey,
                                                  int scope, int type) {
        learn(nexus);
        Outcome invalid = checkScopeAndType(scope, type);
        if (invalid != null) {
            return new Removal(invalid, List.of());
        }
        State s = state;
        Registration own = s.registrationOf(nexus);
        if (own == null || own.key != reservationKey) {
            return new Removal(Outcome.RESERVATION_CONFLICT, List.of());
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
                return new Removal(Outcome.checkCondition(Sense.invalidParameter(8, -1)), List.of());
            }
            for (Registration r : s.registrations) {
                (r != own && r.key == serviceActionKey ? removed : kept).add(r);
            }
            Registration holder = s.holderRegistration();
            boolean preemptsReservation = holder != null && holder.key == serviceActionKey;
            if (preemptsReservation) {
                newReservation = new Reservation(type, nexus.initiatorPortName(), nexus.targetPortName());
            } else if (removed.isEmpty()) {
                return new Removal(Outcome.RESERVATION_CONFLICT, List.of());
            }
        }
        state = new State(List.copyOf(kept), newReservation);
        notify(removed, nexus, AdditionalSense.REGISTRATIONS_PREEMPTED);
        if (res != null && newReservation != res && res.type != newReservation.type) {
            notify(kept, nexus, AdditionalSense.RESERVATIONS_RELEASED);
        }
        generation++;
        return new Removal(Outcome.GOOD, List.copyOf(removed));
    }

    /**
     * REGISTER AND MOVE: registers the I_T nexus given by {@code destinationInitiatorPort} and the target port with
     * {@code destinationRelativeTargetPortId} with {@code serviceActionKey}, moves the reservation the sender holds
     * to it, and unregisters the sender when {@code unregister}.
     *
     * @param destinationInitiatorPort the initiator port name from the TransportID
     */
    synchronized Outcome registerAndMove(ItNexus nexus, long reservationKey, long serviceActionKey,
                                         String destinationInitiatorPort, int destinationRelativeTargetPortId,
                                         boolean unregister) {
        learn(nexus);
        State s = state;
        Registration own = s.registrationOf(nexus);
        if (own == null || own.key != reservationKey) {
            return Outcome.RESERVATION_CONFLICT;
        }
        if (s.reservation != null && s.reservation.allRegistrants()) {
            return Outcome.checkCondition(Sense.INVALID_FIELD_IN_CDB);
        }
        if (!s.isHolder(nexus)) {
            return Outcome.RESERVATION_CONFLICT;
        }
        if (serviceActionKey == 0) {
            return Outcome.checkCondition(Sense.invalidParameter(8, -1));
        }
        String destinationTargetPort = targetPorts.get(destinationRelativeTargetPortId);
        if (destinationTargetPort == null) {
            return Outcome.checkCondition(Sense.invalidParameter(18, -1));
        }
        if (destinationInitiatorPort.equalsIgnoreCase(nexus.initiatorPortName())
                && Objects.equals(destinationTargetPort, nexus.targetPortName())) {
            return Outcome.checkCondition(Sense.invalidParameter(24, -1));
        }
        List<Registration> regs = new ArrayList<>(s.registrations);
        Registration existing = s.registrationOf(destinationInitiatorPort, destinationTargetPort);
        Registration moved = new Registration(destinationInitiatorPort, destinationTargetPort,
                destinationRelativeTargetPortId, false, serviceActionKey);
        if (existing != null && !existing.allTargetPorts) {
            regs.set(indexOf(regs, existing), moved);
        } else {
            if (regs.size() >= MAX_REGISTRATIONS) {
                return Outcome.checkCondition(SenseData.of(SenseKey.ILLEGAL_REQUEST,
                        AdditionalSense.INSUFFICIENT_REGISTRATION_RESOURCES));
            }
            regs.add(moved);
        }
        if (unregister) {
            regs.remove(indexOf(regs, own));
        }
        state = new State(List.copyOf(regs),
                new Reservation(s.reservation.type, destinationInitiatorPort, destinationTargetPort));
        generation++;
        return Outcome.GOOD;
    }

    // ---- PERSISTENT RESERVE IN ----

    /** READ KEYS parameter data: PRGENERATION, ADDITIONAL LENGTH, one reservation key per registration. */
    synchronized byte[] readKeys() {
        List<Registration> regs = state.registrations;
        byte[] d = new byte[8 + 8 * regs.size()];
        Bytes.putU32(d, 0, generation & 0xFFFF_FFFFL);
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
    synchronized byte[] readReservation() {
        State s = state;
        if (s.reservation == null) {
            byte[] d = new byte[8];
            Bytes.putU32(d, 0, generation & 0xFFFF_FFFFL);
            return d;
        }
        byte[] d = new byte[24];
        Bytes.putU32(d, 0, generation & 0xFFFF_FFFFL);
        Bytes.putU32(d, 4, 16);
        Registration holder = s.holderRegistration();
        Bytes.putU64(d, 8, holder == null ? 0 : holder.key);
        d[21] = (byte) ((LU_SCOPE << 4) | s.reservation.type);
        return d;
    }

    /**
     * REPORT CAPABILITIES parameter data: LENGTH 8; ATP_C (ALL_TG_PT supported); CRH, SIP_C, PTPL_C and PTPL_A 0;
     * TMV with every type in the type mask; ALLOW COMMANDS 011b (TEST UNIT READY passes Write Exclusive and
     * Exclusive Access reservations, MODE SENSE, READ DEFECT DATA and the REPORT SUPPORTED commands pass Write
     * Exclusive ones).
     */
    static byte[] reportCapabilities() {
        byte[] d = new byte[8];
        Bytes.putU16(d, 0, 8);       // LENGTH
        d[2] = 0x04;                 // ATP_C
        d[3] = (byte) (0x80 | 0x30); // TMV, ALLOW COMMANDS 011b
        d[4] = (byte) 0xEA;          // WR_EX_AR, EX_AC_RO, WR_EX_RO, EX_AC, WR_EX
        d[5] = 0x01;                 // EX_AC_AR
        return d;
    }

    /**
     * READ FULL STATUS parameter data: PRGENERATION, ADDITIONAL LENGTH and one full status descriptor per
     * registration, with the holder flagged (every registration under an all-registrants reservation) and the
     * initiator port as an iSCSI TransportID.
     */
    synchronized byte[] readFullStatus() {
        State s = state;
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
        Bytes.putU32(out, 0, generation & 0xFFFF_FFFFL);
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
    private void unregister(State s, Registration r, ItNexus nexus) {
        List<Registration> regs = new ArrayList<>(s.registrations);
        regs.remove(indexOf(regs, r));
        Reservation res = s.reservation;
        if (res != null) {
            if (res.allRegistrants() ? regs.isEmpty() : s.holderRegistration() == r) {
                if (res.type == WRITE_EXCLUSIVE_REGISTRANTS_ONLY || res.type == EXCLUSIVE_ACCESS_REGISTRANTS_ONLY) {
                    notify(regs, nexus, AdditionalSense.RESERVATIONS_RELEASED);
                }
                res = null;
            }
        }
        state = new State(List.copyOf(regs), res);
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

    /** Establishes {@code condition} for the initiator ports of {@code regs}, except the sender's. */
    private void notify(List<Registration> regs, ItNexus sender, AdditionalSense condition) {
        Set<String> ports = new LinkedHashSet<>();
        for (Registration r : regs) {
            if (!r.initiatorPort.equalsIgnoreCase(sender.initiatorPortName())) {
                ports.add(r.initiatorPort);
            }
        }
        for (String port : ports) {
            unitAttentions.establish(port, condition);
        }
    }

    private void learn(ItNexus nexus) {
        if (nexus.targetPortName() != null) {
            targetPorts.putIfAbsent(nexus.relativeTargetPortId(), nexus.targetPortName());
        }
    }

    private static List<Registration> replace(List<Registration> regs, Registration old, Registration now) {
        List<Registration> copy = new ArrayList<>(regs);
        copy.set(indexOf(copy, old), now);
        return List.copyOf(copy);
    }

    private static int indexOf(List<Registration> regs, Registration r) {
        for (int i = 0; i < regs.size(); i++) {
            if (regs.get(i) == r) {
                return i;
            }
        }
        throw new IllegalStateException("registration not found");
    }

    /** PRGENERATION (for tests). */
    synchronized int generation() {
        return generation;
    }
}
