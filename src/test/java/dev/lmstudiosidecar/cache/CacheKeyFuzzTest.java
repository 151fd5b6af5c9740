package dev.lmstudiosidecar.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import dev.lmstudiosidecar.api.ApiException;
import dev.lmstudiosidecar.api.OpenAiEndpoint;
import dev.lmstudiosidecar.api.OpenAiRequest;
import dev.lmstudiosidecar.api.OpenAiRequestParser;
import java.io.IOException;
import java.util.regex.Pattern;

/**
 * Coverage-guided fuzzing of the response cache's key ({@link CacheKey}) over bodies the request parser accepted,
 * which are the only ones the cache ever sees. The property: a key is always made (no exception), it has the form
 * {@code operation:sha256-hex}, it is the same for the same body read twice, for the body re-written by Jackson
 * (other whitespace, other spelling) and for the body as the sidecar rewrites it (hint fields out).
 *
 * <p>Seeds: {@code CacheKeyFuzzTestInputs/keyIsDeterministicAndSpellingBlind/} (a body followed by the byte that
 * picks the endpoint).
 */
class CacheKeyFuzzTest {

    private static final Pattern KEY = Pattern.compile("(chat|completions|embeddings):[0-9a-f]{64}");

    private final OpenAiRequestParser parser = new OpenAiRequestParser(false);

    @FuzzTest(maxDuration = "5s")
    void keyIsDeterministicAndSpellingBlind(FuzzedDataProvider data) throws IOException {
        OpenAiEndpoint endpoint = data.pickValue(new OpenAiEndpoint[] {
                OpenAiEndpoint.CHAT_COMPLETIONS, OpenAiEndpoint.COMPLETIONS, OpenAiEndpoint.EMBEDDINGS});
        byte[] body = data.consumeRemainingAsBytes();
        OpenAiRequest request;
        try {
            request = parser.parse(endpoint, body, 0, body.length, name -> null);
        } catch (ApiException refused) {
            return; // never reaches the cache
        }
        String operation = endpoint.cacheOperation();
        String model = request.model() == null ? "routed-model" : request.model();

        String key = CacheKey.of(operation, model, body, 0, body.length);
        assertTrue(KEY.matcher(key).matches(), () -> "a key of the form operation:sha256, not " + key);
        assertEquals(key, CacheKey.of(operation, model, body.clone(), 0, body.length), "the same body, the same key");

        JsonNode tree = CacheJson.TREES.readTree(body);
        byte[] respelled = CacheJson.TREES.writerWithDefaultPrettyPrinter().writeValueAsBytes(tree);
        assertEquals(key, CacheKey.of(operation, model, respelled, 0, respelled.length), "whitespace and spelling do not change the key");

        if (request.rewrittenBody() != null) {
            byte[] rewritten = request.rewrittenBody();
            assertEquals(key, CacheKey.of(operation, model, rewritten, 0, rewritten.length), "hint fields are not part of the key");
        }
        byte[] framed = new byte[body.length + 6];
        System.arraycopy(body, 0, framed, 3, body.length);
        assertEquals(key, CacheKey.of(operation, model, framed, 3, body.length), "a slice of a larger buffer gives the same key");
    }
}
