package dev.lmstudiosidecar.routing;

import static dev.lmstudiosidecar.models.TaskType.GENERAL;

import dev.lmstudiosidecar.models.TaskType;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Which model serves a request sent with {@code model: "auto"}: the seed's
 * {@code ModelRouter.selectOptimalModel}. The models that can serve the task are scored with the
 * seed's formula ({@link ModelScorer}) and ranked best first ({@link RankOrder}); the first is
 * chosen, the next {@link RouteDecision#ALTERNATIVES} are its alternatives.
 *
 * <p>A model is left out, with the reason recorded, when it is an embedding model, does not
 * support the task, is not loaded while auto-load is off, or is not loaded and needs more memory
 * than is free. A loaded model is never left out for memory: it already holds its memory. With no
 * memory budget configured, nothing is left out for memory.
 *
 * <p>The "loaded ones first, not-loaded ones only with auto-load on" is read as the seed
 * does it: loaded models earn the availability bonus and win ties, but a model that is not loaded
 * (and may be loaded) still ranks above a loaded one whose score is lower. Putting every loaded
 * model first would make a small general model in memory beat a much better one for the task
 * that LM Studio could load.
 *
 * <p>When no model can serve the task, the seed's {@code selectFallbackModel}: the loaded
 * general-purpose chat models, scored and ranked the same way for {@code general}, with
 * {@link RouteDecision#fallbackSelection()} set. When there are none either, nothing is ranked.
 *
 * <p>Stateless apart from the shared {@link LatencyTracker}, so one instance serves all threads.
 * It runs on the event loop for every routed request, over the handful of models LM Studio has:
 * one pass to filter and score, one small sort.
 */
public final class ModelSelector {

    private final ModelScorer scorer;

    public ModelSelector(LatencyTracker tracker) {
        this.scorer = new ModelScorer(tracker);
    }

    /**
     * @param classification    what the request is for; its primary task is the one routed for
     * @param models            the models LM Studio has, loaded or not
     * @param availableMemoryGB the memory left under {@code lmstudio.memory-budget}; empty when no budget
     *                          is configured (a figure that is not finite counts as none)
     * @param autoLoad          whether a model that is not loaded may be chosen (and so loaded)
     */
    public RouteDecision select(TaskClassification classification, List<RoutableModel> models,
                                OptionalDouble availableMemoryGB, boolean autoLoad) {
        Objects.requireNonNull(classification, "classification");
        Objects.requireNonNull(models, "models");
        Objects.requireNonNull(availableMemoryGB, "availableMemoryGB");
        TaskType task = classification.primary();
        OptionalDouble budget = known(availableMemoryGB);

        List<ScoredModel> ranked = new ArrayList<>(models.size());
        List<RejectedModel> rejected = new ArrayList<>();
        for (RoutableModel model : models) {
            Optional<String> reason = rejectionFor(model, task, budget, autoLoad);
            if (reason.isPresent()) {
                rejected.add(new RejectedModel(model.name(), reason.get()));
            } else {
                ranked.add(scorer.score(model, task, budget));
            }
        }
        if (!ranked.isEmpty()) {
            ranked.sort(RankOrder.BEST_FIRST);
            return new RouteDecision(classification, ranked, rejected, false,
                    RouteReasoning.chosen(classification, ranked, budget.isPresent()));
        }

        List<ScoredModel> loadedGeneral = loadedGeneralModels(models, budget);
        if (loadedGeneral.isEmpty()) {
            return new RouteDecision(classification, List.of(), rejected, false, RouteReasoning.none(task, rejected.size()));
        }
        loadedGeneral.sort(RankOrder.BEST_FIRST);
        return new RouteDecision(classification, loadedGeneral, rejected, true,
                RouteReasoning.fallbackSelection(task, loadedGeneral.get(0)));
    }

    /** Why the model cannot serve the task, in a few words; empty when it can. */
    private static Optional<String> rejectionFor(RoutableModel model, TaskType task, OptionalDouble budget, boolean autoLoad) {
        if (model.embedding()) {
            return Optional.of("an embedding model");
        }
        if (!model.capabilities().supports(task)) {
            return Optional.of("does not support " + task.wireName());
        }
        if (model.loaded()) {
            return Optional.empty(); // it already holds its memory
        }
        if (!autoLoad) {
            return Optional.of("not loaded, and auto-load is off");
        }
        double needed = model.capabilities().minMemoryGB();
        if (budget.isPresent() && needed > budget.getAsDouble()) {
            return Optional.of(String.format(Locale.ROOT, "needs %.1f GB, %.1f GB free", needed, budget.getAsDouble()));
        }
        return Optional.empty();
    }

    /** The seed's fallback selection: loaded chat models that support {@code general}, scored for it. */
    private List<ScoredModel> loadedGeneralModels(List<RoutableModel> models, OptionalDouble budget) {
        List<ScoredModel> general = new ArrayList<>();
        for (RoutableModel model : models) {
            if (model.loaded() && !model.embedding() && model.capabilities().supports(GENERAL)) {
                general.add(scorer.score(model, GENERAL, budget));
            }
        }
        return general;
    }

    /** The budget when there is one to reason with: an infinite or NaN figure would poison every score. */
    private static OptionalDouble known(OptionalDouble availableMemoryGB) {
        return availableMemoryGB.isPresent() && Double.isFinite(availableMemoryGB.getAsDouble())
                ? availableMemoryGB
                : OptionalDouble.empty();
    }
}
