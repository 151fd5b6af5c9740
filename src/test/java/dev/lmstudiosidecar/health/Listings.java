package dev.lmstudiosidecar.health;

import dev.lmstudiosidecar.models.DiscoveredModel;
import dev.lmstudiosidecar.models.DiscoveredModel.LoadState;
import dev.lmstudiosidecar.models.DiscoveredModel.LoadedInstance;
import dev.lmstudiosidecar.models.DiscoveredModel.ModelType;
import dev.lmstudiosidecar.models.DiscoveryApi;
import dev.lmstudiosidecar.models.ListingOutcome;
import dev.lmstudiosidecar.models.ModelInventory;
import dev.lmstudiosidecar.provider.Backend;
import dev.lmstudiosidecar.provider.UpstreamFailure;
import java.time.Instant;
import java.util.List;

/** Listings as the health rules see them, built in a line. */
final class Listings {

    static final Backend LMSTUDIO = Backend.of("lmstudio", "http://localhost:1234/v1");
    static final Instant AT = Instant.parse("2026-12-01T12:00:00Z");

    private Listings() {
    }

    static DiscoveredModel loaded(String key) {
        return model(key, ModelType.LLM, LoadState.LOADED);
    }

    static DiscoveredModel notLoaded(String key) {
        return model(key, ModelType.LLM, LoadState.NOT_LOADED);
    }

    static DiscoveredModel embedding(String key, boolean loaded) {
        return model(key, ModelType.EMBEDDING, loaded ? LoadState.LOADED : LoadState.NOT_LOADED);
    }

    /** As a names-only server (llama.cpp, vLLM) lists it. */
    static DiscoveredModel namesOnly(String key) {
        return model(key, ModelType.LLM, LoadState.UNKNOWN);
    }

    private static DiscoveredModel model(String key, ModelType type, LoadState state) {
        List<LoadedInstance> instances = state == LoadState.LOADED ? List.of(new LoadedInstance(key, 4096)) : List.of();
        return new DiscoveredModel(key, type, state, instances, 0, 0, null, null, 0, null);
    }

    static ModelInventory inventory(DiscoveryApi api, DiscoveredModel... models) {
        return ModelInventory.of(api, AT, List.of(models));
    }

    /** LM Studio 0.4: it can load. */
    static ModelInventory lmStudio(DiscoveredModel... models) {
        return inventory(DiscoveryApi.LMSTUDIO_V1, models);
    }

    static ListingOutcome listed(ModelInventory inventory) {
        return ListingOutcome.listed(AT, 4, inventory);
    }

    static ListingOutcome failed(UpstreamFailure.Kind kind, String message) {
        return ListingOutcome.failed(AT, 2, new UpstreamFailure(kind, LMSTUDIO, 0, message, null, null));
    }
}
