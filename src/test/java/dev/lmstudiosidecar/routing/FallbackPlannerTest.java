package dev.lmstudiosidecar.routing;

import static dev.lmstudiosidecar.models.TaskType.CODING;
import static dev.lmstudiosidecar.models.TaskType.CREATIVE;
import static dev.lmstudiosidecar.models.TaskType.GENERAL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.lmstudiosidecar.models.TaskType;
import dev.lmstudiosidecar.models.CapabilityCatalog;
import dev.lmstudiosidecar.models.ModelCapabilities;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FallbackPlannerTest {

    private final FallbackPlanner planner = new FallbackPlanner();
    private final CapabilityCatalog builtIn = CapabilityCatalog.builtIn();

    private static ModelCapabilities entry(String name, long parameters, Set<TaskType> tasks) {
        return new ModelCapabilities(name, "lmstudio", parameters, "Q4_K_M", 1, 4096,
                tasks, Map.of(), 1, false, Map.of(), false);
    }

    @Test
    void deepseekFallsBackToTheNearerPhiBeforeLlama() {
        // |3.8B - 34B| = 30.2B < |70B - 34B| = 36B; both share a task with deepseek
        assertEquals(List.of("phi-3-mini", "llama-3-70b"),
                planner.alternativesTo("deepseek-coder-34b", builtIn, FallbackPlanner.SEED_MAX_ALTERNATIVES));
    }

    @Test
    void llamaFallsBackToDeepseekBeforePhi() {
        assertEquals(List.of("deepseek-coder-34b", "phi-3-mini"),
                planner.alternativesTo("llama-3-70b", builtIn, 3));
    }

    @Test
    void phiFallsBackToDeepseekBeforeLlama() {
        assertEquals(List.of("deepseek-coder-34b", "llama-3-70b"),
                planner.alternativesTo("phi-3-mini", builtIn, 3));
    }

    @Test
    void theModelAskedForIsFoundIgnoringCaseAndNeverOffered() {
        assertEquals(List.of("deepseek-coder-34b", "llama-3-70b"),
                planner.alternativesTo("PHI-3-Mini", builtIn, 3));
    }

    @Test
    void noMoreThanMaxAreOffered() {
        assertEquals(List.of("phi-3-mini"), planner.alternativesTo("deepseek-coder-34b", builtIn, 1));
        assertEquals(List.of(), planner.alternativesTo("deepseek-coder-34b", builtIn, 0));
        assertThrows(IllegalArgumentException.class,
                () -> planner.alternativesTo("deepseek-coder-34b", builtIn, -1));

        CapabilityCatalog many = builtIn.withEntries(List.of(
                entry("a-30b", 30_000_000_000L, Set.of(CODING)),
                entry("b-33b", 33_000_000_000L, Set.of(CODING)),
                entry("c-35b", 35_000_000_000L, Set.of(CODING))));
        assertEquals(List.of("b-33b", "c-35b", "a-30b"),
                planner.alternativesTo("deepseek-coder-34b", many, 3), "the seed's cut at three");
    }

    @Test
    void anUnknownModelHasNoAlternatives() {
        assertEquals(List.of(), planner.alternativesTo("mistral-7b", builtIn, 3));
    }

    @Test
    void aModelSharingNoTaskIsNotOffered() {
        CapabilityCatalog catalog = builtIn.withEntries(List.of(
                entry("storyteller-34b", 34_000_000_000L, Set.of(CREATIVE))));
        assertEquals(List.of("phi-3-mini", "llama-3-70b"),
                planner.alternativesTo("deepseek-coder-34b", catalog, 3),
                "the storyteller is nearest in size but only does creative work");
        assertEquals(List.of("llama-3-70b"), planner.alternativesTo("storyteller-34b", catalog, 3));
    }

    @Test
    void equallyNearModelsComeInNameOrder() {
        CapabilityCatalog catalog = CapabilityCatalog.empty().withEntries(List.of(
                entry("zeta-12b", 12_000_000_000L, Set.of(GENERAL)),
                entry("primary-10b", 10_000_000_000L, Set.of(GENERAL)),
                entry("alpha-8b", 8_000_000_000L, Set.of(GENERAL))));
        assertEquals(List.of("alpha-8b", "zeta-12b"), planner.alternativesTo("primary-10b", catalog, 3));
    }

    @Test
    void globEntriesAreNeverOfferedButCanDescribeTheModelAskedFor() {
        CapabilityCatalog catalog = builtIn.withEntries(List.of(
                entry("qwen*-coder-*", 32_000_000_000L, Set.of(CODING))));
        assertEquals(List.of("phi-3-mini", "llama-3-70b"),
                planner.alternativesTo("deepseek-coder-34b", catalog, 3));
        // known through the glob: sized 32B, codes, so deepseek (2B away) then phi (the only other coder)
        assertEquals(List.of("deepseek-coder-34b", "phi-3-mini"),
                planner.alternativesTo("qwen2.5-coder-32b", catalog, 3));
    }

    @Test
    void onlyModelsThePredicateAcceptsAreOfferedAndTheCutComesAfter() {
        assertEquals(List.of("llama-3-70b"),
                planner.alternativesTo("deepseek-coder-34b", builtIn, 3, "llama-3-70b"::equals));
        assertEquals(List.of("llama-3-70b"),
                planner.alternativesTo("deepseek-coder-34b", builtIn, 1, name -> !name.equals("phi-3-mini")),
                "the unavailable nearer model does not use up the one place");
        assertEquals(List.of(), planner.alternativesTo("deepseek-coder-34b", builtIn, 3, name -> false));
    }
}
