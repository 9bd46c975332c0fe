package io.iscsi4j.it;

import io.iscsi4j.IscsiTarget;
import io.iscsi4j.backstore.Backstore;
import io.iscsi4j.backstore.Backstores;
import io.iscsi4j.backstore.ForwardingBackstore;
import io.iscsi4j.backstore.InProcessSharedState;
import io.iscsi4j.backstore.SharedState;
import io.iscsi4j.scsi.AccessState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Two gateways in one JVM serving the same storage, port groups 1 and 2: two paths to one device for a multipath
 * initiator, each its own SCSI target port and ALUA target port group (implicit ALUA, SPC-5 §5.16).
 */
@Timeout(60)
class PortGroupsTest {

    private static final String SERIAL = "shared-lun-0";
    private static final int NOT_READY = 2;
    private static final int UNIT_ATTENTION = 6;

    /** Storage both gateways serve; neither closes it (the test does). */
    private static final class Shared extends ForwardingBackstore {
        Shared(Backstore storage) {
            super(storage);
        }

        @Override
        public void close() {
        }
    }

    private static IscsiTarget gateway(Backstore storage, int group) throws IOException {
        return IscsiTarget.builder()
                .portal("127.0.0.1", 0)
                .portGroup(group)
                .target(Targets.IQN, t -> t.lun(0, new Shared(storage), o -> o.serial(SERIAL)))
                .eventLoopThreads(1)
                .ioThreads(1)
                .build()
                .start();
    }

    @Test
    void eachGatewayIsItsOwnTargetPortAndGroup() throws Exception {
        try (Backstore storage = Backstores.memory(Targets.LUN_SIZE);
             IscsiTarget one = gateway(storage, 1);
             IscsiTarget two = gateway(storage, 2);
             TestInitiator a = TestInitiator.connect(one.localAddress());
             TestInitiator b = TestInitiator.connect(two.localAddress())) {
            Map<String, String> keysOne = a.login(TestInitiator.INITIATOR_NAME, Targets.IQN, Map.of());
            b.useIsidOf(a); // the same initiator port on both paths: only the target ports differ
            Map<String, String> keysTwo = b.login(TestInitiator.INITIATOR_NAME, Targets.IQN, Map.of());

            assertThat(keysOne).containsEntry("TargetPortalGroupTag", "1");
            assertThat(keysTwo).containsEntry("TargetPortalGroupTag", "2");
            Designators viaOne = Designators.of(a);
            Designators viaTwo = Designators.of(b);
            assertThat(viaOne.relativeTargetPort).isEqualTo(1);
            assertThat(viaOne.targetPortGroup).isEqualTo(1);
            assertThat(viaOne.targetPortName).isEqualTo(Targets.IQN + ",t,0x0001");
            assertThat(viaTwo.relativeTargetPort).isEqualTo(2);
            assertThat(viaTwo.targetPortGroup).isEqualTo(2);
            assertThat(viaTwo.targetPortName).isEqualTo(Targets.IQN + ",t,0x0002");
            assertThat(viaTwo.naa).as("one device behind both paths").isEqualTo(viaOne.naa);
            assertThat(tpgs(a)).isEqualTo(0b01);

            byte[] data = Targets.pattern(512, 7);
            assertThat(a.execute(0, write10(5), 0, data).good()).isTrue();
            assertThat(b.execute(0, read10(5), 512, null).data()).as("the same storage").isEqualTo(data);
        }
    }

    @Test
    void sendTargetsGivesTheGroupAsPortalGroupTag() throws Exception {
        try (Backstore storage = Backstores.memory(Targets.LUN_SIZE);
             IscsiTarget two = gateway(storage, 2);
             TestInitiator d = TestInitiator.connect(two.localAddress())) {
            d.loginDiscovery(TestInitiator.INITIATOR_NAME, Map.of());

            assertThat(d.sendTargets()).containsExactly(new TestInitiator.DiscoveredTarget(Targets.IQN,
                    List.of("127.0.0.1:" + two.localAddress().getPort() + ",2")));
        }
    }

