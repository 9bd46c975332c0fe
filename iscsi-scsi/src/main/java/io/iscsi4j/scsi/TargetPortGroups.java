package io.iscsi4j.scsi;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asymmetric logical unit access (ALUA, SPC-5 §5.16), implicit only, as one target (one gateway) sees it: its own
 * target port group, with one {@linkplain AccessState asymmetric access state} for every logical unit it serves, and
 * the other groups (the peers: other gateways serving the same logical units) with the states the host application
 * reports for them. INQUIRY reports TPGS 01b (implicit ALUA); REPORT TARGET PORT GROUPS lists the own group and the
 * peers in ascending order of their ids; the dispatcher refuses what the own group's state does not allow.
 *
 * <p>Each group has one target port, whose relative target port identifier equals the group's id, so a group id is at
 * once a target port group and a relative target port (an iSCSI transport also uses it as its target portal group
 * tag). Ids are 1 to 65535.
 *
 * <p>A change ({@link #state(AccessState)}, {@link #peer}, {@link #removePeer}) that alters what REPORT TARGET PORT
 * GROUPS returns is passed to the {@linkplain #addListener listeners}; the owner of the {@link ScsiDispatcher}s
 * calls {@link ScsiDispatcher#accessStateChanged()} from one, so that every I_T nexus of every logical unit gets a
 * unit attention, ASYMMETRIC ACCESS STATE CHANGED (2Ah/06h). Setting a group to the state it is in changes nothing.
 * The REPORT TARGET PORT GROUPS status code of a group becomes 02h (altered by implicit behaviour) once its state was
 * changed, and stays so.
 *
 * <p>Thread-safe. Changes are applied one at a time; the listeners run on the thread that made the change, after it
 * took effect and before the method returns, in registration order. Commands read the own state with one volatile
 * read.
 *
 * @since 0.1
 */
public final class TargetPortGroups {

    /** The group id of a target that was not given one. */
    public static final int DEFAULT_ID = 1;
    /** The largest group id (and relative target port identifier). */
    public static final int MAX_ID = 0xFFFF;
    /**
     * The IMPLICIT TRANSITION TIME reported by REPORT TARGET PORT GROUPS with the extended header, in seconds: how long
     * an initiator should allow a group to stay {@linkplain AccessState#TRANSITIONING transitioning} before it gives up
     * on the path (Linux retries commands that meet the transition for this long). 60 s, what Linux assumes when
     * the extended header is not returned, so both formats lead to the same wait. A host application that sets a
     * group transitioning should set its next state within that time.
     */
    public static final int IMPLICIT_TRANSITION_SECONDS = 60;

    /** Receives the changes of the groups' states. */
    @FunctionalInterface
    public interface Listener {

        /**
         * A group's state changed, a peer was added, or a peer was removed.
         *
         * @param groupId the group
         * @param state its state now, or {@code null} when the peer was removed
         */
        void changed(int groupId, AccessState state);
    }

    private static final Logger LOG = LoggerFactory.getLogger(TargetPortGroups.class);

    /** ASYMMETRIC ACCESS STATE support bits: T_SUP, U_SUP, S_SUP, AN_SUP, AO_SUP (not O_SUP, LBD_SUP). */
    static final int SUPPORTED_STATES = 0x80 | 0x08 | 0x04 | 0x02 | 0x01;
    /** STATUS CODE 02h: the state was altered by implicit asymmetric logical unit access behaviour. */
    static final int STATUS_ALTERED_BY_IMPLICIT_BEHAVIOUR = 0x02;
    /** Length of a target port group descriptor with its one target port descriptor. */
    static final int DESCRIPTOR_LENGTH = 8 + 4;

    /** One group as REPORT TARGET PORT GROUPS reports it. */
    private record Group(int id, AccessState state, boolean altered) {
    }

    /** The own group's state and every group in ascending id order (own included); immutable. */
    private static final class Snapshot {
        final AccessState state;
        final Group[] groups;

        Snapshot(AccessState state, Group[] groups) {
            this.state = state;
            this.groups = groups;
        }
    }

    private final int id;
    /** The relative target port identifiers of the own group's ports, ascending; the group's id alone by default. */
    private volatile int[] ownPorts;
    private volatile Snapshot current;
    private final Object changes = new Object();
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();

    /**
     * Creates the groups of a target whose own group is {@code id}, active/optimized, without peers.
     *
     * @param id the own group's id, 1 to 65535
     * @throws IllegalArgumentException when {@code id} is out of range
     */
    public TargetPortGroups(int id) {
        this.id = checkId(id);
        this.ownPorts = new int[] {id};
        this.current = new Snapshot(AccessState.ACTIVE_OPTIMIZED,
                new Group[] {new Group(id, AccessState.ACTIVE_OPTIMIZED, false)});
    }

    /**
     * Sets the target ports of the own group, when this target has several (an iSCSI target with several portal
     * groups has one SCSI target port per group, identified by the group's tag): REPORT TARGET PORT GROUPS lists
     * them all in the own group's descriptor. By default the own group has one port, whose relative target port
     * identifier is the group's id.
     *
     * @param relativeTargetPortIds the ports' relative target port identifiers, 1 to 65535, at least one
     * @since 0.2
     */
    public void ownTargetPorts(java.util.Collection<Integer> relativeTargetPortIds) {
        int[] ports = relativeTargetPortIds.stream().mapToInt(Integer::intValue).map(TargetPortGroups::checkId)
                .distinct().sorted().toArray();
        if (ports.length == 0 || ports.length > 255) {
            throw new IllegalArgumentException("the own group needs 1 to 255 target ports: " + ports.length);
        }
        this.ownPorts = ports;
    }

    /** {@return the own group's id: also its one target port's relative target port identifier} */
    public int id() {
        return id;
    }

    /** {@return the own group's state now} */
    public AccessState state() {
        return current.state;
    }

    /**
     * Sets the own group's state: every logical unit served through this group takes it from the next command on.
     *
     * @param state the new state
     */
    public void state(AccessState state) {
        Objects.requireNonNull(state, "state");
        synchronized (changes) {
            if (put(id, state)) {
                changed(id, state);
            }
        }
    }

    /**
     * Adds another group (another gateway serving the same logical units), or changes its state, for REPORT TARGET
     * PORT GROUPS to report.
     *
     * @param groupId the group's id, 1 to 65535, not {@link #id()}
     * @param state its state
     * @throws IllegalArgumentException when {@code groupId} is out of range or the own group's id
     */
    public void peer(int groupId, AccessState state) {
        checkPeer(groupId);
        Objects.requireNonNull(state, "state");
        synchronized (changes) {
            if (put(groupId, state)) {
                changed(groupId, state);
            }
        }
    }

    /**
     * Removes another group.
     *
     * @param groupId the group's id
     * @return {@code false} when there was no such peer
     * @throws IllegalArgumentException when {@code groupId} is out of range or the own group's id
     */
    public boolean removePeer(int groupId) {
        checkPeer(groupId);
        synchronized (changes) {
            Snapshot s = current;
            List<Group> groups = new ArrayList<>(Arrays.asList(s.groups));
            if (!groups.removeIf(g -> g.id == groupId)) {
                return false;
            }
            current = new Snapshot(s.state, groups.toArray(Group[]::new));
            changed(groupId, null);
            return true;
        }
    }

    /** {@return the other groups and their states, in ascending id order (a snapshot)} */
    public Map<Integer, AccessState> peers() {
        Map<Integer, AccessState> m = new LinkedHashMap<>();
        for (Group g : current.groups) {
            if (g.id != id) {
                m.put(g.id, g.state);
            }
        }
        return Collections.unmodifiableMap(m);
    }

    /**
     * Registers a listener for every later change.
     *
     * @param listener runs on the thread that made a change, before the change method returns; must not block. An
     *     exception it throws is logged and does not keep the other listeners from running
     */
    public void addListener(Listener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /**
     * Unregisters a listener.
     *
     * @param listener a listener passed to {@link #addListener}
     * @return {@code false} when it was not registered
     */
    public boolean removeListener(Listener listener) {
        return listeners.remove(listener);
    }

    /**
     * The REPORT TARGET PORT GROUPS parameter data (SPC-5 §6.37.2): a header, then one target port group descriptor
     * per group in ascending id order, each with one target port descriptor.
     *
     * @param extended the extended header (PARAMETER DATA FORMAT 001b) rather than the length-only one (000b)
     */
    byte[] report(boolean extended) {
        Group[] groups = current.groups;
        int[] own = ownPorts;
        int header = extended ? 8 : 4;
        byte[] d = new byte[header + groups.length * DESCRIPTOR_LENGTH + (own.length - 1) * 4];
        Bytes.putU32(d, 0, d.length - 4L);                     // RETURN DATA LENGTH
        if (extended) {
            d[4] = 0x10;                                        // FORMAT TYPE 001b
            d[5] = (byte) IMPLICIT_TRANSITION_SECONDS;          // IMPLICIT TRANSITION TIME
        }
        int p = header;
        for (Group g : groups) {
            d[p] = (byte) g.state.code();                       // PREF 0, ASYMMETRIC ACCESS STATE
            d[p + 1] = (byte) SUPPORTED_STATES;
            Bytes.putU16(d, p + 2, g.id);                       // TARGET PORT GROUP
            d[p + 5] = (byte) (g.altered ? STATUS_ALTERED_BY_IMPLICIT_BEHAVIOUR : 0); // STATUS CODE
            int[] ports = g.id == id ? own : new int[] {g.id};
            d[p + 7] = (byte) ports.length;                     // TARGET PORT COUNT
            p += 8;
            for (int port : ports) {
                Bytes.putU16(d, p + 2, port);                   // RELATIVE TARGET PORT IDENTIFIER
                p += 4;
            }
        }
        return d;
    }

    /** Sets a group's state (adding the group if it is new); whether anything changed. Holds {@link #changes}. */
    private boolean put(int groupId, AccessState state) {
        Snapshot s = current;
        List<Group> groups = new ArrayList<>(Arrays.asList(s.groups));
        int i = 0;
        while (i < groups.size() && groups.get(i).id < groupId) {
            i++;
        }
        AccessState before = null;
        if (i < groups.size() && groups.get(i).id == groupId) {
            before = groups.get(i).state;
            if (before == state) {
                return false;
            }
            groups.set(i, new Group(groupId, state, true));
        } else {
            groups.add(i, new Group(groupId, state, false));
        }
        current = new Snapshot(groupId == id ? state : s.state, groups.toArray(Group[]::new));
        LOG.info("target port group {}{}: {}", groupId, groupId == id ? "" : " (peer)",
                before == null ? "added, " + describe(state) : describe(before) + " -> " + describe(state));
        return true;
    }

    /** Tells the listeners. Holds {@link #changes}, so they see the changes in the order they were made. */
    private void changed(int groupId, AccessState state) {
        if (state == null) {
            LOG.info("target port group {} (peer): removed", groupId);
        }
        for (Listener l : listeners) {
            try {
                l.changed(groupId, state);
            } catch (RuntimeException e) {
                LOG.warn("a target port group listener failed", e);
            }
        }
    }

    private static String describe(AccessState state) {
        return state.name().toLowerCase(Locale.ROOT).replace('_', ' ');
    }

    private void checkPeer(int groupId) {
        checkId(groupId);
        if (groupId == id) {
            throw new IllegalArgumentException("group " + groupId + " is this target's own group, not a peer");
        }
    }

    private static int checkId(int groupId) {
        if (groupId < 1 || groupId > MAX_ID) {
            throw new IllegalArgumentException("target port group id must be 1 to " + MAX_ID + ": " + groupId);
        }
        return groupId;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("TargetPortGroups[");
        Group[] groups = current.groups;
        for (int i = 0; i < groups.length; i++) {
            b.append(i == 0 ? "" : ", ").append(groups[i].id).append(groups[i].id == id ? "*" : "").append('=')
                    .append(groups[i].state);
        }
        return b.append(']').toString();
    }
}
