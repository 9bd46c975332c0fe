package io.iscsi4j.micrometer;

import io.iscsi4j.IscsiStatistics;
import io.iscsi4j.IscsiTarget;
import io.iscsi4j.LunConfig;
import io.iscsi4j.LunStatistics;
import io.iscsi4j.TargetConfig;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;

import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * Binds a running {@link IscsiTarget}'s counters to a Micrometer {@link MeterRegistry}. Every meter reads the
 * target's counters when the registry asks (function counters and gauges), so nothing is recorded per command.
 *
 * <p>Meters (Prometheus names in brackets: dots become underscores, counters get {@code _total}):
 * <ul>
 *   <li>per portal, tag {@code portal} ({@code HOST:PORT}): {@code iscsi.logins} with {@code result}
 *       ({@code accepted}, {@code authentication_failure}, {@code authorization_failure}, {@code other_refusal});
 *       {@code iscsi.session.ends} with {@code reason} ({@code logout}, {@code drop}, {@code nop_timeout} counts the
 *       drops that were NOP-In timeouts); {@code iscsi.pdu.errors} with {@code kind} ({@code header_digest},
 *       {@code data_digest}, {@code format}); {@code iscsi.rejects};</li>
 *   <li>per target, tag {@code target} (the IQN): {@code iscsi.sessions} (a gauge: sessions in full feature
 *       phase);</li>
 *   <li>per LUN, tags {@code target} and {@code lun}: {@code iscsi.lun.commands} with {@code type} ({@code read},
 *       {@code write}, {@code other}); {@code iscsi.lun.bytes} with {@code direction} ({@code read},
 *       {@code write}); {@code iscsi.lun.check.conditions}; {@code iscsi.lun.in.flight} (a gauge); and the latency
 *       histogram {@code iscsi.lun.latency.buckets} with {@code le}, the upper bound of each power-of-two bucket in
 *       seconds: a cumulative count of commands at most that slow, as a Prometheus histogram's buckets
 *       ({@code histogram_quantile(0.99, rate(iscsi_lun_latency_buckets_total[1m]))} gives the 99th
 *       percentile).</li>
 * </ul>
 * Bind once the target has started. Targets, portals and LUNs are those of the moment of binding: after adding a
 * target or a LUN at run time, bind again (meters already registered are kept); a removed LUN's meters read
 * {@code NaN}.
 *
 * <p>Spring Boot: declare {@code @Bean MeterBinder iscsiMetrics(IscsiTarget target) { return new
 * IscsiMetrics(target); }}.
 *
 * @since 0.2
 */
public final class IscsiMetrics implements MeterBinder {

    private final IscsiTarget target;
    private final Tags tags;

    /**
     * Metrics of {@code target}.
     *
     * @param target a started target
     */
    public IscsiMetrics(IscsiTarget target) {
        this(target, Tags.empty());
    }

    /**
     * Metrics of {@code target}, every meter with {@code tags} added (for several targets in one application).
     *
     * @param target a started target
     * @param tags tags for every meter
     */
    public IscsiMetrics(IscsiTarget target, Iterable<io.micrometer.core.instrument.Tag> tags) {
        this.target = Objects.requireNonNull(target, "target");
        this.tags = Tags.of(tags);
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        for (InetSocketAddress portal : target.boundAddresses()) {
            bindPortal(registry, portal);
        }
        for (TargetConfig t : target.targets()) {
            String iqn = t.name();
            Gauge.builder("iscsi.sessions", target, x -> sessionsOf(iqn))
                    .description("sessions in full feature phase")
                    .tags(tags).tag("target", iqn)
                    .register(registry);
            for (LunConfig lun : t.luns()) {
                bindLun(registry, iqn, lun.lun());
            }
        }
    }

    private double sessionsOf(String iqn) {
        try {
            return target.target(iqn).sessions().size();
        } catch (RuntimeException gone) {
            return Double.NaN;
        }
    }

