package dev.lmstudiosidecar.models;

import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What one model can do and what it costs: the seed's {@code ModelCapabilities}, field for field.
 * The seed's {@code memoryRequirement} is in GB, so it is named so here.
 *
 * <p>{@code modelName} is either a concrete model key or, for catalog entries that describe a
 * family, a glob ({@code *} any run of characters, {@code ?} one character). {@code inferred}
 * marks entries guessed from a model key rather than written down, so callers can trust them less.
 *
 * <p>Immutable: the collections are copied on the way in, so a caller that keeps and changes its
 * own set or map cannot change a catalog entry behind the catalog's back.
 */
public record ModelCapabilities(
        String modelName,
        String provider,
        long parameterCount,
        String quantization,
        double memoryRequirementGB,
        int maxContextLength,
        Set<TaskType> supportedTasks,
        Map<TaskType, Integer> performanceScores,
        double minMemoryGB,
        boolean preferredGpu,
        Map<TaskType, Integer> estimatedLatencyMs,
        boolean inferred) {

    /** The seed scores a task it has no number for as middling: {@code performanceScores[t] || 50}. */
    public static final int DEFAULT_PERFORMANCE = 50;

    /** The seed's guess for a task with no latency figure: {@code estimatedLatency[t] || 3000}. */
    public static final int DEFAULT_LATENCY_MS = 3000;

    public ModelCapabilities {
        Objects.requireNonNull(modelName, "modelName");
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(quantization, "quantization");
        if (modelName.isBlank()) {
            throw new IllegalArgumentException("modelName must not be blank");
        }
        if (parameterCount < 0 || memoryRequirementGB < 0 || minMemoryGB < 0 || maxContextLength < 0) {
            throw new IllegalArgumentException(
                    "sizes must be >= 0 for " + modelName + " (parameters, memory, context length)");
        }
        supportedTasks = copyOf(supportedTasks, "supportedTasks");
        performanceScores = copyOf(performanceScores, "performanceScores");
        estimatedLatencyMs = copyOf(estimatedLatencyMs, "estimatedLatencyMs");
    }

    public boolean supports(TaskType task) {
        return supportedTasks.contains(task);
    }

    public int performanceFor(TaskType task) {
        return performanceScores.getOrDefault(task, DEFAULT_PERFORMANCE);
    }

    public int estimatedLatencyFor(TaskType task) {
        return estimatedLatencyMs.getOrDefault(task, DEFAULT_LATENCY_MS);
    }

    /** True when the name is a pattern for a family of models rather than one model's key. */
    public boolean isGlob() {
        return modelName.indexOf('*') >= 0 || modelName.indexOf('?') >= 0;
    }

    // EnumSet.copyOf and new EnumMap(Map) both refuse an empty plain collection, hence the detour.
    private static Set<TaskType> copyOf(Set<TaskType> tasks, String what) {
        Objects.requireNonNull(tasks, what);
        EnumSet<TaskType> copy = EnumSet.noneOf(TaskType.class);
        for (TaskType task : tasks) {
            copy.add(Objects.requireNonNull(task, what + " holds a null task"));
        }
        return Collections.unmodifiableSet(copy);
    }

    private static Map<TaskType, Integer> copyOf(Map<TaskType, Integer> byTask, String what) {
        Objects.requireNonNull(byTask, what);
        EnumMap<TaskType, Integer> copy = new EnumMap<>(TaskType.class);
        byTask.forEach((task, value) -> copy.put(
                Objects.requireNonNull(task, what + " holds a null task"),
                Objects.requireNonNull(value, what + " holds a null value for " + task)));
        return Collections.unmodifiableMap(copy);
    }
}
