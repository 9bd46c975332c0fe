/**
 * Micrometer metrics of a running {@link io.iscsi4j.IscsiTarget}: bind {@link io.iscsi4j.micrometer.IscsiMetrics}
 * to a {@code MeterRegistry} (Spring Boot does so for every {@code MeterBinder} bean).
 *
 * @since 0.2
 */
package io.iscsi4j.micrometer;
