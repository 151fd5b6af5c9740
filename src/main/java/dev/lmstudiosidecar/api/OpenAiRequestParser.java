package dev.lmstudiosidecar.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Locale;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Validates an OpenAI request body and extracts what the sidecar needs (model, stream, hints)
 * without touching anything else: unknown fields such as {@code tools}, {@code response_format}
 * or {@code ttl} reach LM Studio byte for byte. Only when a hint field is present is the body
 * re-serialised, without it.
 */
public final class OpenAiRequestParser {

    private final ObjectMapper json;

    public OpenAiRequestParser() {
        // BigDecimal keeps every number exactly as sent when the body has to be re-serialised.
        this.json = new ObjectMapper()
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .setNodeFactory(JsonNodeFactory.withExactBigDecimals(true));
    }

    /**
     * @param headers looks up a request header by name, null when absent
     * @throws ApiException 400 when the request is not one LM Studio could answer
     */
    public OpenAiRequest parse(OpenAiEndpoint endpoint, byte[] body, UnaryOperator<String> headers) {
        RequestHints headerHints = hintsFromHeaders(headers);
        if (!endpoint.generates()) {
            return new OpenAiRequest(endpoint, null, false, headerHints, body);
        }
        ObjectNode root = readObject(body);
        String model = optionalString(root, "model");
        if (model != null && model.isBlank()) {
            throw ApiError.invalidRequest("model", "'model' must not be empty: name a model from GET /v1/models, or \"auto\".").asException();
        }
        boolean stream = optionalBoolean(root, "stream", false);
        requireNonEmpty(root, endpoint.requiredField());
        if (endpoint == OpenAiEndpoint.CHAT_COMPLETIONS) {
            requireMessagesHaveRoles(root.get("messages"));
        }
        RequestHints hints = mergeBodyHints(headerHints, root);
        byte[] upstreamBody = removeHintFields(root) ? writeBytes(root) : body;
        return new OpenAiRequest(endpoint, model, stream, hints, upstreamBody);
    }

    private ObjectNode readObject(byte[] body) {
        if (body.length == 0) {
            throw ApiError.invalidJson("the body is empty").asException();
        }
        JsonNode node;
        try {
            node = json.readTree(body);
        } catch (JsonProcessingException e) {
            throw ApiError.invalidJson(describe(e)).asException();
        } catch (IOException e) {
            throw ApiError.invalidJson(e.getMessage()).asException();
        }
        if (!(node instanceof ObjectNode object)) {
            throw ApiError.invalidJson("the body is " + describe(node) + ", not an object").asException();
        }
        return object;
    }

    /** Jackson's words without its source excerpt, plus where in the body it stopped. */
    private static String describe(JsonProcessingException e) {
        String words = e.getOriginalMessage();
        int noise = words.indexOf(" (start marker at");
        if (noise < 0) {
            noise = words.indexOf("\n");
        }
        if (noise >= 0) {
            words = words.substring(0, noise);
        }
        return e.getLocation() == null ? words
                : words + " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
    }

    private static void requireNonEmpty(ObjectNode root, String field) {
        JsonNode value = root.get(field);
        if (value == null || value.isNull()) {
            throw ApiError.invalidRequest(field, "'" + field + "' is required" + example(field)).asException();
        }
        boolean empty = (value.isTextual() && value.textValue().isEmpty()) || (value.isArray() && value.isEmpty());
        boolean allowedType = value.isArray() || (value.isTextual() && !field.equals("messages"));
        if (!allowedType) {
            throw ApiError.invalidRequest(field, "'" + field + "' must be " + allowedShape(field) + ", not " + describe(value) + ".").asException();
        }
        if (empty) {
            throw ApiError.invalidRequest(field, "'" + field + "' must not be empty" + example(field)).asException();
        }
    }

    private static void requireMessagesHaveRoles(JsonNode messages) {
        for (int i = 0; i < messages.size(); i++) {
            JsonNode message = messages.get(i);
            JsonNode role = message.get("role");
            if (!message.isObject() || role == null || !role.isTextual() || role.textValue().isBlank()) {
                throw ApiError.invalidRequest("messages[" + i + "]",
                        "'messages[" + i + "]' must be an object with a string 'role', e.g. {\"role\":\"user\",\"content\":\"Hello\"}.")
                        .asException();
            }
        }
    }

    private static String allowedShape(String field) {
        return field.equals("messages") ? "an array of messages" : "a string or an array";
    }

