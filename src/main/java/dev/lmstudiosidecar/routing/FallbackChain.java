package dev.lmstudiosidecar.routing;

import dev.lmstudiosidecar.config.CloudConfig;
import dev.lmstudiosidecar.fleet.LMStudioFleet;
import dev.lmstudiosidecar.fleet.LMStudioHost;
import dev.lmstudiosidecar.fleet.Placement;
import dev.lmstudiosidecar.models.CapabilityCatalog;
import dev.lmstudiosidecar.models.DiscoveredModel;
import dev.lmstudiosidecar.models.ModelDirectory;
import dev.lmstudiosidecar.models.ModelDiscovery;
import dev.lmstudiosidecar.models.ModelInventory;
import dev.lmstudiosidecar.models.ResourceMonitor;
import dev.lmstudiosidecar.models.TaskType;
import dev.lmstudiosidecar.provider.Backend;
import dev.lmstudiosidecar.provider.cloud.CloudProvider;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.Predicate;

/**
 * The seed's FallbackManager order: the model asked for; then up to three local models whose tasks
 * overlap it, nearest in size first, among those LM Studio has (catalog entries, and the models it
 * lists with inferred capabilities); then, when the request allows it, the cloud provider.
 */
@Singleton
public class FallbackChain {

    private final LMStudioFleet fleet;
    private final CloudProvider cloud;
    private final CloudConfig cloudConfig;
    private final ModelDirectory directory;
    private final ModelDiscovery discovery;
    private final ResourceMonitor resources;
    private final FallbackPlanner planner = new FallbackPlanner();

    FallbackChain(LMStudioFleet fleet, CloudProvider cloud, CloudConfig cloudConfig, ModelDirectory directory,
                  ModelDiscovery discovery, ResourceMonitor resources) {
        this.fleet = fleet;
        this.cloud = cloud;
        this.cloudConfig = cloudConfig;
        this.directory = directory;
        this.discovery = discovery;
        this.resources = resources;
    }

    /** The cloud model for a task: {@code cloud.models.<task>}, else {@code cloud.default-model}. */
    private Optional<String> cloudModelFor(Optional<TaskType> task) {
        return task.map(t -> cloudConfig.models().get(t.wireName())).or(cloudConfig::defaultModel);
    }

    /** Where requests go first: error messages name it before any attempt was made. */
    public Backend primaryBackend() {
        return fleet.first().map(LMStudioHost::backend).orElseGet(fleet::placeholderBackend);
    }

    /**
     * The first candidate: the cloud when the request prefers it and may use it, else the model
     * asked for on its best LM Studio host ({@link Placement}); empty when there is neither (DNS found no host yet).
     *
     * @param canFallBack whether other models can stand in at all (a chat or completion, not an embedding or a pass-through)
     */
    public Optional<Candidate> first(String model, boolean canFallBack, Optional<TaskType> task,
                                     Optional<String> preferredProvider, Optional<Boolean> fallbackToCloud) {
        return preferredCloud(canFallBack, task, preferredProvider, fallbackToCloud)
                .or(() -> hostsFor(model).stream().findFirst().map(host -> new Candidate(host, model, false)))
                // No host at all (DNS found none yet): down the chain, to the cloud when the request may use it.
                .or(() -> canFallBack ? cloudCandidate(task, fallbackToCloud, false) : Optional.empty());
    }

    /** The hosts for {@code model}, best first. */
    private List<LMStudioHost> hostsFor(String model) {
        List<LMStudioHost> hosts = fleet.hosts();
        return hosts.size() == 1 ? hosts : Placement.hostsFor(hosts, model, directory.catalog());
    }

