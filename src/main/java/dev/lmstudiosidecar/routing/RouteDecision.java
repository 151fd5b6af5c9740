package dev.lmstudiosidecar.routing;

import java.util.List;
import java.util.Optional;

/**
 * Which model a routed request goes to, and why.
 *
 * @param classification    the task it was routed for
 * @param ranked            every candidate that passed the filters, best first (the chosen one first)
 * @param rejected          every model left out, with the reason
 * @param fallbackSelection no model passed for the task: {@code ranked} holds the seed's fallback selection
 *                          (loaded general-purpose chat models) instead
 * @param reasoning         one line: why the chosen model (or why none)
 */
public record RouteDecision(TaskClassification classification, List<ScoredModel> ranked, List<RejectedModel> rejected,
                            boolean fallbackSelection, String reasoning) {

    /** How many models after the chosen one the seed offers as alternatives. */
    public static final int ALTERNATIVES = 2;

    public RouteDecision {
        ranked = List.copyOf(ranked);
        rejected = List.copyOf(rejected);
    }

    public Optional<ScoredModel> chosen() {
        return ranked.stream().findFirst();
    }

    /** The next {@link #ALTERNATIVES} after the chosen model. */
    public List<ScoredModel> alternatives() {
        return ranked.stream().skip(1).limit(ALTERNATIVES).toList();
    }
}
