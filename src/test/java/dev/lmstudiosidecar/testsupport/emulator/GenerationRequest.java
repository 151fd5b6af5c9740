package dev.lmstudiosidecar.testsupport.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What one generation will produce, fixed when it starts so later knob changes do not bend a
 * response half-way through.
 */
record GenerationRequest(GenerationKind kind, String id, long created, String model, int completionTokens,
                         String finishReason, int promptTokens, boolean stream, boolean includeUsage) {

    static GenerationRequest of(GenerationKind kind, long sequence, String model, ObjectNode body, int tokensKnob) {
        int limit = maxTokens(body);
        int n = limit > 0 ? Math.min(tokensKnob, limit) : tokensKnob;
        return new GenerationRequest(kind, kind.idPrefix + sequence, System.currentTimeMillis() / 1000, model, n,
                n < tokensKnob ? "length" : "stop", promptTokens(kind, body),
                body.path("stream").asBoolean(false),
                body.path("stream_options").path("include_usage").asBoolean(false));
    }

    private static int maxTokens(ObjectNode body) {
        JsonNode limit = body.has("max_completion_tokens") ? body.get("max_completion_tokens") : body.get("max_tokens");
        return limit != null && limit.canConvertToInt() ? limit.asInt() : -1;
    }

    /** A deterministic stand-in for tokenising the prompt: whitespace-separated words, at least 1. */
    private static int promptTokens(GenerationKind kind, ObjectNode body) {
        int words = 0;
        if (kind == GenerationKind.CHAT) {
            for (JsonNode message : body.path("messages")) {
                JsonNode content = message.path("content");
                if (content.isTextual()) {
                    words += Json.words(content.asText());
                } else {
                    for (JsonNode part : content) {
                        words += Json.words(part.path("text").asText(""));
                    }
                }
            }
        } else {
            JsonNode prompt = body.path("prompt");
            if (prompt.isTextual()) {
                words += Json.words(prompt.asText());
            } else {
                for (JsonNode p : prompt) {
                    words += Json.words(p.asText(""));
                }
            }
        }
        return Math.max(1, words);
    }

    int totalTokens() {
        return promptTokens + completionTokens;
    }
}
