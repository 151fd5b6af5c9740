package dev.lmstudiosidecar.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lmstudiosidecar.models.TaskType;
import dev.lmstudiosidecar.routing.RejectedModel;
import dev.lmstudiosidecar.routing.RouteDecision;
import dev.lmstudiosidecar.routing.ScoredModel;
import dev.lmstudiosidecar.routing.TaskClassification;

/** {@code POST /admin/route}: what routing would do with a request, every score part shown, nothing called. */
final class RouteView {

    private final ObjectMapper json;

    RouteView(ObjectMapper json) {
        this.json = json;
    }

    /** A request for {@code auto}: the classification, the chosen model, the alternatives, every candidate and every rejection. */
    ObjectNode routed(RouteDecision decision) {
        ObjectNode body = json.createObjectNode();
        body.set("task", task(decision.classification()));
        body.put("routed", true);
        body.put("model", decision.chosen().map(ScoredModel::model).orElse(null));
        ArrayNode alternatives = body.putArray("alternatives");
        decision.alternatives().forEach(alternative -> alternatives.add(alternative.model()));
        body.put("fallbackSelection", decision.fallbackSelection());
        ArrayNode candidates = body.putArray("candidates");
        decision.ranked().forEach(scored -> candidates.add(candidate(scored)));
        ArrayNode rejected = body.putArray("rejected");
        for (RejectedModel model : decision.rejected()) {
            rejected.addObject().put("model", model.model()).put("reason", model.reason());
        }
        body.put("reasoning", decision.reasoning());
        return body;
    }

    /** A request that names its model: used as asked; the classification is shown for what it is worth. */
    ObjectNode named(String model, TaskClassification classification) {
        ObjectNode body = json.createObjectNode();
        body.set("task", task(classification));
        body.put("routed", false);
        body.put("model", model);
        body.putArray("alternatives");
        body.put("fallbackSelection", false);
        body.putArray("candidates");
        body.putArray("rejected");
        body.put("reasoning", model + " is named in the request: used as asked, no routing");
        return body;
    }

    private ObjectNode task(TaskClassification classification) {
        ObjectNode task = json.createObjectNode();
        task.put("primary", classification.primary().wireName());
        task.put("confidence", classification.confidence());
        task.put("explicit", classification.explicit());
        ArrayNode secondary = task.putArray("secondary");
        classification.secondary().forEach(t -> secondary.add(t.wireName()));
        ObjectNode scores = task.putObject("scores");
        for (TaskType t : TaskType.values()) {
            Double score = classification.scores().get(t);
            if (score != null) {
                scores.put(t.wireName(), score);
            }
        }
        return task;
    }

    private ObjectNode candidate(ScoredModel scored) {
        ObjectNode node = json.createObjectNode();
        node.put("model", scored.model());
        node.put("loaded", scored.loaded());
        node.put("score", round(scored.total()));
        ObjectNode parts = node.putObject("parts");
        parts.put("performance", scored.performance());
        parts.put("memoryEfficiency", round(scored.memoryEfficiency()));
        parts.put("latencyMs", round(scored.latencyMs()));
        parts.put("latencyLearned", scored.latencyLearned());
        parts.put("latencyScore", round(scored.latencyScore()));
        parts.put("availabilityBonus", scored.availabilityBonus());
        node.put("minMemoryGB", scored.minMemoryGB());
        return node;
    }

    private static double round(double value) {
        return Math.round(value * 1000) / 1000.0;
    }
}
