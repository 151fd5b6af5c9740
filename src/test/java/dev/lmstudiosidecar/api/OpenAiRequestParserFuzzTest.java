package dev.lmstudiosidecar.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;

/**
 * Coverage-guided fuzzing of request validation ({@link OpenAiRequestParser}) for every endpoint, with and
 * without the hint headers. The property: a body is either refused with an {@link ApiException} carrying a
 * 4xx OpenAI error, or accepted with what the JSON says (model, stream), and an accepted body can be
 * rewritten (hint fields out, another model in) into JSON that still says the same. Nothing else may come
 * out: no other exception, no 5xx.
 *
 * <p>Seeds: {@code OpenAiRequestParserFuzzTestInputs/parsesOrRefusesWithA4xx/} (a JSON body followed by the
 * bytes {@link FuzzedDataProvider} takes from the end: the endpoint, then which hint headers are set). How to
 * fuzz it for longer: README, "Fuzzing".
 */
class OpenAiRequestParserFuzzTest {

    private static final String[] HINT_HEADERS = {
            RequestHints.TASK_TYPE_HEADER, RequestHints.PREFER_PROVIDER_HEADER, RequestHints.FALLBACK_TO_CLOUD_HEADER};

    /** An independent reading of the body, to check what the streaming parser extracted. */
    private static final ObjectMapper TREE = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .setNodeFactory(JsonNodeFactory.withExactBigDecimals(true));

    /** Equal nodes, numbers compared by value whatever their type or spelling. */
    private static final Comparator<JsonNode> SAME_VALUE = (a, b) -> a.isNumber() && b.isNumber()
            ? a.decimalValue().compareTo(b.decimalValue())
            : a.equals(b) ? 0 : 1;

    private final OpenAiRequestParser plain = new OpenAiRequestParser(false);
    private final OpenAiRequestParser withUsage = new OpenAiRequestParser(true);

    @FuzzTest(maxDuration = "5s")
    void parsesOrRefusesWithA4xx(FuzzedDataProvider data) throws IOException {
        OpenAiEndpoint endpoint = data.pickValue(OpenAiEndpoint.values());
        boolean askForUsage = data.consumeBoolean();
        Map<String, String> headers = new HashMap<>();
        for (String header : HINT_HEADERS) {
            if (data.consumeBoolean()) {
                headers.put(header.toLowerCase(java.util.Locale.ROOT), data.consumeString(24));
            }
        }
        byte[] body = data.consumeRemainingAsBytes();

        OpenAiRequest request;
        try {
            request = (askForUsage ? withUsage : plain).parse(endpoint, body, 0, body.length,
                    name -> headers.get(name.toLowerCase(java.util.Locale.ROOT)));
        } catch (ApiException refused) {
            assertIsAClientError(refused.error());
            return;
        }
        assertEquals(endpoint, request.endpoint());
        if (!endpoint.generates()) {
            assertNull(request.rewrittenBody(), "a request without a body to validate is forwarded as sent");
            return;
        }
        JsonNode tree = readAccepted(body);
        JsonNode model = tree.get("model");
        assertEquals(model == null || model.isNull() ? null : model.textValue(), request.model(), "the model the JSON names");
        assertEquals(tree.path("stream").asBoolean(false) && tree.path("stream").isBoolean(), request.stream(), "stream as the JSON says");

        if (request.rewrittenBody() != null) {
            JsonNode rewritten = readAccepted(request.rewrittenBody());
            assertSameExceptHintsAndUsage(tree, rewritten);
            if (request.addsStreamUsage()) {
                assertTrue(rewritten.path("stream_options").path("include_usage").asBoolean(), "the stream's usage is asked for");
            }
        }
        if (endpoint.routable()) {
            byte[] forFallback = plain.withModel(body, 0, body.length, "fallback-model", request.addsStreamUsage());
            JsonNode other = readAccepted(forFallback);
            assertEquals("fallback-model", other.get("model").textValue());
            assertFalse(other.has(RequestHints.TASK_TYPE_FIELD) || other.has(RequestHints.PREFER_PROVIDER_FIELD)
                    || other.has(RequestHints.FALLBACK_TO_CLOUD_FIELD), "hint fields never go upstream");
        }
    }

    static void assertIsAClientError(ApiError error) {
        assertTrue(error.status() >= 400 && error.status() < 500, () -> "a refusal is a 4xx, not " + error.status() + ": " + error);
        assertEquals(ApiError.INVALID_REQUEST, error.type());
        assertNotNull(error.code());
        assertFalse(error.message().isBlank());
        try {
            assertTrue(TREE.readTree(error.toJson()).path("error").path("message").isTextual(), "the error body is JSON");
        } catch (IOException e) {
            throw new AssertionError("the error body is not JSON: " + error.toJson(), e);
        }
    }

    /** A body the parser accepted must read as a JSON object: the rewrite, the cache key and LM Studio read it whole. */
    private static JsonNode readAccepted(byte[] body) {
        JsonNode tree;
        try {
            tree = TREE.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).readTree(body);
        } catch (IOException e) {
            throw new AssertionError("accepted, but not readable as JSON: " + e.getMessage(), e);
        }
        assertTrue(tree instanceof ObjectNode, "accepted, but not an object");
        return tree;
    }

    private static void assertSameExceptHintsAndUsage(JsonNode original, JsonNode rewritten) {
        ObjectNode expected = ((ObjectNode) original).deepCopy();
        expected.remove(RequestHints.TASK_TYPE_FIELD);
        expected.remove(RequestHints.PREFER_PROVIDER_FIELD);
        expected.remove(RequestHints.FALLBACK_TO_CLOUD_FIELD);
        ObjectNode actual = ((ObjectNode) rewritten).deepCopy();
        expected.remove("stream_options");
        actual.remove("stream_options");
        // A number may come back spelt otherwise (1e0 as 1): the same value is what LM Studio must get.
        assertTrue(expected.equals(SAME_VALUE, actual), () -> "the rewrite keeps every field but the hints: " + expected + " became " + actual);
    }
}
