package dev.lmstudiosidecar.routing;

import dev.lmstudiosidecar.models.CapabilityCatalog;
import dev.lmstudiosidecar.models.ModelCapabilities;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Which models to try when the one asked for cannot serve: the seed's
 * {@code FallbackManager.getAlternativeModels}. Candidates share at least one task with the
 * model asked for and come nearest first by parameter count, on the seed's reasoning that a
 * model of similar size answers most like it. Stateless.
 */
public final class FallbackPlanner {

    /** How many alternatives the seed offers. */
    public static final int SEED_MAX_ALTERNATIVES = 3;

    /** Up to {@code max} alternatives to {@code model}, nearest in size first. */
    public List<String> alternativesTo(String model, CapabilityCatalog catalog, int max) {
        return alternativesTo(model, catalog, max, name -> true);
    }

    /**
     * As {@link #alternativesTo(String, CapabilityCatalog, int)}, keeping only the models
     * {@code available} accepts. The filter runs before the cut to {@code max}, so a caller
     * gets up to {@code max} usable models rather than {@code max} guesses of which some are gone.
     *
     * <p>The model asked for may be known through a glob entry (a family of models); its
     * capabilities then stand for it. Glob entries are never offered, as they name no model
     * that could be loaded. An unknown model has no known capabilities to match, so no alternatives.
     */
    public List<String> alternativesTo(
            String model, CapabilityCatalog catalog, int max, Predicate<String> available) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(catalog, "catalog");
        Objects.requireNonNull(available, "available");
        if (max < 0) {
            throw new IllegalArgumentException("max must be >= 0, was " + max);
        }
        Optional<ModelCapabilities> found = catalog.find(model);
        if (found.isEmpty() || max == 0) {
            return List.of();
        }
        ModelCapabilities primary = found.get();
        // The seed compares by difference alone; ties go by name so the order never depends on
        // the catalog's iteration order.
        Comparator<ModelCapabilities> nearestInSize = Comparator
                .comparingLong((ModelCapabilities c) -> Math.abs(c.parameterCount() - primary.parameterCount()))
                .thenComparing(ModelCapabilities::modelName, String.CASE_INSENSITIVE_ORDER);
        return catalog.all().stream()
                .filter(c -> !c.isGlob())
                .filter(c -> !c.modelName().equalsIgnoreCase(model)
                        && !c.modelName().equalsIgnoreCase(primary.modelName()))
                .filter(c -> sharesATask(c, primary))
                .filter(c -> available.test(c.modelName()))
                .sorted(nearestInSize)
                .limit(max)
                .map(ModelCapabilities::modelName)
                .toList();
    }

    private static boolean sharesATask(ModelCapabilities candidate, ModelCapabilities primary) {
        return !Collections.disjoint(candidate.supportedTasks(), primary.supportedTasks());
    }
}
