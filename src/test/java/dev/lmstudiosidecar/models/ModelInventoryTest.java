package dev.lmstudiosidecar.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lmstudiosidecar.models.DiscoveredModel.LoadState;
import dev.lmstudiosidecar.models.DiscoveredModel.LoadedInstance;
import dev.lmstudiosidecar.models.DiscoveredModel.ModelType;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModelInventoryTest {

    private static DiscoveredModel model(String key, String... instances) {
        List<LoadedInstance> loaded = java.util.Arrays.stream(instances).map(id -> new LoadedInstance(id, 4096)).toList();
        return new DiscoveredModel(key, ModelType.LLM, loaded.isEmpty() ? LoadState.NOT_LOADED : LoadState.LOADED, loaded,
                0, 0, null, null, 0, null);
    }

    private static final ModelInventory LISTED = ModelInventory.of(DiscoveryApi.LMSTUDIO_V1, Instant.EPOCH,
            List.of(model("qwen2.5-7b-instruct", "qwen2.5-7b-instruct", "qwen2.5-7b-instruct:2"), model("phi-3-mini")));

    @Test
    void findsAModelByTheIdOfOneOfItsInstances() {
        assertEquals("qwen2.5-7b-instruct", LISTED.find("qwen2.5-7b-instruct:2").orElseThrow().key());
        assertTrue(LISTED.find("qwen2.5-7b-instruct:3").isEmpty());
    }

    @Test
    void beforeAnyListingNothingIsRuledOut() {
        assertFalse(ModelInventory.unknown().known());
        assertTrue(ModelInventory.unknown().mayServe("anything"));
    }

    @Test
    void onceListedOnlyListedModelsMayServe() {
        assertTrue(LISTED.mayServe("phi-3-mini"));
        assertFalse(LISTED.mayServe("llama-3-70b"));
    }

    @Test
    void anUpdateReplacesOneModelAndKeepsTheRest() {
        ModelInventory updated = LISTED.with(model("phi-3-mini", "phi-3-mini"));
        assertTrue(updated.find("phi-3-mini").orElseThrow().loaded());
        assertFalse(LISTED.find("phi-3-mini").orElseThrow().loaded()); // the old snapshot is unchanged
        assertEquals(2, updated.models().size());
        assertEquals(LISTED.listedAt(), updated.listedAt());
    }

    @Test
    void aNamesOnlyListingIsSummedUpAsStateUnknownNotAsNoneLoaded() {
        assertEquals("2 models (1 loaded)", LISTED.summary());
        ModelInventory namesOnly = ModelInventory.of(DiscoveryApi.OPENAI, Instant.EPOCH, List.copyOf(LISTED.models()));
        assertEquals("2 models (state unknown)", namesOnly.summary());
    }
}
