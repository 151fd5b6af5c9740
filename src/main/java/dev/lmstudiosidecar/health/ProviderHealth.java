package dev.lmstudiosidecar.health;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The seed's {@code ProviderHealth} of one backend, as its last check left it.
 *
 * @param backend         the backend's name ({@code lmstudio}, {@code cloud})
 * @param responseTime    milliseconds the check took (0 before the first)
 * @param availableModels the models the backend lists
 * @param loadedModels    those it can serve without a load: loaded ones, or every listed one on a server
 *                        that does not say (llama.cpp, vLLM, a cloud provider)
 * @param errors          what made the status worse than healthy; empty when healthy
 * @param lastCheck       when the last check ended; null before the first
 * @param testCompletion  whether the last test completion succeeded; null when none ran
 */
public record ProviderHealth(String backend, HealthStatus status, long responseTime, List<String> availableModels,
                             List<String> loadedModels, List<String> errors, Instant lastCheck, Boolean testCompletion) {

    public ProviderHealth {
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(status, "status");
        availableModels = List.copyOf(availableModels);
        loadedModels = List.copyOf(loadedModels);
        errors = List.copyOf(errors);
    }

    public static ProviderHealth unknown(String backend) {
        return new ProviderHealth(backend, HealthStatus.UNKNOWN, 0, List.of(), List.of(), List.of(), null, null);
    }

    /** One line for a probe's data: "healthy (checked at ..., 4 ms)" or "unhealthy: why (checked at ..., 2 ms)". */
    public String summary() {
        if (status == HealthStatus.UNKNOWN) {
            return "unknown: not checked yet";
        }
        String when = " (checked at " + lastCheck + ", " + responseTime + " ms)";
        return errors.isEmpty() ? status.wireName() + when : status.wireName() + ": " + String.join("; ", errors) + when;
    }
}
