package dev.lmstudiosidecar.routing;

import dev.lmstudiosidecar.api.TaskType;
import dev.lmstudiosidecar.models.CapabilityCatalog;
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

    static final int MAX_LOCAL_ALTERNATIVES = 3;

    private final LMStudioClient lmstudio;
    private final CloudProvider cloud;
    private final CapabilityCatalog catalog = CapabilityCatalog.builtIn();
    private final FallbackPlanner planner = new FallbackPlanner();

    FallbackChain(LMStudioClient lmstudio, CloudProvider cloud) {
        this.lmstudio = lmstudio;
        this.cloud = cloud;
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
            planner.alternativesTo(model, catalog, MAX_LOCAL_ALTERNATIVES)
                    .forEach(alternative -> chain.add(new Candidate(lmstudio, alternative, true)));
        }
        if (cloud.allowedFor(fallbackToCloud)) {
            cloud.client().ifPresent(client -> cloud.modelFor(task).ifPresent(cloudModel -> {
                if (preferredProvider.filter("cloud"::equals).isPresent()) {
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
