package dev.lmstudiosidecar.cache;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Puts the chunks of one stream back together into the whole answer: per choice index, the text
 * fields of the deltas concatenated (content, and the like of reasoning_content), tool calls merged
 * by their index with their arguments concatenated, the finish_reason; the usage from the chunk that
 * carries it. Not thread-safe: one stream.
 */
final class AnswerAssembler {

    private final boolean chat;
    private final ObjectNode head = CacheJson.TREES.createObjectNode();
    private final Map<Integer, ChoiceParts> choices = new TreeMap<>();
    private JsonNode systemFingerprint;
    private JsonNode usage;

    private AnswerAssembler(boolean chat) {
        this.chat = chat;
    }

    /** The kind of answer, its id, created and model come from the first chunk. */
    static AnswerAssembler startingWith(ObjectNode first) {
        String object = first.path("object").asText("");
        boolean chat = object.equals(StreamConversions.CHAT_CHUNK);
        if (!chat && !object.equals(StreamConversions.TEXT)) {
            throw new IllegalArgumentException("not a chat.completion.chunk or text_completion stream: object is '" + object + "'");
        }
        AnswerAssembler answer = new AnswerAssembler(chat);
        for (String field : new String[] {"id", "object", "created", "model"}) {
            if (first.has(field)) {
                answer.head.set(field, first.get(field));
            }
        }
        answer.head.put("object", chat ? StreamConversions.CHAT : StreamConversions.TEXT);
        return answer;
    }

    void add(ObjectNode chunk) {
        String object = chunk.path("object").asText("");
        if (!object.equals(chat ? StreamConversions.CHAT_CHUNK : StreamConversions.TEXT)) {
            throw new IllegalArgumentException("a chunk of another kind in the stream: object is '" + object + "'");
        }
        if (systemFingerprint == null && chunk.hasNonNull("system_fingerprint")) {
            systemFingerprint = chunk.get("system_fingerprint");
        }
        if (chunk.get("usage") instanceof ObjectNode given) {
            usage = given;
        }
        JsonNode list = chunk.path("choices");
        for (int position = 0; position < list.size(); position++) {
            if (!(list.get(position) instanceof ObjectNode choice)) {
                throw new IllegalArgumentException("a chunk's choices[" + position + "] is not an object");
            }
            int index = choice.path("index").canConvertToInt() ? choice.path("index").asInt() : position;
            choices.computeIfAbsent(index, ChoiceParts::new).add(choice, chat);
        }
    }

    ObjectNode toAnswer() {
        ObjectNode answer = head.deepCopy();
        if (systemFingerprint != null) {
            answer.set("system_fingerprint", systemFingerprint);
        }
        ArrayNode list = answer.putArray("choices");
        for (ChoiceParts choice : choices.values()) {
            list.add(choice.toChoice(chat));
        }
        if (usage != null) {
            answer.set("usage", usage);
        }
        return answer;
    }

    /** What the chunks said about one choice so far. */
    private static final class ChoiceParts {
        final int index;
        String role;
        /** Every string field of the deltas (content first), or the completion's text under "text". */
        final Map<String, StringBuilder> texts = new LinkedHashMap<>();
        /** Other delta fields (neither string nor tool_calls): the last value wins. */
        final ObjectNode other = CacheJson.TREES.createObjectNode();
        final Map<Integer, ToolCallParts> toolCalls = new TreeMap<>();
        ObjectNode logprobs;
        JsonNode finishReason;

        ChoiceParts(int index) {
            this.index = index;
        }

        void add(ObjectNode choice, boolean chat) {
            if (chat) {
                if (choice.get("delta") instanceof ObjectNode delta) {
                    addDelta(delta);
                }
            } else if (choice.path("text").isTextual()) {
                append("text", choice.get("text").textValue());
            }
            if (choice.get("logprobs") instanceof ObjectNode given) {
                mergeLogprobs(given);
            }
            if (choice.hasNonNull("finish_reason")) {
                finishReason = choice.get("finish_reason");
            }
        }

