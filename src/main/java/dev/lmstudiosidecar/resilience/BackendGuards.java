package dev.lmstudiosidecar.resilience;

import dev.lmstudiosidecar.config.LMStudioConfig;
import dev.lmstudiosidecar.provider.Backend;
import dev.lmstudiosidecar.provider.cloud.CloudProvider;
import io.smallrye.faulttolerance.api.TypedGuard;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import jakarta.inject.Singleton;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.eclipse.microprofile.config.Config;

/**
 * One SmallRye Fault Tolerance guard per backend around an attempt's open phase (up to its first
 * chunk): a retry whose delays come from {@link RetryBackoff}, inside it a circuit breaker named after
 * the backend ({@code lmstudio}, {@code cloud}). Their values are {@link GuardSettings}': SmallRye's
 * keys for the guard, else the {@code lmstudio.*} keys. What counts is {@link FailurePolicy}'s: the
 * sidecar's own 429s, client cancellations and 4xx other than 429 are neither retried nor failures
 * of the backend.
 *
 * <p>An attempt runs on the calling thread (a retry after a delay: on SmallRye's timer thread, from
 * where the exchange moves it to its event loop), and its outcome is told on the thread that completes
 * it. The relay pauses the answer until the exchange has seen it.
 */
@Singleton
public class BackendGuards {

    /**
     * The type every guarded attempt has. SmallRye needs only its raw class (an asynchronous type); a
     * {@code TypeLiteral} would read our class's generic signature by reflection, unregistered for native.
     */
    @SuppressWarnings("unchecked")
    private static final Class<CompletionStage<OpenedAnswer>> ATTEMPT = (Class<CompletionStage<OpenedAnswer>>) (Class<?>) CompletionStage.class;

    private final LMStudioConfig lmstudio;
    private final Config config;
    private final CircuitBreakerMaintenance maintenance;
    private final Map<String, GuardSettings> settings = new ConcurrentHashMap<>();
    /** Never removed: SmallRye keeps a breaker's name for good, so a host that comes back gets its guard back. */
    private final Map<String, TypedGuard<CompletionStage<OpenedAnswer>>> guards = new ConcurrentHashMap<>();

    BackendGuards(LMStudioConfig lmstudio, Config config, CircuitBreakerMaintenance maintenance) {
        this.lmstudio = lmstudio;
        this.config = config;
        this.maintenance = maintenance;
        register(CloudProvider.BACKEND_NAME);
    }

    /** Gives the backend named {@code backend} its guard, once; its values are checked now, so a bad one stops the start. */
    public synchronized void register(String backend) {
        if (!guards.containsKey(backend)) {
            GuardSettings values = GuardSettings.of(backend, lmstudio, config);
            settings.put(backend, values);
            guards.put(backend, guard(backend, values, maintenance));
        }
    }

    /** Runs {@code attempt}, and again as the guard's retry decides, under {@code backend}'s guard. */
    public CompletionStage<OpenedAnswer> run(Backend backend, Supplier<CompletionStage<OpenedAnswer>> attempt) {
        TypedGuard<CompletionStage<OpenedAnswer>> guard = guards.get(backend.name());
        if (guard == null) {
            throw new IllegalArgumentException("no guard for backend " + backend.name());
        }
        return guard.get(attempt);
    }

    /** The values {@code backend}'s guard runs with. */
    public GuardSettings settings(String backend) {
        return settings.get(backend);
    }

    private static TypedGuard<CompletionStage<OpenedAnswer>> guard(String backend, GuardSettings settings,
                                                                 CircuitBreakerMaintenance maintenance) {
        return TypedGuard.create(ATTEMPT)
                .withDescription(backend) // the metrics' method tag
                // Left to itself, SmallRye runs each attempt, and hands on its outcome, as a task of its own on
                // the caller's event loop (two extra turns of the loop and a context-propagation wrapper per
                // attempt). The attempts need none of it: they are non-blocking and go to their exchange's event
                // loop by themselves. "Offloading" to the calling thread keeps SmallRye from remembering the loop.
                .withThreadOffload(true)
                .withThreadOffloadExecutor(Runnable::run)
                .withRetry()
                    .maxRetries(settings.maxRetries())
                    .delay(settings.retryDelay().toMillis(), ChronoUnit.MILLIS)
                    .maxDuration(0, ChronoUnit.MILLIS) // bounded by the count and the delays, not by a total
                    .whenException(error -> FailurePolicy.retries(error, settings.maxRetryDelay()))
                    .withCustomBackoff().strategy(() -> RetryBackoff.of(settings.maxRetryDelay())).done()
                    .done()
                .withCircuitBreaker()
                    .name(backend)
                    // SmallRye's window must be full before it opens: minimum-calls is that window.
                    .requestVolumeThreshold(settings.requestVolumeThreshold())
                    .failureRatio(settings.failureRatio())
                    .delay(settings.openDuration().toMillis(), ChronoUnit.MILLIS)
                    .successThreshold(settings.successThreshold())
                    // SmallRye knows success and failure only: a call whose client left, which says nothing of the
                    // backend, counts as a success, except as a half-open probe, where it would close the breaker
                    // with no evidence; there it keeps the breaker open.
                    .when(error -> FailurePolicy.breaksCircuit(error) || error instanceof ClientGoneException
                            && maintenance.currentState(backend) == CircuitBreakerState.HALF_OPEN)
                    .done()
                .build();
    }
}