    @Test
    void standbyMovesInitiatorsToTheOtherPathAndBack() throws Exception {
        try (Backstore storage = Backstores.memory(Targets.LUN_SIZE);
             IscsiTarget one = gateway(storage, 1);
             IscsiTarget two = gateway(storage, 2);
             TestInitiator a = TestInitiator.connect(one.localAddress());
             TestInitiator b = TestInitiator.connect(two.localAddress())) {
            a.login(TestInitiator.INITIATOR_NAME, Targets.IQN, Map.of());
            b.useIsidOf(a);
            b.login(TestInitiator.INITIATOR_NAME, Targets.IQN, Map.of());
            one.portGroups().peer(2, AccessState.ACTIVE_OPTIMIZED);
            two.portGroups().peer(1, AccessState.ACTIVE_OPTIMIZED);
            assertThat(a.execute(0, read10(0), 512, null).good()).as("no session had used the LUN").isTrue();
            assertThat(b.execute(0, read10(0), 512, null).good()).isTrue();
            assertThat(groups(a)).containsExactly(new int[] {1, 0x0, 0}, new int[] {2, 0x0, 0});
            assertThat(groups(b)).containsExactly(new int[] {1, 0x0, 0}, new int[] {2, 0x0, 0});

            // The application moves gateway 2 to standby and tells gateway 1.
            two.portGroups().state(AccessState.STANDBY);
            one.portGroups().peer(2, AccessState.STANDBY);

            assertSense(b.execute(0, read10(0), 512, null), UNIT_ATTENTION, 0x2A, 0x06);
            assertSense(b.execute(0, read10(0), 512, null), NOT_READY, 0x04, 0x0B);
            assertSense(b.execute(0, new byte[6], 0, null), NOT_READY, 0x04, 0x0B);
            assertThat(groups(b)).as("REPORT TARGET PORT GROUPS still answers on the standby path")
                    .containsExactly(new int[] {1, 0x0, 0}, new int[] {2, 0x2, 0x02});
            assertSense(a.execute(0, read10(0), 512, null), UNIT_ATTENTION, 0x2A, 0x06);
            assertThat(a.execute(0, read10(0), 512, null).good()).as("the other path reads on").isTrue();
            assertThat(groups(a)).containsExactly(new int[] {1, 0x0, 0}, new int[] {2, 0x2, 0x02});

            two.portGroups().state(AccessState.ACTIVE_OPTIMIZED);
            one.portGroups().peer(2, AccessState.ACTIVE_OPTIMIZED);

            assertSense(b.execute(0, read10(0), 512, null), UNIT_ATTENTION, 0x2A, 0x06);
            assertThat(b.execute(0, read10(0), 512, null).good()).as("the unit attention came once").isTrue();
            assertSense(a.execute(0, read10(0), 512, null), UNIT_ATTENTION, 0x2A, 0x06);
            assertThat(a.execute(0, read10(0), 512, null).good()).isTrue();
            assertThat(groups(b)).containsExactly(new int[] {1, 0x0, 0}, new int[] {2, 0x0, 0x02});
        }
    }

    @Test
    void gatewaysSharingTheLogicalUnitLearnEachOthersGroupsAndStates() throws Exception {
        InProcessSharedState.Group shared = InProcessSharedState.group();
        try (Backstore storage = Backstores.memory(Targets.LUN_SIZE);
             IscsiTarget one = sharingGateway(storage, 1, shared.join("one"));
             IscsiTarget two = sharingGateway(storage, 2, shared.join("two"));
             TestInitiator a = TestInitiator.connect(one.localAddress());
             TestInitiator b = TestInitiator.connect(two.localAddress())) {
            a.login(TestInitiator.INITIATOR_NAME, Targets.IQN, Map.of());
            b.useIsidOf(a);
            b.login(TestInitiator.INITIATOR_NAME, Targets.IQN, Map.of());
            // No peer() calls: gateway 2 read gateway 1's group when it started, gateway 1 heard of gateway 2's.
            awaitPeer(one, 2, AccessState.ACTIVE_OPTIMIZED);
            assertThat(two.portGroups().peers()).containsExactly(Map.entry(1, AccessState.ACTIVE_OPTIMIZED));
            assertThat(a.execute(0, read10(0), 512, null).good()).isTrue();
            assertThat(b.execute(0, read10(0), 512, null).good()).isTrue();
            assertThat(groups(a)).containsExactly(new int[] {1, 0x0, 0}, new int[] {2, 0x0, 0});

            two.portGroups().state(AccessState.STANDBY); // a gateway being drained: standby before it stops
            awaitPeer(one, 2, AccessState.STANDBY);
            assertSense(a.execute(0, read10(0), 512, null), UNIT_ATTENTION, 0x2A, 0x06);
            assertThat(groups(a)).as("gateway 1 reports gateway 2's new state")
                    .containsExactly(new int[] {1, 0x0, 0}, new int[] {2, 0x2, 0x02});
            assertSense(b.execute(0, read10(0), 512, null), UNIT_ATTENTION, 0x2A, 0x06);
            assertSense(b.execute(0, read10(0), 512, null), NOT_READY, 0x04, 0x0B);
            assertThat(a.execute(0, read10(0), 512, null).good()).as("the other path reads on").isTrue();
        }
    }

