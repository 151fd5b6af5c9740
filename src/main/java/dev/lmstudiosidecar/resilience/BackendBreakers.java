package dev.lmstudiosidecar.resilience;

import dev.lmstudiosidecar.config.LMStudioConfig;
import dev.lmstudiosidecar.provider.Backend;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import dev.lmstudiosidecar.provider.lmstudio.LMStudioClient;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;
import java.util.Map;
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

    BackendBreakers(LMStudioConfig config, MeterRegistry registry, LMStudioClient lmstudio) {
        this.settings = config.circuitBreaker();
        this.registry = registry;
        of(lmstudio.backend()); // now, so that a bad setting stops start-up and the gauge exists from the start
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
            breaker.onStateChange(state -> LOG.infof("circuit breaker of %s is now %s", name, state));
            Gauge.builder("sidecar.circuit.breaker.state", breaker, b -> b.state().ordinal())
                    .tag("backend", name)
                    .description("0 closed, 1 open, 2 half-open")
                    .register(registry);
            return breaker;
        });
    }
}
