package io.iscsi4j;

import io.iscsi4j.management.IscsiStatisticsMXBean;
import io.iscsi4j.management.IscsiTargetMXBean;
import io.iscsi4j.management.LunMXBean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;
import javax.management.StandardMBean;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The MBeans of one running {@link IscsiTarget} on the platform MBean server (see package
 * {@code io.iscsi4j.management}): registered at start, brought up to date after every run-time change of targets or
 * LUNs ({@link #refresh()}), unregistered at close. Thread-safe.
 */
final class JmxBeans {

    private static final Logger LOG = LoggerFactory.getLogger(JmxBeans.class);
    static final String DOMAIN = "io.iscsi4j";

    private final IscsiTarget target;
    private final String name;
    private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    private final Set<ObjectName> registered = new HashSet<>();
    private boolean closed;

    JmxBeans(IscsiTarget target, String name) {
        this.target = target;
        this.name = name;
    }

    /** The object name of the whole target's MBean. */
    static ObjectName targetName(String name) {
        return objectName("type=IscsiTarget,name=" + ObjectName.quote(name));
    }

    /** Registers what is missing and unregisters what is gone. */
    synchronized void refresh() {
        if (closed) {
            return;
        }
        Map<ObjectName, Object> wanted = new LinkedHashMap<>();
        String n = ObjectName.quote(name);
        wanted.put(targetName(name), new StandardMBean(new Whole(), IscsiTargetMXBean.class, true));
        for (InetSocketAddress portal : target.boundAddresses()) {
            wanted.put(objectName("type=Portal,name=" + n + ",portal=" + ObjectName.quote(hostPort(portal))),
                    new StandardMBean(new Counters(() -> target.iscsiStatistics(portal)),
                            IscsiStatisticsMXBean.class, true));
        }
        for (TargetConfig t : target.targets()) {
            String iqn = t.name();
            wanted.put(objectName("type=Target,name=" + n + ",target=" + ObjectName.quote(iqn)),
                    new StandardMBean(new Counters(() -> target.target(iqn).iscsiStatistics()),
                            IscsiStatisticsMXBean.class, true));
            for (LunConfig lun : t.luns()) {
                int number = lun.lun();
                wanted.put(objectName("type=Lun,name=" + n + ",target=" + ObjectName.quote(iqn) + ",lun=" + number),
                        new StandardMBean(new Lun(() -> target.statistics(iqn, number)), LunMXBean.class, true));
            }
        }
        for (ObjectName gone : new HashSet<>(registered)) {
            if (!wanted.containsKey(gone)) {
                unregister(gone);
            }
        }
        for (Map.Entry<ObjectName, Object> e : wanted.entrySet()) {
            if (registered.contains(e.getKey())) {
                continue;
            }
            try {
                server.registerMBean(e.getValue(), e.getKey());
                registered.add(e.getKey());
            } catch (JMException ex) {
                LOG.warn("cannot register MBean {}: {}", e.getKey(), ex.toString());
            }
        }
    }

    /** Unregisters every MBean. Idempotent. */
    synchronized void close() {
        closed = true;
        for (ObjectName o : new HashSet<>(registered)) {
            unregister(o);
        }
    }

    private void unregister(ObjectName o) {
        registered.remove(o);
        try {
            server.unregisterMBean(o);
        } catch (InstanceNotFoundException gone) {
            // unregistered by someone else
        } catch (JMException e) {
            LOG.warn("cannot unregister MBean {}: {}", o, e.toString());
        }
    }

    private static ObjectName objectName(String properties) {
        try {
            return new ObjectName(DOMAIN + ":" + properties);
        } catch (MalformedObjectNameException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    private static String hostPort(InetSocketAddress a) {
        String host = a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    /** iSCSI-level counters read through {@code statistics}. */
    private static class Counters implements IscsiStatisticsMXBean {
        private final Supplier<IscsiStatistics> statistics;

        Counters(Supplier<IscsiStatistics> statistics) {
            this.statistics = statistics;
        }

        @Override
        public long getLoginsAccepted() {
            return statistics.get().loginsAccepted();
        }

        @Override
        public long getLoginsRefused() {
            return statistics.get().loginsRefused();
        }

        @Override
        public long getAuthenticationFailures() {
            return statistics.get().authenticationFailures();
        }

        @Override
        public long getAuthorizationFailures() {
            return statistics.get().authorizationFailures();
        }

        @Override
        public long getLogouts() {
            return statistics.get().logouts();
        }

        @Override
        public long getConnectionDrops() {
            return statistics.get().connectionDrops();
        }

        @Override
        public long getHeaderDigestErrors() {
            return statistics.get().headerDigestErrors();
        }

        @Override
        public long getDataDigestErrors() {
            return statistics.get().dataDigestErrors();
        }

        @Override
        public long getFormatErrors() {
            return statistics.get().formatErrors();
        }

        @Override
        public long getRejectsSent() {
            return statistics.get().rejectsSent();
        }

        @Override
        public long getNopInTimeouts() {
            return statistics.get().nopInTimeouts();
        }
    }

    /** The whole target. */
    private final class Whole extends Counters implements IscsiTargetMXBean {

        Whole() {
            super(target::iscsiStatistics);
        }

        @Override
        public String[] getPortals() {
            return target.boundAddresses().stream().map(JmxBeans::hostPort).toArray(String[]::new);
        }

        @Override
        public String[] getTargets() {
            return target.targets().stream().map(TargetConfig::name).toArray(String[]::new);
        }

        @Override
        public int getSessionCount() {
            return target.sessions().size();
        }

        @Override
        public String[] getSessions() {
            List<ActiveSession> sessions = target.sessions();
            String[] lines = new String[sessions.size()];
            for (int i = 0; i < lines.length; i++) {
                ActiveSession s = sessions.get(i);
                TargetListener.SessionInfo info = s.info();
                SessionStatistics st = s.statistics();
                lines[i] = String.format("tsih=0x%04x initiator=%s target=%s from=%s since=%s commands=%d"
                                + " bytesRead=%d bytesWritten=%d", info.tsih(), escape(info.initiatorName()),
                        info.discovery() ? "discovery" : info.targetName(),
                        info.remoteAddress() == null ? "?" : hostPort(info.remoteAddress()), s.loginTime(),
                        st.commands(), st.bytesRead(), st.bytesWritten());
            }
            return lines;
        }

        @Override
        public boolean closeSession(int tsih, int graceSeconds) {
            if (graceSeconds < 0 || graceSeconds > 65535) {
                throw new IllegalArgumentException("graceSeconds must be 0 to 65535: " + graceSeconds);
            }
            for (ActiveSession s : target.sessions()) {
                if (s.info().tsih() == tsih) {
                    s.close(Duration.ofSeconds(graceSeconds));
                    return true;
                }
            }
            return false;
        }
    }

    /** Initiator names come from the wire: control characters are escaped before they reach a JMX client. */
    private static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7F) {
                b.append(String.format("\\x%02x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** One LUN. */
    private static final class Lun implements LunMXBean {
        private final Supplier<LunStatistics> statistics;

        Lun(Supplier<LunStatistics> statistics) {
            this.statistics = statistics;
        }

        @Override
        public long getCommands() {
            return statistics.get().commands();
        }

        @Override
        public long getReadCommands() {
            return statistics.get().readCommands();
        }

        @Override
        public long getWriteCommands() {
            return statistics.get().writeCommands();
        }

        @Override
        public long getBytesRead() {
            return statistics.get().bytesRead();
        }

        @Override
        public long getBytesWritten() {
            return statistics.get().bytesWritten();
        }

        @Override
        public long getCheckConditions() {
            return statistics.get().checkConditions();
        }

        @Override
        public int getInFlight() {
            return statistics.get().inFlight();
        }

        @Override
        public long getLatencyP50Micros() {
            return statistics.get().latencyPercentileMicros(50);
        }

        @Override
        public long getLatencyP99Micros() {
            return statistics.get().latencyPercentileMicros(99);
        }

        @Override
        public long getLatencyP999Micros() {
            return statistics.get().latencyPercentileMicros(99.9);
        }
    }
}
