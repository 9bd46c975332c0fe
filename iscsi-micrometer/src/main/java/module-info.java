/**
 * A Micrometer binding for iscsi4j: {@link io.iscsi4j.micrometer.IscsiMetrics}.
 *
 * @since 0.2
 */
// Micrometer ships an automatic module (micrometer.core); its MeterBinder and MeterRegistry are in this module's
// API, so reading this module reads it too.
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module io.iscsi4j.micrometer {
    requires transitive io.iscsi4j.core;
    requires transitive micrometer.core;

    exports io.iscsi4j.micrometer;
}
