package dev.lmstudiosidecar.resilience;

import dev.lmstudiosidecar.config.LMStudioConfig;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import org.eclipse.microprofile.config.Config;

/**
 * The values of one backend's guard: each from SmallRye Fault Tolerance's key for a guard of that
 * name when it is set ({@code smallrye.faulttolerance."lmstudio".retry.max-retries}, or its Quarkus
 * spelling {@code quarkus.fault-tolerance."lmstudio".retry.max-retries}), else from the sidecar's
 * {@code lmstudio.*} key.
 *
 * <p>SmallRye reads these keys by itself only for a guard applied with {@code @ApplyGuard}, and in
 * the version Quarkus 3.33 ships (6.10.1) that path keeps one metrics object per call for ever
 * (smallrye-fault-tolerance#1325, fixed after 6.11.1): a leak at every request. So the sidecar calls
 * its guards directly and looks the same keys up here, with the same names, types and units.
 *
 * @param maxRetries              {@code retry.max-retries}, else {@code lmstudio.retry-attempts}
 * @param retryDelay              {@code retry.delay} in {@code retry.delay-unit} (default millis), else {@code lmstudio.retry-delay}
 * @param requestVolumeThreshold  {@code circuit-breaker.request-volume-threshold}, else {@code lmstudio.circuit-breaker.minimum-calls}
 * @param failureRatio            {@code circuit-breaker.failure-ratio}, else {@code lmstudio.circuit-breaker.failure-ratio}
 * @param openDuration            {@code circuit-breaker.delay} in {@code circuit-breaker.delay-unit}, else {@code lmstudio.circuit-breaker.open-duration}
 * @param successThreshold        {@code circuit-breaker.success-threshold}, else {@code lmstudio.circuit-breaker.half-open-probes}
 * @param maxRetryDelay           {@code lmstudio.retry-max-delay} (the custom backoff's cap has no SmallRye key)
 */
public record GuardSettings(int maxRetries, Duration retryDelay, int requestVolumeThreshold, double failureRatio,
                            Duration openDuration, int successThreshold, Duration maxRetryDelay) {

    static GuardSettings of(String guard, LMStudioConfig lmstudio, Config config) {
        LMStudioConfig.CircuitBreakerSettings breaker = lmstudio.circuitBreaker();
        Keys keys = new Keys(guard, config);
        return validated(guard, new GuardSettings(
                keys.integer("retry.max-retries").orElse(lmstudio.retryAttempts()),
                keys.duration("retry.delay").orElse(lmstudio.retryDelay()),
                keys.integer("circuit-breaker.request-volume-threshold").orElse(breaker.minimumCalls()),
                keys.decimal("circuit-breaker.failure-ratio").orElse(breaker.failureRatio()),
                keys.duration("circuit-breaker.delay").orElse(breaker.openDuration()),
                keys.integer("circuit-breaker.success-threshold").orElse(breaker.halfOpenProbes()),
                lmstudio.retryMaxDelay()));
    }

    /**
     * Now, so that a bad value stops start-up rather than the first request; SmallRye would take some
     * of them (a max-retries of -1 retries for ever).
     */
    private static GuardSettings validated(String guard, GuardSettings settings) {
        String problem = null;
        if (settings.maxRetries() < 0) {
            problem = "the retries (lmstudio.retry-attempts) must be >= 0";
        } else if (settings.retryDelay().isNegative() || settings.retryDelay().compareTo(settings.maxRetryDelay()) > 0) {
            problem = "need 0 <= retry delay (lmstudio.retry-delay) <= lmstudio.retry-max-delay";
        } else if (settings.requestVolumeThreshold() < 1) {
            problem = "the breaker's window (lmstudio.circuit-breaker.minimum-calls) must be >= 1";
        } else if (!(settings.failureRatio() >= 0 && settings.failureRatio() <= 1)) { // written so that NaN fails too
            problem = "lmstudio.circuit-breaker.failure-ratio must be within 0..1";
        } else if (settings.openDuration().isNegative()) {
            problem = "lmstudio.circuit-breaker.open-duration must be >= 0";
        } else if (settings.successThreshold() < 1) {
            problem = "lmstudio.circuit-breaker.half-open-probes must be >= 1";
        }
        if (problem != null) {
            throw new IllegalArgumentException("guard " + guard + ": " + problem
                    + " (or its key smallrye.faulttolerance.\"" + guard + "\".*, which wins when set)");
        }
        return settings;
    }

    /** SmallRye's keys for one guard. */
    private record Keys(String guard, Config config) {

        private String key(String property) {
            return "smallrye.faulttolerance.\"" + guard + "\"." + property;
        }

        Optional<Integer> integer(String property) {
            return config.getOptionalValue(key(property), Integer.class);
        }

        Optional<Double> decimal(String property) {
            return config.getOptionalValue(key(property), Double.class);
        }

        /** A long in the property's {@code -unit} sibling (a {@link ChronoUnit}, millis by default), as SmallRye reads it. */
        Optional<Duration> duration(String property) {
            return config.getOptionalValue(key(property), Long.class).map(amount -> Duration.of(amount,
                    config.getOptionalValue(key(property + "-unit"), ChronoUnit.class).orElse(ChronoUnit.MILLIS)));
        }
    }
}
