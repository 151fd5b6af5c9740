package dev.lmstudiosidecar.routing;

import dev.lmstudiosidecar.models.ModelCapabilities;
import dev.lmstudiosidecar.models.TaskType;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * The seed's {@code calculateModelScore}, weight for weight:
 * {@code performance * 0.4 + memoryEfficiency * 100 * 0.3 + latencyScore * 100 * 0.2 + availabilityBonus * 0.1}.
 * Its one departure: the expected latency is the one {@link LatencyTracker} learned when it has
 * learned one, the catalog's figure otherwise.
 */
final class ModelScorer {

    static final double PERFORMANCE_WEIGHT = 0.4;
    static final double MEMORY_WEIGHT = 0.3;
    static final double LATENCY_WEIGHT = 0.2;
    static final double AVAILABILITY_WEIGHT = 0.1;
    /** A latency at or above this scores 0: the seed's {@code (5000 - latency) / 5000}. */
    static final double LATENCY_CEILING_MS = 5000;
    /** The seed's bonus for a model already loaded, before its weight. */
    static final double LOADED_BONUS = 20;

    private final LatencyTracker tracker;

    ModelScorer(LatencyTracker tracker) {
        this.tracker = Objects.requireNonNull(tracker, "tracker");
    }

    /**
     * @param availableMemoryGB the memory left under the budget; empty when no budget is configured
     *                          (or the figure is not finite), and then memory counts as no constraint
     */
    ScoredModel score(RoutableModel model, TaskType task, OptionalDouble availableMemoryGB) {
        ModelCapabilities capabilities = model.capabilities();
        double performance = capabilities.performanceFor(task);
        double memoryEfficiency = memoryEfficiency(capabilities.minMemoryGB(), availableMemoryGB);
        OptionalDouble learned = tracker.learned(model.name(), task);
        double latencyMs = learned.orElse(capabilities.estimatedLatencyFor(task));
        double latencyScore = Math.max(0, (LATENCY_CEILING_MS - latencyMs) / LATENCY_CEILING_MS);
        double availabilityBonus = model.loaded() ? LOADED_BONUS : 0;
        double total = performance * PERFORMANCE_WEIGHT
                + memoryEfficiency * 100 * MEMORY_WEIGHT
                + latencyScore * 100 * LATENCY_WEIGHT
                + availabilityBonus * AVAILABILITY_WEIGHT;
        return new ScoredModel(model.name(), model.loaded(), capabilities.minMemoryGB(), performance, memoryEfficiency,
                latencyMs, learned.isPresent(), latencyScore, availabilityBonus, total);
    }

    /**
     * The seed's {@code max(0, (available - minMemoryGB) / available)}: the share of the free memory
     * the model would leave. 0 when nothing is free. With no budget known the sidecar knows of no
     * memory constraint, so every model scores the full 1 and memory does not tell models apart.
     */
    static double memoryEfficiency(double minMemoryGB, OptionalDouble availableMemoryGB) {
        if (availableMemoryGB.isEmpty()) {
            return 1;
        }
        double available = availableMemoryGB.getAsDouble();
        return available <= 0 ? 0 : Math.max(0, (available - minMemoryGB) / available);
    }
}
