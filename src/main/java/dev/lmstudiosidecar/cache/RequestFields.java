package dev.lmstudiosidecar.cache;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.Set;

/** Reads what a request body says at its top level, with Jackson's tokens (no binding). */
public final class RequestFields {

    private static final Set<String> LENGTH_LIMITS = Set.of("max_tokens", "max_completion_tokens");

    private RequestFields() {
    }

    /** Whether a streamed request asked for the usage chunk ({@code stream_options.include_usage: true}). */
    public static boolean asksStreamUsage(byte[] json, int offset, int length) {
        return anyTopLevelField(json, offset, length,
                (name, value, parser) -> "stream_options".equals(name) && value == JsonToken.START_OBJECT && includesUsage(parser));
    }

    /** Whether the request set a length limit: then an answer cut at that length is the answer it asked for. */
    public static boolean limitsLength(byte[] json, int offset, int length) {
        return anyTopLevelField(json, offset, length, (name, value, parser) -> LENGTH_LIMITS.contains(name) && value != JsonToken.VALUE_NULL);
    }

    /** Reads {@code stream_options} to its end, and says whether it set {@code include_usage: true}. */
    private static boolean includesUsage(JsonParser parser) throws IOException {
        boolean included = false;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String option = parser.currentName();
            JsonToken setting = parser.nextToken();
            included |= "include_usage".equals(option) && setting == JsonToken.VALUE_TRUE;
            parser.skipChildren();
        }
        return included;
    }

    private interface FieldTest {
        /** @param value the field's first token; a test that reads further reads its value whole */
        boolean test(String name, JsonToken value, JsonParser parser) throws IOException;
    }

    /** Whether a top-level field passes {@code test}; false for a body that is no JSON object. */
    private static boolean anyTopLevelField(byte[] json, int offset, int length, FieldTest test) {
        try (JsonParser parser = CacheJson.TOKENS.createParser(json, offset, length)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return false;
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                if (test.test(name, parser.nextToken(), parser)) {
                    return true;
                }
                parser.skipChildren();
            }
            return false;
        } catch (IOException malformed) {
            return false;
        }
    }
}
