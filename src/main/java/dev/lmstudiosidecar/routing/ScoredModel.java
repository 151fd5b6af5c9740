package dev.lmstudiosidecar.routing;

/**
 * One candidate's score with its parts, as the seed's {@code calculateModelScore} adds them:
 * {@code 0.4 * performance + 0.3 * memoryEfficiency * 100 + 0.2 * latencyScore * 100 + 0.1 * availabilityBonus}.
 *
 * @param performance       the model's performance score for the task (the seed's default 50 when unknown)
 * @param memoryEfficiency  {@code max(0, (available - minMemoryGB) / available)}, 0..1; 0 when nothing is free,
 *                          1 when no memory budget is known
 * @param latencyMs         the expected latency used: learned when {@code latencyLearned}, else the catalog's figure (default 3000)
 * @param latencyLearned    the latency is {@link LatencyTracker}'s learned average, not the catalog's prior
 * @param latencyScore      {@code max(0, (5000 - latencyMs) / 5000)}, 0..1
 * @param availabilityBonus 20 when loaded, else 0
 * @param total             the weighted sum
 */
public record ScoredModel(String model, boolean loaded, double minMemoryGB, double performance, double memoryEfficiency,
                          double latencyMs, boolean latencyLearned, double latencyScore, double availabilityBonus, double total) {
}
