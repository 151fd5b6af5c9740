package dev.lmstudiosidecar.testsupport.emulator;

import io.vertx.core.buffer.Buffer;

/**
 * The SSE events of one stream, rendered on demand by index: [role (chat only)], one per token,
 * finish, [usage], [DONE]. Chunks are concatenated strings, not Jackson trees, because the benchmark
 * pushes many of them and only the token text varies.
 */
final class SseEvents {

    private final GenerationRequest g;
    private final String head; // {"id":..,"object":..,"created":..,"model":..,"system_fingerprint":..,"choices":
    private final int firstToken;
    private final int count;

    SseEvents(GenerationRequest g) {
        this.g = g;
        String model = Json.quote(g.model());
        this.head = "{\"id\":" + Json.quote(g.id()) + ",\"object\":\"" + g.kind().chunkObject() + "\",\"created\":"
                + g.created() + ",\"model\":" + model + ",\"system_fingerprint\":" + model + ",\"choices\":";
        this.firstToken = g.kind() == GenerationKind.CHAT ? 1 : 0;
        this.count = firstToken + g.completionTokens() + 1 + (g.includeUsage() ? 1 : 0) + 1;
    }

    int count() {
        return count;
    }

    /** Token events are the ones that wait for the token delay. */
    boolean isToken(int index) {
        return index >= firstToken && index < firstToken + g.completionTokens();
    }

    Buffer render(int index) {
        if (index == count - 1) {
            return CompletionBodies.DONE;
        }
        boolean chat = g.kind() == GenerationKind.CHAT;
        String choices;
        if (index < firstToken) {
            choices = "[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"},\"logprobs\":null,\"finish_reason\":null}]}";
        } else if (isToken(index)) {
            String token = GenerationKind.token(index - firstToken);
            choices = chat
                    ? "[{\"index\":0,\"delta\":{\"content\":\"" + token + "\"},\"logprobs\":null,\"finish_reason\":null}]}"
                    : "[{\"index\":0,\"text\":\"" + token + "\",\"logprobs\":null,\"finish_reason\":null}]}";
        } else if (index == firstToken + g.completionTokens()) {
            String reason = "\"" + g.finishReason() + "\"";
            choices = chat
                    ? "[{\"index\":0,\"delta\":{},\"logprobs\":null,\"finish_reason\":" + reason + "}]}"
                    : "[{\"index\":0,\"text\":\"\",\"logprobs\":null,\"finish_reason\":" + reason + "}]}";
        } else {
            choices = "[],\"usage\":{\"prompt_tokens\":" + g.promptTokens() + ",\"completion_tokens\":"
                    + g.completionTokens() + ",\"total_tokens\":" + g.totalTokens() + "}}";
        }
        return Buffer.buffer("data: " + head + choices + "\n\n");
    }
}
