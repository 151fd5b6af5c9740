package dev.lmstudiosidecar.fleet;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lmstudiosidecar.config.LMStudioConfig;
import dev.lmstudiosidecar.models.ModelLoadObserver;
import dev.lmstudiosidecar.provider.Backend;
import dev.lmstudiosidecar.provider.lmstudio.LMStudioRestCalls;
import dev.lmstudiosidecar.resilience.BackendBreakers;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.ConfigurationException;
import io.vertx.core.Vertx;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * The LM Studio hosts behind this sidecar: those {@code lmstudio.hosts.*} names, else the one of
 * {@code lmstudio.base-url}; and, with {@code lmstudio.hosts-dns}, those found at each interval.
 * Hosts join and leave as a whole ({@link LMStudioHost}); readers get an immutable list, in the
 * config's order (by name), DNS hosts after, by address.
 */
@Singleton
public class LMStudioFleet {

    private static final Logger LOG = Logger.getLogger(LMStudioFleet.class);
    /** How often a host that left is looked at for requests still placed on it. */
    private static final long DRAIN_CHECK_MILLIS = 1000;
    /** Addresses taken from one DNS answer at most: a name gone wrong must not start hundreds of hosts. */
    static final int MAX_DNS_HOSTS = 64;

    private final Vertx vertx;
    private final LMStudioConfig config;
    private final LMStudioRestCalls calls;
    private final ObjectMapper json;
    private final ModelLoadObserver loadObserver;
    private final BackendBreakers breakers;
    private final MeterRegistry registry;
    private volatile List<LMStudioHost> hosts = List.of();
    /** Guarded by this. */
    private final Map<String, List<Gauge>> gauges = new HashMap<>();
    private final List<Consumer<LMStudioHost>> joinListeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<LMStudioHost>> leaveListeners = new CopyOnWriteArrayList<>();
    private boolean started;
    private boolean stopped;
    /** {@code lmstudio.hosts-dns}, checked at construction so that a bad value stops the start. */
    private final Optional<DnsHostSpec> dnsSpec;
    /** The names of the hosts DNS gave; guarded by this. */
    private final Set<String> dnsHosts = new HashSet<>();
    /** Hosts that left and still have requests placed on them, by name; guarded by this. */
    private final Map<String, LMStudioHost> draining = new HashMap<>();
    private HostAddressResolver resolver;
    private DnsHostWatcher dnsWatcher;

    LMStudioFleet(Vertx vertx, LMStudioConfig config, LMStudioRestCalls calls, ObjectMapper json, ModelLoadObserver loadObserver,
                  BackendBreakers breakers, MeterRegistry registry) {
        this.vertx = vertx;
        this.config = config;
        this.calls = calls;
        this.json = json;
        this.loadObserver = loadObserver;
        this.breakers = breakers;
        this.registry = registry;
        if (config.keepWarmReplicas() < 1) {
            throw new ConfigurationException("lmstudio.keep-warm-replicas must be at least 1 (given " + config.keepWarmReplicas() + ")");
        }
        try {
            this.dnsSpec = config.hostsDns().map(DnsHostSpec::parse);
            HostSettings.configured(config).forEach(this::add);
        } catch (IllegalArgumentException bad) {
            throw new ConfigurationException(bad.getMessage(), bad);
        }
    }

    void start(@Observes StartupEvent started) {
        List<LMStudioHost> now;
        synchronized (this) {
            this.started = true;
            now = hosts;
        }
        now.forEach(LMStudioHost::start);
        if (now.size() > 1) {
            LOG.infof("LM Studio hosts: %s", now);
        }
        dnsSpec.ifPresent(spec -> {
            synchronized (this) {
                try {
                    resolver = HostAddressResolvers.forConfig(vertx, config.hostsDnsServer(), config.discoveryTimeout(),
                            HostAddressResolvers.SYSTEM_RESOLV_CONF);
                } catch (IllegalArgumentException bad) {
                    throw new ConfigurationException(bad.getMessage(), bad);
                }
                // The hosts behind the name come and go with their pods: looked up at each health-check interval.
                dnsWatcher = new DnsHostWatcher(vertx, resolver, spec, config.healthCheckInterval(), this::dnsFound);
                dnsWatcher.start();
            }
        });
    }

    void stop(@Observes ShutdownEvent stopping) {
        DnsHostWatcher watcher;
        synchronized (this) {
            stopped = true;
            watcher = dnsWatcher;
        }
        if (watcher != null) {
            watcher.stop(); // outside the fleet's lock: a DNS answer being told takes the watcher's, then this one's
            resolver.close();
        }
        hosts.forEach(LMStudioHost::close);
        draining.values().forEach(LMStudioHost::close);
    }

    /**
     * The IPv4 addresses when there are any, else the IPv6 ones, at most {@value #MAX_DNS_HOSTS}: a dual-stack Service
     * names each pod twice, and one GPU must not count as two hosts with two limits.
     */
    private static List<String> oneFamily(Set<String> baseUrls) {
        List<String> v4 = baseUrls.stream().filter(url -> !url.contains("[")).toList();
        List<String> chosen = v4.isEmpty() ? List.copyOf(baseUrls) : v4;
        if (chosen.size() > MAX_DNS_HOSTS) {
            LOG.warnf("lmstudio.hosts-dns resolves to %d addresses; the first %d are used", chosen.size(), MAX_DNS_HOSTS);
            return chosen.subList(0, MAX_DNS_HOSTS);
        }
        return chosen;
    }

