package dev.lmstudiosidecar.resilience;

import dev.lmstudiosidecar.config.LMStudioConfig;
import dev.lmstudiosidecar.provider.cloud.CloudProvider;
import dev.lmstudiosidecar.provider.lmstudio.LMStudioClient;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.faulttolerance.api.TypedGuard;
import jakarta.enterprise.inject.Produces;
import jakarta.enterprise.util.TypeLiteral;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.CompletionStage;

/**
 * One SmallRye Fault Tolerance guard per backend around an attempt's open phase (up to its first
 * chunk): a retry whose delays come from {@link RetryBackoff}, inside it a circuit breaker named after
 * the backend. Their values come from the {@code lmstudio.*} keys; SmallRye's own keys for the guard
 * ({@code smallrye.faulttolerance."lmstudio".retry.max-retries}, {@code ...circuit-breaker.delay}, ...)
 * override them, since the guards are applied by {@link GuardedAttempts}' {@code @ApplyGuard}.
 *
 * <p>What counts is {@link FailurePolicy}'s: the sidecar's own 429s, client cancellations and 4xx other
 * than 429 are neither retried nor failures of the backend.
 */
public class BackendGuards {

    /** The type every guarded attempt has. */
    public static final TypeLiteral<CompletionStage<OpenedAnswer>> ATTEMPT = new TypeLiteral<>() {
    };

    @Produces
    @Singleton
    @Identifier(LMStudioClient.BACKEND_NAME)
    TypedGuard<CompletionStage<OpenedAnswer>> lmStudioGuard(LMStudioConfig config) {
        return guard(LMStudioClient.BACKEND_NAME, config);
    }

    @Produces
    @Singleton
    @Identifier(CloudProvider.BACKEND_NAME)
    TypedGuard<CompletionStage<OpenedAnswer>> cloudGuard(LMStudioConfig config) {
        return guard(CloudProvider.BACKEND_NAME, config);
    }

    static TypedGuard<CompletionStage<OpenedAnswer>> guard(String backend, LMStudioConfig config) {
        LMStudioConfig.CircuitBreakerSettings breaker = config.circuitBreaker();
        Duration maxDelay = config.retryMaxDelay();
        return TypedGuard.create(ATTEMPT)
                .withDescription(backend)
                .withRetry()
                    .maxRetries(config.retryAttempts())
                    .delay(config.retryDelay().toMillis(), ChronoUnit.MILLIS)
                    .maxDuration(0, ChronoUnit.MILLIS) // bounded by the count and the delays, not by a total
                    .whenException(error -> FailurePolicy.retries(error, maxDelay))
                    .withCustomBackoff().strategy(() -> RetryBackoff.of(maxDelay)).done()
                    .done()
                .withCircuitBreaker()
                    .name(backend)
                    // SmallRye's window must be full before it opens: minimum-calls is that window.
                    .requestVolumeThreshold(breaker.minimumCalls())
                    .failureRatio(breaker.failureRatio())
                    .delay(breaker.openDuration().toMillis(), ChronoUnit.MILLIS)
                    .successThreshold(breaker.halfOpenProbes())
                    .when(FailurePolicy::breaksCircuit)
                    .done()
                .build();
    }
}
