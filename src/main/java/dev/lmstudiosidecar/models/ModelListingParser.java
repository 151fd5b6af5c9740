package dev.lmstudiosidecar.models;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lmstudiosidecar.models.DiscoveredModel.LoadState;
import dev.lmstudiosidecar.models.DiscoveredModel.LoadedInstance;
import dev.lmstudiosidecar.models.DiscoveredModel.ModelType;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Reads the three model listings ({@link DiscoveryApi}) into {@link DiscoveredModel}s.
 *
 * <p>Strict about the envelope, lenient about the entries. LM Studio answers a path it does not
 * know with {@code 200 {"error":"Unexpected endpoint or method. ..."}}, so a listing without its
 * array is refused ({@link UnexpectedListing}) rather than read as "no models". Inside the array,
 * one odd entry (say from a newer LM Studio) must not hide the others: an entry that is not an
 * object or has no usable key is skipped, unknown fields are ignored, and a field of the wrong
 * JSON type counts as not listed.
 *
 * <p>The trees are read by hand, not bound to classes, so that nothing here needs reflection in a
 * native image.
 */
public final class ModelListingParser {

    /** Longest piece of a server's answer quoted in an {@link UnexpectedListing} message. */
    private static final int QUOTE_LIMIT = 200;
    /** A pebibyte: no model file comes near it, so a larger size is a mistake, not a model. */
    private static final long MAX_FILE_BYTES = 1L << 50;

