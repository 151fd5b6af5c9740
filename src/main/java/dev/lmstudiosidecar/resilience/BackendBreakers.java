package dev.lmstudiosidecar.resilience;

import dev.lmstudiosidecar.config.LMStudioConfig;
import dev.lmstudiosidecar.provider.Backend;
import dev.lmstudiosidecar.provider.UpstreamFailure;
import dev.lmstudiosidecar.provider.cloud.CloudProvider;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import jakarta.inject.Singleton;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Each backend's circuit breaker as the rest of the sidecar sees it: SmallRye's breaker of the
 * backend's guard ({@link BackendGuards}, named after the backend) decides, {@link RecentCalls} keeps
 * what an error or the health check tells of it, and the gauge {@code sidecar_circuit_breaker_state{backend}}
 * shows it: 0 closed, 1 open, 2 half-open.
 *
 * <p>One rule is the sidecar's own, since SmallRye's breaker cannot be opened from outside: a health
 * check that finds nothing listening at a backend's address marks it down ({@link #openNow}), and calls
 * to it fail fast as if its breaker were open until a check finds it answering again or
 * {@code open-duration} has passed. Waiting for {@code minimum-calls} requests to fail first would make
 * each of them wait out its retries.
 */
@Singleton
public class BackendBreakers {

    private static final Logger LOG = Logger.getLogger(BackendBreakers.class);

    private final CircuitBreakerMaintenance maintenance;
    private final BackendGuards guards;
    private final MeterRegistry registry;
    private final int window;
    /** Never removed, as the guards: a host that comes back (DNS) finds its breaker as it left it. */
    private final Map<String, Breaker> breakers = new ConcurrentHashMap<>();
    private final Map<String, Gauge> gauges = new ConcurrentHashMap<>();

    /** One backend's record, and the sidecar's own verdict that nothing listens there. */
    private static final class Breaker {
        final RecentCalls recent;
        volatile UpstreamFailure lastFailure;
        /** Until when (nanoTime) a health check's finding keeps calls from going out; 0: no such finding. */
        volatile long downUntil;

        Breaker(RecentCalls recent) {
            this.recent = recent;
        }
    }

    // The guards are injected so that they exist, with their breakers' names known to the maintenance, from the start,
    // and for the open duration they run with.
    BackendBreakers(LMStudioConfig config, MeterRegistry registry, CircuitBreakerMaintenance maintenance, BackendGuards guards) {
        LMStudioConfig.CircuitBreakerSettings settings = config.circuitBreaker();
        validate(settings);
        this.maintenance = maintenance;
        this.guards = guards;
        this.registry = registry;
        this.window = settings.window();
        register(CloudProvider.BACKEND_NAME);
    }

    /** Gives the backend {@code name} its guard, breaker and gauge (a host of the fleet as it joins); again, its gauge only. */
    public synchronized void register(String name) {
        guards.register(name);
        if (!breakers.containsKey(name)) {
            Breaker breaker = new Breaker(new RecentCalls(window, guards.settings(name).openDuration(), System::nanoTime));
            breakers.put(name, breaker);
            maintenance.onStateChange(name, state -> stateChanged(name, breaker, state));
        }
        gauges.computeIfAbsent(name, key -> Gauge.builder("sidecar.circuit.breaker.state", () -> gaugeValue(state(key)))
                .tag("backend", key)
                .description("0 closed, 1 open, 2 half-open")
                .register(registry));
    }

    /** A host left the fleet: its gauge goes; its breaker stays, for a return. */
    public synchronized void forget(Backend backend) {
        Gauge gauge = gauges.remove(backend.name());
        if (gauge != null) {
            registry.remove(gauge);
        }
    }

    /** Now, so that a bad setting stops start-up; the guards' own values are checked by {@link GuardSettings}. */
    private static void validate(LMStudioConfig.CircuitBreakerSettings settings) {
        if (settings.window() < 1 || settings.minimumCalls() < 1 || settings.minimumCalls() > settings.window()) {
            throw new IllegalArgumentException("lmstudio.circuit-breaker.*: need 1 <= minimum-calls <= window");
        }
    }

    private static int gaugeValue(CircuitBreakerState state) {
        return switch (state) {
            case CLOSED -> 0;
            case OPEN -> 1;
            case HALF_OPEN -> 2;
        };
    }

