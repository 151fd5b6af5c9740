package dev.lmstudiosidecar.routing;

import dev.lmstudiosidecar.models.TaskType;
import java.util.List;
import java.util.Locale;

/**
 * The one line a {@link RouteDecision} gives as its reasoning. It becomes a response header, so it
 * is printable ASCII only (anything else, a newline included, becomes {@code ?}) and at most
 * {@link #MAX_LENGTH} characters.
 */
public final class RouteReasoning {

    static final int MAX_LENGTH = 200;

    private RouteReasoning() {
    }

    /**
     * {@code phi-3-mini for coding (confidence 0.60): score 74.3 = performance 70 x0.4 + memory 0.85 x30
     * + latency 600ms = 0.88 x20 + loaded; best of 3}: each part as it enters the score.
     */
    static String chosen(TaskClassification classification, List<ScoredModel> ranked, boolean memoryBudgeted) {
        ScoredModel best = ranked.get(0);
        String line = String.format(Locale.ROOT,
                "%s for %s (%s): score %.1f = performance %.0f x0.4 + memory %.2f x30%s + latency %.0fms%s = %.2f x20 + %s; best of %d",
                best.model(), classification.primary().wireName(), confidence(classification), best.total(),
                best.performance(), best.memoryEfficiency(), memoryBudgeted ? "" : " (no budget)",
                best.latencyMs(), best.latencyLearned() ? " learned" : "", best.latencyScore(),
                best.loaded() ? "loaded" : "not loaded", ranked.size());
        return headerSafe(line);
    }

    /** {@code no loaded or loadable model supports research; phi-3-mini is a loaded general model}. */
    static String fallbackSelection(TaskType task, ScoredModel chosen) {
        return headerSafe("no loaded or loadable model supports " + task.wireName() + "; "
                + chosen.model() + " is a loaded general model");
    }

    /** {@code no model can serve coding: 3 rejected}. */
    static String none(TaskType task, int rejected) {
        return headerSafe("no model can serve " + task.wireName() + ": "
                + (rejected == 0 ? "no models known" : rejected + " rejected"));
    }

    private static String confidence(TaskClassification classification) {
        return classification.explicit()
                ? "asked for"
                : String.format(Locale.ROOT, "confidence %.2f", classification.confidence());
    }

    /** Printable ASCII, at most {@link #MAX_LENGTH} characters (cut with "..."). */
    public static String headerSafe(String line) {
        StringBuilder safe = new StringBuilder(Math.min(line.length(), MAX_LENGTH));
        line.codePoints().forEach(c -> safe.append(c >= 0x20 && c <= 0x7e ? (char) c : '?'));
        if (safe.length() > MAX_LENGTH) {
            safe.setLength(MAX_LENGTH - 3);
            safe.append("...");
        }
        return safe.toString();
    }
}
