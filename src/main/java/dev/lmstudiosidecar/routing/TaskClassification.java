package dev.lmstudiosidecar.routing;

import dev.lmstudiosidecar.models.TaskType;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What a request is for: the seed's {@code TaskClassification}, with the weighted score of every task
 * so that a dry run can show why.
 *
 * @param primary    the task the request is routed for
 * @param confidence the seed's {@code min(score * 0.2, 1)} of the primary task; 1 for an explicit task
 * @param secondary  the other tasks that scored above zero, best first
 * @param scores     each task's weighted score (empty for an explicit task)
 * @param explicit   the caller named the task (header, body field or {@code auto:<task>}): nothing was classified
 */
public record TaskClassification(TaskType primary, double confidence, List<TaskType> secondary, Map<TaskType, Double> scores,
                                 boolean explicit) {

    public TaskClassification {
        secondary = List.copyOf(secondary);
        scores = Map.copyOf(scores);
    }

    public static TaskClassification explicit(TaskType task) {
        return new TaskClassification(task, 1.0, List.of(), Map.of(), true);
    }

    /** {@code X-Sidecar-Task}: {@code coding; confidence=0.60}. */
    public String headerValue() {
        return primary.wireName() + "; confidence=" + String.format(Locale.ROOT, "%.2f", confidence);
    }
}
