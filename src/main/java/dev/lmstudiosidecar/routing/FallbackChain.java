package dev.lmstudiosidecar.routing;

import dev.lmstudiosidecar.config.CloudConfig;
import dev.lmstudiosidecar.models.CapabilityCatalog;
import dev.lmstudiosidecar.models.TaskType;
import dev.lmstudiosidecar.provider.Backend;
import dev.lmstudiosidecar.provider.cloud.CloudProvider;
import dev.lmstudiosidecar.provider.lmstudio.LMStudioClient;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The seed's FallbackManager order: the model asked for; then up to three local models whose tasks
 * overlap it, nearest in size first; then, when the request allows it, the cloud provider.
 */
@Singleton
public class FallbackChain {

    private final LMStudioClient lmstudio;
    private final CloudProvider cloud;
    private final CloudConfig cloudConfig;
    private final CapabilityCatalog catalog = CapabilityCatalog.builtIn();
    private final FallbackPlanner planner = new FallbackPlanner();

    FallbackChain(LMStudioClient lmstudio, CloudProvider cloud, CloudConfig cloudConfig) {
        this.lmstudio = lmstudio;
        this.cloud = cloud;
        this.cloudConfig = cloudConfig;
    }

    /** The cloud model for a task: {@code cloud.models.<task>}, else {@code cloud.default-model}. */
    private Optional<String> cloudModelFor(Optional<TaskType> task) {
        return task.map(t -> cloudConfig.models().get(t.wireName())).or(cloudConfig::defaultModel);
    }

    /** Where requests go first: error messages name it before any attempt was made. */
    public Backend primaryBackend() {
        return lmstudio.backend();
    }

    /**
     * The first candidate: the cloud when the request prefers it and may use it, else the model
     * asked for on LM Studio.
     *
     * @param canFallBack whether other models can stand in at all (a chat or completion, not an embedding or a pass-through)
     */
    public Candidate first(String model, boolean canFallBack, Optional<TaskType> task,
                           Optional<String> preferredProvider, Optional<Boolean> fallbackToCloud) {
        return preferredCloud(canFallBack, task, preferredProvider, fallbackToCloud)
                .orElseGet(() -> new Candidate(lmstudio, model, false));
    }

    /**
     * The candidates after the first, in order. Worked out only when the first has failed, so a
     * request that succeeds pays nothing for its fallbacks.
     */
    public List<Candidate> fallbacks(String model, boolean canFallBack, Optional<TaskType> task,
                                     Optional<String> preferredProvider, Optional<Boolean> fallbackToCloud) {
        List<Candidate> rest = new ArrayList<>();
        boolean cloudFirst = preferredCloud(canFallBack, task, preferredProvider, fallbackToCloud).isPresent();
        if (cloudFirst) {
            rest.add(new Candidate(lmstudio, model, true)); // the caller preferred the cloud: local models stand in
        }
        if (!canFallBack) {
            return rest;
        }
        if (model != null) {
            planner.alternativesTo(model, catalog, FallbackPlanner.SEED_MAX_ALTERNATIVES)
                    .forEach(alternative -> rest.add(new Candidate(lmstudio, alternative, true)));
        }
        if (!cloudFirst) {
            cloudCandidate(task, fallbackToCloud, false).ifPresent(rest::add);
        }
        return rest;
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
        return cloud.client().flatMap(client -> cloudModelFor(task).map(cloudModel -> new Candidate(client, cloudModel, !preferred)));
    }
}
