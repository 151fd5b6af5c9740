package dev.lmstudiosidecar.routing;

import static dev.lmstudiosidecar.models.TaskType.ANALYSIS;
import static dev.lmstudiosidecar.models.TaskType.CODING;
import static dev.lmstudiosidecar.models.TaskType.GENERAL;
import static dev.lmstudiosidecar.models.TaskType.RESEARCH;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.lmstudiosidecar.models.CapabilityCatalog;
import dev.lmstudiosidecar.models.ModelCapabilities;
import dev.lmstudiosidecar.models.TaskType;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ModelSelectorTest {

    private static final double DELTA = 1e-9;
    private static final OptionalDouble GB_64 = OptionalDouble.of(64);
    private static final OptionalDouble NO_BUDGET = OptionalDouble.empty();

    private final LatencyTracker tracker = new LatencyTracker();
    private final ModelSelector selector = new ModelSelector(tracker);

    private static TaskClassification classified(TaskType task) {
        return new TaskClassification(task, 0.6, List.of(), Map.of(task, 3.0), false);
    }

    private static RoutableModel builtIn(String name, boolean loaded) {
        return new RoutableModel(CapabilityCatalog.builtIn().find(name).orElseThrow(), loaded, false);
    }

    private static RoutableModel custom(String name, boolean loaded, double minMemoryGB, int performance, int latencyMs) {
        return new RoutableModel(new ModelCapabilities(name, "lmstudio", 1_000_000_000L, "Q4_K_M", minMemoryGB, 4096,
                Set.of(GENERAL, CODING), Map.of(GENERAL, performance), minMemoryGB, false,
                Map.of(GENERAL, latencyMs), false), loaded, false);
    }

    private static List<String> names(RouteDecision decision) {
        return decision.ranked().stream().map(ScoredModel::model).toList();
    }

    private static List<String> names(List<ScoredModel> scored) {
        return scored.stream().map(ScoredModel::model).toList();
    }

    @Test
    void codingOnTheSeedsModelsWithAllLoadedAnd64GbFree() {
        // Score = performance x0.4 + (64 - minGB) / 64 x100 x0.3 + (5000 - latency) / 5000 x100 x0.2 + 20 x0.1
        // phi-3-mini:         70 x0.4 = 28 | 61/64 = 0.953125 x30 = 28.59375 | 4400/5000 = 0.88 x20 = 17.6 | 2 = 76.19375
        // deepseek-coder-34b: 95 x0.4 = 38 | 44/64 = 0.6875   x30 = 20.625   | 3800/5000 = 0.76 x20 = 15.2 | 2 = 75.825
        // llama-3-70b: does not support coding in the seed.
        RouteDecision decision = selector.select(classified(CODING),
                List.of(builtIn("llama-3-70b", true), builtIn("deepseek-coder-34b", true), builtIn("phi-3-mini", true)),
                GB_64, true);

        assertEquals(List.of("phi-3-mini", "deepseek-coder-34b"), names(decision));
        assertEquals(76.19375, decision.ranked().get(0).total(), DELTA);
        assertEquals(75.825, decision.ranked().get(1).total(), DELTA);
        ScoredModel phi = decision.ranked().get(0);
        assertEquals(70, phi.performance(), DELTA);
        assertEquals(0.953125, phi.memoryEfficiency(), DELTA);
        assertEquals(600, phi.latencyMs(), DELTA);
        assertFalse(phi.latencyLearned());
        assertEquals(0.88, phi.latencyScore(), DELTA);
        assertEquals(20, phi.availabilityBonus(), DELTA);
        assertEquals(List.of(new RejectedModel("llama-3-70b", "does not support coding")), decision.rejected());
        assertFalse(decision.fallbackSelection());
        assertEquals("phi-3-mini for coding (confidence 0.60): score 76.2 = performance 70 x0.4 + memory 0.95 x30"
                + " + latency 600ms = 0.88 x20 + loaded; best of 2", decision.reasoning());
    }

    @Test
    void analysisOnTheSeedsModelsWhichAllSupportIt() {
        // phi-3-mini:         75 x0.4 = 30 | 61/64 x30 = 28.59375 | 4300/5000 = 0.86 x20 = 17.2 | 2 = 77.79375
        // deepseek-coder-34b: 85 x0.4 = 34 | 44/64 x30 = 20.625   | 3500/5000 = 0.70 x20 = 14   | 2 = 70.625
        // llama-3-70b:        90 x0.4 = 36 | 24/64 x30 = 11.25    | 2800/5000 = 0.56 x20 = 11.2 | 2 = 60.45
        RouteDecision decision = selector.select(classified(ANALYSIS),
                List.of(builtIn("llama-3-70b", true), builtIn("deepseek-coder-34b", true), builtIn("phi-3-mini", true)),
                GB_64, true);

        assertEquals(List.of("phi-3-mini", "deepseek-coder-34b", "llama-3-70b"), names(decision));
        assertEquals(77.79375, decision.ranked().get(0).total(), DELTA);
        assertEquals(70.625, decision.ranked().get(1).total(), DELTA);
        assertEquals(60.45, decision.ranked().get(2).total(), DELTA);
        assertEquals(List.of(), decision.rejected());
    }

    @Test
    void anUnloadedModelTooBigForTheFreeMemoryIsRejectedButALoadedOneIsKept() {
        RouteDecision unloaded = selector.select(classified(CODING),
                List.of(builtIn("deepseek-coder-34b", false), builtIn("phi-3-mini", false)), OptionalDouble.of(12.5), true);
        assertEquals(List.of("phi-3-mini"), names(unloaded));
        assertEquals(List.of(new RejectedModel("deepseek-coder-34b", "needs 20.0 GB, 12.5 GB free")), unloaded.rejected());

        // Loaded, it holds its memory already: 95 x0.4 = 38 | max(0, (12.5 - 20) / 12.5) = 0 | 15.2 | 2 = 55.2
        RouteDecision loaded = selector.select(classified(CODING),
                List.of(builtIn("deepseek-coder-34b", true)), OptionalDouble.of(12.5), true);
        assertEquals(List.of("deepseek-coder-34b"), names(loaded));
        assertEquals(0, loaded.ranked().get(0).memoryEfficiency(), DELTA);
        assertEquals(55.2, loaded.ranked().get(0).total(), DELTA);
    }

    @Test
    void withNoBudgetNothingIsRejectedForMemoryAndMemoryScoresOneForAll() {
        RouteDecision decision = selector.select(classified(CODING),
                List.of(custom("huge", false, 500, 80, 1000)), NO_BUDGET, true);
        assertEquals(List.of("huge"), names(decision));
        assertEquals(1, decision.ranked().get(0).memoryEfficiency(), DELTA);
        assertTrue(decision.reasoning().contains("memory 1.00 x30 (no budget)"), decision.reasoning());

        RouteDecision nan = selector.select(classified(CODING),
                List.of(custom("huge", false, 500, 80, 1000)), OptionalDouble.of(Double.NaN), true);
        assertEquals(1, nan.ranked().get(0).memoryEfficiency(), DELTA);
    }

    @Test
    void nothingFreeGivesNoMemoryEfficiency() {
        RouteDecision decision = selector.select(classified(CODING),
                List.of(builtIn("phi-3-mini", true)), OptionalDouble.of(0), true);
        assertEquals(0, decision.ranked().get(0).memoryEfficiency(), DELTA);
    }

    @Test
    void unloadedModelsAreKeptWithAutoLoadOnAndRejectedWithItOff() {
        List<RoutableModel> models = List.of(
                builtIn("llama-3-70b", false), builtIn("deepseek-coder-34b", false), builtIn("phi-3-mini", false));

        // No budget, so memory is 1 x30 = 30 for all; no bonus, not loaded:
        // deepseek-coder-34b: 34 + 30 + 14   = 78
        // phi-3-mini:         30 + 30 + 17.2 = 77.2 } a tie: the smaller minMemoryGB (3 GB) first
        // llama-3-70b:        36 + 30 + 11.2 = 77.2 }
        RouteDecision on = selector.select(classified(ANALYSIS), models, NO_BUDGET, true);
        assertEquals(List.of("deepseek-coder-34b", "phi-3-mini", "llama-3-70b"), names(on));
        assertEquals(78, on.ranked().get(0).total(), DELTA);
        assertEquals(77.2, on.ranked().get(1).total(), DELTA);
        assertEquals(77.2, on.ranked().get(2).total(), DELTA);
        assertTrue(on.reasoning().contains("+ not loaded;"), on.reasoning());

        RouteDecision off = selector.select(classified(ANALYSIS), models, NO_BUDGET, false);
        assertEquals(List.of(), off.ranked());
        assertEquals(List.of(
                new RejectedModel("llama-3-70b", "not loaded, and auto-load is off"),
                new RejectedModel("deepseek-coder-34b", "not loaded, and auto-load is off"),
                new RejectedModel("phi-3-mini", "not loaded, and auto-load is off")), off.rejected());
    }

    @Test
    void aBetterUnloadedModelStillOutranksAWorseLoadedOne() {
        RouteDecision decision = selector.select(classified(GENERAL),
                List.of(custom("loaded-weak", true, 4, 40, 3000), custom("unloaded-strong", false, 4, 90, 1000)),
                NO_BUDGET, true);
        assertEquals(List.of("unloaded-strong", "loaded-weak"), names(decision));
    }

    @Test
    void tiesGoToTheLoadedModel() {
        // loaded:   70 x0.4 = 28 + 30 + 8 + 20 x0.1 = 2 => 68
        // unloaded: 75 x0.4 = 30 + 30 + 8 + 0          => 68
        RoutableModel loaded = custom("b-loaded", true, 4, 70, 3000);
        RoutableModel unloaded = custom("a-unloaded", false, 4, 75, 3000);
        RouteDecision decision = selector.select(classified(GENERAL), List.of(unloaded, loaded), NO_BUDGET, true);
        assertEquals(decision.ranked().get(0).total(), decision.ranked().get(1).total(), RankOrder.TOTAL_TOLERANCE);
        assertEquals(List.of("b-loaded", "a-unloaded"), names(decision));
        assertEquals(names(decision), names(selector.select(classified(GENERAL), List.of(loaded, unloaded), NO_BUDGET, true)));
    }

    @Test
    void tiesGoToTheSmallerModelThenByName() {
        RouteDecision bySize = selector.select(classified(GENERAL),
                List.of(custom("a-big", true, 8, 70, 3000), custom("b-small", true, 4, 70, 3000)), NO_BUDGET, true);
        assertEquals(List.of("b-small", "a-big"), names(bySize));

        RouteDecision byName = selector.select(classified(GENERAL),
                List.of(custom("beta", true, 4, 70, 3000), custom("alpha", true, 4, 70, 3000),
                        custom("Alpha", true, 4, 70, 3000)), NO_BUDGET, true);
        assertEquals(List.of("Alpha", "alpha", "beta"), names(byName));
    }

    @Test
    void learnedLatencyOverturnsThePriorOnceThereAreEnoughObservations() {
        // Prior: both 50 x0.4 = 20 + 30 + 2; fast (1000 ms) 4000/5000 x20 = 16 => 68, slow (2000 ms) 3000/5000 x20 = 12 => 64.
        // Learned, "fast" takes 4000 ms: 1000/5000 x20 = 4 => 56 < 64.
        List<RoutableModel> models = List.of(custom("fast", true, 4, 50, 1000), custom("slow", true, 4, 50, 2000));
        assertEquals(List.of("fast", "slow"), names(selector.select(classified(GENERAL), models, NO_BUDGET, true)));

        tracker.observe("fast", GENERAL, 4000);
        tracker.observe("fast", GENERAL, 4000);
        RouteDecision afterTwo = selector.select(classified(GENERAL), models, NO_BUDGET, true);
        assertEquals(List.of("fast", "slow"), names(afterTwo));
        assertFalse(afterTwo.ranked().get(0).latencyLearned());

        tracker.observe("fast", GENERAL, 4000);
        RouteDecision afterThree = selector.select(classified(GENERAL), models, NO_BUDGET, true);
        assertEquals(List.of("slow", "fast"), names(afterThree));
        ScoredModel fast = afterThree.ranked().get(1);
        assertTrue(fast.latencyLearned());
        assertEquals(4000, fast.latencyMs(), DELTA);
        assertEquals(56, fast.total(), DELTA);
        assertEquals(64, afterThree.ranked().get(0).total(), DELTA);
    }

    @Test
    void noCandidateForTheTaskFallsBackToALoadedGeneralModel() {
        RoutableModel embedder = new RoutableModel(new ModelCapabilities("nomic-embed", "lmstudio", 1L, "F16", 1, 2048,
                Set.of(GENERAL, RESEARCH), Map.of(), 1, false, Map.of(), false), true, true);
        RouteDecision decision = selector.select(classified(RESEARCH),
                List.of(builtIn("deepseek-coder-34b", false), builtIn("llama-3-70b", false), builtIn("phi-3-mini", true), embedder),
                GB_64, false);

        // phi-3-mini for general: 80 x0.4 = 32 | 61/64 x30 = 28.59375 | 4500/5000 = 0.9 x20 = 18 | 2 = 80.59375
        assertTrue(decision.fallbackSelection());
        assertEquals(List.of("phi-3-mini"), names(decision));
        assertEquals(80.59375, decision.ranked().get(0).total(), DELTA);
        assertEquals(List.of(
                new RejectedModel("deepseek-coder-34b", "not loaded, and auto-load is off"),
                new RejectedModel("llama-3-70b", "not loaded, and auto-load is off"),
                new RejectedModel("phi-3-mini", "does not support research"),
                new RejectedModel("nomic-embed", "an embedding model")), decision.rejected());
        assertEquals("no loaded or loadable model supports research; phi-3-mini is a loaded general model",
                decision.reasoning());
    }

    @Test
    void noCandidateAndNothingLoadedRanksNothingAndRejectsEveryModel() {
        RouteDecision decision = selector.select(classified(RESEARCH),
                List.of(builtIn("deepseek-coder-34b", false), builtIn("llama-3-70b", false), builtIn("phi-3-mini", false)),
                GB_64, false);
        assertEquals(List.of(), decision.ranked());
        assertTrue(decision.chosen().isEmpty());
        assertFalse(decision.fallbackSelection());
        assertEquals(List.of(
                new RejectedModel("deepseek-coder-34b", "not loaded, and auto-load is off"),
                new RejectedModel("llama-3-70b", "not loaded, and auto-load is off"),
                new RejectedModel("phi-3-mini", "does not support research")), decision.rejected());
        assertEquals("no model can serve research: 3 rejected", decision.reasoning());

        assertEquals("no model can serve research: no models known",
                selector.select(classified(RESEARCH), List.of(), GB_64, true).reasoning());
    }

    @Test
    void embeddingModelsAreRejectedEvenWhenTheyClaimTheTask() {
        RoutableModel embedder = new RoutableModel(CapabilityCatalog.builtIn().find("phi-3-mini").orElseThrow(), true, true);
        RouteDecision decision = selector.select(classified(CODING), List.of(embedder), GB_64, true);
        assertEquals(List.of(), decision.ranked());
        assertEquals(List.of(new RejectedModel("phi-3-mini", "an embedding model")), decision.rejected());
    }

    @Test
    void theAlternativesAreTheNextTwo() {
        // small-analyst for analysis: 10 x0.4 = 4 | 63/64 x30 = 29.53125 | 2000/5000 x20 = 8 | 2 = 43.53125, last
        RoutableModel smallAnalyst = new RoutableModel(new ModelCapabilities("small-analyst", "lmstudio", 1L, "Q4_K_M", 1, 4096,
                Set.of(ANALYSIS), Map.of(ANALYSIS, 10), 1, false, Map.of(), false), true, false);
        RouteDecision decision = selector.select(classified(ANALYSIS),
                List.of(smallAnalyst, builtIn("llama-3-70b", true), builtIn("deepseek-coder-34b", true), builtIn("phi-3-mini", true)),
                GB_64, true);
        assertEquals(List.of("phi-3-mini", "deepseek-coder-34b", "llama-3-70b", "small-analyst"), names(decision));
        assertEquals(43.53125, decision.ranked().get(3).total(), DELTA);
        assertEquals("phi-3-mini", decision.chosen().orElseThrow().model());
        assertEquals(List.of("deepseek-coder-34b", "llama-3-70b"), names(decision.alternatives()));
    }

    @Test
    void theReasoningIsOneShortPrintableAsciiLine() {
        RouteDecision odd = selector.select(classified(GENERAL),
                List.of(custom("mod\u00e8le\r\nX-Injected: 1 \ud83d\ude00", true, 4, 70, 3000)), NO_BUDGET, true);
        assertPrintableAscii(odd.reasoning());
        assertTrue(odd.reasoning().startsWith("mod?le??X-Injected: 1 ? for general"), odd.reasoning());

        RouteDecision longName = selector.select(classified(GENERAL),
                List.of(custom("m".repeat(300), true, 4, 70, 3000)), NO_BUDGET, true);
        assertPrintableAscii(longName.reasoning());
        assertEquals(RouteReasoning.MAX_LENGTH, longName.reasoning().length());
        assertTrue(longName.reasoning().endsWith("..."));

        RouteDecision explicit = selector.select(TaskClassification.explicit(CODING),
                List.of(builtIn("phi-3-mini", true)), GB_64, true);
        assertTrue(explicit.reasoning().startsWith("phi-3-mini for coding (asked for): score "), explicit.reasoning());
        assertPrintableAscii(explicit.reasoning());
        assertTrue(explicit.reasoning().length() < RouteReasoning.MAX_LENGTH);
    }

    private static void assertPrintableAscii(String line) {
        assertTrue(line.chars().allMatch(c -> c >= 0x20 && c <= 0x7e), line);
        assertTrue(line.length() <= RouteReasoning.MAX_LENGTH, line);
    }
}
