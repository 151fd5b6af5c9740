package dev.lmstudiosidecar.health;

import static dev.lmstudiosidecar.health.Listings.embedding;
import static dev.lmstudiosidecar.health.Listings.inventory;
import static dev.lmstudiosidecar.health.Listings.lmStudio;
import static dev.lmstudiosidecar.health.Listings.loaded;
import static dev.lmstudiosidecar.health.Listings.namesOnly;
import static dev.lmstudiosidecar.health.Listings.notLoaded;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lmstudiosidecar.models.DiscoveryApi;
import java.util.List;
import org.junit.jupiter.api.Test;

class RequiredModelsTest {

    @Test
    void theReadinessSettingWinsOverTheKeptWarmModels() {
        RequiredModels required = RequiredModels.of(List.of("qwen"), List.of("phi"), true);
        assertEquals(List.of("qwen"), required.models());
        assertEquals("sidecar.readiness.required-models", required.source());
    }

    @Test
    void withoutItTheKeptWarmModelsAreRequired() {
        RequiredModels required = RequiredModels.of(List.of(), List.of("phi", "phi"), true);
        assertEquals(List.of("phi"), required.models());
        assertEquals("lmstudio.keep-models-warm", required.source());
    }

    @Test
    void withNeitherAnyChatModelWillDo() {
        RequiredModels required = RequiredModels.of(List.of(), List.of(), true);
        assertEquals(List.of(), required.models());
        assertEquals(RequiredModels.ANY_CHAT_MODEL, required.source());
    }

    @Test
    void aBlankRequiredModelIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> RequiredModels.of(List.of(" "), List.of(), true));
    }

    @Test
    void everyNamedModelMustBeLoaded() {
        RequiredModels required = RequiredModels.of(List.of("qwen", "phi", "llama"), List.of(), true);
        RequiredModels.Evaluation evaluation = required.evaluate(lmStudio(loaded("qwen"), notLoaded("phi")));
        assertFalse(evaluation.met());
        assertEquals(List.of("loaded", "not loaded", "not on LM Studio (download it with `lms get llama`)"),
                evaluation.checks().stream().map(RequiredModels.Check::state).toList());
        assertEquals(List.of("phi", "llama"), evaluation.unmet().stream().map(RequiredModels.Check::what).toList());
        assertTrue(required.evaluate(lmStudio(loaded("qwen"), loaded("phi"), loaded("llama"))).met());
    }

    @Test
    void aNamesOnlyServerServesWhatItLists() {
        RequiredModels required = RequiredModels.of(List.of("qwen"), List.of(), true);
        RequiredModels.Evaluation evaluation = required.evaluate(inventory(DiscoveryApi.OPENAI, namesOnly("qwen")));
        assertTrue(evaluation.met());
        assertEquals("listed (the server does not say what is loaded)", evaluation.checks().get(0).state());
    }

    @Test
    void anyLoadedChatModelWillDoButNotAnEmbeddingModel() {
        RequiredModels any = RequiredModels.of(List.of(), List.of(), false);
        assertTrue(any.evaluate(lmStudio(embedding("nomic", true), loaded("qwen"))).met());
        RequiredModels.Evaluation onlyEmbedding = any.evaluate(lmStudio(embedding("nomic", true)));
        assertFalse(onlyEmbedding.met());
        assertEquals("LM Studio has no chat model (download one with `lms get <model>`)", onlyEmbedding.checks().get(0).state());
    }

    @Test
    void anUnloadedChatModelWillDoWhenTheSidecarCanLoadItOnFirstUse() {
        RequiredModels.Evaluation loadable = RequiredModels.of(List.of(), List.of(), true).evaluate(lmStudio(notLoaded("qwen"), notLoaded("phi")));
        assertTrue(loadable.met());
        assertEquals("no chat model is loaded, but qwen and 1 more can be loaded on first use (lmstudio.auto-load-models)",
                loadable.checks().get(0).state());
    }

    @Test
    void anUnloadedChatModelWillNotDoWithAutoLoadOffOrWithoutTheLoadApi() {
        assertFalse(RequiredModels.of(List.of(), List.of(), false).evaluate(lmStudio(notLoaded("qwen"))).met());
        RequiredModels.Evaluation noLoadApi = RequiredModels.of(List.of(), List.of(), true)
                .evaluate(inventory(DiscoveryApi.LMSTUDIO_V0, notLoaded("qwen")));
        assertFalse(noLoadApi.met());
        assertTrue(noLoadApi.checks().get(0).state().contains("LM Studio 0.4"), noLoadApi.checks().get(0).state());
    }
}
