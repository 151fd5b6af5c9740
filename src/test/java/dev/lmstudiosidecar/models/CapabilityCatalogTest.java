package dev.lmstudiosidecar.models;

import static dev.lmstudiosidecar.models.TaskType.ANALYSIS;
import static dev.lmstudiosidecar.models.TaskType.CODING;
import static dev.lmstudiosidecar.models.TaskType.CREATIVE;
import static dev.lmstudiosidecar.models.TaskType.GENERAL;
import static dev.lmstudiosidecar.models.TaskType.RESEARCH;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lmstudiosidecar.models.TaskType;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CapabilityCatalogTest {

    private final CapabilityCatalog builtIn = CapabilityCatalog.builtIn();

    private ModelCapabilities get(String name) {
        return builtIn.find(name).orElseThrow();
    }

    static ModelCapabilities entry(String name, long parameters, Set<TaskType> tasks) {
        return new ModelCapabilities(name, "lmstudio", parameters, "Q4_K_M", 1, 4096,
                tasks, Map.of(), 1, false, Map.of(), false);
    }

    @Test
    void builtInHoldsExactlyTheSeedsThreeModels() {
        assertEquals(List.of("deepseek-coder-34b", "llama-3-70b", "phi-3-mini"),
                builtIn.all().stream().map(ModelCapabilities::modelName).toList());
        for (ModelCapabilities c : builtIn.all()) {
            assertEquals("lmstudio", c.provider());
            assertEquals("Q4_K_M", c.quantization());
            assertFalse(c.inferred(), c.modelName() + " is written down, not inferred");
            assertFalse(c.isGlob());
        }
    }

    @Test
    void deepseekCoderCarriesTheSeedsNumbers() {
        ModelCapabilities c = get("deepseek-coder-34b");
        assertEquals(34_000_000_000L, c.parameterCount());
        assertEquals(20.0, c.memoryRequirementGB());
        assertEquals(32768, c.maxContextLength());
        assertEquals(EnumSet.of(CODING, ANALYSIS, RESEARCH), c.supportedTasks());
        assertEquals(Map.of(CODING, 95, RESEARCH, 75, CREATIVE, 60, ANALYSIS, 85, GENERAL, 70),
                c.performanceScores());
        assertEquals(20.0, c.minMemoryGB());
        assertTrue(c.preferredGpu());
        assertEquals(Map.of(CODING, 1200, ANALYSIS, 1500, RESEARCH, 2000), c.estimatedLatencyMs());
    }

    @Test
    void llamaCarriesTheSeedsNumbers() {
        ModelCapabilities c = get("llama-3-70b");
        assertEquals(70_000_000_000L, c.parameterCount());
        assertEquals(40.0, c.memoryRequirementGB());
        assertEquals(8192, c.maxContextLength());
        assertEquals(EnumSet.of(RESEARCH, CREATIVE, ANALYSIS, GENERAL), c.supportedTasks());
        assertEquals(Map.of(CODING, 80, RESEARCH, 95, CREATIVE, 95, ANALYSIS, 90, GENERAL, 90),
                c.performanceScores());
        assertEquals(40.0, c.minMemoryGB());
        assertTrue(c.preferredGpu());
        assertEquals(Map.of(RESEARCH, 2500, CREATIVE, 2000, ANALYSIS, 2200), c.estimatedLatencyMs());
    }

    @Test
    void phiMiniCarriesTheSeedsNumbers() {
        ModelCapabilities c = get("phi-3-mini");
        assertEquals(3_800_000_000L, c.parameterCount());
        assertEquals(3.0, c.memoryRequirementGB());
        assertEquals(4096, c.maxContextLength());
        assertEquals(EnumSet.of(GENERAL, CODING, ANALYSIS), c.supportedTasks());
        assertEquals(Map.of(CODING, 70, RESEARCH, 65, CREATIVE, 60, ANALYSIS, 75, GENERAL, 80),
                c.performanceScores());
        assertEquals(3.0, c.minMemoryGB());
        assertFalse(c.preferredGpu(), "the seed runs phi-3-mini happily on CPU");
        assertEquals(Map.of(GENERAL, 500, CODING, 600, ANALYSIS, 700), c.estimatedLatencyMs());
    }

    @Test
    void aTaskWithoutAFigureGetsTheSeedsDefaults() {
        ModelCapabilities phi = get("phi-3-mini");
        assertEquals(80, phi.performanceFor(GENERAL));
        assertEquals(500, phi.estimatedLatencyFor(GENERAL));
        assertEquals(3000, phi.estimatedLatencyFor(RESEARCH), "the seed's || 3000");
        ModelCapabilities bare = entry("bare", 1, Set.of());
        assertEquals(50, bare.performanceFor(CODING), "the seed's || 50");
        assertTrue(phi.supports(CODING));
        assertFalse(phi.supports(CREATIVE));
    }

    @Test
    void anEntryIsNotChangedByTheCollectionsItWasBuiltFrom() {
        Set<TaskType> tasks = new HashSet<>(Set.of(CODING));
        Map<TaskType, Integer> scores = new HashMap<>(Map.of(CODING, 90));
        Map<TaskType, Integer> latency = new EnumMap<>(Map.of(CODING, 900));
        ModelCapabilities c = new ModelCapabilities("m", "lmstudio", 1, "Q8_0", 1, 1,
                tasks, scores, 1, false, latency, true);
        tasks.add(GENERAL);
        scores.put(CODING, 1);
        latency.clear();
        assertEquals(EnumSet.of(CODING), c.supportedTasks());
        assertEquals(90, c.performanceFor(CODING));
        assertEquals(900, c.estimatedLatencyFor(CODING));
        assertThrows(UnsupportedOperationException.class, () -> c.supportedTasks().add(GENERAL));
        assertThrows(UnsupportedOperationException.class, () -> c.performanceScores().put(GENERAL, 1));
        assertThrows(UnsupportedOperationException.class, () -> c.estimatedLatencyMs().clear());
        assertThrows(UnsupportedOperationException.class,
                () -> CapabilityCatalog.builtIn().all().clear());
    }

    @Test
    void exactLookupIgnoresCase() {
        assertSame(get("llama-3-70b"), builtIn.find("LLaMA-3-70B").orElseThrow());
        assertTrue(builtIn.find("llama-3").isEmpty(), "a prefix is not a match");
        assertTrue(builtIn.find("lmstudio-community/llama-3-70b").isEmpty(),
                "publisher prefixes are not stripped");
        assertTrue(builtIn.find("nothing-like-it").isEmpty());
    }

    @Test
    void aKeyWithNoExactEntryMatchesAGlobIgnoringCase() {
        ModelCapabilities qwenCoders = entry("qwen*-coder-??b", 7_000_000_000L, Set.of(CODING));
        CapabilityCatalog catalog = builtIn.withEntries(List.of(qwenCoders));
        assertSame(qwenCoders, catalog.find("Qwen2.5-Coder-14B").orElseThrow());
        assertTrue(catalog.find("qwen2.5-coder-7b").isEmpty(), "? is exactly one character");
        assertTrue(catalog.find("xqwen2.5-coder-14b").isEmpty(), "the glob matches the whole key");
        assertTrue(catalog.find("qwen2.5.coder-14b").isEmpty(), "a '-' in the glob is literal");
        assertEquals(4, catalog.all().size());
        assertEquals(3, builtIn.all().size(), "withEntries leaves the original catalog alone");
    }

    @Test
    void anExactEntryBeatsAGlobThatAlsoMatches() {
        CapabilityCatalog catalog = builtIn.withEntries(List.of(entry("*", 1, Set.of(GENERAL))));
        assertEquals(34_000_000_000L, catalog.find("deepseek-coder-34b").orElseThrow().parameterCount());
        assertEquals(1, catalog.find("anything-else").orElseThrow().parameterCount());
    }

    @Test
    void theLatestMatchingGlobWins() {
        ModelCapabilities anyLlama = entry("llama*", 8_000_000_000L, Set.of(GENERAL));
        ModelCapabilities llama31 = entry("llama-3.1-*", 70_000_000_000L, Set.of(RESEARCH));
        CapabilityCatalog narrowLast = CapabilityCatalog.empty().withEntries(List.of(anyLlama, llama31));
        assertSame(llama31, narrowLast.find("llama-3.1-405b").orElseThrow());
        assertSame(anyLlama, narrowLast.find("llama-2-13b").orElseThrow());

        CapabilityCatalog broadLast = CapabilityCatalog.empty().withEntries(List.of(llama31, anyLlama));
        assertSame(anyLlama, broadLast.find("llama-3.1-405b").orElseThrow());
    }

    @Test
    void aLaterEntryReplacesTheSameNameIgnoringCase() {
        ModelCapabilities bigger = entry("PHI-3-MINI", 4_000_000_000L, Set.of(GENERAL));
        ModelCapabilities biggest = entry("phi-3-mini", 5_000_000_000L, Set.of(GENERAL));
        CapabilityCatalog catalog = builtIn.withEntries(List.of(bigger)).withEntries(List.of(biggest));
        assertSame(biggest, catalog.find("Phi-3-Mini").orElseThrow());
        assertEquals(3, catalog.all().size());
        assertEquals(3_800_000_000L, builtIn.find("phi-3-mini").orElseThrow().parameterCount());

        CapabilityCatalog sameBatch = builtIn.withEntries(List.of(biggest, bigger));
        assertSame(bigger, sameBatch.find("phi-3-mini").orElseThrow(), "within one batch the later wins");
    }

    @Test
    void aReplacedGlobTakesTheLatestPlace() {
        ModelCapabilities anyLlama = entry("llama*", 8_000_000_000L, Set.of(GENERAL));
        ModelCapabilities llama31 = entry("llama-3.1-*", 70_000_000_000L, Set.of(RESEARCH));
        ModelCapabilities anyLlamaAgain = entry("LLAMA*", 9_000_000_000L, Set.of(GENERAL));
        CapabilityCatalog catalog = CapabilityCatalog.empty()
                .withEntries(List.of(anyLlama, llama31))
                .withEntries(List.of(anyLlamaAgain));
        assertSame(anyLlamaAgain, catalog.find("llama-3.1-8b").orElseThrow());
        assertEquals(2, catalog.all().size());
    }

    @Test
    void malformedEntriesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> entry(" ", 1, Set.of()));
        assertThrows(IllegalArgumentException.class, () -> entry("m", -1, Set.of()));
        assertThrows(NullPointerException.class, () -> entry("m", 1, null));
        Map<TaskType, Integer> withNull = new HashMap<>();
        withNull.put(CODING, null);
        assertThrows(NullPointerException.class, () -> new ModelCapabilities("m", "lmstudio", 1, "Q4_K_M",
                1, 1, Set.of(), withNull, 1, false, Map.of(), false));
    }
}