    /** A call to {@code backend} got an answer, or failed in a way that says nothing against it. */
    public void recordSuccess(Backend backend) {
        of(backend).recent.succeeded();
    }

    /** A call to {@code backend} failed in a way that counts against it. */
    public void recordFailure(Backend backend, UpstreamFailure failure) {
        Breaker breaker = of(backend);
        breaker.lastFailure = failure;
        breaker.recent.failed(failure.message());
    }

    /**
     * A health check found nothing listening at {@code backend}'s address: calls to it fail fast from
     * now for {@code open-duration}, or until {@link #closeNow} (the sidecar's own rule, see above).
     */
    public void openNow(Backend backend, UpstreamFailure failure) {
        Breaker breaker = of(backend);
        breaker.lastFailure = failure;
        boolean wasOpen = isOpen(backend);
        breaker.downUntil = Math.max(1, System.nanoTime() + breaker.recent.openDuration().toNanos());
        breaker.recent.opened(failure.message());
        if (!wasOpen) {
            LOG.warnf("circuit breaker of %s is now OPEN: %s", backend.name(), breaker.recent.diagnosis().summary());
        }
    }

    /**
     * A health check found {@code backend} answering again after it had failed: calls go through now
     * rather than at the end of {@code open-duration}. A breaker that is not closed is reset through
     * SmallRye's maintenance (closed, with an empty window: the maintenance cannot half-open it); the
     * sidecar's down mark is lifted. SmallRye tells no state change for a reset, so its own
     * {@code ft_circuitbreaker_state_current} keeps its last value; {@code sidecar_circuit_breaker_state} has it right.
     */
    public void closeNow(Backend backend) {
        if (state(backend.name()) == CircuitBreakerState.CLOSED) {
            return; // a closed breaker's window stays as it is
        }
        Breaker breaker = of(backend);
        breaker.downUntil = 0;
        maintenance.reset(backend.name());
        breaker.recent.notOpen(true);
        LOG.infof("circuit breaker of %s is now CLOSED: a health check found it answering", backend.name());
    }

    /** Whether calls to {@code backend} fail fast now (its breaker open, or a check found nothing listening). */
    public boolean isOpen(Backend backend) {
        return state(backend.name()) == CircuitBreakerState.OPEN;
    }

    /** Whether a health check's finding that nothing listens keeps calls to {@code backend} from going out. */
    public boolean markedDown(Backend backend) {
        return markedDown(of(backend));
    }

    public BreakerDiagnosis diagnosis(Backend backend) {
        BreakerDiagnosis diagnosis = of(backend).recent.diagnosis();
        // A down mark that ran out, or an open state left behind by a reset, must not promise a wait.
        return isOpen(backend) || diagnosis.retryAfterMillis() == 0 ? diagnosis
                : new BreakerDiagnosis(diagnosis.failures(), diagnosis.calls(), diagnosis.lastFailures(), diagnosis.failingForMillis(), 0);
    }

    /** The last failure counted against {@code backend}, if any. */
    public Optional<UpstreamFailure> lastFailure(Backend backend) {
        return Optional.ofNullable(of(backend).lastFailure);
    }

    /** Closed, open (a health check's down mark included) or half-open. */
    public CircuitBreakerState state(Backend backend) {
        return state(backend.name());
    }

    private CircuitBreakerState state(String name) {
        Breaker breaker = breakers.get(name);
        return markedDown(breaker) ? CircuitBreakerState.OPEN : maintenance.currentState(name);
    }

    private static boolean markedDown(Breaker breaker) {
        long until = breaker.downUntil;
        return until != 0 && System.nanoTime() - until < 0;
    }

    private void stateChanged(String name, Breaker breaker, CircuitBreakerState state) {
        if (state == CircuitBreakerState.OPEN) {
            breaker.recent.opened(null);
            LOG.warnf("circuit breaker of %s is now OPEN: %s", name, breaker.recent.diagnosis().summary());
        } else {
            breaker.recent.notOpen(state == CircuitBreakerState.CLOSED);
            LOG.infof("circuit breaker of %s is now %s", name, state);
        }
    }

    private Breaker of(Backend backend) {
        Breaker breaker = breakers.get(backend.name());
        if (breaker == null) {
            throw new IllegalArgumentException("no circuit breaker for backend " + backend.name());
        }
        return breaker;
    }
}