    /** Waits (at most 5 s) until {@code gateway} knows group {@code id} in {@code state}. */
    private static void awaitPeer(IscsiTarget gateway, int id, AccessState state) throws InterruptedException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
        while (gateway.portGroups().peers().get(id) != state && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(gateway.portGroups().peers()).containsEntry(id, state);
    }

    private static IscsiTarget sharingGateway(Backstore storage, int group, SharedState member) throws IOException {
        return IscsiTarget.builder()
                .portal("127.0.0.1", 0)
                .portGroup(group)
                .target(Targets.IQN, t -> t.lun(0, new Shared(storage), o -> o.serial(SERIAL).sharedState(member)))
                .build()
                .start();
    }

    @Test
    void aGatewayMayStartInStandby() throws Exception {
        try (Backstore storage = Backstores.memory(Targets.LUN_SIZE)) {
            IscsiTarget two = IscsiTarget.builder()
                    .portal("127.0.0.1", 0)
                    .portGroup(2)
                    .target(Targets.IQN, t -> t.lun(0, new Shared(storage), o -> o.serial(SERIAL)))
                    .build();
            two.portGroups().state(AccessState.STANDBY);
            try (IscsiTarget started = two.start();
                 TestInitiator b = Targets.login(started, Map.of())) {
                assertSense(b.execute(0, read10(0), 512, null), NOT_READY, 0x04, 0x0B);
                assertThat(b.readCapacity16().good()).as("a standby path tells its capacity").isTrue();
            }
        }
    }

