package io.iscsi4j.examples;

import io.iscsi4j.core.auth.ChapAlgorithm;
import io.iscsi4j.examples.DemoOptions.Credentials;
import io.iscsi4j.examples.DemoOptions.Portal;
import io.iscsi4j.scsi.AccessState;
import io.iscsi4j.scsi.LunFeature;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What the demo serves, from the command line ({@link #of(DemoOptions)}) or a configuration file
 * ({@link DemoConfigFile#read}): portals, the port group, the state directory, discovery authentication and the
 * targets with their LUNs and ACLs, and the portal groups besides the default one. Immutable; {@code null} in an
 * optional field means "the library's default", so that {@code --print-config} writes only what was set. Equality
 * is by value: a configuration written by {@link DemoConfigFile#write} and read back is equal to the original.
 *
 * @param portals the addresses of the default portal group, at least one; each serves every target
 * @param portGroup the port group (tag of the default portal group, ALUA group), 1 to 65535
 * @param portGroupState the port group's state at start
 * @param stateDirectory where the LUNs keep their persistent reservations, or {@code null}
 * @param jmx the name the target's MBeans are registered under, or {@code null} for none
 * @param busyPoll how long a network thread keeps polling its sockets after activity before it sleeps
 *     ({@link Duration#ZERO}: it sleeps at once), or {@code null} for the library's default
 * @param ceph the Ceph client for {@link Rbd} LUNs, or {@code null} for the defaults
 * @param discovery how discovery sessions authenticate
 * @param targets the targets, at least one, names unique
 * @param portalGroups the portal groups besides the default one, in the order given; tags unique
 */
record DemoConfig(List<Portal> portals, int portGroup, AccessState portGroupState, Path stateDirectory, String jmx,
                  Duration busyPoll, Ceph ceph, Auth discovery, List<Target> targets, List<PortalGroup> portalGroups) {

    DemoConfig {
        portals = List.copyOf(portals);
        targets = List.copyOf(targets);
        portalGroups = List.copyOf(portalGroups);
        Objects.requireNonNull(portGroupState, "portGroupState");
        Objects.requireNonNull(discovery, "discovery");
    }

    /**
     * CHAP settings of a target, an ACL or discovery.
     *
     * @param chap the credentials initiators authenticate with, or {@code null} for none
     * @param mutualChap the target's credentials for mutual CHAP, or {@code null}
     * @param allowShortSecrets whether secrets shorter than 12 characters are accepted
     * @param chapAlgorithms the CHAP algorithms accepted, empty for the library's default (all of them)
     */
    record Auth(Credentials chap, Credentials mutualChap, boolean allowShortSecrets,
                Set<ChapAlgorithm> chapAlgorithms) {
        static final Auth NONE = new Auth(null, null, false);

        Auth {
            chapAlgorithms = chapAlgorithms.isEmpty() ? Set.of()
                    : java.util.Collections.unmodifiableSet(java.util.EnumSet.copyOf(chapAlgorithms));
        }

        /** Settings with every algorithm allowed. */
        Auth(Credentials chap, Credentials mutualChap, boolean allowShortSecrets) {
            this(chap, mutualChap, allowShortSecrets, Set.of());
        }
    }

    /**
     * A portal group besides the default one ({@code IscsiTarget.Builder.portalGroup}).
     *
     * @param tag the target portal group tag, 1 to 65535, not {@code portGroup}
     * @param portals its addresses, at least one
     * @param targets the names of the targets reachable through it, in the order given; empty for every target
     * @param discoveryChap the credentials discovery sessions on its portals need, or {@code null} for the
     *     target-wide discovery settings
     */
    record PortalGroup(int tag, List<Portal> portals, List<String> targets, Credentials discoveryChap) {
        PortalGroup {
            portals = List.copyOf(portals);
            targets = List.copyOf(targets);
        }
    }

    /**
     * The Ceph client RBD LUNs use.
     *
     * @param conf the configuration file, or {@code null} ({@code $CEPH_CONF}, else librados' search)
     * @param id the client id without {@code client.}, or {@code null} for {@code admin}
     */
    record Ceph(String conf, String id) {
    }

    /**
     * One target.
     *
     * @param name the iSCSI name
     * @param alias the TargetAlias, or {@code null}
     * @param auth the target-wide CHAP settings
     * @param luns the LUNs, at least one, numbers unique
     * @param acls the node ACLs in the order given; none admits every initiator
     */
    record Target(String name, String alias, Auth auth, List<Lun> luns, List<Acl> acls) {
        Target {
            luns = List.copyOf(luns);
            acls = List.copyOf(acls);
        }
    }

    /** Where a LUN's data lives. */
    sealed interface Storage permits Memory, File, Rbd {
    }

    /**
     * RAM, thin-provisioned.
     *
     * @param sizeBytes capacity in bytes
     */
    record Memory(long sizeBytes) implements Storage {
    }

    /**
     * An image file.
     *
     * @param path the image
     * @param sizeBytes created or grown to this size, 0 to use an existing file as it is
     */
    record File(Path path, long sizeBytes) implements Storage {
    }

    /**
     * A Ceph RBD image.
     *
     * @param image {@code POOL/IMAGE} or {@code POOL/NAMESPACE/IMAGE}
     * @param sharedState whether reservations and port groups are shared with other gateways through the image
     */
    record Rbd(String image, boolean sharedState) implements Storage {
    }

    /**
     * One LUN; every attribute but the number, the storage and the block size may be {@code null} (library default).
     *
     * @param lun the LUN number, 0 to 16383
     * @param storage where its data lives
     * @param blockSize the logical block size in bytes
     * @param readOnly refuse writes
     * @param writeBack report a volatile cache
     * @param serial the unit serial number
     * @param vendor INQUIRY vendor
     * @param product INQUIRY product
     * @param revision INQUIRY revision
     * @param rotationRate VPD B1h medium rotation rate
     * @param maxTransferBytes VPD B0h maximum transfer length, in bytes
     * @param optimalTransferBytes VPD B0h optimal transfer length, in bytes
     * @param maxUnmapBlocks VPD B0h maximum unmap LBA count
     * @param disable optional commands not served, empty for none
     * @param backstoreTimeout the bound on each backstore call
     * @param physicalBlockSize the physical block size reported, in bytes
     * @param softThreshold the thin-provisioning soft threshold, 1 to 99 percent of the capacity
     */
    record Lun(int lun, Storage storage, int blockSize, Boolean readOnly, Boolean writeBack, String serial,
               String vendor, String product, String revision, Integer rotationRate, Integer maxTransferBytes,
               Integer optimalTransferBytes, Long maxUnmapBlocks, Set<LunFeature> disable, Duration backstoreTimeout,
               Integer physicalBlockSize, Integer softThreshold) {
        Lun {
            Objects.requireNonNull(storage, "storage");
            disable = Set.copyOf(disable);
        }

        static Lun of(int lun, Storage storage, int blockSize, Boolean readOnly) {
            return new Lun(lun, storage, blockSize, readOnly, null, null, null, null, null, null, null, null, null,
                    Set.of(), null, null, null);
        }
    }

    /**
     * A node ACL.
     *
     * @param initiator the initiator name or pattern ({@code *}, {@code ?})
     * @param auth its own CHAP settings ({@code allowShortSecrets} is the target's)
     * @param readOnly every LUN it sees is read-only to it
     * @param map mapped LUN to target LUN, in the order given; empty: every LUN under its own number
     * @param readOnlyLuns the mapped LUNs that are read-only to it, each a key of {@code map}
     */
    record Acl(String initiator, Auth auth, boolean readOnly, Map<Integer, Integer> map, Set<Integer> readOnlyLuns) {
        Acl {
            map = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(map));
            readOnlyLuns = Set.copyOf(readOnlyLuns);
        }
    }

    /** The configuration the command-line options describe: one target, as {@code DemoTarget} always served. */
    static DemoConfig of(DemoOptions o) {
        List<Lun> luns = new ArrayList<>();
        Boolean readOnly = o.readOnly() ? Boolean.TRUE : null;
        Ceph ceph = null;
        if (o.rbd() != null) {
            for (int i = 0; i < o.rbd().images().size(); i++) {
                luns.add(Lun.of(i, new Rbd(o.rbd().images().get(i), o.rbd().sharedState()), o.blockSize(), readOnly));
            }
            ceph = new Ceph(o.rbd().conf(), o.rbd().id());
        } else if (o.file() != null) {
            luns.add(Lun.of(0, new File(o.file(), o.sizeBytes()), o.blockSize(), readOnly));
        } else {
            for (int i = 0; i < o.luns(); i++) {
                luns.add(Lun.of(i, new Memory(o.sizeBytes()), o.blockSize(), readOnly));
            }
        }
        List<Acl> acls = new ArrayList<>();
        for (String initiator : o.allow()) {
            acls.add(new Acl(initiator, Auth.NONE, false, Map.of(), Set.of()));
        }
        Auth auth = new Auth(o.chap(), o.mutualChap(), o.allowShortSecrets());
        return new DemoConfig(o.portals(), o.aluaGroup(), o.aluaState(), o.stateDir(), null, o.busyPoll(), ceph,
                Auth.NONE, List.of(new Target(o.iqn(), DemoTarget.PROGRAM, auth, luns, acls)), List.of());
    }
}