    private static String example(String field) {
        return switch (field) {
            case "messages" -> ": send e.g. \"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}].";
            case "prompt" -> ": send e.g. \"prompt\":\"Once upon a time\".";
            default -> ": send e.g. \"input\":\"text to embed\".";
        };
    }

    private static RequestHints hintsFromHeaders(UnaryOperator<String> headers) {
        String task = headers.apply(RequestHints.TASK_TYPE_HEADER);
        String provider = headers.apply(RequestHints.PREFER_PROVIDER_HEADER);
        String cloud = headers.apply(RequestHints.FALLBACK_TO_CLOUD_HEADER);
        if (task == null && provider == null && cloud == null) {
            return RequestHints.NONE;
        }
        return new RequestHints(
                Optional.ofNullable(task).map(t -> taskType(t, RequestHints.TASK_TYPE_HEADER)),
                Optional.ofNullable(provider).map(p -> provider(p, RequestHints.PREFER_PROVIDER_HEADER)),
                Optional.ofNullable(cloud).map(OpenAiRequestParser::booleanHeader));
    }

    private static RequestHints mergeBodyHints(RequestHints fromHeaders, ObjectNode root) {
        Optional<TaskType> task = fromHeaders.taskType().or(() ->
                Optional.ofNullable(optionalString(root, RequestHints.TASK_TYPE_FIELD)).map(t -> taskType(t, RequestHints.TASK_TYPE_FIELD)));
        Optional<String> provider = fromHeaders.preferredProvider().or(() ->
                Optional.ofNullable(optionalString(root, RequestHints.PREFER_PROVIDER_FIELD)).map(p -> provider(p, RequestHints.PREFER_PROVIDER_FIELD)));
        Optional<Boolean> cloud = fromHeaders.fallbackToCloud().or(() -> root.has(RequestHints.FALLBACK_TO_CLOUD_FIELD)
                ? Optional.of(optionalBoolean(root, RequestHints.FALLBACK_TO_CLOUD_FIELD, false))
                : Optional.empty());
        return new RequestHints(task, provider, cloud);
    }

    private static boolean removeHintFields(ObjectNode root) {
        boolean removed = root.remove(RequestHints.TASK_TYPE_FIELD) != null;
        removed |= root.remove(RequestHints.PREFER_PROVIDER_FIELD) != null;
        removed |= root.remove(RequestHints.FALLBACK_TO_CLOUD_FIELD) != null;
        return removed;
    }

    private static TaskType taskType(String value, String param) {
        return TaskType.fromWire(value).orElseThrow(() -> ApiError.invalidRequest(param,
                "'" + value + "' is not a task type; use one of coding, research, creative, analysis, general.").asException());
    }

    private static String provider(String value, String param) {
        String normalised = value.trim().toLowerCase(Locale.ROOT);
        if (!normalised.equals("lmstudio") && !normalised.equals("cloud")) {
            throw ApiError.invalidRequest(param, "'" + value + "' is not a provider; use lmstudio or cloud.").asException();
        }
        return normalised;
    }

    private static Boolean booleanHeader(String value) {
        String v = value.trim();
        if (v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false")) {
            return Boolean.valueOf(v);
        }
        throw ApiError.invalidRequest(RequestHints.FALLBACK_TO_CLOUD_HEADER,
                RequestHints.FALLBACK_TO_CLOUD_HEADER + " must be true or false, not '" + value + "'.").asException();
    }

    private static String optionalString(ObjectNode root, String field) {
        JsonNode value = root.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw ApiError.invalidRequest(field, "'" + field + "' must be a string, not " + describe(value) + ".").asException();
        }
        return value.textValue();
    }

    private static boolean optionalBoolean(ObjectNode root, String field, boolean absent) {
        JsonNode value = root.get(field);
        if (value == null || value.isNull()) {
            return absent;
        }
        if (!value.isBoolean()) {
            throw ApiError.invalidRequest(field, "'" + field + "' must be true or false, not " + describe(value) + ".").asException();
        }
        return value.booleanValue();
    }

    private static String describe(JsonNode node) {
        return switch (node.getNodeType()) {
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            default -> "a " + node.getNodeType().name().toLowerCase(Locale.ROOT);
        };
    }

    private byte[] writeBytes(ObjectNode root) {
        try {
            return json.writeValueAsBytes(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a parsed JSON tree always serialises", e);
        }
    }
}
