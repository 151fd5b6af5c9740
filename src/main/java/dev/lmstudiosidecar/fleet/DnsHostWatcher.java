package dev.lmstudiosidecar.fleet;

import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * Keeps the set of LM Studio hosts behind a DNS name up to date: resolves it at {@link #start()} and every
 * interval after, and tells the listener the hosts' base URLs whenever the set changes.
 *
 * <p>What an answer means, for a Kubernetes headless Service: records are the ready pods; no records
 * (CoreDNS answers NOERROR for a Service that exists without ready endpoints) means every pod is gone, so
 * the set becomes empty; a failure (NXDOMAIN, a timeout, SERVFAIL) says nothing about the pods, so the
 * last set stays and a warning is logged once per distinct problem. NXDOMAIN is kept a failure even after
 * successes: it is also what a mistyped name, a Service deleted for a redeploy or a DNS server out of sync
 * answers, and dropping every host on it would turn a DNS blip into an outage; hosts that really left
 * fail their calls and health checks anyway.
 *
 * <p>Resolutions are single-flight: a tick that finds the previous one still under way (a slow DNS server)
 * is skipped. The listener runs on a Vert.x event loop (keep it short), never after {@link #stop()}.
 */
public final class DnsHostWatcher {

    private static final Logger LOG = Logger.getLogger(DnsHostWatcher.class);

    private final Vertx vertx;
    private final HostAddressResolver resolver;
    private final DnsHostSpec spec;
    private final long intervalMillis;
    private final Consumer<Set<String>> listener;

    private volatile Set<String> current = Set.of();
    /** Whether a resolution succeeded yet: the first one is news even when it finds no host. */
    private volatile boolean known;
    /** Why the last resolution failed; null after a success. */
    private volatile String lastProblem;
    /** Guarded by {@code this}. */
    private boolean resolving;
    private boolean started;
    private boolean stopped;
    private long timer = -1;

    /**
     * @param interval between two resolutions, at least 1 ms
     * @param listener the hosts' base URLs, sorted, whenever they change, and after the first resolution that
     *                 succeeds even when it finds none
     */
    public DnsHostWatcher(Vertx vertx, HostAddressResolver resolver, DnsHostSpec spec, Duration interval, Consumer<Set<String>> listener) {
        if (interval.isNegative() || interval.toMillis() < 1) {
            throw new IllegalArgumentException("the interval between DNS resolutions of " + spec + " must be at least 1ms (given " + interval + ")");
        }
        this.vertx = vertx;
        this.resolver = resolver;
        this.spec = spec;
        this.intervalMillis = interval.toMillis();
        this.listener = listener;
    }

    /** Resolves now (on an event loop) and then every interval. Once only, and not after {@link #stop()}. */
    public synchronized void start() {
        if (started || stopped) {
            throw new IllegalStateException("the DNS watcher of " + spec + " was " + (started ? "started" : "stopped") + " before");
        }
        started = true;
        Context context = vertx.getOrCreateContext();
        context.runOnContext(nothing -> resolve());
        timer = vertx.setPeriodic(intervalMillis, id -> context.runOnContext(nothing -> resolve()));
    }

    /** No resolution starts after this, and none still under way reaches the listener. */
    public synchronized void stop() {
        stopped = true;
        vertx.cancelTimer(timer);
    }

    /** The hosts' base URLs as last resolved; empty until a resolution succeeded. */
    public Set<String> current() {
        return current;
    }

    /** Why the last resolution failed, while it is the last one. */
    public Optional<String> lastProblem() {
        return Optional.ofNullable(lastProblem).map(problem -> "Cannot resolve " + spec + ": " + problem);
    }

    private void resolve() {
        synchronized (this) {
            if (stopped || resolving) {
                return;
            }
            resolving = true;
        }
        resolver.resolve(spec.name()).onComplete(this::resolved);
    }

    private void resolved(AsyncResult<List<String>> result) {
        synchronized (this) {
            resolving = false;
            if (stopped) {
                return;
            }
        }
        if (result.failed()) {
            report(result.cause());
            return;
        }
        if (lastProblem != null) {
            LOG.infof("%s resolves again", spec);
            lastProblem = null;
        }
        Set<String> urls = new LinkedHashSet<>();
        for (String address : result.result()) {
            urls.add(spec.baseUrl(address));
        }
        if (!known || !urls.equals(current)) {
            known = true;
            current = Collections.unmodifiableSet(urls);
            LOG.infof("%s resolves to %d LM Studio host(s): %s", spec, urls.size(), urls);
            tell(current);
        }
    }

    /** Outside this watcher's lock: the listener takes the fleet's, and the fleet stops this watcher holding its own. */
    private void tell(Set<String> urls) {
        synchronized (this) {
            if (stopped) {
                return;
            }
        }
        try {
            listener.accept(urls);
        } catch (RuntimeException bug) {
            LOG.errorf(bug, "a listener of the DNS hosts of %s failed", spec);
        }
    }

    private void report(Throwable failure) {
        String problem = String.valueOf(failure.getMessage());
        if (!problem.equals(lastProblem)) {
            LOG.warnf("Cannot resolve %s: %s (%s; next try in %d ms)", spec, problem,
                    current.isEmpty() ? "no hosts known yet" : "the last " + current.size() + " host(s) stay in use", intervalMillis);
            lastProblem = problem;
        }
    }
}
