package dev.lmstudiosidecar.routing;

import dev.lmstudiosidecar.config.CloudConfig;
import dev.lmstudiosidecar.models.CapabilityCatalog;
import dev.lmstudiosidecar.models.TaskType;
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
    public dev.lmstudiosidecar.provider.Backend primaryBackend() {
        return lmstudio.backend();
    }

    /**
     * @param canFallBack whether other models can stand in at all (a chat or completion, not an embedding or a pass-through)
     */
    public List<Candidate> plan(String model, boolean canFallBack, Optional<TaskType> task,
                                Optional<String> preferredProvider, Optional<Boolean> fallbackToCloud) {
        List<Candidate> chain = new ArrayList<>();
        chain.add(new Candidate(lmstudio, model, false));
        if (!canFallBack) {
            return chain;
        }
        if (model != null) {
            planner.alternativesTo(model, catalog, FallbackPlanner.SEED_MAX_ALTERNATIVES)
                    .forEach(alternative -> chain.add(new Candidate(lmstudio, alternative, true)));
        }
        boolean prefersCloud = preferredProvider.filter(CloudProvider.BACKEND_NAME::equals).isPresent();
        if (cloud.allowedFor(fallbackToCloud, prefersCloud)) {
            cloud.client().ifPresent(client -> cloudModelFor(task).ifPresent(cloudModel -> {
                if (prefersCloud) {
                    // the caller prefers the cloud: the local models become its fallbacks
                    chain.replaceAll(local -> new Candidate(local.client(), local.model(), true));
                    chain.add(0, new Candidate(client, cloudModel, false));
                } else {
                    chain.add(new Candidate(client, cloudModel, true));
                }
            }));
        }
        return chain;
    }
}
