package dev.lmstudiosidecar.cache;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.Set;

/** Reads whether a request body names a field at its top level, with Jackson's tokens (no binding). */
public final class RequestFields {

    private static final JsonFactory JSON = new JsonFactory();
    private static final Set<String> LENGTH_LIMITS = Set.of("max_tokens", "max_completion_tokens");

    private RequestFields() {
    }

    /** Whether a streamed request asked for the usage chunk ({@code stream_options.include_usage: true}). */
    public static boolean asksStreamUsage(byte[] json, int offset, int length) {
        try (JsonParser parser = JSON.createParser(json, offset, length)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return false;
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                if ("stream_options".equals(name) && value == JsonToken.START_OBJECT) {
                    while (parser.nextToken() == JsonToken.FIELD_NAME) {
                        String option = parser.currentName();
                        JsonToken setting = parser.nextToken();
                        if ("include_usage".equals(option)) {
                            return setting == JsonToken.VALUE_TRUE;
                        }
                        parser.skipChildren();
                    }
                    return false;
                }
                parser.skipChildren();
            }
            return false;
        } catch (IOException malformed) {
            return false;
        }
    }

    /** Whether the request set a length limit: then an answer cut at that length is the answer it asked for. */
    public static boolean limitsLength(byte[] json, int offset, int length) {
        try (JsonParser parser = JSON.createParser(json, offset, length)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return false;
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                if (LENGTH_LIMITS.contains(name) && value != JsonToken.VALUE_NULL) {
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