    /**
     * The candidates after the first, in order: the same model on the other hosts that have it (the
     * same request, not a stand-in); then, when others may stand in, its alternatives and the cloud.
     * Worked out only when the first has failed, so a request that succeeds pays nothing for its fallbacks.
     */
    public List<Candidate> fallbacks(Candidate first, String model, boolean canFallBack, Optional<TaskType> task,
                                     Optional<String> preferredProvider, Optional<Boolean> fallbackToCloud) {
        List<Candidate> rest = new ArrayList<>();
        boolean cloudFirst = !first.local();
        List<LMStudioHost> hosts = hostsFor(model);
        for (LMStudioHost host : hosts) {
            // Of several hosts, another only where it lists the model: a name no host lists is one host's
            // model_not_found, not each host's in turn.
            boolean mayHaveIt = fleet.hosts().size() == 1 || model != null && host.availableModels().find(model).isPresent();
            if (host != first.host() && mayHaveIt) {
                rest.add(new Candidate(host, model, cloudFirst)); // the caller preferred the cloud: local models stand in
            }
        }
        if (!canFallBack) {
            return rest;
        }
        if (model != null) {
            CapabilityCatalog catalog = directory.catalog();
            planner.alternativesTo(model, catalog, FallbackPlanner.SEED_MAX_ALTERNATIVES, usable(catalog))
                    .forEach(alternative -> bestHost(alternative).ifPresent(host -> rest.add(new Candidate(host, alternative, true))));
        }
        if (!cloudFirst) {
            cloudCandidate(task, fallbackToCloud, false).ifPresent(rest::add);
        }
        return rest;
    }

    /**
     * The candidates after a routed request's first (the chosen model, or the cloud when the request
     * prefers it): the chosen model when the cloud went first, the decision's alternatives, then the
     * chosen model's own fallbacks and the cloud, each model once.
     */
    public List<Candidate> routedFallbacks(Candidate first, RouteDecision decision, Optional<String> preferredProvider,
                                           Optional<Boolean> fallbackToCloud) {
        String chosen = decision.chosen().orElseThrow().model();
        Optional<TaskType> task = Optional.of(decision.classification().primary());
        List<Candidate> usual = fallbacks(first, chosen, true, task, preferredProvider, fallbackToCloud);
        List<Candidate> rest = new ArrayList<>();
        Set<String> local = new HashSet<>();
        local.add(chosen);
        usual.stream().filter(c -> c.local() && chosen.equals(c.model())).forEach(rest::add);
        decision.alternatives().forEach(alternative -> {
            local.add(alternative.model());
            bestHost(alternative.model()).ifPresent(host -> rest.add(new Candidate(host, alternative.model(), true)));
        });
        usual.stream().filter(c -> !c.local() || local.add(c.model())).forEach(rest::add);
        return rest;
    }

    private Optional<LMStudioHost> bestHost(String model) {
        return hostsFor(model).stream().findFirst();
    }

    /** A routed request no local model can serve: the cloud, when the request may use it (or prefers it). */
    public Optional<Candidate> cloudFor(TaskType task, Optional<String> preferredProvider, Optional<Boolean> fallbackToCloud) {
        return preferredCloud(true, Optional.of(task), preferredProvider, fallbackToCloud)
                .or(() -> cloudCandidate(Optional.of(task), fallbackToCloud, false));
    }

    /**
     * The seed's {@code isModelAvailable}: an alternative LM Studio has (when its listing is known),
     * that is no embedding model (whatever a catalog entry matching it says), and that is loaded
     * or fits in the memory left ({@code lmstudio.memory-budget}).
     */
    private Predicate<String> usable(CapabilityCatalog catalog) {
        ModelInventory inventory = discovery.inventory();
        OptionalDouble memoryLeftGB = resources.availableMemoryGB(); // once for the chain, not once per alternative
        return name -> {
            Optional<DiscoveredModel> listed = inventory.find(name);
            if (!inventory.mayServe(name) || listed.map(DiscoveredModel::embedding).orElse(false)) {
                return false;
            }
            return listed.map(DiscoveredModel::loaded).orElse(false)
                    || catalog.find(name).map(entry -> memoryLeftGB.orElse(Double.MAX_VALUE) >= entry.minMemoryGB()).orElse(true);
        };
    }

    private Optional<Candidate> preferredCloud(boolean canFallBack, Optional<TaskType> task,
                                               Optional<String> preferredProvider, Optional<Boolean> fallbackToCloud) {
        boolean prefersCloud = preferredProvider.filter(CloudProvider.BACKEND_NAME::equals).isPresent();
        return canFallBack && prefersCloud ? cloudCandidate(task, fallbackToCloud, true) : Optional.empty();
    }

    private Optional<Candidate> cloudCandidate(Optional<TaskType> task, Optional<Boolean> fallbackToCloud, boolean preferred) {
        if (!cloud.allowedFor(fallbackToCloud, preferred)) {
            return Optional.empty();
        }
        return cloud.adapter().flatMap(adapter -> cloudModelFor(task).map(cloudModel -> new Candidate(adapter, cloudModel, !preferred)));
    }
}