    private void bindPortal(MeterRegistry registry, InetSocketAddress portal) {
        Tags p = tags.and("portal", hostPort(portal));
        Supplier<IscsiStatistics> s = () -> target.iscsiStatistics(portal);
        counter(registry, "iscsi.logins", "logins by outcome", p.and("result", "accepted"), s,
                IscsiStatistics::loginsAccepted);
        counter(registry, "iscsi.logins", "logins by outcome", p.and("result", "authentication_failure"), s,
                IscsiStatistics::authenticationFailures);
        counter(registry, "iscsi.logins", "logins by outcome", p.and("result", "authorization_failure"), s,
                IscsiStatistics::authorizationFailures);
        counter(registry, "iscsi.logins", "logins by outcome", p.and("result", "other_refusal"), s,
                x -> x.loginsRefused() - x.authenticationFailures() - x.authorizationFailures());
        counter(registry, "iscsi.session.ends", "sessions ended, by how", p.and("reason", "logout"), s,
                IscsiStatistics::logouts);
        counter(registry, "iscsi.session.ends", "sessions ended, by how", p.and("reason", "drop"), s,
                IscsiStatistics::connectionDrops);
        counter(registry, "iscsi.session.ends", "sessions ended, by how", p.and("reason", "nop_timeout"), s,
                IscsiStatistics::nopInTimeouts);
        counter(registry, "iscsi.pdu.errors", "PDUs in error", p.and("kind", "header_digest"), s,
                IscsiStatistics::headerDigestErrors);
        counter(registry, "iscsi.pdu.errors", "PDUs in error", p.and("kind", "data_digest"), s,
                IscsiStatistics::dataDigestErrors);
        counter(registry, "iscsi.pdu.errors", "PDUs in error", p.and("kind", "format"), s,
                IscsiStatistics::formatErrors);
        counter(registry, "iscsi.rejects", "Reject PDUs sent", p, s, IscsiStatistics::rejectsSent);
    }

    private void bindLun(MeterRegistry registry, String iqn, int lun) {
        Tags l = tags.and("target", iqn, "lun", Integer.toString(lun));
        Supplier<LunStatistics> s = () -> target.statistics(iqn, lun);
        counter(registry, "iscsi.lun.commands", "answered commands", l.and("type", "read"), s,
                LunStatistics::readCommands);
        counter(registry, "iscsi.lun.commands", "answered commands", l.and("type", "write"), s,
                LunStatistics::writeCommands);
        counter(registry, "iscsi.lun.commands", "answered commands", l.and("type", "other"), s,
                x -> x.commands() - x.readCommands() - x.writeCommands());
        FunctionCounter.builder("iscsi.lun.bytes", this, x -> read(s, LunStatistics::bytesRead))
                .description("bytes moved by read and write commands").baseUnit("bytes")
                .tags(l).tag("direction", "read").register(registry);
        FunctionCounter.builder("iscsi.lun.bytes", this, x -> read(s, LunStatistics::bytesWritten))
                .description("bytes moved by read and write commands").baseUnit("bytes")
                .tags(l).tag("direction", "write").register(registry);
        counter(registry, "iscsi.lun.check.conditions", "commands answered with CHECK CONDITION", l, s,
                LunStatistics::checkConditions);
        Gauge.builder("iscsi.lun.in.flight", this, x -> read(s, LunStatistics::inFlight))
                .description("commands in flight").tags(l).register(registry);
        for (int bucket = 0; bucket < LunStatistics.LATENCY_BUCKETS; bucket++) {
            int b = bucket;
            long upperMicros = LunStatistics.bucketUpperBoundMicros(bucket);
            String le = upperMicros == Long.MAX_VALUE ? "+Inf" : Double.toString(upperMicros / 1e6);
            FunctionCounter.builder("iscsi.lun.latency.buckets", this, x -> read(s, st -> cumulative(st, b)))
                    .description("commands answered within le seconds (cumulative, a histogram's buckets)")
                    .tags(l).tag("le", le).register(registry);
        }
    }

    private static double cumulative(LunStatistics s, int bucket) {
        long[] histogram = s.latencyHistogram();
        long n = 0;
        for (int i = 0; i <= bucket; i++) {
            n += histogram[i];
        }
        return n;
    }

    private <T> void counter(MeterRegistry registry, String name, String description, Tags meterTags,
                             Supplier<T> statistics, ToDoubleFunction<T> value) {
        FunctionCounter.builder(name, this, x -> read(statistics, value))
                .description(description).tags(meterTags).register(registry);
    }

    /** Reads one value; {@code NaN} once the LUN, target or portal is gone or the target closed. */
    private static <T> double read(Supplier<T> statistics, ToDoubleFunction<T> value) {
        try {
            return value.applyAsDouble(statistics.get());
        } catch (RuntimeException gone) {
            return Double.NaN;
        }
    }

    private static String hostPort(InetSocketAddress a) {
        String host = a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
    }
}
