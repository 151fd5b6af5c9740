package dev.lmstudiosidecar.api;

import dev.lmstudiosidecar.models.TaskType;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A validated request, ready to forward.
 *
 * @param model           the requested model, or null when the body names none
 * @param rewrittenBody   the body to send upstream instead of the client's, or null to send the client's bytes as
 *                        they are (the rule: only a body with hint fields, or a stream whose usage the sidecar asks
 *                        for, is rewritten)
 * @param addsStreamUsage the sidecar asks upstream for the stream's usage, which the client did not: the usage-only
 *                        chunk must not reach the client
 */
public record OpenAiRequest(OpenAiEndpoint endpoint, String model, boolean stream, RequestHints hints, byte[] rewrittenBody,
                            boolean addsStreamUsage) {

    public static final String AUTO_MODEL = "auto";
    /** {@code auto:coding}: routed for that task, without classifying the request. */
    public static final String AUTO_PREFIX = "auto:";
    /** Every model name that asks for routing, as {@code GET /v1/models} lists them. */
    public static final List<String> AUTO_MODELS = Stream.concat(Stream.of(AUTO_MODEL),
            Arrays.stream(TaskType.values()).map(task -> AUTO_PREFIX + task.wireName())).toList();

    /** {@code "auto"}, {@code "auto:<task>"}, or no model at all asks the sidecar to choose (chat and completions only). */
    public boolean wantsRouting() {
        return endpoint.routable() && (model == null || isAuto(model));
    }

    /** The task the caller named, skipping classification: {@code auto:<task>}, else the task hint (header or body). */
    public Optional<TaskType> namedTask() {
        return routedTask().or(hints::taskType);
    }

    /** The task {@code auto:<task>} names; empty for {@code auto}, any other model, or an unknown task. */
    public Optional<TaskType> routedTask() {
        return autoTask(model);
    }

    static boolean isAuto(String model) {
        return model != null && (AUTO_MODEL.equals(model) || model.startsWith(AUTO_PREFIX));
    }

    static Optional<TaskType> autoTask(String model) {
        return model != null && model.startsWith(AUTO_PREFIX) ? TaskType.fromWire(model.substring(AUTO_PREFIX.length())) : Optional.empty();
    }
}
