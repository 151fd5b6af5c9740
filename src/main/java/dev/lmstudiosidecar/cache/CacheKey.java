package dev.lmstudiosidecar.cache;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lmstudiosidecar.api.RequestHints;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * The key a request's answer is stored under: {@code operation:sha256-hex} of the request in a
 * canonical form, so that requests that ask the same thing meet the same entry however they were
 * written (key order, whitespace, {@code 1} or {@code 1.0}).
 *
 * <p>Left out of the key: what changes how the answer is delivered or routed, not what it says
 * ({@code stream}, {@code stream_options}, {@code user} and the sidecar's hint fields). The
 * {@code model} is the one that answers: a request for {@code auto} and a request naming the model
 * it was routed to get the same answer.
 */
public final class CacheKey {

    public static final Set<String> OPERATIONS = Set.of("chat", "completions", "embeddings");

    /** Top-level fields that do not change what the answer says. */
    static final Set<String> IGNORED_FIELDS = Set.of("stream", "stream_options", "user",
            RequestHints.TASK_TYPE_FIELD, RequestHints.PREFER_PROVIDER_FIELD, RequestHints.FALLBACK_TO_CLOUD_FIELD);

    /**
     * Integers longer than this are written in scientific form rather than expanded: {@code 1e999999}
     * in a request must not cost a million-digit string. Both spellings of such a number still agree,
     * because every number goes through the same {@link #canonical(BigDecimal)}.
     */
    private static final int MAX_EXPANDED_DIGITS = 64;

    private CacheKey() {
    }

    /**
     * @param operation "chat", "completions" or "embeddings"
     * @param model     the model that answers (may differ from the one asked for)
     * @param json      the request body, already validated by the caller
     * @throws IllegalArgumentException when the operation is unknown or the body is not a JSON object
     */
    public static String of(String operation, String model, byte[] json, int offset, int length) {
        if (!OPERATIONS.contains(operation)) {
            throw new IllegalArgumentException("operation must be one of chat, completions, embeddings, not " + operation);
        }
        if (model == null) {
            throw new IllegalArgumentException("model must not be null");
        }
        ObjectNode request = readObject(json, offset, length);
        request.remove(IGNORED_FIELDS);
        request.put("model", model);
        MessageDigest sha256 = sha256();
        // Written straight into the digest: the canonical form is never held in memory.
        try (DigestOutputStream digest = new DigestOutputStream(OutputStream.nullOutputStream(), sha256);
             JsonGenerator out = CacheJson.TOKENS.createGenerator(digest)) {
            writeCanonical(request, out);
        } catch (IOException e) {
            throw new IllegalStateException("writing to a digest does not fail", e);
        }
        return operation + ":" + HexFormat.of().formatHex(sha256.digest());
    }

    private static ObjectNode readObject(byte[] json, int offset, int length) {
        if (json == null) {
            throw new IllegalArgumentException("the body is null");
        }
        JsonNode root;
        try {
            root = CacheJson.TREES.readTree(json, offset, length);
        } catch (IOException e) {
            throw new IllegalArgumentException("the body is not JSON: " + CacheJson.describe(e), e);
        }
        if (!(root instanceof ObjectNode object)) {
            throw new IllegalArgumentException("the body is not a JSON object");
        }
        return object;
    }

    private static void writeCanonical(JsonNode node, JsonGenerator out) throws IOException {
        switch (node.getNodeType()) {
            case OBJECT -> {
                List<String> names = new ArrayList<>(node.size());
                node.fieldNames().forEachRemaining(names::add);
                Collections.sort(names);
                out.writeStartObject();
                for (String name : names) {
                    out.writeFieldName(name);
                    writeCanonical(node.get(name), out);
                }
                out.writeEndObject();
            }
            case ARRAY -> {
                out.writeStartArray();
                for (JsonNode element : node) {
                    writeCanonical(element, out);
                }
                out.writeEndArray();
            }
            case NUMBER -> out.writeNumber(canonical(node.decimalValue()));
            case STRING -> out.writeString(node.textValue());
            case BOOLEAN -> out.writeBoolean(node.booleanValue());
            default -> out.writeNull(); // NULL; parsing yields no other node types
        }
    }

    /** One spelling per number: {@code 1}, {@code 1.0}, {@code 1e0} and {@code 10e-1} all become {@code 1}. */
    static String canonical(BigDecimal number) {
        BigDecimal stripped = number.stripTrailingZeros();
        if (stripped.scale() <= 0 && stripped.precision() - stripped.scale() <= MAX_EXPANDED_DIGITS) {
            return stripped.toBigIntegerExact().toString();
        }
        return stripped.toString();
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}
