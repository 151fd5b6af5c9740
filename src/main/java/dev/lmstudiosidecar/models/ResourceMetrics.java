package dev.lmstudiosidecar.models;

/**
 * The seed's {@code ResourceMetrics}: the LM Studio host's memory as the sidecar accounts for it,
 * and the sidecar's own. Sizes in GB are GiB, as the config reads {@code GB}. A null figure is
 * not known.
 *
 * @param memoryBudgetGB    {@code lmstudio.memory-budget}, or null when unset
 * @param modelMemoryGB     held by the loaded models (their file size per loaded copy)
 * @param availableMemoryGB the budget less what the models hold (never below 0), or null without a budget
 * @param sidecarRssMB      the sidecar's resident memory, or null where /proc is not there
 */
public record ResourceMetrics(
        Double memoryBudgetGB,
        double modelMemoryGB,
        Double availableMemoryGB,
        int loadedModels,
        int loadedInstances,
        double sidecarHeapUsedMB,
        double sidecarHeapMaxMB,
        Double sidecarRssMB) {
}
