package io.iscsi4j.it;

import io.iscsi4j.IscsiTarget;
import io.iscsi4j.backstore.Backstores;
import io.iscsi4j.management.IscsiStatisticsMXBean;
import io.iscsi4j.management.IscsiTargetMXBean;
import io.iscsi4j.management.LunMXBean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import javax.management.JMX;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The MBeans of {@link IscsiTarget.Builder#jmx(String)}, read with the JDK's own JMX client proxies: counters of
 * the whole target, a portal, a target and a LUN after real traffic; sessions listed and one ended through the
 * MBean; MBeans following targets and LUNs added and removed; everything unregistered at close.
 */
@Timeout(60)
class JmxTest {

    private static final MBeanServer SERVER = ManagementFactory.getPlatformMBeanServer();

    @Test
    void countersSessionsAndRunTimeChangesAreVisibleThroughJmx() throws Exception {
        IscsiTarget target = Targets.start(b -> b.jmx("jmx-test"));
        try {
            String portal = "127.0.0.1:" + target.localAddress().getPort();
            IscsiTargetMXBean whole = JMX.newMXBeanProxy(SERVER,
                    new ObjectName("io.iscsi4j:type=IscsiTarget,name=\"jmx-test\""), IscsiTargetMXBean.class);
            IscsiStatisticsMXBean onPortal = JMX.newMXBeanProxy(SERVER, new ObjectName(
                    "io.iscsi4j:type=Portal,name=\"jmx-test\",portal=" + ObjectName.quote(portal)),
                    IscsiStatisticsMXBean.class);
            IscsiStatisticsMXBean ofTarget = JMX.newMXBeanProxy(SERVER, new ObjectName(
                    "io.iscsi4j:type=Target,name=\"jmx-test\",target=" + ObjectName.quote(Targets.IQN)),
                    IscsiStatisticsMXBean.class);
            ObjectName lun0 = new ObjectName("io.iscsi4j:type=Lun,name=\"jmx-test\",target="
                    + ObjectName.quote(Targets.IQN) + ",lun=0");
            LunMXBean lun = JMX.newMXBeanProxy(SERVER, lun0, LunMXBean.class);

            assertThat(whole.getPortals()).containsExactly(portal);
            assertThat(whole.getTargets()).containsExactly(Targets.IQN);
            try (TestInitiator i = Targets.login(target, Map.of())) {
                byte[] data = Targets.pattern(4096, 5);
                assertThat(i.write16(8, data).good()).isTrue();
                assertThat(i.read16(8, 8).data()).isEqualTo(data);

                assertThat(whole.getLoginsAccepted()).isEqualTo(1);
                assertThat(onPortal.getLoginsAccepted()).isEqualTo(1);
                assertThat(ofTarget.getLoginsAccepted()).isEqualTo(1);
                assertThat(whole.getSessionCount()).isEqualTo(1);
                assertThat(whole.getSessions()).singleElement().asString()
                        .startsWith("tsih=0x0001 initiator=" + TestInitiator.INITIATOR_NAME + " target=" + Targets.IQN)
                        .contains("commands=2", "bytesRead=4096", "bytesWritten=4096");
                assertThat(lun.getCommands()).isEqualTo(2);
                assertThat(lun.getReadCommands()).isEqualTo(1);
                assertThat(lun.getWriteCommands()).isEqualTo(1);
                assertThat(lun.getBytesWritten()).isEqualTo(4096);
                assertThat(lun.getInFlight()).isZero();
                assertThat(lun.getLatencyP50Micros()).isPositive();
                assertThat(lun.getLatencyP999Micros()).isGreaterThanOrEqualTo(lun.getLatencyP50Micros());

                assertThat(whole.closeSession(0x7777, 0)).isFalse();
                assertThat(whole.closeSession(1, 0)).isTrue();
                assertThat(i.awaitClose(Duration.ofSeconds(5))).isTrue();
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (whole.getConnectionDrops() < 1 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(whole.getConnectionDrops()).isEqualTo(1);
            assertThat(ofTarget.getConnectionDrops()).isEqualTo(1);
            assertThat(whole.getSessionCount()).isZero();

            // Run-time changes: the MBeans follow.
            target.target(Targets.IQN).addLun(5, Backstores.memory(1 << 20));
            ObjectName lun5 = new ObjectName("io.iscsi4j:type=Lun,name=\"jmx-test\",target="
                    + ObjectName.quote(Targets.IQN) + ",lun=5");
            assertThat(SERVER.isRegistered(lun5)).isTrue();
            target.addTarget("iqn.2026-11.io.iscsi4j:added", t -> t.lun(0, Backstores.memory(1 << 20)));
            ObjectName added = new ObjectName("io.iscsi4j:type=Target,name=\"jmx-test\",target="
                    + ObjectName.quote("iqn.2026-11.io.iscsi4j:added"));
            assertThat(SERVER.isRegistered(added)).isTrue();
            assertThat(whole.getTargets()).containsExactly(Targets.IQN, "iqn.2026-11.io.iscsi4j:added");
            target.target(Targets.IQN).removeLun(5);
            assertThat(SERVER.isRegistered(lun5)).isFalse();
            target.removeTarget("iqn.2026-11.io.iscsi4j:added", Duration.ZERO);
            assertThat(SERVER.isRegistered(added)).isFalse();
            assertThat(SERVER.isRegistered(lun0)).isTrue();
        } finally {
            target.close();
        }
        assertThat(SERVER.queryNames(new ObjectName("io.iscsi4j:name=\"jmx-test\",*"), null)).isEmpty();
    }

    @Test
    void withoutJmxNothingIsRegistered() throws Exception {
        int before = SERVER.queryNames(new ObjectName("io.iscsi4j:*"), null).size();
        try (IscsiTarget target = Targets.start()) {
            assertThat(target.sessions()).isEmpty();
            assertThat(SERVER.queryNames(new ObjectName("io.iscsi4j:*"), null)).hasSize(before);
        }
    }
}
