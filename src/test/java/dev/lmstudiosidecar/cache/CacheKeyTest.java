package dev.lmstudiosidecar.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class CacheKeyTest {

    private static final String CHAT = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"temperature\":0}";

    private static String key(String body) {
        return key("chat", "m", body);
    }

    private static String key(String operation, String model, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return CacheKey.of(operation, model, bytes, 0, bytes.length);
    }

    /** CHAT with one more top-level field. */
    private static String chatWith(String field) {
        return CHAT.substring(0, CHAT.length() - 1) + "," + field + "}";
    }

    @Test
    void isTheOperationAndTheHexOfASha256() {
        String key = key(CHAT);
        assertTrue(key.matches("chat:[0-9a-f]{64}"), key);
    }

    @Test
    void keyOrderAndWhitespaceDoNotMatter() {
        String reordered = "{ \"temperature\" : 0,\n  \"messages\" : [ { \"content\" : \"hi\", \"role\" : \"user\" } ],\n  \"model\" : \"m\" }";
        assertEquals(key(CHAT), key(reordered));
    }

    @Test
    void nestedKeyOrderDoesNotMatter() {
        String a = chatWith("\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"x\",\"strict\":true}}");
        String b = chatWith("\"response_format\":{\"json_schema\":{\"strict\":true,\"name\":\"x\"},\"type\":\"json_schema\"}");
        assertEquals(key(a), key(b));
    }

    @Test
    void arrayOrderMatters() {
        assertNotEquals(key(chatWith("\"stop\":[\"a\",\"b\"]")), key(chatWith("\"stop\":[\"b\",\"a\"]")));
    }

    @Test
    void numbersAreComparedByValueNotSpelling() {
        assertEquals(key(CHAT), key(CHAT.replace("\"temperature\":0", "\"temperature\":0.0")));
        assertEquals(key(chatWith("\"top_p\":1")), key(chatWith("\"top_p\":1.0")));
        assertEquals(key(chatWith("\"top_p\":1")), key(chatWith("\"top_p\":1e0")));
        assertEquals(key(chatWith("\"top_p\":0.5")), key(chatWith("\"top_p\":0.50")));
        assertEquals(key(chatWith("\"max_tokens\":100")), key(chatWith("\"max_tokens\":1E2")));
        assertNotEquals(key(chatWith("\"top_p\":0.5")), key(chatWith("\"top_p\":0.51")));
    }

    @Test
    void canonicalNumbersKeepIntegersIntegral() {
        assertEquals("1", CacheKey.canonical(new java.math.BigDecimal("1.000")));
        assertEquals("100", CacheKey.canonical(new java.math.BigDecimal("1e2")));
        assertEquals("0", CacheKey.canonical(new java.math.BigDecimal("-0.0")));
        assertEquals("0.7", CacheKey.canonical(new java.math.BigDecimal("0.70")));
        assertEquals("1E+999999", CacheKey.canonical(new java.math.BigDecimal("1e999999")), "not expanded to a million digits");
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"temperature\":0.7", "\"top_p\":0.9", "\"max_tokens\":10", "\"stop\":[\"\\n\"]", "\"seed\":42",
            "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\"}}]", "\"tool_choice\":\"auto\"",
            "\"response_format\":{\"type\":\"json_object\"}", "\"n\":2", "\"logit_bias\":{\"50256\":-100}"})
    void eachGenerationParameterChangesTheKey(String field) {
        String changed = field.startsWith("\"temperature\"") ? CHAT.replace("\"temperature\":0", field) : chatWith(field);
        assertNotEquals(key(CHAT), key(changed), field);
    }

    @Test
    void theMessagesChangeTheKey() {
        assertNotEquals(key(CHAT), key(CHAT.replace("\"hi\"", "\"hello\"")));
    }

    @Test
    void theAnsweringModelIsPartOfTheKeyNotTheOneAskedFor() {
        assertNotEquals(key("chat", "m", CHAT), key("chat", "other", CHAT));
        assertEquals(key("chat", "m", CHAT.replace("\"model\":\"m\"", "\"model\":\"auto\"")), key("chat", "m", CHAT),
                "a request for auto routed to m meets a request naming m");
        assertEquals(key("chat", "m", CHAT.replace("\"model\":\"m\",", "")), key("chat", "m", CHAT));
    }

    @Test
    void embeddingInputAndDimensionsChangeTheKey() {
        String body = "{\"model\":\"e\",\"input\":\"text\"}";
        assertNotEquals(key("embeddings", "e", body), key("embeddings", "e", body.replace("text", "other")));
        assertNotEquals(key("embeddings", "e", body), key("embeddings", "e", "{\"model\":\"e\",\"input\":\"text\",\"dimensions\":256}"));
        assertNotEquals(key("embeddings", "e", body), key("embeddings", "e", "{\"model\":\"e\",\"input\":[\"text\"]}"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"stream\":true", "\"stream_options\":{\"include_usage\":true}", "\"user\":\"alice\"",
            "\"task_type\":\"coding\"", "\"preferred_provider\":\"lmstudio\"", "\"fallback_to_cloud\":false"})
    void deliveryAndRoutingFieldsDoNotChangeTheKey(String field) {
        assertEquals(key(CHAT), key(chatWith(field)), field);
    }

    @Test
    void fieldsLeftOutOnlyAtTheTopLevel() {
        String nested = chatWith("\"metadata\":{\"user\":\"a\"}");
        assertNotEquals(key(nested), key(chatWith("\"metadata\":{\"user\":\"b\"}")));
    }

    @Test
    void theOperationIsPartOfTheKey() {
        String body = "{\"model\":\"m\",\"prompt\":\"hi\"}";
        String chat = key("chat", "m", body);
        String completions = key("completions", "m", body);
        assertTrue(completions.startsWith("completions:"));
        assertNotEquals(chat, completions);
    }

    @Test
    void readsOnlyTheGivenSlice() {
        byte[] padded = ("xx" + CHAT + "yy").getBytes(StandardCharsets.UTF_8);
        assertEquals(key(CHAT), CacheKey.of("chat", "m", padded, 2, padded.length - 4));
    }

    @ParameterizedTest
    @ValueSource(strings = {"[1,2]", "\"text\"", "42", "", "{not json", "null"})
    void aBodyThatIsNoJsonObjectIsRejected(String body) {
        assertThrows(IllegalArgumentException.class, () -> key(body));
    }

    @Test
    void anUnknownOperationIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> key("images", "m", CHAT));
    }
}
