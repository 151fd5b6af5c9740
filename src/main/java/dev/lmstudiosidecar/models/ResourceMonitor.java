package dev.lmstudiosidecar.models;

import dev.lmstudiosidecar.config.ByteSize;
import dev.lmstudiosidecar.config.LMStudioConfig;
import io.quarkus.runtime.configuration.ConfigurationException;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalDouble;

/**
 * Works out {@link ResourceMetrics} from the latest listing and the configured memory budget.
 * LM Studio does not report the host's free memory, so the budget is what the operator gives it.
 */
@Singleton
public class ResourceMonitor {

    private static final double GIB = 1L << 30;
    private static final double MIB = 1L << 20;
    private static final Path PROC_STATUS = Path.of("/proc/self/status");

    private final ModelDirectory directory;
    private final Double budgetGB;

    ResourceMonitor(ModelDirectory directory, LMStudioConfig config) {
        this.directory = directory;
        this.budgetGB = config.memoryBudget().map(ByteSize::bytes).map(bytes -> bytes / GIB).orElse(null);
        if (budgetGB != null && budgetGB * GIB < MIB) {
            // "24" is 24 bytes to the size reader: surely meant as GiB, and a budget no model fits in.
            throw new ConfigurationException("lmstudio.memory-budget=" + config.memoryBudget().get().bytes()
                    + " bytes is less than 1 MiB; write it with its unit, e.g. 24GiB");
        }
    }

    public ResourceMetrics current() {
        double held = 0;
        int models = 0;
        int instances = 0;
        for (ModelInfo model : directory.models()) {
            if (model.loaded()) {
                held += model.memoryHeldGB();
                models++;
                instances += Math.max(1, model.discovered().instances().size());
            }
        }
        Runtime runtime = Runtime.getRuntime();
        return new ResourceMetrics(budgetGB, held, available(held), models, instances,
                (runtime.totalMemory() - runtime.freeMemory()) / MIB, runtime.maxMemory() / MIB, residentMB());
    }

    /** The memory left for models, in GB, or empty without a budget (then every model may fit). */
    public OptionalDouble availableMemoryGB() {
        return availableMemoryGB(directory.models());
    }

    /** As {@link #availableMemoryGB()}, from a list of the directory's models the caller already has. */
    public OptionalDouble availableMemoryGB(List<ModelInfo> models) {
        if (budgetGB == null) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(available(models.stream().filter(ModelInfo::loaded).mapToDouble(ModelInfo::memoryHeldGB).sum()));
    }

    private Double available(double held) {
        return budgetGB == null ? null : Math.max(0, budgetGB - held);
    }

    /** VmRSS from /proc (Linux, the sidecar's home); null elsewhere. */
    private static Double residentMB() {
        try {
            for (String line : Files.readAllLines(PROC_STATUS)) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
                }
            }
        } catch (IOException | RuntimeException notLinux) {
            // fall through: not known here
        }
        return null;
    }
}
