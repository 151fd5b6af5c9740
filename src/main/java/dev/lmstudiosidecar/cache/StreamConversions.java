package dev.lmstudiosidecar.cache;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Turns a stored answer into the other delivery: a whole answer into the SSE stream a streaming
 * client expects, and a recorded stream into the whole answer a non-streaming client expects, so
 * that one cache entry serves both. The shapes are OpenAI's (and LM Studio's): {@code chat.completion}
 * and {@code chat.completion.chunk}, {@code text_completion} for both forms of a completion.
 *
 * <p>Every fault in the input comes out as an {@link IllegalArgumentException}: the caller treats it
 * as "not convertible" and goes upstream instead.
 */
public final class StreamConversions {

    static final String CHAT = "chat.completion";
    static final String CHAT_CHUNK = "chat.completion.chunk";
    static final String TEXT = "text_completion";

    private StreamConversions() {
    }

    /** As {@link #toSse(byte[], boolean)} with the usage chunk, when the answer has usage. */
    public static byte[] toSse(byte[] plainJson) {
        return toSse(plainJson, true);
    }

    /**
     * A whole {@code chat.completion} or {@code text_completion} as the stream that would have produced it:
     * per choice a chunk with its content (chat: a {@code delta} with role, content, tool calls and any other
     * message field; completions: the {@code text}), then a chunk with its {@code finish_reason}; then, when
     * {@code includeUsage} and the answer has it, a chunk with empty choices and the usage; then
     * {@code data: [DONE]}. Every chunk carries the answer's id, created, model and system_fingerprint.
     *
     * @param includeUsage false for a client that did not ask for {@code stream_options.include_usage}
     * @throws IllegalArgumentException when the bytes are no chat.completion or text_completion
     */
    public static byte[] toSse(byte[] plainJson, boolean includeUsage) {
        ObjectNode answer = readObject(plainJson);
        String object = answer.path("object").asText("");
        boolean chat = object.equals(CHAT);
        if (!chat && !object.equals(TEXT)) {
            throw new IllegalArgumentException("not a chat.completion or text_completion: object is '" + object + "'");
        }
        if (!(answer.get("choices") instanceof ArrayNode choices)) {
            throw new IllegalArgumentException("the answer has no choices array");
        }
        ObjectNode head = CacheJson.TREES.createObjectNode();
        copy(answer, head, "id");
        head.put("object", chat ? CHAT_CHUNK : TEXT);
        copy(answer, head, "created");
        copy(answer, head, "model");
        if (answer.hasNonNull("system_fingerprint")) {
            copy(answer, head, "system_fingerprint");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(plainJson.length * 2 + 256);
        for (int position = 0; position < choices.size(); position++) {
            if (!(choices.get(position) instanceof ObjectNode choice)) {
                throw new IllegalArgumentException("choices[" + position + "] is not an object");
            }
            JsonNode index = choice.has("index") ? choice.get("index") : CacheJson.TREES.getNodeFactory().numberNode(position);
            ObjectNode content = CacheJson.TREES.createObjectNode().set("index", index);
            if (chat) {
                content.set("delta", delta(choice, position));
            } else {
                content.set("text", choice.path("text").isTextual() ? choice.get("text") : content.textNode(""));
            }
            content.set("logprobs", choice.has("logprobs") ? choice.get("logprobs") : content.nullNode());
            content.putNull("finish_reason");
            SseFrames.writeEvent(out, bytes(chunk(head, content)));

            ObjectNode finish = CacheJson.TREES.createObjectNode().set("index", index);
            if (chat) {
                finish.putObject("delta");
            } else {
                finish.put("text", "");
            }
            finish.putNull("logprobs");
            finish.set("finish_reason", choice.has("finish_reason") ? choice.get("finish_reason") : finish.nullNode());
            SseFrames.writeEvent(out, bytes(chunk(head, finish)));
        }
        if (includeUsage && answer.get("usage") instanceof ObjectNode usage) {
            ObjectNode chunk = head.deepCopy();
            chunk.putArray("choices");
            chunk.set("usage", usage);
            SseFrames.writeEvent(out, bytes(chunk));
        }
        SseFrames.writeDone(out);
        return out.toByteArray();
    }

    /**
     * A recorded stream as the whole answer: a {@code chat.completion} from {@code chat.completion.chunk}
     * events, a {@code text_completion} from {@code text_completion} events. Whether the stream was whole
     * is {@link #isComplete(byte[])}'s question; this assembles whatever arrived before {@code [DONE]}.
     *
     * @throws IllegalArgumentException when an event is not JSON, the chunks are of no known kind, or there are none
     */
    public static byte[] toPlain(byte[] sse) {
        if (sse == null) {
            throw new IllegalArgumentException("the stream is null");
        }
        AnswerAssembler answer = null;
        for (String data : SseFrames.dataOf(sse)) {
            if (data.trim().equals(SseFrames.DONE)) {
                break;
            }
            ObjectNode chunk = readObject(data);
            if (answer == null) {
                answer = AnswerAssembler.startingWith(chunk);
            }
            answer.add(chunk);
        }
        if (answer == null) {
            throw new IllegalArgumentException("the stream has no chunks");
        }
        return bytes(answer.toAnswer());
    }

    /**
     * Whether a recorded stream is one to keep: it ends with {@code data: [DONE]} and every choice it
     * mentions got a {@code finish_reason}. A stream that cannot be read (cut in the middle of an event,
     * say) is simply not complete: this never throws for the stream's content.
     */
    public static boolean isComplete(byte[] sse) {
        if (sse == null) {
            throw new IllegalArgumentException("the stream is null");
        }
        List<String> events = SseFrames.dataOf(sse);
        if (events.isEmpty() || !events.get(events.size() - 1).trim().equals(SseFrames.DONE)) {
            return false;
        }
        Set<Integer> seen = new HashSet<>();
        Set<Integer> finished = new HashSet<>();
        for (String data : events.subList(0, events.size() - 1)) {
            JsonNode chunk;
            try {
                chunk = CacheJson.TREES.readTree(data);
            } catch (IOException e) {
                return false;
            }
            if (chunk == null || !chunk.isObject() || chunk.has("error")) {
                return false; // an error event: the stream ended in a failure, whatever came after
            }
            JsonNode choices = chunk.path("choices");
            for (int position = 0; position < choices.size(); position++) {
                JsonNode choice = choices.get(position);
                int index = choice.path("index").canConvertToInt() ? choice.path("index").asInt() : position;
                seen.add(index);
                if (choice.path("finish_reason").isTextual()) {
                    finished.add(index);
                }
            }
        }
        return !seen.isEmpty() && finished.containsAll(seen);
    }

    /**
     * The first choice's {@code finish_reason} in a whole answer, e.g. {@code "length"} for an answer cut
     * by {@code max_tokens} (not one to cache unless the request set max_tokens itself).
     *
     * @return empty when there is no choice or it has no finish_reason
     * @throws IllegalArgumentException when the bytes are no JSON object
     */
    public static Optional<String> finishReason(byte[] plainJson) {
        JsonNode reason = readObject(plainJson).path("choices").path(0).path("finish_reason");
        return reason.isTextual() ? Optional.of(reason.textValue()) : Optional.empty();
    }

    /** A chat choice's message as the delta of one chunk: every field kept, tool calls numbered. */
    private static ObjectNode delta(ObjectNode choice, int position) {
        if (!(choice.get("message") instanceof ObjectNode message)) {
            throw new IllegalArgumentException("choices[" + position + "] has no message object");
        }
        ObjectNode delta = CacheJson.TREES.createObjectNode();
        delta.set("role", message.hasNonNull("role") ? message.get("role") : delta.textNode("assistant"));
        delta.set("content", message.has("content") ? message.get("content") : delta.nullNode());
        for (Map.Entry<String, JsonNode> field : message.properties()) {
            switch (field.getKey()) {
                case "role", "content" -> {
                }
                case "tool_calls" -> delta.set("tool_calls", numbered(field.getValue(), position));
                default -> delta.set(field.getKey(), field.getValue());
            }
        }
        return delta;
    }

    /** A stream's tool calls say which call they continue by {@code index}; a whole message's do not. */
    private static JsonNode numbered(JsonNode toolCalls, int position) {
        if (!toolCalls.isArray()) {
            return toolCalls;
        }
        ArrayNode numbered = CacheJson.TREES.createArrayNode();
        for (int i = 0; i < toolCalls.size(); i++) {
            if (!(toolCalls.get(i) instanceof ObjectNode call)) {
                throw new IllegalArgumentException("choices[" + position + "].message.tool_calls[" + i + "] is not an object");
            }
            ObjectNode withIndex = numbered.addObject().put("index", i);
            withIndex.setAll(call);
            withIndex.put("index", i); // a call that carried an index of its own keeps its position's
        }
        return numbered;
    }

    /** A chunk: the answer's id, object, created, model and fingerprint, and this one choice. */
    private static ObjectNode chunk(ObjectNode head, ObjectNode choice) {
        ObjectNode chunk = head.deepCopy();
        chunk.putArray("choices").add(choice);
        return chunk;
    }

    private static void copy(ObjectNode from, ObjectNode to, String field) {
        if (from.has(field)) {
            to.set(field, from.get(field));
        }
    }

    static ObjectNode readObject(byte[] json) {
        if (json == null) {
            throw new IllegalArgumentException("the body is null");
        }
        try {
            return asObject(CacheJson.TREES.readTree(json));
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON: " + CacheJson.describe(e), e);
        }
    }

    private static ObjectNode readObject(String json) {
        try {
            return asObject(CacheJson.TREES.readTree(json));
        } catch (IOException e) {
            throw new IllegalArgumentException("an event is not JSON: " + CacheJson.describe(e), e);
        }
    }

    private static ObjectNode asObject(JsonNode node) {
        if (!(node instanceof ObjectNode object)) {
            throw new IllegalArgumentException("not a JSON object");
        }
        return object;
    }

    static byte[] bytes(JsonNode node) {
        try {
            return CacheJson.TREES.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new IllegalStateException("a tree always writes", e);
        }
    }
}