    @Test
    void theGroupIsOneTo65535AndReportedWithTheOtherProblems() {
        assertThatThrownBy(() -> IscsiTarget.builder().portGroup(0).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("no portal")
                .hasMessageContaining("portGroup must be 1 to 65535: 0");
        assertThatThrownBy(() -> IscsiTarget.builder().portal("127.0.0.1", 0).portGroup(65536)
                .target(Targets.IQN, t -> t.lun(0, Backstores.memory(1 << 20))).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("portGroup must be 1 to 65535: 65536");
        assertThat(IscsiTarget.builder().portal("127.0.0.1", 0).portGroup(65535)
                .target(Targets.IQN, t -> t.lun(0, Backstores.memory(1 << 20))).build().portGroups().id())
                .isEqualTo(65535);
    }

    @Test
    void aPortalGroupServesItsTargetsWithItsTagAsItsOwnTargetPort() throws Exception {
        String other = "iqn.2026-11.io.iscsi4j:other";
        try (IscsiTarget target = IscsiTarget.builder()
                .portal("127.0.0.1", 0)
                .target(Targets.IQN, t -> t.lun(0, Backstores.memory(1 << 20)))
                .target(other, t -> t.lun(0, Backstores.memory(1 << 20)))
                .portalGroup(7, g -> g.portal("127.0.0.1", 0).target(other))
                .build().start()) {
            assertThat(target.boundAddresses()).hasSize(2);
            var defaultPortal = target.boundAddresses().get(0);
            var groupPortal = target.boundAddresses().get(1);

            // SendTargets: each group lists its own targets with its own portals and tag.
            try (TestInitiator d = TestInitiator.connect(defaultPortal)) {
                d.loginDiscovery(TestInitiator.INITIATOR_NAME, Map.of());
                assertThat(d.sendTargets()).extracting(TestInitiator.DiscoveredTarget::name)
                        .containsExactly(Targets.IQN, other);
                assertThat(d.sendTargets().get(0).addresses())
                        .containsExactly("127.0.0.1:" + defaultPortal.getPort() + ",1");
            }
            try (TestInitiator d = TestInitiator.connect(groupPortal)) {
                d.loginDiscovery(TestInitiator.INITIATOR_NAME, Map.of());
                List<TestInitiator.DiscoveredTarget> listed = d.sendTargets();
                assertThat(listed).extracting(TestInitiator.DiscoveredTarget::name).containsExactly(other);
                assertThat(listed.get(0).addresses()).containsExactly("127.0.0.1:" + groupPortal.getPort() + ",7");
            }
            // A target the group does not serve is not found there.
            try (TestInitiator i = TestInitiator.connect(groupPortal)) {
                assertThatThrownBy(() -> i.login(TestInitiator.INITIATOR_NAME, Targets.IQN, Map.of()))
                        .isInstanceOfSatisfying(LoginFailure.class, f -> assertThat(f.statusDetail()).isEqualTo(3));
            }
            // The same target through two groups: two target ports of one ALUA group.
            try (TestInitiator viaDefault = TestInitiator.connect(defaultPortal);
                 TestInitiator viaGroup = TestInitiator.connect(groupPortal)) {
                viaDefault.login(TestInitiator.INITIATOR_NAME, other, Map.of());
                viaGroup.login("iqn.2026-11.io.iscsi4j:second", other, Map.of());
                assertThat(viaDefault.targetKeys()).containsEntry("TargetPortalGroupTag", "1");
                assertThat(viaGroup.targetKeys()).containsEntry("TargetPortalGroupTag", "7");
                Designators one = Designators.of(viaDefault);
                Designators seven = Designators.of(viaGroup);
                assertThat(one.relativeTargetPort).isEqualTo(1);
                assertThat(seven.relativeTargetPort).isEqualTo(7);
                assertThat(one.targetPortGroup).isEqualTo(1);
                assertThat(seven.targetPortGroup).as("the same ALUA group").isEqualTo(1);
                assertThat(seven.targetPortName).isEqualTo(other + ",t,0x0007");
                assertThat(seven.naa).as("one logical unit").isEqualTo(one.naa);

                byte[] d = reportTargetPortGroups(viaGroup);
                assertThat(u16(d, 10)).as("group 1").isEqualTo(1);
                assertThat(d[15]).as("TARGET PORT COUNT").isEqualTo((byte) 2);
                assertThat(u16(d, 18)).isEqualTo(1);
                assertThat(u16(d, 22)).isEqualTo(7);
            }
        }
    }

    @Test
    void portalsAreAddedAndRemovedWhileTheTargetRuns() throws Exception {
        String other = "iqn.2026-11.io.iscsi4j:other";
        try (IscsiTarget target = IscsiTarget.builder()
                .portal("127.0.0.1", 0)
                .target(Targets.IQN, t -> t.lun(0, Backstores.memory(1 << 20)))
                .target(other, t -> t.lun(0, Backstores.memory(1 << 20)))
                .portalGroup(7, g -> g.portal("127.0.0.1", 0).target(other))
                .build().start()) {
            var first = target.boundAddresses().get(1);
            var added = target.addPortal(7, new java.net.InetSocketAddress("127.0.0.1", 0));
            assertThat(target.boundAddresses()).hasSize(3).contains(added);
            assertThatThrownBy(() -> target.addPortal(9, new java.net.InetSocketAddress("127.0.0.1", 0)))
                    .isInstanceOf(IllegalArgumentException.class);
            try (TestInitiator d = TestInitiator.connect(added)) {
                d.loginDiscovery(TestInitiator.INITIATOR_NAME, Map.of());
                assertThat(d.sendTargets()).singleElement().satisfies(t -> {
                    assertThat(t.name()).isEqualTo(other);
                    assertThat(t.addresses()).containsExactly("127.0.0.1:" + first.getPort() + ",7",
                            "127.0.0.1:" + added.getPort() + ",7");
                });
            }
            try (TestInitiator i = TestInitiator.connect(added)) {
                i.login(TestInitiator.INITIATOR_NAME, other, Map.of());
                assertThat(i.targetKeys()).containsEntry("TargetPortalGroupTag", "7");
                assertThat(target.removePortal(added)).isTrue();
                assertThat(target.removePortal(added)).isFalse();
                assertThat(i.testUnitReady().status()).as("the session through it goes on").isZero();
                assertThatThrownBy(() -> TestInitiator.connect(added).close()).isInstanceOf(IOException.class);
            }
            assertThat(target.boundAddresses()).hasSize(2).doesNotContain(added);
        }
    }

    @Test
    void portalGroupMistakesAreReportedWithTheOtherProblems() {
        assertThatThrownBy(() -> IscsiTarget.builder()
                .portalGroup(1, g -> g.portal("127.0.0.1", 0))
                .portalGroup(2, g -> g.target("iqn.2026-11.io.iscsi4j:nowhere"))
                .target(Targets.IQN, t -> t.lun(0, Backstores.memory(1 << 20)))
                .build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("portal group 1 has the tag of the default group")
                .hasMessageContaining("portal group 2 has no portal")
                .hasMessageContaining("portal group 2 names target iqn.2026-11.io.iscsi4j:nowhere");
        assertThatThrownBy(() -> IscsiTarget.builder().portalGroup(3, g -> { }).portalGroup(3, g -> { }))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("configured twice");
        assertThat(IscsiTarget.builder().portalGroup(2, g -> g.portal("127.0.0.1", 0))
                .target(Targets.IQN, t -> t.lun(0, Backstores.memory(1 << 20))).build())
                .as("a target with portal groups only needs no default portal").isNotNull();
    }

    /** What VPD page 83h says about the target port and the logical unit. */
    private record Designators(int relativeTargetPort, int targetPortGroup, String targetPortName, byte[] naa) {

        static Designators of(TestInitiator ini) throws IOException {
            byte[] cdb = {0x12, 0x01, (byte) 0x83, 0x01, 0x00, 0x00};
            ScsiResult r = ini.execute(0, cdb, 256, null);
            assertThat(r.good()).as("INQUIRY VPD 83h %s", r).isTrue();
            byte[] d = r.data();
            int rtp = -1;
            int tpg = -1;
            String name = null;
            byte[] naa = null;
            for (int p = 4; p + 4 <= d.length; p += 4 + (d[p + 3] & 0xFF)) {
                int association = (d[p + 1] >> 4) & 0x3;
                int type = d[p + 1] & 0x0F;
                int length = d[p + 3] & 0xFF;
                if (association == 1 && type == 4) {
                    rtp = u16(d, p + 6);
                } else if (association == 1 && type == 5) {
                    tpg = u16(d, p + 6);
                } else if (association == 1 && type == 8) {
                    int end = p + 4;
                    while (end < p + 4 + length && d[end] != 0) {
                        end++;
                    }
                    name = new String(d, p + 4, end - p - 4, StandardCharsets.UTF_8);
                } else if (association == 0 && type == 3) {
                    naa = Arrays.copyOfRange(d, p + 4, p + 4 + length);
                }
            }
            return new Designators(rtp, tpg, name, naa);
        }
    }

    /** The TPGS field of the standard INQUIRY data. */
    private static int tpgs(TestInitiator ini) throws IOException {
        ScsiResult r = ini.execute(0, new byte[] {0x12, 0, 0, 0, 96, 0}, 96, null);
        assertThat(r.good()).isTrue();
        return (r.data()[5] >> 4) & 0x3;
    }

    /** REPORT TARGET PORT GROUPS (extended header): {group, state, status code} per group, in report order. */
    private static List<int[]> groups(TestInitiator ini) throws IOException {
        byte[] d = reportTargetPortGroups(ini);
        assertThat(d[4]).as("FORMAT TYPE").isEqualTo((byte) 0x10);
        List<int[]> out = new ArrayList<>();
        int end = 4 + (int) (((d[0] & 0xFFL) << 24) | ((d[1] & 0xFF) << 16) | ((d[2] & 0xFF) << 8) | (d[3] & 0xFF));
        for (int p = 8; p < end; p += 8 + 4 * (d[p + 7] & 0xFF)) {
            int group = u16(d, p + 2);
            assertThat(d[p + 7]).as("one target port").isEqualTo((byte) 1);
            assertThat(u16(d, p + 10)).as("its relative target port identifier").isEqualTo(group);
            out.add(new int[] {group, d[p] & 0x0F, d[p + 5] & 0xFF});
        }
        return out;
    }

    /** REPORT TARGET PORT GROUPS with the extended header (PARAMETER DATA FORMAT 001b): the parameter data. */
    private static byte[] reportTargetPortGroups(TestInitiator ini) throws IOException {
        byte[] cdb = new byte[12];
        cdb[0] = (byte) 0xA3;
        cdb[1] = (byte) 0x2A;
        cdb[9] = (byte) 0xFF;
        ScsiResult r = ini.execute(0, cdb, 255, null);
        assertThat(r.good()).as("REPORT TARGET PORT GROUPS %s", r).isTrue();
        return r.data();
    }

    private static byte[] read10(int lba) {
        return new byte[] {0x28, 0, 0, 0, 0, (byte) lba, 0, 0, 1, 0};
    }

    private static byte[] write10(int lba) {
        return new byte[] {0x2A, 0, 0, 0, 0, (byte) lba, 0, 0, 1, 0};
    }

    private static int u16(byte[] d, int p) {
        return ((d[p] & 0xFF) << 8) | (d[p + 1] & 0xFF);
    }

    private static void assertSense(ScsiResult r, int key, int asc, int ascq) {
        RuntimeChangesTest.assertSense(r, key, asc, ascq);
    }
}
