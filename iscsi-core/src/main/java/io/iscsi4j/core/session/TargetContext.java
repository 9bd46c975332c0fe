package io.iscsi4j.core.session;

import io.iscsi4j.IscsiTarget;
import io.iscsi4j.AclConfig;
import io.iscsi4j.LunConfig;
import io.iscsi4j.TargetConfig;
import io.iscsi4j.core.auth.Authenticator;
import io.iscsi4j.scsi.ItNexus;
import io.iscsi4j.scsi.LogicalUnit;
import io.iscsi4j.scsi.ScsiDispatcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Everything the connections of one {@link IscsiTarget} share: the targets with their logical units, SCSI
 * dispatchers and authenticators, the discovery authenticator, the session registry, negotiation settings, the
 * portals (for SendTargets), the log of refused logins, and the count of in-flight tasks. Thread-safe.
 */
public final class TargetContext {

    private static final Logger LOG = LoggerFactory.getLogger(TargetContext.class);

    /** The target portal group tag of every portal (one portal group per target). */
    static final int PORTAL_GROUP_TAG = 1;

    private final IscsiTarget.Tuning tuning;
    private final Authenticator discoveryAuthenticator;
    private final LoginFailureLog loginFailures = new LoginFailureLog();
    private final Map<String, Target> targets = new LinkedHashMap<>();
    private final SessionRegistry registry = new SessionRegistry();
    private final InFlight inFlight = new InFlight();
    private final ConnectionLimiter connectionLimiter;
    private volatile List<InetSocketAddress> portals = List.of();

    /** A configured target at run time. */
    static final class Target {
        final TargetConfig config;
        final ScsiDispatcher dispatcher;
        /** Dispatchers of ACLs that map LUNs (LUN masking); ACLs without mappings use {@link #dispatcher}. */
        final Map<AclConfig, ScsiDispatcher> aclDispatchers = new HashMap<>();
        final List<LogicalUnit> units;

        /** The dispatcher an initiator's sessions use (its ACL's LUN mapping), or {@code null} when not admitted. */
        ScsiDispatcher dispatcherFor(String initiatorName) {
            AclConfig acl = config.aclFor(initiatorName);
            if (acl == null) {
                return null;
            }
            ScsiDispatcher d = aclDispatchers.get(acl);
            return d != null ? d : dispatcher;
        }

        Target(TargetConfig config, ScsiDispatcher dispatcher, List<LogicalUnit> units) {
            this.config = config;
            this.dispatcher = dispatcher;
            this.units = units;
        }
    }

    /**
     * Builds the logical units of every target.
     *
     * @param settings the validated configuration
     * @param ioExecutor where backstore calls run (never a network event loop)
     */
    public TargetContext(IscsiTarget.Settings settings, Executor ioExecutor) {
        this.tuning = settings.settings();
        this.connectionLimiter = new ConnectionLimiter(tuning.limits());
        this.discoveryAuthenticator = settings.discoveryAuthenticator();
        for (TargetConfig t : settings.targets()) {
            Map<Integer, LogicalUnit> map = new HashMap<>();
            List<LogicalUnit> units = new ArrayList<>();
            for (LunConfig l : t.luns()) {
                LogicalUnit lu = LogicalUnit.builder(l.backstore())
                        .serial(l.serial())
                        .readOnly(l.readOnly())
                        .writeBack(l.writeBack())
                        .physicalBlockSize(l.physicalBlockSize())
                        .executor(ioExecutor)
                        .build();
                map.put(l.lun(), lu);
                units.add(lu);
            }
            String name = t.name();
            Target target = new Target(t, new ScsiDispatcher(map,
                    (lun, preempted) -> abortPreempted(name, map.get(lun), preempted)), units);
            for (AclConfig acl : t.acls()) {
                if (!acl.lunMapping().isEmpty()) {
                    Map<Integer, LogicalUnit> masked = new HashMap<>();
                    acl.lunMapping().forEach((mapped, real) -> masked.put(mapped, map.get(real)));
                    target.aclDispatchers.put(acl, new ScsiDispatcher(masked,
                            (lun, preempted) -> abortPreempted(name, masked.get(lun), preempted)));
                }
            }
            targets.put(name, target);
        }
    }

    /**
     * PERSISTENT RESERVE OUT with PREEMPT AND ABORT: every session of the target whose I_T nexus was preempted
     * drops its tasks for the logical unit, without responses (SAM-5, TAS=0). Runs on each session's event loop.
     */
    private void abortPreempted(String targetName, LogicalUnit unit, Predicate<ItNexus> preempted) {
        if (unit == null) {
            return;
        }
        for (Session s : registry.sessionsOf(targetName)) {
            if (preempted.test(s.nexus())) {
                s.execute(() -> s.abortTasksSilently(unit));
            }
        }
    }

    IscsiTarget.Tuning tuning() {
        return tuning;
    }

    /** How initiators authenticate for discovery sessions. */
    Authenticator discoveryAuthenticator() {
        return discoveryAuthenticator;
    }

    /** Where refused logins are logged, rate-limited per initiator. */
    LoginFailureLog loginFailures() {
        return loginFailures;
    }

    SessionRegistry registry() {
        return registry;
    }

    /** Counts connections and refuses those over the connection caps. */
    public ConnectionLimiter connectionLimiter() {
        return connectionLimiter;
    }

    /** The in-flight task counter. */
    public InFlight inFlight() {
        return inFlight;
    }

    Target target(String name) {
        return name == null ? null : targets.get(name.toLowerCase(Locale.ROOT));
    }

    Iterable<Target> targets() {
        return targets.values();
    }

    /**
     * Sets the bound portal addresses reported by SendTargets.
     *
     * @param bound the addresses
     */
    public void portals(List<InetSocketAddress> bound) {
        this.portals = List.copyOf(bound);
    }

    List<InetSocketAddress> portals() {
        return portals;
    }

    /** Flushes and closes every logical unit (and so its backstore). Call after in-flight I/O drained. */
    public void closeUnits(Duration flushTimeout) {
        for (Target t : targets.values()) {
            for (LogicalUnit lu : t.units) {
                try {
                    CompletableFuture<Void> f = lu.backstore().flush().toCompletableFuture();
                    f.get(flushTimeout.toMillis(), TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (Exception e) {
                    LOG.warn("flush of {} failed while closing: {}", t.config.name(), e.toString());
                }
                try {
                    lu.close();
                } catch (Exception e) {
                    LOG.warn("closing a logical unit of {} failed: {}", t.config.name(), e.toString());
                }
            }
        }
    }
}
