package dev.lmstudiosidecar.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.lmstudiosidecar.models.DiscoveredModel.LoadState;
import dev.lmstudiosidecar.models.DiscoveredModel.LoadedInstance;
import dev.lmstudiosidecar.models.DiscoveredModel.ModelType;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Several hosts' listings as the one inventory routing, readiness and the admin API read. */
class ModelInventoryMergeTest {

    private static DiscoveredModel model(String key, LoadState state, String... instances) {
        return new DiscoveredModel(key, ModelType.LLM, state, List.of(instances).stream().map(id -> new LoadedInstance(id, 4096)).toList(),
                1L << 30, 0, null, null, 0, null);
    }

    @Test
    void aModelLoadedOnAnyHostIsLoadedWithTheInstancesOfEvery() {
        ModelInventory a = ModelInventory.of(DiscoveryApi.LMSTUDIO_V1, Instant.ofEpochSecond(10),
                List.of(model("qwen", LoadState.NOT_LOADED), model("phi", LoadState.LOADED, "phi")));
        ModelInventory b = ModelInventory.of(DiscoveryApi.LMSTUDIO_V1, Instant.ofEpochSecond(20),
                List.of(model("qwen", LoadState.LOADED, "qwen"), model("phi", LoadState.LOADED, "phi", "phi:2")));
        ModelInventory merged = ModelInventory.merge(List.of(a, b));
        assertEquals(List.of("qwen", "phi"), merged.models().stream().map(DiscoveredModel::key).toList());
        assertEquals(LoadState.LOADED, merged.find("qwen").orElseThrow().state());
        assertEquals(3, merged.find("phi").orElseThrow().instances().size());
        assertEquals(Instant.ofEpochSecond(20), merged.listedAt());
    }

    @Test
    void theRichestApiSpeaksAndAServerThatDoesNotSayItsStateWinsOverNotLoaded() {
        ModelInventory lmstudio = ModelInventory.of(DiscoveryApi.LMSTUDIO_V1, Instant.EPOCH, List.of(model("qwen", LoadState.NOT_LOADED)));
        ModelInventory llama = ModelInventory.of(DiscoveryApi.OPENAI, Instant.EPOCH, List.of(model("qwen", LoadState.UNKNOWN)));
        ModelInventory merged = ModelInventory.merge(List.of(llama, lmstudio));
        assertEquals(DiscoveryApi.LMSTUDIO_V1, merged.api());
        assertEquals(LoadState.UNKNOWN, merged.find("qwen").orElseThrow().state(), "llama-server serves what it lists");
    }

    @Test
    void unknownListingsAreLeftOutAndOneKnownIsItself() {
        ModelInventory a = ModelInventory.of(DiscoveryApi.LMSTUDIO_V1, Instant.EPOCH, List.of(model("qwen", LoadState.LOADED, "qwen")));
        assertSame(a, ModelInventory.merge(List.of(ModelInventory.unknown(), a)));
        assertFalse(ModelInventory.merge(List.of(ModelInventory.unknown(), ModelInventory.unknown())).known());
    }
}
