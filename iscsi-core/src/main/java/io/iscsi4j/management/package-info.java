/**
 * JMX views of a running {@link io.iscsi4j.IscsiTarget}, registered on the platform MBean server when the builder
 * asks for them ({@link io.iscsi4j.IscsiTarget.Builder#jmx(String)}). The interfaces are MXBeans, so any JMX client
 * (jconsole, VisualVM, {@code jcmd}, a Prometheus JMX exporter) reads them with open types only.
 *
 * <p>Object names, with {@code NAME} the name given to the builder:
 * <ul>
 *   <li>{@code io.iscsi4j:type=IscsiTarget,name=NAME}: {@link io.iscsi4j.management.IscsiTargetMXBean}, the whole
 *       target's counters, its sessions, and an operation that ends one;</li>
 *   <li>{@code io.iscsi4j:type=Portal,name=NAME,portal="HOST:PORT"}: {@link
 *       io.iscsi4j.management.IscsiStatisticsMXBean}, one portal's counters;</li>
 *   <li>{@code io.iscsi4j:type=Target,name=NAME,target="IQN"}: {@link io.iscsi4j.management.IscsiStatisticsMXBean},
 *       one target's counters;</li>
 *   <li>{@code io.iscsi4j:type=Lun,name=NAME,target="IQN",lun=N}: {@link io.iscsi4j.management.LunMXBean}, one
 *       LUN's counters and latency percentiles.</li>
 * </ul>
 * Targets and LUNs added or removed while the target runs gain or lose their MBeans at once.
 *
 * @since 0.2
 */
package io.iscsi4j.management;
