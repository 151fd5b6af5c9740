package dev.lmstudiosidecar.provider.lmstudio;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lmstudiosidecar.provider.Backend;
import dev.lmstudiosidecar.provider.UpstreamFailure;
import dev.lmstudiosidecar.provider.UpstreamFailure.Kind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Reads LM Studio's error answers, which vary by version: {@code {"error":"text"}} or
 * {@code {"error":{"message",...}}}, with 400 or 404 for the same fault, and a 200 with
 * {@code {"error":"Unexpected endpoint or method..."}} for routes it does not have.
 * A 200 is therefore not proof of success, and the words decide what went wrong.
 */
public final class LMStudioErrorReader {

    private static final Pattern UNKNOWN_ENDPOINT = Pattern.compile("(?i)unexpected endpoint");
    /** A 404 for the route itself: llama.cpp's "File Not Found", FastAPI's (vLLM's) {"detail":"Not Found"}. */
    private static final Pattern NO_SUCH_ROUTE = Pattern.compile("(?i)(file )?not found");
    private static final Pattern MODEL_NOT_LOADED = Pattern.compile("(?i)not loaded|no models? (is |are )?loaded");
    private static final Pattern MODEL_NOT_FOUND = Pattern.compile(
            "(?i)model.{0,200}?(not found|does not exist|doesn't exist|no such|not available|invalid model)|no model (named|with key|found)|(unknown|invalid) model");
    private static final int MAX_MESSAGE_CHARS = 500;
    private static final byte[] ERROR_KEY = "\"error\"".getBytes(StandardCharsets.US_ASCII);

    private final ObjectMapper json;

    public LMStudioErrorReader(ObjectMapper json) {
        this.json = json;
    }

    /**
     * @return the failure the answer describes, or empty when it is a real success
     */
    public Optional<UpstreamFailure> read(Backend backend, int status, byte[] body) {
        boolean success = status >= 200 && status < 300;
        if (success && startsAsJson(body) && !isWholeJson(body)) {
            // A 200 cut mid-object, well framed: relayed, the app's JSON parser would fail on it (and the cache keep it).
            return Optional.of(new UpstreamFailure(Kind.CONNECTION_LOST, backend, status,
                    "its " + status + " answer of " + body.length + " bytes stops in the middle of its JSON", null, null));
        }
        if (success && !mentionsError(body)) {
            return Optional.empty(); // the common case, decided without parsing the answer
        }
        JsonNode root = parse(body);
        JsonNode error = root == null ? null : root.get("error");
        if (success && (error == null || error.isNull())) {
            return Optional.empty();
        }
        String message = messageOf(error, root, body, status);
        // A code is a string in OpenAI's shape; llama.cpp puts the HTTP status there as a number, which says nothing more.
        String code = stringField(error, "code");
        String param = textField(error, "param");
        return Optional.of(new UpstreamFailure(classify(status, message, code), backend, status, message, code, param));
    }

    private static boolean startsAsJson(byte[] body) {
        for (byte b : body) {
            if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
                return b == '{' || b == '[';
            }
        }
        return false;
    }

    /** One pass of the streaming parser, nothing built: whether the body is one whole JSON value. */
    private boolean isWholeJson(byte[] body) {
        try (JsonParser parser = json.getFactory().createParser(body)) {
            if (parser.nextToken() == null) {
                return false;
            }
            parser.skipChildren();
            return parser.nextToken() == null;
        } catch (IOException broken) {
            return false;
        }
    }

    private static boolean mentionsError(byte[] body) {
        outer:
        for (int i = 0; i + ERROR_KEY.length <= body.length; i++) {
            for (int j = 0; j < ERROR_KEY.length; j++) {
                if (body[i + j] != ERROR_KEY[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    private static Kind classify(int status, String message, String code) {
        if (UNKNOWN_ENDPOINT.matcher(message).find() || (status == 404 && NO_SUCH_ROUTE.matcher(message).matches())) {
            return Kind.UNKNOWN_ENDPOINT;
        }
        // The words decide before the code: LM Studio tags "not loaded" with model_not_found too.
        if (status < 500 && MODEL_NOT_LOADED.matcher(message).find()) {
            return Kind.MODEL_NOT_LOADED;
        }
        if ("model_not_found".equals(code) || (status < 500 && MODEL_NOT_FOUND.matcher(message).find())) {
            return Kind.MODEL_NOT_FOUND;
        }
        if (status >= 400 && status < 500) {
            return Kind.REJECTED;
        }
        return Kind.SERVER_ERROR;
    }

    private static String messageOf(JsonNode error, JsonNode root, byte[] body, int status) {
        String message = null;
        if (error != null && error.isTextual()) {
            message = error.textValue();
        } else if (error != null && error.isObject()) {
            message = textField(error, "message");
        }
        if (message == null && root != null) {
            message = textField(root, "message");
        }
        if (message == null && root != null) {
            message = textField(root, "detail");
        }
        if (message == null || message.isBlank()) {
            String raw = new String(body, StandardCharsets.UTF_8).strip();
            message = raw.isEmpty() ? "HTTP " + status + " with an empty body" : raw;
        }
        return message.length() > MAX_MESSAGE_CHARS ? message.substring(0, MAX_MESSAGE_CHARS) + "..." : message;
    }

    private static String textField(JsonNode node, String field) {
        if (node == null || !node.isObject()) {
            return null;
        }
        JsonNode value = node.get(field);
        return value != null && value.isValueNode() && !value.isNull() ? value.asText() : null;
    }

    private static String stringField(JsonNode node, String field) {
        JsonNode value = node == null || !node.isObject() ? null : node.get(field);
        return value != null && value.isTextual() ? value.textValue() : null;
    }

    private JsonNode parse(byte[] body) {
        if (body.length == 0) {
            return null;
        }
        try {
            JsonNode node = json.readTree(body);
            return node != null && node.isObject() ? node : null;
        } catch (IOException notJson) {
            return null;
        }
    }
}