    /** The answer was not the listing asked for: an error body, another endpoint's answer, or not JSON we know. */
    public static final class UnexpectedListing extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        UnexpectedListing(String message) {
            super(message);
        }
    }

    private ModelListingParser() {
    }

    /**
     * The models {@code root} lists, in listing order.
     *
     * @throws UnexpectedListing when {@code root} is not an object holding the listing's array
     *                           ({@code models} for {@link DiscoveryApi#LMSTUDIO_V1}, {@code data} for the others)
     */
    public static List<DiscoveredModel> parse(DiscoveryApi api, JsonNode root) {
        Objects.requireNonNull(api, "api");
        String arrayField = api == DiscoveryApi.LMSTUDIO_V1 ? "models" : "data";
        JsonNode entries = root != null && root.isObject() ? root.get(arrayField) : null;
        if (entries == null || !entries.isArray()) {
            throw new UnexpectedListing(api.path() + " did not answer with a model listing: expected an object with a \""
                    + arrayField + "\" array, found " + found(root, arrayField));
        }
        List<DiscoveredModel> models = new ArrayList<>();
        for (JsonNode entry : entries) {
            if (!entry.isObject()) {
                continue;
            }
            DiscoveredModel model = switch (api) {
                case LMSTUDIO_V1 -> fromV1(entry);
                case LMSTUDIO_V0 -> fromV0(entry);
                case OPENAI -> fromOpenAi(entry);
            };
            if (model != null) {
                models.add(model);
            }
        }
        return List.copyOf(models);
    }

    /** LM Studio 0.4: the loaded instances are listed, so they say whether the model is loaded. */
    private static DiscoveredModel fromV1(JsonNode entry) {
        String key = text(entry, "key");
        if (key == null) {
            return null;
        }
        JsonNode listed = entry.get("loaded_instances");
        LoadState state = LoadState.UNKNOWN; // the field missing or not an array says nothing either way
        List<LoadedInstance> instances = List.of();
        if (listed != null && listed.isArray()) {
            // A copy without a readable id is still in memory, so it counts for the state
            // even though it cannot be named as an instance.
            state = listed.size() > 0 ? LoadState.LOADED : LoadState.NOT_LOADED;
            instances = instances(listed);
        }
        return new DiscoveredModel(key, type(text(entry, "type"), key), state, instances,
                wholeNumber(entry, "size_bytes"), contextLength(entry, "max_context_length"),
                quantization(entry.get("quantization")), text(entry, "params_string"), 0, text(entry, "architecture"));
    }

    private static List<LoadedInstance> instances(JsonNode listed) {
        List<LoadedInstance> instances = new ArrayList<>();
        for (JsonNode instance : listed) {
            String id = instance.isObject() ? text(instance, "id") : null;
            if (id == null) {
                continue;
            }
            JsonNode config = instance.get("config");
            int contextLength = config != null && config.isObject() ? contextLength(config, "context_length") : 0;
            instances.add(new LoadedInstance(id, contextLength));
        }
        return instances;
    }

    /** LM Studio 0.3: a state string per model, no instances, no size or parameter count. */
    private static DiscoveredModel fromV0(JsonNode entry) {
        String key = text(entry, "id");
        if (key == null) {
            return null;
        }
        String listedState = text(entry, "state");
        LoadState state = "loaded".equals(listedState) ? LoadState.LOADED
                : "not-loaded".equals(listedState) ? LoadState.NOT_LOADED
                : LoadState.UNKNOWN;
        return new DiscoveredModel(key, type(text(entry, "type"), key), state, List.of(),
                0, contextLength(entry, "max_context_length"),
                quantization(entry.get("quantization")), null, 0, text(entry, "arch"));
    }

    /**
     * A generic OpenAI-compatible server: a name, and from llama.cpp's llama-server a {@code meta}
     * object with the parameter count ({@code n_params}), the trained context length
     * ({@code n_ctx_train}) and the file's size in bytes ({@code size}). A figure that is missing,
     * not a whole number, negative or beyond belief counts as not listed. The state stays unknown:
     * neither says what is loaded.
     */
    private static DiscoveredModel fromOpenAi(JsonNode entry) {
        String key = text(entry, "id");
        if (key == null) {
            return null;
        }
        // Missing, null or not an object: get() finds no field in it, so every figure reads 0.
        JsonNode meta = entry.path("meta");
        long parameters = wholeNumber(meta, "n_params");
        return new DiscoveredModel(key, type(null, key), LoadState.UNKNOWN, List.of(),
                atMost(meta, "size", MAX_FILE_BYTES), (int) atMost(meta, "n_ctx_train", Integer.MAX_VALUE),
                null, null, ParameterCount.plausible(parameters) ? parameters : 0, null);
    }

    /**
     * LM Studio 0.4 says "llm" or "embedding", 0.3 also "vlm" (a vision LLM) and "embeddings".
     * Anything else, or nothing, falls back to the name: embedding models are named for it
     * ("text-embedding-...", "nomic-embed-text-..."), and sending chat to one only fails.
     */
    private static ModelType type(String listed, String key) {
        if (listed != null) {
            switch (listed.toLowerCase(Locale.ROOT)) {
                case "llm", "vlm" -> {
                    return ModelType.LLM;
                }
                case "embedding", "embeddings" -> {
                    return ModelType.EMBEDDING;
                }
                default -> {
                    // a type we do not know: the name decides
                }
            }
        }
        return key.toLowerCase(Locale.ROOT).contains("embed") ? ModelType.EMBEDDING : ModelType.LLM;
    }

    /** LM Studio 0.4 gives {@code {"name":"Q4_K_M","bits_per_weight":4}}, 0.3 the plain name. */
    private static String quantization(JsonNode node) {
        if (node == null) {
            return null;
        }
        if (node.isObject()) {
            return text(node, "name");
        }
        return node.isTextual() && !node.textValue().isBlank() ? node.textValue() : null;
    }

    /** The field's text, or null when it is missing, not a string, or blank. */
    private static String text(JsonNode object, String field) {
        JsonNode node = object.get(field);
        return node != null && node.isTextual() && !node.textValue().isBlank() ? node.textValue() : null;
    }

    /** The field as a whole number of at least 0, or 0 (not listed) when it is anything else. */
    private static long wholeNumber(JsonNode object, String field) {
        JsonNode node = object.get(field);
        return node != null && node.isIntegralNumber() && node.canConvertToLong() && node.longValue() >= 0
                ? node.longValue()
                : 0;
    }

    /** The field as a whole number from 0 to {@code limit}, or 0 (not listed) when it is anything else. */
    private static long atMost(JsonNode object, String field, long limit) {
        long value = wholeNumber(object, field);
        return value <= limit ? value : 0;
    }

    /** A token count; no model has 2^31 tokens of context, so a larger number is clamped, not refused. */
    private static int contextLength(JsonNode object, String field) {
        return (int) Math.min(Integer.MAX_VALUE, wholeNumber(object, field));
    }

    /** What came instead of the listing, short enough for a log line. */
    private static String found(JsonNode root, String arrayField) {
        if (root == null || root.isMissingNode()) {
            return "nothing";
        }
        if (!root.isObject()) {
            return kind(root);
        }
        String error = errorText(root.get("error"));
        if (error != null) {
            return "an error: \"" + cut(error) + "\"";
        }
        JsonNode misplaced = root.get(arrayField);
        if (misplaced != null) {
            return "\"" + arrayField + "\" as " + kind(misplaced);
        }
        StringBuilder fields = new StringBuilder();
        for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
            fields.append(fields.length() == 0 ? "" : ", ").append(names.next());
        }
        return fields.length() == 0 ? "an empty object" : "an object with fields [" + cut(fields.toString()) + "]";
    }

    /** LM Studio's errors are {@code {"error":"text"}}, OpenAI-style ones {@code {"error":{"message":"text"}}}. */
    private static String errorText(JsonNode error) {
        if (error == null) {
            return null;
        }
        if (error.isTextual()) {
            return error.textValue();
        }
        return error.isObject() ? text(error, "message") : null;
    }

    private static String kind(JsonNode node) {
        return switch (node.getNodeType()) {
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            case MISSING -> "nothing";
            case BINARY, POJO -> "a " + node.getNodeType().name().toLowerCase(Locale.ROOT) + " node";
        };
    }

    private static String cut(String text) {
        return text.length() <= QUOTE_LIMIT ? text : text.substring(0, QUOTE_LIMIT) + "...";
    }
}
