package dev.lmstudiosidecar.api;

import dev.lmstudiosidecar.models.TaskType;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * Validates an OpenAI request body and extracts what the sidecar needs (model, stream, hints)
 * without touching anything else: unknown fields such as {@code tools}, {@code response_format}
 * or {@code ttl} reach LM Studio byte for byte.
 *
 * <p>Validation streams over the tokens and never builds a tree, so a body near the size limit
 * costs no more memory than its own bytes (a sidecar's heap is small). Only a body that carries
 * hint fields is parsed into a tree and re-serialised without them.
 *
 * <p>With metrics on, a stream that does not ask for its usage is asked for it
 * ({@code "stream_options":{"include_usage":true}}): LM Studio sends token counts in a stream
 * only then, and without them there are no token metrics for streams. The relay takes that extra
 * chunk out again before it reaches the client ({@link OpenAiRequest#addsStreamUsage()}).
 */
public final class OpenAiRequestParser {

    private static final String STREAM_OPTIONS = "stream_options";
    private static final byte[] INCLUDE_USAGE = "\"stream_options\":{\"include_usage\":true},".getBytes(StandardCharsets.UTF_8);

    private final JsonFactory tokens;
    private final ObjectMapper tree;
    private final JsonLimits limits;
    private final boolean askForStreamUsage;

    /** A parser that forwards streams' options as they are. */
    public OpenAiRequestParser() {
        this(false);
    }

    /** @param askForStreamUsage ask every chat or completion stream for its usage (metrics are on) */
    public OpenAiRequestParser(boolean askForStreamUsage) {
        this(askForStreamUsage, JsonLimits.DEFAULT);
    }

    /** @param limits how deep the body may nest and how long its strings may be; the scan and the rewrite apply the same */
    public OpenAiRequestParser(boolean askForStreamUsage, JsonLimits limits) {
        this.askForStreamUsage = askForStreamUsage;
        this.limits = limits;
        this.tokens = JsonFactory.builder().streamReadConstraints(limits.constraints()).build();
        this.tree = new ObjectMapper(tokens)
                // BigDecimal, kept exact, writes every number back exactly as it was sent.
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .setNodeFactory(JsonNodeFactory.withExactBigDecimals(true));
    }

    /**
     * @param headers looks up a request header by name, null when absent
     * @throws ApiException 400 when the request is not one LM Studio could answer
     */
    public OpenAiRequest parse(OpenAiEndpoint endpoint, byte[] body, UnaryOperator<String> headers) {
        return parse(endpoint, body, 0, body.length, headers);
    }

    /** As {@link #parse(OpenAiEndpoint, byte[], UnaryOperator)}, on a slice of an array. */
    public OpenAiRequest parse(OpenAiEndpoint endpoint, byte[] body, int offset, int length, UnaryOperator<String> headers) {
        RequestHints headerHints = hintsFromHeaders(headers);
        if (!endpoint.generates()) {
            return new OpenAiRequest(endpoint, null, false, headerHints, null, false);
        }
        BodyScan scan = scan(endpoint, body, offset, length);
        RequestHints hints = new RequestHints(
                headerHints.taskType().or(() -> Optional.ofNullable(scan.taskType)),
                headerHints.preferredProvider().or(() -> Optional.ofNullable(scan.preferredProvider)),
                headerHints.fallbackToCloud().or(() -> Optional.ofNullable(scan.fallbackToCloud)));
        boolean addUsage = askForStreamUsage && scan.stream && !scan.includesUsage
                && (endpoint == OpenAiEndpoint.CHAT_COMPLETIONS || endpoint == OpenAiEndpoint.COMPLETIONS);
        byte[] rewritten;
        if (scan.hasHintFields || (addUsage && scan.hasStreamOptions)) {
            rewritten = rewrite(body, offset, length, null, addUsage);
        } else if (addUsage) {
            rewritten = withStreamOptions(body, offset, length, scan.objectStart);
        } else {
            rewritten = null;
        }
        return new OpenAiRequest(endpoint, scan.model, scan.stream, hints, rewritten, addUsage);
    }

    /** What one pass over the body found. */
    private static final class BodyScan {
        String model;
        boolean stream;
        boolean sawRequiredField;
        boolean hasHintFields;
        boolean hasStreamOptions;
        boolean includesUsage;
        /** Where the body's object opens, from the start of the slice. */
        int objectStart;
        TaskType taskType;
        String preferredProvider;
        Boolean fallbackToCloud;
    }

    private BodyScan scan(OpenAiEndpoint endpoint, byte[] body, int offset, int length) {
        if (length == 0) {
            throw ApiError.invalidJson("the body is empty").asException();
        }
        String required = endpoint.requiredField();
        requireUtf8(body, offset, length);
        BodyScan scan = new BodyScan();
        try (JsonParser p = tokens.createParser(body, offset, length)) {
            JsonToken first = p.nextToken();
            if (first != JsonToken.START_OBJECT) {
                throw ApiError.invalidJson("the body is " + describe(first) + ", not an object").asException();
            }
            scan.objectStart = (int) p.currentTokenLocation().getByteOffset();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if (field.equals(required)) {
                    scan.sawRequiredField = value != JsonToken.VALUE_NULL;
                    if (scan.sawRequiredField) {
                        checkRequired(p, value, field, body, offset, offset + length);
                    }
                    continue;
                }
                switch (field) {
                    case "model" -> scan.model = stringOrNull(p, value, field);
                    case "stream" -> scan.stream = Boolean.TRUE.equals(booleanOrNull(value, field));
                    case STREAM_OPTIONS -> {
                        scan.hasStreamOptions = true;
                        scan.includesUsage = includesUsage(p, value);
                    }
                    case RequestHints.TASK_TYPE_FIELD -> {
                        scan.hasHintFields = true;
                        String task = stringOrNull(p, value, field);
                        scan.taskType = task == null ? null : taskType(task, field);
                    }
                    case RequestHints.PREFER_PROVIDER_FIELD -> {
                        scan.hasHintFields = true;
                        String provider = stringOrNull(p, value, field);
                        scan.preferredProvider = provider == null ? null : provider(provider, field);
                    }
                    case RequestHints.FALLBACK_TO_CLOUD_FIELD -> {
                        scan.hasHintFields = true;
                        scan.fallbackToCloud = booleanOrNull(value, field);
                    }
                    default -> skipValue(p);
                }
            }
            if (p.nextToken() != null) {
                throw ApiError.invalidJson("there is more after the JSON object").asException();
            }
        } catch (StreamConstraintsException e) {
            throw limits.refusal(e).asException();
        } catch (JsonProcessingException e) {
            throw ApiError.invalidJson(describe(e)).asException();
        } catch (IOException e) {
            throw ApiError.invalidJson(String.valueOf(e.getMessage())).asException();
        }
        if (!scan.sawRequiredField) {
            throw ApiError.invalidRequest(required, "'" + required + "' is required" + example(required)).asException();
        }
        boolean routable = endpoint.routable();
        // Forwarded without one, a server would pick a model of its own (llama.cpp answers as gpt-3.5-turbo):
        // a chat or completion without a model is routed instead, an embedding has no task to route by.
        if (scan.model == null && !routable) {
            throw ApiError.invalidRequest("model", "'model' is required: name an embedding model from GET /v1/models.").asException();
        }
        if (scan.model != null && scan.model.isBlank()) {
            throw ApiError.invalidRequest("model", "'model' must not be empty: name a model from GET /v1/models, or \"auto\".").asException();
        }
        if (OpenAiRequest.isAuto(scan.model)) {
            if (!routable) {
                throw ApiError.invalidRequest("model", "'" + scan.model + "' routes chat and completions only: name an embedding model from GET /v1/models.").asException();
            }
            if (OpenAiRequest.autoTask(scan.model).isEmpty() && !OpenAiRequest.AUTO_MODEL.equals(scan.model)) {
                throw ApiError.invalidRequest("model", "'" + scan.model + "' names no task: use one of "
                        + String.join(", ", OpenAiRequest.AUTO_MODELS) + ".").asException();
            }
        }
        return scan;
    }

    /**
     * Refuses a body that is not UTF-8. The scan steps over strings without decoding them, so without this a byte
     * sequence Jackson refuses (say an encoded surrogate, ED A0 BD) would pass here and fail the rewrite, the cache
     * key and LM Studio. Decoded in small pieces: the body is never held twice.
     */
    private static void requireUtf8(byte[] body, int offset, int length) {
        CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(body, offset, length);
        CharBuffer out = CharBuffer.allocate(4096);
        while (true) {
            CoderResult result = utf8.decode(in, out, true);
            if (result.isError()) {
                throw ApiError.invalidJson("the body is not UTF-8 (byte " + (in.position() - offset) + ")").asException();
            }
            if (result.isUnderflow()) {
                return;
            }
            out.clear();
        }
    }

    /** Whether {@code stream_options} asks for {@code include_usage: true}; leaves the parser past it. */
    private static boolean includesUsage(JsonParser p, JsonToken value) throws IOException {
        if (value != JsonToken.START_OBJECT) {
            skipValue(p);
            return false;
        }
        boolean includes = false;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            boolean isIncludeUsage = p.currentName().equals("include_usage");
            JsonToken option = p.nextToken();
            if (isIncludeUsage) {
                includes = option == JsonToken.VALUE_TRUE;
            }
            skipValue(p); // an object or array, whatever its field, is stepped over whole
        }
        return includes;
    }

    /** @param end where the body ends in {@code body}: a string cut by the end of the body has no closing quote to look at */
    private static void checkRequired(JsonParser p, JsonToken value, String field, byte[] body, int offset, int end) throws IOException {
        boolean messages = field.equals("messages");
        if (value == JsonToken.VALUE_STRING && !messages) {
            // The raw bytes tell whether the string is "" without decoding a possibly huge prompt.
            int at = offset + (int) p.currentTokenLocation().getByteOffset();
            if (at + 1 < end && body[at + 1] == '"') {
                throw emptyField(field);
            }
            return;
        }
        if (value != JsonToken.START_ARRAY) {
            throw ApiError.invalidRequest(field, "'" + field + "' must be " + (messages ? "an array of messages" : "a string or an array")
                    + ", not " + describe(value) + ".").asException();
        }
        int elements = 0;
        for (JsonToken element = p.nextToken(); element != JsonToken.END_ARRAY; element = p.nextToken()) {
            if (messages) {
                requireRole(p, element, elements);
            } else {
                skipValue(p);
            }
            elements++;
        }
        if (elements == 0) {
            throw emptyField(field);
        }
    }

    /** A message must be an object with a string role; its other fields are LM Studio's business. */
    private static void requireRole(JsonParser p, JsonToken message, int index) throws IOException {
        boolean hasRole = false;
        if (message == JsonToken.START_OBJECT) {
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                boolean isRole = p.currentName().equals("role");
                JsonToken value = p.nextToken();
                if (isRole) {
                    hasRole = value == JsonToken.VALUE_STRING && !p.getText().isBlank();
                } else {
                    skipValue(p);
                }
            }
        } else {
            skipValue(p);
        }
        if (!hasRole) {
            throw ApiError.invalidRequest("messages[" + index + "]",
                    "'messages[" + index + "]' must be an object with a string 'role', e.g. {\"role\":\"user\",\"content\":\"Hello\"}.")
                    .asException();
        }
    }

    /**
     * Steps over the current value (an object or array whole), as {@link JsonParser#skipChildren()} does, but reads
     * every fraction or exponent on the way: one a {@link java.math.BigDecimal} cannot hold ({@code 1e99999999999})
     * is refused here, since the rewrite and the cache key read the body into numbers later and must not fail there.
     */
    private static void skipValue(JsonParser p) throws IOException {
        int depth = 0;
        JsonToken token = p.currentToken();
        while (true) {
            if (token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY) {
                depth++;
            } else if (token == JsonToken.END_OBJECT || token == JsonToken.END_ARRAY) {
                depth--;
            } else if (token == JsonToken.VALUE_NUMBER_FLOAT) {
                checkDecimal(p);
            } else if (token == null) {
                return; // the end of the input: the caller's next read reports it
            }
            if (depth <= 0) {
                return;
            }
            token = p.nextToken();
        }
    }

    private static void checkDecimal(JsonParser p) throws IOException {
        try {
            p.getDecimalValue();
        } catch (NumberFormatException | ArithmeticException outOfRange) {
            String text = p.getText();
            throw ApiError.invalidJson("the number " + (text.length() > 40 ? text.substring(0, 40) + "..." : text)
                    + " is out of range (line " + p.currentTokenLocation().getLineNr() + ", column "
                    + p.currentTokenLocation().getColumnNr() + ")").asException();
        }
    }

    private static ApiException emptyField(String field) {
        return ApiError.invalidRequest(field, "'" + field + "' must not be empty" + example(field)).asException();
    }

    private static String example(String field) {
        return switch (field) {
            case "messages" -> ": send e.g. \"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}].";
            case "prompt" -> ": send e.g. \"prompt\":\"Once upon a time\".";
            default -> ": send e.g. \"input\":\"text to embed\".";
        };
    }

    private static String stringOrNull(JsonParser p, JsonToken value, String field) throws IOException {
        if (value == JsonToken.VALUE_NULL) {
            return null;
        }
        if (value != JsonToken.VALUE_STRING) {
            skipValue(p);
            throw ApiError.invalidRequest(field, "'" + field + "' must be a string, not " + describe(value) + ".").asException();
        }
        return p.getText();
    }

    private static Boolean booleanOrNull(JsonToken value, String field) {
        return switch (value) {
            case VALUE_NULL -> null;
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            default -> throw ApiError.invalidRequest(field, "'" + field + "' must be true or false, not " + describe(value) + ".").asException();
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

    /**
     * The body as it goes to another model than the one asked for (a fallback): the same fields,
     * the hint fields left out, {@code model} replaced, and the stream's usage asked for when the
     * request was ({@link OpenAiRequest#addsStreamUsage()}).
     */
    public byte[] withModel(byte[] body, int offset, int length, String model, boolean addStreamUsage) {
        return rewrite(body, offset, length, model, addStreamUsage);
    }

    private byte[] rewrite(byte[] body, int offset, int length, String model, boolean addStreamUsage) {
        try {
            ObjectNode root = (ObjectNode) tree.readTree(body, offset, length);
            root.remove(RequestHints.TASK_TYPE_FIELD);
            root.remove(RequestHints.PREFER_PROVIDER_FIELD);
            root.remove(RequestHints.FALLBACK_TO_CLOUD_FIELD);
            if (model != null) {
                root.put("model", model);
            }
            if (addStreamUsage) {
                // Other stream options the client set stay as they were.
                ObjectNode options = root.get(STREAM_OPTIONS) instanceof ObjectNode given ? given : root.putObject(STREAM_OPTIONS);
                options.put("include_usage", true);
            }
            return tree.writeValueAsBytes(root);
        } catch (IOException e) {
            // The scan refuses what this could not read; should they ever disagree, the client still gets a 400, not a 500.
            throw ApiError.invalidJson(e instanceof JsonProcessingException json ? describe(json) : String.valueOf(e.getMessage())).asException();
        }
    }

    /**
     * The body with {@code stream_options} added as its first field: the rest stays byte for byte,
     * and no tree is built (a body without {@code stream_options} cannot get it twice).
     */
    private static byte[] withStreamOptions(byte[] body, int offset, int length, int objectStart) {
        byte[] spliced = new byte[length + INCLUDE_USAGE.length];
        int head = objectStart + 1; // up to and with the object's '{'
        System.arraycopy(body, offset, spliced, 0, head);
        System.arraycopy(INCLUDE_USAGE, 0, spliced, head, INCLUDE_USAGE.length);
        System.arraycopy(body, offset + head, spliced, head + INCLUDE_USAGE.length, length - head);
        return spliced;
    }

    private static String describe(JsonToken token) {
        if (token == null) {
            return "nothing";
        }
        return switch (token) {
            case START_ARRAY -> "an array";
            case START_OBJECT -> "an object";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> token.asString() == null ? token.name().toLowerCase(Locale.ROOT) : token.asString();
        };
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
}
