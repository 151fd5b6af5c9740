package dev.lmstudiosidecar.resilience;

import dev.lmstudiosidecar.config.LMStudioConfig;
import dev.lmstudiosidecar.provider.Backend;
import dev.lmstudiosidecar.provider.UpstreamFailure;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import dev.lmstudiosidecar.provider.lmstudio.LMStudioClient;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One circuit breaker per backend, each visible as the gauge
 * {@code sidecar_circuit_breaker_state{backend}}: 0 closed, 1 open, 2 half-open.
 */
@Singleton
public class BackendBreakers {

    private static final Logger LOG = Logger.getLogger(BackendBreakers.class);

    private final LMStudioConfig.CircuitBreakerSettings settings;
    private final MeterRegistry registry;
    private final Map<String, CircuitBreaker> breakers = new ConcurrentHashMap<>();
    /** Per backend, the last failure counted against it: what an open breaker's error can tell of it. */
    private final Map<String, UpstreamFailure> lastFailures = new ConcurrentHashMap<>();

    BackendBreakers(LMStudioConfig config, MeterRegistry registry, LMStudioClient lmstudio) {
        this.settings = config.circuitBreaker();
        this.registry = registry;
        of(lmstudio.backend()); // now, so that a bad setting stops start-up and the gauge exists from the start
    }

    /** A call to {@code backend} failed in a way that counts against it. */
    public void recordFailure(Backend backend, UpstreamFailure failure) {
        lastFailures.put(backend.name(), failure);
        of(backend).onFailure(failure.message());
    }

    /**
     * A health check found nothing listening at {@code backend}'s address: its breaker opens now
     * ({@link CircuitBreaker#openNow(String)}), and its errors tell {@code failure} as the last one.
     */
    public void openNow(Backend backend, UpstreamFailure failure) {
        lastFailures.put(backend.name(), failure);
        of(backend).openNow(failure.message());
    }

    /** The last failure counted against {@code backend}, if any. */
    public Optional<UpstreamFailure> lastFailure(Backend backend) {
        return Optional.ofNullable(lastFailures.get(backend.name()));
    }

    public CircuitBreaker of(Backend backend) {
        return breakers.computeIfAbsent(backend.name(), name -> {
            CircuitBreaker breaker;
            try {
                breaker = new CircuitBreaker(settings.window(), settings.minimumCalls(), settings.failureRatio(),
                        settings.openDuration(), settings.halfOpenProbes(), System::nanoTime);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("lmstudio.circuit-breaker.*: " + e.getMessage(), e);
            }
            breaker.onStateChange(state -> {
                if (state == CircuitBreaker.State.OPEN) {
                    LOG.warnf("circuit breaker of %s is now OPEN: %s", name, breaker.diagnosis().summary());
                } else {
                    LOG.infof("circuit breaker of %s is now %s", name, state);
                }
            });
            Gauge.builder("sidecar.circuit.breaker.state", breaker, b -> b.state().ordinal())
                    .tag("backend", name)
                    .description("0 closed, 1 open, 2 half-open")
                    .register(registry);
            return breaker;
        });
    }
}