    /** What {@code lmstudio.hosts-dns} resolves to now, as base URLs: new addresses join, gone ones leave. */
    private void dnsFound(Set<String> baseUrls) {
        Set<String> found = new HashSet<>();
        for (String baseUrl : oneFamily(baseUrls)) {
            String name = URI.create(baseUrl).getRawAuthority(); // "10.1.2.3:1234": an address is all DNS names a pod by
            found.add(name);
            boolean fresh;
            synchronized (this) {
                fresh = dnsHosts.add(name);
            }
            if (fresh) {
                add(HostSettings.discovered(config, name, baseUrl));
            }
        }
        List<String> gone;
        synchronized (this) {
            gone = dnsHosts.stream().filter(name -> !found.contains(name)).toList();
            dnsHosts.removeAll(gone);
        }
        gone.forEach(this::remove);
    }

    /** Every host, in a fixed order; the list does not change under the caller. */
    public List<LMStudioHost> hosts() {
        return hosts;
    }

    public Optional<LMStudioHost> host(String name) {
        for (LMStudioHost host : hosts) {
            if (host.name().equals(name)) {
                return Optional.of(host);
            }
        }
        return Optional.empty();
    }

    /** The first host, which errors name before any attempt was made; empty while DNS found none. */
    public Optional<LMStudioHost> first() {
        List<LMStudioHost> now = hosts;
        return now.isEmpty() ? Optional.empty() : Optional.of(now.get(0));
    }

    /** What error messages name when no host is known yet: the DNS name the hosts are looked up under. */
    public Backend placeholderBackend() {
        return Backend.of(Backend.LMSTUDIO, config.hostsDns().map(dns -> "http://" + dns + "/v1").orElse(config.baseUrl()));
    }

    /** Whether requests and listings may meet more than one host: then per-host work is worth its cost. */
    public boolean several() {
        return hosts.size() > 1 || config.hostsDns().isPresent();
    }

    /** Told of every host that joins (once: not again when it comes back), and at once of every host there is. */
    public void onJoin(Consumer<LMStudioHost> listener) {
        List<LMStudioHost> now;
        synchronized (this) {
            joinListeners.add(listener);
            now = hosts;
        }
        now.forEach(host -> tell(listener, host));
    }

    /** Told of every host that leaves, after it left. */
    public void onLeave(Consumer<LMStudioHost> listener) {
        leaveListeners.add(listener);
    }

    /** A host joins (a DNS address that appeared); nothing when one of that name is there already. */
    public void add(HostSettings settings) {
        LMStudioHost host;
        LMStudioHost back;
        synchronized (this) {
            if (stopped || host(settings.name()).isPresent()) {
                return;
            }
            breakers.register(settings.name());
            // A host back before its last requests ended is the same host: its limit and counts carry on.
            back = draining.remove(settings.name());
            host = back != null ? back : new LMStudioHost(settings, vertx, config, calls, json, loadObserver, breakers);
            List<LMStudioHost> next = new ArrayList<>(hosts);
            next.add(host);
            hosts = List.copyOf(next);
            gauges.put(host.name(), List.of(
                    Gauge.builder("sidecar.requests.in.flight", host.limiter(), limiter -> limiter.inFlight()).tag("host", host.name())
                            .description("Requests holding one of an LM Studio host's slots").register(registry),
                    Gauge.builder("sidecar.requests.queued", host.limiter(), limiter -> limiter.queued()).tag("host", host.name())
                            .description("Requests waiting for one of an LM Studio host's slots").register(registry)));
            if (started) {
                host.start();
                LOG.infof("LM Studio host %s %s", host, back == null ? "joined" : "is back");
            }
        }
        if (back == null) {
            joinListeners.forEach(listener -> tell(listener, host)); // one that is back still has their listeners
        }
    }

    /**
     * A host leaves (its DNS address went away): no request is placed on it from now; its listings stop, and its
     * connections close after {@code lmstudio.timeout}, so that answers already streaming from it can end.
     */
    public void remove(String name) {
        LMStudioHost host;
        synchronized (this) {
            host = host(name).orElse(null);
            if (host == null) {
                return;
            }
            hosts = hosts.stream().filter(other -> other != host).toList();
            gauges.remove(name).forEach(registry::remove);
            breakers.forget(host.backend());
            host.discovery().stop();
            draining.put(name, host);
            LOG.infof("LM Studio host %s left", host);
        }
        closeWhenDrained(host, System.nanoTime() + config.hostDrainTimeout().toNanos());
        leaveListeners.forEach(listener -> tell(listener, host));
    }

    /** Closes a host that left once nothing is placed on it, or at {@code deadline}; not if it came back meanwhile. */
    private void closeWhenDrained(LMStudioHost host, long deadline) {
        vertx.setTimer(DRAIN_CHECK_MILLIS, id -> {
            boolean close;
            synchronized (this) {
                if (draining.get(host.name()) != host) {
                    return; // back in the fleet, or closed at shutdown
                }
                close = host.load().placed() == 0 || System.nanoTime() - deadline >= 0;
                if (close) {
                    draining.remove(host.name());
                }
            }
            if (close) {
                host.close();
            } else {
                closeWhenDrained(host, deadline);
            }
        });
    }

    private static void tell(Consumer<LMStudioHost> listener, LMStudioHost host) {
        try {
            listener.accept(host);
        } catch (RuntimeException bug) {
            LOG.errorf(bug, "a fleet listener failed for host %s", host.name());
        }
    }
}
