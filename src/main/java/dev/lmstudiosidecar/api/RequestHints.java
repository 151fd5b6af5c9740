package dev.lmstudiosidecar.api;

import dev.lmstudiosidecar.models.TaskType;
import java.util.Optional;

/**
 * What the caller told the sidecar besides the OpenAI request: from {@code X-Sidecar-*} headers
 * or the body fields {@code task_type}, {@code preferred_provider}, {@code fallback_to_cloud}.
 * Headers win over body fields. None of these fields are forwarded upstream.
 */
public record RequestHints(Optional<TaskType> taskType, Optional<String> preferredProvider, Optional<Boolean> fallbackToCloud) {

    public static final RequestHints NONE = new RequestHints(Optional.empty(), Optional.empty(), Optional.empty());

    public static final String TASK_TYPE_HEADER = "X-Sidecar-Task-Type";
    public static final String PREFER_PROVIDER_HEADER = "X-Sidecar-Prefer-Provider";
    public static final String FALLBACK_TO_CLOUD_HEADER = "X-Sidecar-Fallback-To-Cloud";

    public static final String TASK_TYPE_FIELD = "task_type";
    public static final String PREFER_PROVIDER_FIELD = "preferred_provider";
    public static final String FALLBACK_TO_CLOUD_FIELD = "fallback_to_cloud";
}
