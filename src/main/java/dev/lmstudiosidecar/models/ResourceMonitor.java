package dev.lmstudiosidecar.models;

import dev.lmstudiosidecar.config.ByteSize;
import dev.lmstudiosidecar.fleet.LMStudioFleet;
import dev.lmstudiosidecar.fleet.LMStudioHost;
import io.quarkus.runtime.configuration.ConfigurationException;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
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
    private final LMStudioFleet fleet;
    /** The hosts' budgets together; null unless every configured host has one. */
    private final Double budgetGB;

    ResourceMonitor(ModelDirectory directory, LMStudioFleet fleet) {
        this.directory = directory;
        this.fleet = fleet;
        double sum = 0;
        boolean all = !fleet.hosts().isEmpty();
        for (LMStudioHost host : fleet.hosts()) {
            Optional<ByteSize> budget = host.settings().memoryBudget();
            if (budget.isPresent() && budget.get().bytes() < MIB) {
                // "24" is 24 bytes to the size reader: surely meant as GiB, and a budget no model fits in.
                throw new ConfigurationException((fleet.several() ? "lmstudio.hosts." + host.name() + ".memory-budget=" : "lmstudio.memory-budget=")
                        + budget.get().bytes() + " bytes is less than 1 MiB; write it with its unit, e.g. 24GiB");
            }
            all &= budget.isPresent();
            sum += budget.map(ByteSize::bytes).orElse(0L) / GIB;
        }
        this.budgetGB = all ? sum : null;
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

    /**
     * As {@link #availableMemoryGB()}, from a list of the directory's models the caller already has. With several
     * hosts, the most any one host has left: a model fits when it fits on one of them.
     */
    public OptionalDouble availableMemoryGB(List<ModelInfo> models) {
        List<LMStudioHost> hosts = fleet.hosts();
        if (fleet.several()) {
            if (hosts.isEmpty()) {
                return OptionalDouble.empty(); // no host yet: nothing to refuse a model for
            }
            CapabilityCatalog catalog = directory.catalog();
            double most = 0;
            for (LMStudioHost host : hosts) {
                OptionalDouble free = host.freeMemoryGB(catalog);
                if (free.isEmpty()) {
                    return free; // a host without a budget refuses no model for memory
                }
                most = Math.max(most, free.getAsDouble());
            }
            return OptionalDouble.of(most);
        }
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