        private void addDelta(ObjectNode delta) {
            for (Map.Entry<String, JsonNode> field : delta.properties()) {
                String name = field.getKey();
                JsonNode value = field.getValue();
                if (name.equals("role")) {
                    if (value.isTextual()) {
                        role = value.textValue(); // said once per choice, not a part to concatenate
                    }
                } else if (name.equals("tool_calls")) {
                    for (int i = 0; i < value.size(); i++) {
                        if (!(value.get(i) instanceof ObjectNode call)) {
                            throw new IllegalArgumentException("a delta's tool_calls[" + i + "] is not an object");
                        }
                        int callIndex = call.path("index").canConvertToInt() ? call.path("index").asInt() : i;
                        toolCalls.computeIfAbsent(callIndex, i2 -> new ToolCallParts()).add(call);
                    }
                } else if (value.isTextual()) {
                    append(name, value.textValue());
                } else if (!value.isNull()) {
                    other.set(name, value);
                }
            }
        }

        private void append(String field, String part) {
            texts.computeIfAbsent(field, f -> new StringBuilder()).append(part);
        }

        /** Chat logprobs come as {"content":[...]} per chunk, completion logprobs as parallel arrays: arrays are joined. */
        private void mergeLogprobs(ObjectNode given) {
            if (logprobs == null) {
                logprobs = given.deepCopy();
                return;
            }
            for (Map.Entry<String, JsonNode> field : given.properties()) {
                if (logprobs.get(field.getKey()) instanceof ArrayNode have && field.getValue() instanceof ArrayNode more) {
                    have.addAll(more);
                } else {
                    logprobs.set(field.getKey(), field.getValue());
                }
            }
        }

        ObjectNode toChoice(boolean chat) {
            ObjectNode choice = CacheJson.TREES.createObjectNode().put("index", index);
            if (chat) {
                choice.set("message", message());
            } else {
                StringBuilder text = texts.get("text");
                choice.put("text", text == null ? "" : text.toString());
            }
            choice.set("logprobs", logprobs == null ? choice.nullNode() : logprobs);
            choice.set("finish_reason", finishReason == null ? choice.nullNode() : finishReason);
            return choice;
        }

        private ObjectNode message() {
            ObjectNode message = CacheJson.TREES.createObjectNode().put("role", role == null ? "assistant" : role);
            StringBuilder content = texts.get("content");
            // A tool-calling answer has content null, not "": kept so.
            message.put("content", content == null ? null : content.toString());
            texts.forEach((name, text) -> {
                if (!name.equals("content")) {
                    message.put(name, text.toString());
                }
            });
            if (!toolCalls.isEmpty()) {
                ArrayNode calls = message.putArray("tool_calls");
                toolCalls.values().forEach(call -> calls.add(call.toToolCall()));
            }
            message.setAll(other);
            return message;
        }
    }

    /** One tool call, told in parts: id, type and name once, the arguments in pieces. */
    private static final class ToolCallParts {
        String id;
        String type;
        String name;
        final StringBuilder arguments = new StringBuilder();

        void add(ObjectNode call) {
            if (id == null && call.path("id").isTextual()) {
                id = call.get("id").textValue();
            }
            if (type == null && call.path("type").isTextual()) {
                type = call.get("type").textValue();
            }
            JsonNode function = call.path("function");
            if (name == null && function.path("name").isTextual()) {
                name = function.get("name").textValue();
            }
            if (function.path("arguments").isTextual()) {
                arguments.append(function.get("arguments").textValue());
            }
        }

        ObjectNode toToolCall() {
            ObjectNode call = CacheJson.TREES.createObjectNode();
            if (id != null) {
                call.put("id", id);
            }
            call.put("type", type == null ? "function" : type);
            call.putObject("function").put("name", name).put("arguments", arguments.toString());
            return call;
        }
    }
}
